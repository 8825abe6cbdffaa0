/*
 * t_libinfo.c - totp_library_info: the linked libraries report the
 * versions running, and libraries loaded on demand stay unloaded until a
 * call needs them (zbar: a scan), then report theirs.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>
#include <png.h>
#include <sodium.h>

#include "test.h"
#include "totp.h"

static int find(const char *name, struct totp_library *out)
{
	for (size_t i = 0; totp_library_info(i, out) == TOTP_OK; i++)
		if (strcmp(out->name, name) == 0)
			return 1;
	return 0;
}

/* "1.2" or "1.2.3": digits and dots, starting with a digit. */
static int version_like(const char *v)
{
	int dots = 0;

	if (!isdigit((unsigned char)v[0]))
		return 0;
	for (; *v; v++) {
		if (*v == '.')
			dots++;
		else if (!isdigit((unsigned char)*v))
			return 0;
	}
	return dots >= 1;
}

static void linked(void)
{
	static const struct {
		const char *name, *built;
	} table[] = {
	        {"libsodium", SODIUM_VERSION_STRING},
	        {"jansson", JANSSON_VERSION},
	};
	struct totp_library lib;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (!CHECK(find(table[i].name, &lib), "%s is listed", table[i].name))
			continue;
		CHECK(lib.soname == NULL, "%s is linked", table[i].name);
		CHECK(lib.flags == TOTP_LIBRARY_LOADED, "%s flags %#x", table[i].name, lib.flags);
		CHECK(version_like(lib.version), "%s version '%s'", table[i].name, lib.version);
		/* The build and the run use the same packages here. */
		if (table[i].built)
			CHECK_STR(lib.version, table[i].built, "%s runs the version built with",
			          table[i].name);
	}
}

static void on_demand(void)
{
	struct totp_library lib;
	struct totp_qr_list list;
	struct totp_image img = {0};
	uint8_t *png = NULL;
	size_t len = 0;
	int rc;

	CHECK(find("zbar", &lib), "zbar is listed");
	CHECK_STR(lib.soname, "libzbar.so.0", "zbar's soname");
	CHECK(lib.flags == TOTP_LIBRARY_ON_DEMAND, "zbar not loaded yet (flags %#x)", lib.flags);
	CHECK_STR(lib.version, "", "no zbar version before it is loaded");
	CHECK(find("libjpeg", &lib), "libjpeg is listed");
	CHECK_STR(lib.soname, "libjpeg.so.62", "libjpeg's soname");
	CHECK(!(lib.flags & TOTP_LIBRARY_LOADED), "libjpeg not loaded");

	CHECK(find("libqrencode", &lib), "libqrencode is listed");
	CHECK_STR(lib.soname, "libqrencode.so.4", "libqrencode's soname");
	CHECK(lib.flags == TOTP_LIBRARY_ON_DEMAND, "libqrencode not loaded yet (flags %#x)",
	      lib.flags);
	CHECK(find("libpng", &lib), "libpng is listed");
	CHECK_STR(lib.soname, "libpng16.so.16", "libpng's soname");
	CHECK(lib.flags == TOTP_LIBRARY_ON_DEMAND, "libpng not loaded yet (flags %#x)", lib.flags);
	CHECK_STR(lib.version, "", "no libpng version before it is loaded");

	/* Drawing a QR code as PNG loads libqrencode and libpng, and scanning
	 * one loads zbar; their versions are then known. */
	totp_qr_list_init(&list);
	rc = totp_qr_png(&png, &len, (const uint8_t *)"hello", 5, NULL);
	if (rc == TOTP_OK)
		rc = totp_image_load(&img, png, len);
	if (rc == TOTP_OK)
		rc = totp_qr_scan(&list, &img, "t.png", NULL);
	CHECK_RC(rc, TOTP_OK, "scan a rendered code");
	CHECK(find("libqrencode", &lib), "libqrencode is still listed");
	CHECK(lib.flags == (TOTP_LIBRARY_ON_DEMAND | TOTP_LIBRARY_LOADED),
	      "libqrencode loaded after drawing (flags %#x)", lib.flags);
	CHECK(version_like(lib.version), "libqrencode reports its version '%s'", lib.version);
	CHECK(find("libpng", &lib), "libpng is still listed");
	CHECK(lib.flags == (TOTP_LIBRARY_ON_DEMAND | TOTP_LIBRARY_LOADED),
	      "libpng loaded after drawing (flags %#x)", lib.flags);
	/* The build and the run use the same packages here. */
	CHECK_STR(lib.version, PNG_LIBPNG_VER_STRING, "libpng runs the version built with");
	CHECK(find("zbar", &lib), "zbar is still listed");
	CHECK(lib.flags == (TOTP_LIBRARY_ON_DEMAND | TOTP_LIBRARY_LOADED),
	      "zbar loaded after a scan (flags %#x)", lib.flags);
	CHECK(version_like(lib.version), "zbar reports its version '%s'", lib.version);
	totp_qr_list_free(&list);
	totp_image_free(&img);
	totp_qr_free(png);
}

int main(void)
{
	struct totp_library lib;
	size_t n = 0;

	CHECK_RC(totp_init(), TOTP_OK, "init");
	while (totp_library_info(n, &lib) == TOTP_OK)
		n++;
	CHECK(n == 6, "six libraries (%zu)", n);
	CHECK_RC(totp_library_info(n, &lib), TOTP_E_INVAL, "past the last");
	CHECK(lib.name == NULL && lib.version[0] == '\0', "cleared past the last");
	CHECK_RC(totp_library_info(0, NULL), TOTP_E_INVAL, "NULL out");
	linked();
	on_demand();
	TEST_EXIT();
}
