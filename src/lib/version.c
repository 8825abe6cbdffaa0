/*
 * version.c - the libraries libtotp uses and the versions running.
 *
 * Linked libraries are asked for their own version.  Libraries opened with
 * dlopen() on first use are looked up with RTLD_NOLOAD, which finds one
 * already in the process and never loads it, so asking costs no start-up
 * time and leaves the process as it was.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <jpeglib.h>
#include <png.h> /* the type of png_get_libpng_ver */
#include <sodium.h>

#include "internal.h"

#define STR_(x) #x
#define STR(x) STR_(x)

enum lib_id { LIB_SODIUM, LIB_QRENCODE, LIB_PNG, LIB_JANSSON, LIB_ZBAR, LIB_JPEG, LIB_END_ };

static const struct {
	const char *name;
	const char *soname;
} libs[LIB_END_] = {
        [LIB_SODIUM] = {"libsodium", NULL},
        [LIB_QRENCODE] = {"libqrencode", "libqrencode.so.4"},
        [LIB_PNG] = {"libpng", "libpng16.so.16"},
        [LIB_JANSSON] = {"jansson", NULL},
        [LIB_ZBAR] = {"zbar", "libzbar.so.0"},
        [LIB_JPEG] = {"libjpeg", "libjpeg.so.62"},
};

static void set_version(struct totp_library *out, const char *v)
{
	snprintf(out->version, sizeof(out->version), "%s", v ? v : "");
}

/* The handle of soname when it is already loaded, else NULL. */
static void *already_loaded(const char *soname)
{
	return dlopen(soname, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
}

/* Symbol name of handle h into the function pointer at fn; 0 if missing.
 * POSIX guarantees dlsym results convert to function pointers. */
static int symbol(void *h, const char *name, void *fn)
{
	void *p = dlsym(h, name);

	if (p)
		memcpy(fn, &p, sizeof(p));
	return p != NULL;
}

/* The version a library opened on demand reports, h its handle. */
static void loaded_version(struct totp_library *out, enum lib_id id, void *h)
{
	int (*zbar)(unsigned *, unsigned *, unsigned *);
	const char *(*qrencode)(void);
	png_const_charp (*png)(png_const_structrp);
	unsigned major = 0, minor = 0, patch = 0;

	if (id == LIB_ZBAR && symbol(h, "zbar_version", &zbar) && zbar(&major, &minor, &patch) == 0)
		snprintf(out->version, sizeof(out->version), "%u.%u.%u", major, minor, patch);
	else if (id == LIB_QRENCODE && symbol(h, "QRcode_APIVersionString", &qrencode))
		set_version(out, qrencode());
	else if (id == LIB_PNG && symbol(h, "png_get_libpng_ver", &png))
		set_version(out, png(NULL));
	/* libjpeg's interface has no version call: named below from the build. */
}

int totp_library_info(size_t i, struct totp_library *out)
{
	if (!out)
		return TOTP_E_INVAL;
	memset(out, 0, sizeof(*out));
	if (i >= LIB_END_)
		return TOTP_E_INVAL;
	out->name = libs[i].name;
	out->soname = libs[i].soname;
	out->flags = TOTP_LIBRARY_LOADED;
	if (out->soname) {
		void *h = already_loaded(out->soname);

		out->flags = TOTP_LIBRARY_ON_DEMAND;
		if (h) {
			out->flags |= TOTP_LIBRARY_LOADED;
			loaded_version(out, (enum lib_id)i, h);
			dlclose(h);
		}
	}
	switch ((enum lib_id)i) {
	case LIB_SODIUM:
		set_version(out, sodium_version_string());
		break;
	case LIB_JANSSON:
#if JANSSON_VERSION_HEX >= 0x020d00
		set_version(out, jansson_version_str());
#else
		set_version(out, JANSSON_VERSION);
		out->flags |= TOTP_LIBRARY_BUILT;
#endif
		break;
	case LIB_JPEG:
#ifdef LIBJPEG_TURBO_VERSION
		/* libjpeg's interface has no version call: name the build's. */
		set_version(out, STR(LIBJPEG_TURBO_VERSION));
		out->flags |= TOTP_LIBRARY_BUILT;
#endif
		break;
	case LIB_QRENCODE:
	case LIB_PNG:
	case LIB_ZBAR: /* their versions come from the loaded library */
	case LIB_END_:
		break;
	}
	return TOTP_OK;
}
