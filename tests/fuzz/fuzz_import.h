/*
 * fuzz_import.h - shared by the importer targets (fuzz_import_*.c): each
 * defines FUZZ_FORMATS, the formats it reads, and includes this file.
 *
 * Input: one selector byte, then the file.  (selector & 0x7f) modulo the
 * number of formats picks the format given to totp_import_read; bit 7
 * picks the password the callback returns: "test" (the fixtures'
 * password) or "backup" (the cheap second slot of the Aegis fixture).
 */
#ifndef TOTP_FUZZ_IMPORT_H
#define TOTP_FUZZ_IMPORT_H

#include "fuzz.h"

static const enum totp_import_format fuzz_formats[] = {FUZZ_FORMATS};
#define FUZZ_NFORMATS (sizeof(fuzz_formats) / sizeof(fuzz_formats[0]))

struct fuzz_pw {
	const char *pw;
	int calls;
};

static int fuzz_password(void *ctx, char *buf, size_t bufsz, size_t *len)
{
	struct fuzz_pw *p = ctx;
	size_t n = strlen(p->pw);

	p->calls++;
	FUZZ_ASSERT(bufsz == TOTP_IMPORT_PASSWORD_MAX && n <= bufsz);
	memcpy(buf, p->pw, n);
	*len = n;
	return TOTP_OK;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return totp_init() == TOTP_OK ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_pw pw;
	struct totp_import_opts opts;
	struct totp_import im;
	uint8_t *buf;
	int rc;

	if (size < 1)
		return 0;
	pw.pw = data[0] & 0x80 ? "backup" : "test";
	pw.calls = 0;
	opts.format = fuzz_formats[(data[0] & 0x7f) % FUZZ_NFORMATS];
	opts.password = fuzz_password;
	opts.password_ctx = &pw;
	/* An exact-size copy: ASan sees any read past the end. */
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		abort();
	memcpy(buf, data + 1, size - 1);
#ifdef FUZZ_IMPORT_DETECT
	{
		enum totp_import_format f = TOTP_IMPORT_FORMAT_END_;

		rc = totp_import_detect(&f, buf, size - 1);
		FUZZ_ASSERT(rc == TOTP_OK || rc == TOTP_E_IMPORT_FORMAT || rc == TOTP_E_JSON ||
		            rc == TOTP_E_TOOBIG || rc == TOTP_E_NOMEM);
		if (rc == TOTP_OK)
			FUZZ_ASSERT(f > TOTP_IMPORT_AUTO && f < TOTP_IMPORT_FORMAT_END_);
		if (rc == TOTP_E_IMPORT_FORMAT)
			FUZZ_ASSERT(f == TOTP_IMPORT_AUTO);
	}
#endif
	totp_import_init(&im);
	rc = totp_import_read(&im, buf, size - 1, &opts);
	FUZZ_ASSERT(rc <= 0 && rc >= TOTP_E_LAST_);
	FUZZ_ASSERT(pw.calls <= 1);
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "# %s as %s: rc %d (%s), %zu entries, %zu problems\n", im.format,
		        totp_import_format_name(opts.format), rc, totp_strerror(rc), im.count,
		        im.nproblems);
	if (rc != TOTP_OK)
		FUZZ_ASSERT(im.count == 0);
	fuzz_check_import(&im);
	totp_import_clear(&im);
	FUZZ_ASSERT(im.count == 0 && im.nproblems == 0 && im.entries == NULL);
	free(buf);
	fuzz_guarded_check();
	return 0;
}

#endif
