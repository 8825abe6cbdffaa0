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
#include <png.h> /* only for the version built with */
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

static void zbar_info(struct totp_library *out)
{
	void *h = already_loaded(out->soname);
	int (*version)(unsigned *, unsigned *, unsigned *);
	unsigned major = 0, minor = 0, patch = 0;
	void *p;

	if (!h)
		return;
	out->flags |= TOTP_LIBRARY_LOADED;
	p = dlsym(h, "zbar_version");
	if (p) {
		/* POSIX guarantees dlsym results convert to function pointers. */
		memcpy(&version, &p, sizeof(p));
		if (version(&major, &minor, &patch) == 0)
			snprintf(out->version, sizeof(out->version), "%u.%u.%u", major, minor,
			         patch);
	}
	dlclose(h);
}

static void qrencode_info(struct totp_library *out)
{
	void *h = already_loaded(out->soname);
	const char *(*version)(void);
	void *p;

	if (!h)
		return;
	out->flags |= TOTP_LIBRARY_LOADED;
	p = dlsym(h, "QRcode_APIVersionString");
	if (p) {
		memcpy(&version, &p, sizeof(p));
		set_version(out, version());
	}
	dlclose(h);
}

static void libpng_info(struct totp_library *out)
{
	void *h = already_loaded(out->soname);
	png_const_charp (*version)(png_const_structrp);
	void *p;

	if (!h)
		return;
	out->flags |= TOTP_LIBRARY_LOADED;
	p = dlsym(h, "png_get_libpng_ver");
	if (p) {
		memcpy(&version, &p, sizeof(p));
		set_version(out, version(NULL));
	}
	dlclose(h);
}

static void jpeg_info(struct totp_library *out)
{
	void *h = already_loaded(out->soname);

	if (h) {
		out->flags |= TOTP_LIBRARY_LOADED;
		dlclose(h);
	}
#ifdef LIBJPEG_TURBO_VERSION
	/* libjpeg's interface has no version call: name the build's. */
	set_version(out, STR(LIBJPEG_TURBO_VERSION));
	out->flags |= TOTP_LIBRARY_BUILT;
#endif
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
	if (out->soname)
		out->flags = TOTP_LIBRARY_ON_DEMAND;
	else
		out->flags = TOTP_LIBRARY_LOADED;
	switch ((enum lib_id)i) {
	case LIB_SODIUM:
		set_version(out, sodium_version_string());
		break;
	case LIB_QRENCODE:
		qrencode_info(out);
		break;
	case LIB_PNG:
		libpng_info(out);
		break;
	case LIB_JANSSON:
#if JANSSON_VERSION_HEX >= 0x020d00
		set_version(out, jansson_version_str());
#else
		set_version(out, JANSSON_VERSION);
		out->flags |= TOTP_LIBRARY_BUILT;
#endif
		break;
	case LIB_ZBAR:
		zbar_info(out);
		break;
	case LIB_JPEG:
		jpeg_info(out);
		break;
	case LIB_END_:
		break;
	}
	return TOTP_OK;
}
