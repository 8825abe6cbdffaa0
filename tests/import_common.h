/*
 * import_common.h - shared helpers of the t_import*.c tests: fixture
 * loading, the expected accounts (FORMATS.md section 2, codes at
 * t = 1700000000) and a checker that compares an import result with them.
 */
#ifndef TOTP_IMPORT_COMMON_H
#define TOTP_IMPORT_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "import_int.h"
#include "test.h"

#define T_CODES 1700000000
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* One expected account. */
struct want {
	const char *issuer, *account;
	enum totp_type type;
	enum totp_algo algo;
	unsigned digits, period;
	uint64_t counter;
	const char *secret; /* base32 */
	const char *code;   /* at T_CODES (TOTP/Steam) or at `counter` (HOTP) */
};

/* The Aegis vectors (FORMATS.md section 2). */
static const struct want W_DENO = {
        "Deno",  "Mason", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, 0, "4SJHB4GSD43FZBAI7C2HLRJGPQ",
        "790195"};
static const struct want W_SPDX = {
        "SPDX",   "James", TOTP_TYPE_TOTP, TOTP_ALGO_SHA256, 7, 20, 0, "5OM4WOOGPLQEF6UGN3CPEOOLWU",
        "9993814"};
static const struct want W_AIRBNB = {"Airbnb",
                                     "Elijah",
                                     TOTP_TYPE_TOTP,
                                     TOTP_ALGO_SHA512,
                                     8,
                                     50,
                                     0,
                                     "7ELGJSGXNCCTV3O6LKJWYFV2RA",
                                     "65516786"};
static const struct want W_ISSUU = {
        "Issuu", "James", TOTP_TYPE_HOTP, TOTP_ALGO_SHA1, 6, 30, 1, "YOOMIXWS5GN6RTBPUFFWKTW5M4",
        "253717"};
static const struct want W_AIRCANADA = {"Air Canada",
                                        "Benjamin",
                                        TOTP_TYPE_HOTP,
                                        TOTP_ALGO_SHA256,
                                        7,
                                        30,
                                        50,
                                        "KUVJJOM753IHTNDSZVCNKL7GII",
                                        "4444976"};
static const struct want W_WWE = {"WWE",     "Mason", TOTP_TYPE_HOTP, TOTP_ALGO_SHA512,
                                  8,         30,      10300,          "5VAML3X35THCEBVRLV24CGBKOY",
                                  "24622277"};
static const struct want W_BOEING = {
        "Boeing", "Sophia", TOTP_TYPE_STEAM, TOTP_ALGO_SHA1, 5, 30, 0, "JRZCL47CMXVOQMNPZR2F7J4RGI",
        "747JR"};
/* Boeing's secret as a Steam account (maFile, FreeOTP+'s issuer "Steam"). */
static const struct want W_STEAM = {
        "Steam", "Sophia", TOTP_TYPE_STEAM, TOTP_ALGO_SHA1, 5, 30, 0, "JRZCL47CMXVOQMNPZR2F7J4RGI",
        "747JR"};
/* SPDX's secret with 2FAS schema 1's defaults (code from oathtool). */
static const struct want W_SPDX_DEFAULTS = {
        "SPDX",  "James", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, 0, "5OM4WOOGPLQEF6UGN3CPEOOLWU",
        "041871"};

static const struct want *const W_ALL[] = {&W_DENO,      &W_SPDX, &W_AIRBNB, &W_ISSUU,
                                           &W_AIRCANADA, &W_WWE,  &W_BOEING};
#define W_ALL_N 7

/* Read tests/data/import/NAME (relative to $TOTP_TOP when set) into a
 * malloc'd buffer.  NULL (and a failed check) when missing. */
static inline uint8_t *fixture(const char *name, size_t *len)
{
	const char *top = getenv("TOTP_TOP");
	char path[1024];
	uint8_t *buf = NULL;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/import/%s", top ? top : ".", name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		CHECK(0, "fixture %s readable", name);
		free(buf);
		buf = NULL;
	} else {
		*len = (size_t)n;
	}
	if (f)
		fclose(f);
	return buf;
}

/* Password callback: ctx is a struct pw. */
struct pw {
	const char *text;
	int calls;
	int rc; /* returned instead when nonzero */
};

static inline int pw_cb(void *ctx, char *buf, size_t bufsz, size_t *len)
{
	struct pw *p = ctx;
	size_t n = strlen(p->text);

	p->calls++;
	if (p->rc)
		return p->rc;
	if (n > bufsz)
		return TOTP_E_INVAL;
	memcpy(buf, p->text, n);
	*len = n;
	return TOTP_OK;
}

/* Compare one imported entry with w, labelled `what`. */
static inline void check_entry(const char *what, const struct totp_entry *e, const struct want *w)
{
	uint8_t secret[TOTP_SECRET_MAX];
	size_t slen = 0;
	char code[TOTP_CODE_MAX] = "";
	int rc;

	CHECK_STR(e->issuer, w->issuer, "%s: %s issuer", what, w->issuer);
	CHECK_STR(e->account, w->account, "%s: %s account", what, w->issuer);
	CHECK(e->type == w->type && e->algo == w->algo && e->digits == w->digits,
	      "%s: %s type %d algo %d digits %u", what, w->issuer, e->type, e->algo, e->digits);
	if (w->type == TOTP_TYPE_HOTP)
		CHECK(e->counter == w->counter, "%s: %s counter %llu", what, w->issuer,
		      (unsigned long long)e->counter);
	else
		CHECK(e->period == w->period, "%s: %s period %u", what, w->issuer, e->period);
	rc = totp_base32_decode(secret, sizeof(secret), &slen, w->secret, strlen(w->secret));
	CHECK(rc == TOTP_OK && slen == e->secret_len && memcmp(secret, e->secret, slen) == 0,
	      "%s: %s secret bytes", what, w->issuer);
	if (e->type == TOTP_TYPE_HOTP)
		rc = totp_hotp(code, sizeof(code), e, e->counter);
	else
		rc = totp_totp(code, sizeof(code), e, T_CODES, 0);
	CHECK(rc == TOTP_OK, "%s: %s code computed", what, w->issuer);
	CHECK_STR(code, w->code, "%s: %s code at t=%d", what, w->issuer, T_CODES);
}

/* Find w in the result by issuer and account. */
static inline const struct totp_entry *find(const struct totp_import *im, const struct want *w)
{
	for (size_t i = 0; i < im->count; i++)
		if (strcmp(im->entries[i].issuer, w->issuer) == 0 &&
		    strcmp(im->entries[i].account, w->account) == 0)
			return &im->entries[i];
	return NULL;
}

/*
 * Import fixture `name` (password may be NULL) and check: rc OK, the
 * format name, no problems, exactly the n accounts of `want` (any order).
 * The result is left in *im for further checks (cleared by the caller).
 */
static inline void check_fixture(struct totp_import *im, const char *name, const char *password,
                                 const char *format, const struct want *const *want, size_t n)
{
	struct pw pw = {password ? password : "", 0, 0};
	struct totp_import_opts opts = {TOTP_IMPORT_AUTO, password ? pw_cb : NULL, &pw};
	uint8_t *buf;
	size_t len = 0;
	int rc;

	totp_import_init(im);
	buf = fixture(name, &len);
	if (!buf)
		return;
	rc = totp_import_read(im, buf, len, &opts);
	CHECK_RC(rc, TOTP_OK, "%s: read", name);
	if (rc != TOTP_OK && im->nproblems)
		printf("#   %s\n", im->problems[0].detail);
	CHECK_STR(im->format, format, "%s: format", name);
	CHECK(im->nproblems == 0, "%s: no problems (%zu)", name, im->nproblems);
	for (size_t i = 0; i < im->nproblems; i++)
		printf("#   problem %zu %s: %s\n", im->problems[i].index, im->problems[i].label,
		       im->problems[i].detail);
	CHECK(im->count == n, "%s: %zu accounts (want %zu)", name, im->count, n);
	for (size_t i = 0; i < n; i++) {
		const struct totp_entry *e = find(im, want[i]);

		if (CHECK(e != NULL, "%s: has %s:%s", name, want[i]->issuer, want[i]->account))
			check_entry(name, e, want[i]);
	}
	if (password)
		CHECK(pw.calls == 1, "%s: password asked once (%d)", name, pw.calls);
	free(buf);
}

#endif
