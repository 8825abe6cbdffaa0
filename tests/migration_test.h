/*
 * migration_test.h - helpers shared by the otpauth-migration tests: the
 * worked examples of FORMATS.md section 5, importing payloads, and moving
 * between URIs and protobuf bytes.
 */
#ifndef TOTP_MIGRATION_TEST_H
#define TOTP_MIGRATION_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "internal.h"
#include "qr.h"
#include "test.h"
#include "totp.h"

#define TEST_UNUSED __attribute__((unused))

TEST_UNUSED static const char ex1[] =
        "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YW"
        "xpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC";
TEST_UNUSED static const char ex1_std[] =
        "otpauth-migration://offline?data=CjsKFBHMQnKu/odWlB/zUy+dfiRIaHj0Eh"
        "hFeGFtcGxlOmFsaWNlQGdvb2dsZS5jb20aB0V4YW1wbGUwAg==";
TEST_UNUSED static const char ex2[] =
        "otpauth-migration://offline?data=CiUKEPqlBekzoNEukL7qlsjBCDYSCWhvdHAgZGV"
        "tbyABKAEwATgEEAEYASAAKNuv15j6%2F%2F%2F%2F%2FwE%3D";
TEST_UNUSED static const char ex3[] =
        "otpauth-migration://offline?data=CjMKCkhlbGxvId6tvu8SGFRlc3QxOnRlc3QxQGV4YW1wbGUxLmNvbRoFV"
        "GVzdDEgASgBMAIKMwoKSGVsbG8h3q2%2B8BIYVGVzdDI6dGVzdDJAZXhhbXBsZTIuY29tGgVUZXN0MiABKAEwAgozC"
        "gpIZWxsbyHerb7xEhhUZXN0Mzp0ZXN0M0BleGFtcGxlMy5jb20aBVRlc3QzIAEoATACEAEYASAAKI3orYEE";

/* Import the given payloads (in that order) into a fresh im. */
static inline int import(struct totp_import *im, const char *const *p, size_t n)
{
	struct totp_qr_list l;
	int rc = TOTP_OK;

	totp_qr_list_init(&l);
	totp_import_init(im);
	for (size_t i = 0; i < n && rc == TOTP_OK; i++) {
		char src[32];

		snprintf(src, sizeof(src), "code%zu.png", i + 1);
		rc = totp_qr_list_add(&l, (const uint8_t *)p[i], strlen(p[i]), src);
	}
	if (rc == TOTP_OK)
		rc = totp_qr_import(im, &l);
	totp_qr_list_free(&l);
	return rc;
}

static inline const char *b32(const struct totp_entry *e)
{
	static char out[TOTP_SECRET_MAX * 2];

	if (totp_base32_encode(out, sizeof(out), e->secret, e->secret_len) != TOTP_OK)
		return "(error)";
	return out;
}

/* The protobuf inside a URI, via the library's own decoder. */
static inline size_t pb_of(uint8_t *out, size_t outsz, const char *uri)
{
	size_t n = 0;

	if (totp_mig_decode(out, outsz, &n, (const uint8_t *)uri, strlen(uri)) != TOTP_OK)
		return 0;
	return n;
}

/* A URI around a protobuf. */
static inline void uri_of(char *out, size_t outsz, const uint8_t *pb, size_t n)
{
	static const char pre[] = "otpauth-migration://offline?data=";

	memcpy(out, pre, sizeof(pre));
	sodium_bin2base64(out + sizeof(pre) - 1, outsz - sizeof(pre) + 1, pb, n,
	                  sodium_base64_VARIANT_ORIGINAL);
}

static inline struct totp_entry *fixed_entries(size_t n)
{
	struct totp_entry *e = sodium_allocarray(n, sizeof(*e));

	for (size_t i = 0; i < n; i++) {
		totp_entry_init(&e[i]);
		e[i].secret_len = 10;
		memset(e[i].secret, (int)i + 1, 10);
		snprintf(e[i].issuer, sizeof(e[i].issuer), "Issuer%zu", i);
		snprintf(e[i].account, sizeof(e[i].account), "user%zu", i);
	}
	return e;
}

static inline int has_problem(const struct totp_import *im, int err, const char *detail)
{
	for (size_t i = 0; i < im->nproblems; i++)
		if (im->problems[i].err == err && strstr(im->problems[i].detail, detail))
			return 1;
	return 0;
}

static inline int import_pb(struct totp_import *im, const uint8_t *pb, size_t n)
{
	char uri[1024];
	const char *p[1] = {uri};

	uri_of(uri, sizeof(uri), pb, n);
	return import(im, p, 1);
}

#endif
