/* t_import_enc.c - importing the encrypted backup formats: every encrypted
 * fixture (made with node's crypto and the argon2 reference tool, not with
 * libtotp) yields the shared accounts; wrong passwords, flipped tags,
 * password-callback contract, KDF bounds; and damaged copies of every
 * encrypted fixture (truncated at many lengths, bytes flipped) fail
 * cleanly without entries. */
#include "import_common.h"

static const struct want *const W_TOTP3[] = {&W_DENO, &W_SPDX, &W_AIRBNB};
static const struct want *const W_SIX[] = {&W_DENO,  &W_SPDX,      &W_AIRBNB,
                                           &W_ISSUU, &W_AIRCANADA, &W_WWE};

static void good_files(void)
{
	struct totp_import im;
	static const struct {
		const char *file, *password, *format;
		const struct want *const *want;
		size_t n;
	} cases[] = {
	        {"aegis_encrypted.json", "test", "aegis-encrypted", W_ALL, W_ALL_N},
	        {"aegis_encrypted.json", "backup", "aegis-encrypted", W_ALL, W_ALL_N},
	        {"andotp_encrypted.bin", "test", "andotp-encrypted", W_ALL, W_ALL_N},
	        {"andotp_encrypted_fast.bin", "test", "andotp-encrypted", W_ALL, W_ALL_N},
	        {"andotp_encrypted_old.bin", "test", "andotp-encrypted-old", W_ALL, W_ALL_N},
	        {"2fas_schema2_encrypted.2fas", "test", "2fas-encrypted", W_TOTP3, 3},
	        {"2fas_schema3_encrypted.2fas", "test", "2fas-encrypted", W_SIX, 6},
	        {"2fas_schema4_encrypted.2fas", "test", "2fas-encrypted", W_ALL, W_ALL_N},
	        {"ente_encrypted.txt", "test", "ente-encrypted", W_ALL, W_ALL_N},
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		check_fixture(&im, cases[i].file, cases[i].password, cases[i].format, cases[i].want,
		              cases[i].n);
		totp_import_clear(&im);
	}
}

/* Read `len` bytes with password `pw` (NULL: no callback). */
static int read_pw(struct totp_import *im, const uint8_t *buf, size_t len, const char *pw,
                   enum totp_import_format fmt, int *calls)
{
	struct pw p = {pw ? pw : "", 0, 0};
	struct totp_import_opts opts = {fmt, pw ? pw_cb : NULL, &p};
	int rc;

	totp_import_init(im);
	rc = totp_import_read(im, buf, len, &opts);
	if (calls)
		*calls = p.calls;
	return rc;
}

/* Expect a whole-file error with no entries and an index-0 explanation. */
static void expect(const char *what, const uint8_t *buf, size_t len, const char *pw,
                   enum totp_import_format fmt, int err, const char *detail_part)
{
	struct totp_import im;
	int rc = read_pw(&im, buf, len, pw, fmt, NULL);

	CHECK_RC(rc, err, "%s: error", what);
	CHECK(im.count == 0, "%s: no entries", what);
	if (detail_part) {
		int found = im.nproblems && im.problems[0].index == 0 &&
		            strstr(im.problems[0].detail, detail_part);

		if (!CHECK(found, "%s: explained (\"%s\")", what, detail_part) && im.nproblems)
			printf("#   detail \"%s\"\n", im.problems[0].detail);
	}
	totp_import_clear(&im);
}

static void expect_file(const char *file, const char *pw, enum totp_import_format fmt, int err,
                        const char *detail_part)
{
	size_t len = 0;
	uint8_t *buf = fixture(file, &len);
	char what[128];

	snprintf(what, sizeof(what), "%s with %s", file, pw ? pw : "no callback");
	if (buf)
		expect(what, buf, len, pw, fmt, err, detail_part);
	free(buf);
}

static void wrong_passwords(void)
{
	static const char *const files[] = {
	        "aegis_encrypted.json",        "andotp_encrypted_fast.bin",
	        "andotp_encrypted_old.bin",    "2fas_schema2_encrypted.2fas",
	        "2fas_schema4_encrypted.2fas", "ente_encrypted.txt",
	};

	for (size_t i = 0; i < N_OF(files); i++) {
		expect_file(files[i], "Test", TOTP_IMPORT_AUTO, TOTP_E_PASSWORD, "wrong password");
		expect_file(files[i], NULL, TOTP_IMPORT_AUTO, TOTP_E_PASSWORD, "encrypted");
	}
	/* Damaged authenticated data. */
	expect_file("aegis_encrypted_badtag.json", "test", TOTP_IMPORT_AUTO, TOTP_E_CORRUPT,
	            "damaged");
	expect_file("2fas_schema4_badtag.2fas", "test", TOTP_IMPORT_AUTO, TOTP_E_CORRUPT,
	            "damaged");
	expect_file("andotp_encrypted_badtag.bin", "test", TOTP_IMPORT_AUTO, TOTP_E_PASSWORD,
	            "damaged");
	/* A named format is the only one tried. */
	expect_file("andotp_encrypted_fast.bin", "test", TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD,
	            TOTP_E_PASSWORD, "wrong password");
}

static void callback_contract(void)
{
	struct totp_import im;
	size_t len = 0;
	uint8_t *buf = fixture("2fas_schema2_encrypted.2fas", &len);
	struct pw p = {"test", 0, TOTP_E_IO};
	struct totp_import_opts opts = {TOTP_IMPORT_AUTO, pw_cb, &p};
	int calls = 0;

	if (!buf)
		return;
	totp_import_init(&im);
	CHECK_RC(totp_import_read(&im, buf, len, &opts), TOTP_E_IO,
	         "a callback's error is returned as is");
	CHECK(p.calls == 1 && im.count == 0, "callback error: asked once, nothing read");
	CHECK_STR(im.format, "2fas-encrypted", "callback error: format still named");
	totp_import_clear(&im);

	CHECK_RC(read_pw(&im, buf, len, "Test", TOTP_IMPORT_AUTO, &calls), TOTP_E_PASSWORD,
	         "wrong password");
	CHECK(calls == 1, "a wrong password is not asked again (%d)", calls);
	totp_import_clear(&im);
	free(buf);

	/* Plain files never ask. */
	buf = fixture("aegis_plain_v1.json", &len);
	if (!buf)
		return;
	CHECK_RC(read_pw(&im, buf, len, "test", TOTP_IMPORT_AUTO, &calls), TOTP_OK, "plain file");
	CHECK(calls == 0, "a plain file does not ask for a password");
	totp_import_clear(&im);
	free(buf);

	/* andOTP: new layout fails, old one tried with the same password. */
	buf = fixture("andotp_encrypted_old.bin", &len);
	if (!buf)
		return;
	CHECK_RC(read_pw(&im, buf, len, "Test", TOTP_IMPORT_AUTO, &calls), TOTP_E_PASSWORD,
	         "andOTP old, wrong password");
	CHECK(calls == 1, "andOTP: one prompt for both layouts (%d)", calls);
	totp_import_clear(&im);
	free(buf);
}

/* Replace the first `from` in a copy of a fixture by `to`. */
static uint8_t *edited(const char *file, const char *from, const char *to, size_t *len)
{
	size_t n = 0, fl = strlen(from), tl = strlen(to);
	uint8_t *buf = fixture(file, &n), *out;
	char *at;

	if (!buf)
		return NULL;
	buf[n] = '\0';
	at = strstr((char *)buf, from);
	out = at ? malloc(n - fl + tl + 1) : NULL;
	if (!CHECK(out != NULL, "%s holds %s", file, from)) {
		free(buf);
		return NULL;
	}
	memcpy(out, buf, (size_t)(at - (char *)buf));
	memcpy(out + (at - (char *)buf), to, tl);
	memcpy(out + (at - (char *)buf) + tl, at + fl, n - (size_t)(at - (char *)buf) - fl);
	*len = n - fl + tl;
	free(buf);
	return out;
}

static void kdf_bounds(void)
{
	static const struct {
		const char *file, *from, *to, *what;
		int err;
	} cases[] = {
	        {"aegis_encrypted.json", "\"n\": 32768", "\"n\": 8388608", "scrypt N 2^23",
	         TOTP_E_KDF},
	        {"aegis_encrypted.json", "\"n\": 32768", "\"n\": 32767",
	         "scrypt N not a power of 2", TOTP_E_KDF},
	        {"aegis_encrypted.json", "\"p\": 1", "\"p\": 17", "scrypt p 17", TOTP_E_KDF},
	        {"aegis_encrypted.json", "\"n\": 32768", "\"n\": \"x\"", "scrypt N not a number",
	         TOTP_E_JSON},
	        {"ente_encrypted.txt", "\"memLimit\":65536", "\"memLimit\":8589934592",
	         "Argon2 memory 8 GiB", TOTP_E_KDF},
	        {"ente_encrypted.txt", "\"memLimit\":65536", "\"memLimit\":1024",
	         "Argon2 memory 1 KiB", TOTP_E_KDF},
	        {"ente_encrypted.txt", "\"opsLimit\":2", "\"opsLimit\":0", "Argon2 ops 0",
	         TOTP_E_KDF},
	        {"ente_encrypted.txt", "\"version\":1", "\"version\":2", "Ente version 2",
	         TOTP_E_VERSION},
	        {"2fas_schema4_encrypted.2fas", "\"schemaVersion\":4", "\"schemaVersion\":5",
	         "2FAS schema 5 encrypted", TOTP_E_VERSION},
	};
	int calls;

	for (size_t i = 0; i < N_OF(cases); i++) {
		size_t len = 0;
		uint8_t *buf = edited(cases[i].file, cases[i].from, cases[i].to, &len);
		struct totp_import im;

		if (!buf)
			continue;
		CHECK_RC(read_pw(&im, buf, len, "test", TOTP_IMPORT_AUTO, &calls), cases[i].err,
		         "%s: rejected", cases[i].what);
		CHECK(calls == 0, "%s: rejected before asking for the password", cases[i].what);
		totp_import_clear(&im);
		free(buf);
	}

	/* andOTP iterations: 10,000,001 is refused for the new layout. */
	{
		size_t len = 0;
		uint8_t *buf = fixture("andotp_encrypted_fast.bin", &len);

		if (buf) {
			buf[0] = 0x00, buf[1] = 0x98, buf[2] = 0x96, buf[3] = 0x81; /* 10000001 */
			expect("andOTP iterations 10,000,001", buf, len, "test",
			       TOTP_IMPORT_ANDOTP_ENCRYPTED, TOTP_E_KDF, "iterations");
			free(buf);
		}
	}
}

/* The OpenSSL backend imports the same accounts. */
static void openssl_backend(void)
{
	struct totp_import im;

	if (!totp_aesgcm_available(TOTP_AESGCM_OPENSSL)) {
		CHECK(1, "# SKIP libcrypto not installed");
		return;
	}
	setenv("TOTP_AESGCM_BACKEND", "openssl", 1);
	check_fixture(&im, "aegis_encrypted.json", "backup", "aegis-encrypted", W_ALL, W_ALL_N);
	totp_import_clear(&im);
	check_fixture(&im, "2fas_schema3_encrypted.2fas", "test", "2fas-encrypted", W_SIX, 6);
	totp_import_clear(&im);
	expect_file("andotp_encrypted_badtag.bin", "test", TOTP_IMPORT_AUTO, TOTP_E_PASSWORD, NULL);
	unsetenv("TOTP_AESGCM_BACKEND");
}

/*
 * Damaged copies never crash and never yield accounts: every encrypted
 * fixture cut at many lengths, and single flipped bits.  Runs under the
 * sanitizers in `make SAN=1 check`.
 */
static void damage(void)
{
	static const struct {
		const char *file, *password;
		size_t step; /* every step-th length, plus the last 48 */
	} cases[] = {
	        {"aegis_encrypted.json", "backup", 1},
	        {"andotp_encrypted_fast.bin", "test", 23},
	        {"andotp_encrypted_old.bin", "test", 7},
	        {"2fas_schema2_encrypted.2fas", "test", 1},
	        {"2fas_schema4_encrypted.2fas", "test", 3},
	        {"ente_encrypted.txt", "test", 1},
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		size_t len = 0, tried = 0, bad = 0;
		uint8_t *buf = fixture(cases[i].file, &len);

		if (!buf)
			continue;
		for (size_t cut = 0; cut < len; cut++) {
			struct totp_import im;
			uint8_t *copy;
			int rc;

			if (cut % cases[i].step && cut + 48 < len)
				continue;
			/* An exact-size heap copy, so ASan sees any overread. */
			copy = malloc(cut ? cut : 1);
			memcpy(copy, buf, cut);
			rc = read_pw(&im, copy, cut, cases[i].password, TOTP_IMPORT_AUTO, NULL);
			tried++;
			if (rc == TOTP_OK || im.count)
				bad++;
			totp_import_clear(&im);
			free(copy);
		}
		CHECK(bad == 0, "%s: %zu truncations all fail without accounts (%zu did not)",
		      cases[i].file, tried, bad);
		free(buf);
	}

	/* Flip one bit in the encrypted part of binary fixtures. */
	for (size_t f = 0; f < 2; f++) {
		const char *file = f ? "andotp_encrypted_old.bin" : "andotp_encrypted_fast.bin";
		size_t len = 0, tried = 0, bad = 0;
		uint8_t *buf = fixture(file, &len);

		if (!buf)
			continue;
		for (size_t at = 4; at < len; at += 11) {
			struct totp_import im;
			int rc;

			buf[at] ^= 0x04;
			rc = read_pw(&im, buf, len, "test",
			             f ? TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD
			               : TOTP_IMPORT_ANDOTP_ENCRYPTED,
			             NULL);
			buf[at] ^= 0x04;
			tried++;
			if (rc != TOTP_E_PASSWORD || im.count)
				bad++;
			totp_import_clear(&im);
		}
		CHECK(bad == 0,
		      "%s: %zu flipped bits all rejected as wrong password/damaged (%zu not)", file,
		      tried, bad);
		free(buf);
	}
}

int main(void)
{
	if (totp_init() != TOTP_OK)
		return 1;
	good_files();
	wrong_passwords();
	callback_contract();
	kdf_bounds();
	openssl_backend();
	damage();
	TEST_EXIT();
}
