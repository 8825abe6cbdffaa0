/* t_import.c - importing the plain (unencrypted) backup formats of other
 * apps: every fixture of tests/data/import yields the shared accounts with
 * the FORMATS.md codes; format detection; per-entry problems; whole-file
 * errors and limits.  Encrypted formats are in t_import_enc.c. */
#include "import_common.h"

static const struct want *const W_TOTP3[] = {&W_DENO, &W_SPDX, &W_AIRBNB};
static const struct want *const W_SIX[] = {&W_DENO,  &W_SPDX,      &W_AIRBNB,
                                           &W_ISSUU, &W_AIRCANADA, &W_WWE};
static const struct want *const W_SCHEMA1[] = {&W_DENO, &W_SPDX_DEFAULTS};
static const struct want *const W_FREEOTP[] = {&W_DENO,      &W_SPDX, &W_AIRBNB, &W_ISSUU,
                                               &W_AIRCANADA, &W_WWE,  &W_STEAM};
static const struct want *const W_BITWARDEN[] = {&W_DENO, &W_SPDX, &W_AIRBNB, &W_BOEING};
static const struct want *const W_STEAM1[] = {&W_STEAM};

static void plain_formats(void)
{
	struct totp_import im;
	static const struct {
		const char *file, *format;
		const struct want *const *want;
		size_t n;
	} cases[] = {
	        {"aegis_plain_v1.json", "aegis", W_ALL, W_ALL_N},
	        {"aegis_plain_v2.json", "aegis", W_ALL, W_ALL_N},
	        {"aegis_plain_v3.json", "aegis", W_ALL, W_ALL_N},
	        {"andotp_plain.json", "andotp", W_ALL, W_ALL_N},
	        {"2fas_schema1.json", "2fas", W_SCHEMA1, 2},
	        {"2fas_schema2.2fas", "2fas", W_TOTP3, 3},
	        {"2fas_schema3.2fas", "2fas", W_SIX, 6},
	        {"2fas_schema4.2fas", "2fas", W_ALL, W_ALL_N},
	        {"freeotp_plus.json", "freeotp+", W_FREEOTP, 7},
	        {"bitwarden.json", "bitwarden-json", W_BITWARDEN, 4},
	        {"bitwarden.csv", "bitwarden-csv", W_BITWARDEN, 4},
	        {"ente_plain.txt", "ente", W_ALL, W_ALL_N},
	        {"steam.maFile", "steam", W_STEAM1, 1},
	        {"steam_accounts.json", "steam", W_STEAM1, 1},
	        {"otpauth.txt", "otpauth", W_ALL, W_ALL_N},
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		check_fixture(&im, cases[i].file, NULL, cases[i].format, cases[i].want, cases[i].n);
		totp_import_clear(&im);
	}
}

/* oathtool computes the same codes from what the Aegis importer read. */
static void against_oathtool(void)
{
	struct totp_import im;
	size_t compared = 0;

	check_fixture(&im, "aegis_plain_v1.json", NULL, "aegis", W_ALL, W_ALL_N);
	for (size_t i = 0; i < im.count; i++) {
		const struct totp_entry *e = &im.entries[i];
		char b32[TOTP_SECRET_MAX * 2], cmd[512], got[32] = "", mine[TOTP_CODE_MAX] = "";
		FILE *p;

		if (e->type == TOTP_TYPE_STEAM ||
		    (e->type == TOTP_TYPE_HOTP && e->algo != TOTP_ALGO_SHA1))
			continue; /* oathtool has no Steam codes and HOTP is SHA-1 only */
		if (totp_base32_encode(b32, sizeof(b32), e->secret, e->secret_len) != TOTP_OK)
			continue;
		if (e->type == TOTP_TYPE_HOTP) {
			snprintf(cmd, sizeof(cmd),
			         "oathtool --hotp -d %u -c %llu -b %s 2>/dev/null", e->digits,
			         (unsigned long long)e->counter, b32);
			if (totp_hotp(mine, sizeof(mine), e, e->counter) != TOTP_OK)
				continue;
		} else {
			snprintf(cmd, sizeof(cmd),
			         "oathtool --totp=%s -d %u -s %us -N '2023-11-14 22:13:20 UTC' -b "
			         "%s "
			         "2>/dev/null",
			         e->algo == TOTP_ALGO_SHA1     ? "sha1"
			         : e->algo == TOTP_ALGO_SHA256 ? "sha256"
			                                       : "sha512",
			         e->digits, e->period, b32);
			if (totp_totp(mine, sizeof(mine), e, T_CODES, 0) != TOTP_OK)
				continue;
		}
		p = popen(cmd, "r");
		if (!p || !fgets(got, sizeof(got), p)) {
			if (p)
				pclose(p);
			continue;
		}
		pclose(p);
		got[strcspn(got, "\n")] = '\0';
		CHECK_STR(mine, got, "oathtool agrees on %s", e->issuer);
		compared++;
	}
	if (compared == 0)
		CHECK(1, "# SKIP oathtool not available");
	else
		CHECK(compared == 4, "oathtool compared 4 accounts (%zu)", compared);
	totp_import_clear(&im);
}

static void detection(void)
{
	static const struct {
		const char *file;
		enum totp_import_format fmt;
	} cases[] = {
	        {"aegis_plain_v1.json", TOTP_IMPORT_AEGIS},
	        {"aegis_plain_v3.json", TOTP_IMPORT_AEGIS},
	        {"aegis_encrypted.json", TOTP_IMPORT_AEGIS_ENCRYPTED},
	        {"andotp_plain.json", TOTP_IMPORT_ANDOTP},
	        {"andotp_encrypted.bin", TOTP_IMPORT_ANDOTP_ENCRYPTED},
	        {"andotp_encrypted_old.bin", TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD},
	        {"2fas_schema1.json", TOTP_IMPORT_2FAS},
	        {"2fas_schema4.2fas", TOTP_IMPORT_2FAS},
	        {"2fas_schema4_encrypted.2fas", TOTP_IMPORT_2FAS_ENCRYPTED},
	        {"freeotp_plus.json", TOTP_IMPORT_FREEOTP_PLUS},
	        {"bitwarden.json", TOTP_IMPORT_BITWARDEN_JSON},
	        {"bitwarden_encrypted.json", TOTP_IMPORT_BITWARDEN_JSON},
	        {"bitwarden.csv", TOTP_IMPORT_BITWARDEN_CSV},
	        {"ente_plain.txt", TOTP_IMPORT_ENTE},
	        {"ente_encrypted.txt", TOTP_IMPORT_ENTE_ENCRYPTED},
	        {"steam.maFile", TOTP_IMPORT_STEAM},
	        {"steam_accounts.json", TOTP_IMPORT_STEAM},
	        {"otpauth.txt", TOTP_IMPORT_OTPAUTH},
	};
	static const uint8_t png[] =
	        "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0"
	        "\x1f\x15\xc4\x89\0\0\0\rIDAT";
	enum totp_import_format f;

	for (size_t i = 0; i < N_OF(cases); i++) {
		size_t len = 0;
		uint8_t *buf = fixture(cases[i].file, &len);

		if (!buf)
			continue;
		f = TOTP_IMPORT_AUTO;
		CHECK_RC(totp_import_detect(&f, buf, len), TOTP_OK, "detect %s", cases[i].file);
		CHECK_STR(totp_import_format_name(f), totp_import_format_name(cases[i].fmt),
		          "detect %s: format", cases[i].file);
		free(buf);
	}
	CHECK_RC(totp_import_detect(&f, (const uint8_t *)"", 0), TOTP_E_IMPORT_FORMAT,
	         "empty input is unknown");
	CHECK_RC(totp_import_detect(&f, (const uint8_t *)"hello\n", 6), TOTP_E_IMPORT_FORMAT,
	         "plain text is unknown");
	CHECK(f == TOTP_IMPORT_AUTO, "unknown leaves TOTP_IMPORT_AUTO");
	CHECK_RC(totp_import_detect(&f, (const uint8_t *)"{\"a\": 1}", 8), TOTP_E_IMPORT_FORMAT,
	         "unrelated JSON is unknown");
	CHECK_RC(totp_import_detect(&f, (const uint8_t *)"{\"a\": ", 6), TOTP_E_JSON,
	         "broken JSON is a JSON error");
	CHECK_RC(totp_import_detect(&f, png, sizeof(png) - 1), TOTP_E_IMPORT_FORMAT,
	         "a PNG is not taken for andOTP");
	CHECK_RC(totp_import_detect(&f, (const uint8_t *)"\xff\xfe\x01", 3), TOTP_E_IMPORT_FORMAT,
	         "short binary is unknown");
	CHECK_RC(totp_import_detect(&f, (const uint8_t *)"# c\n\n  otpauth://totp/a?secret=AA", 33),
	         TOTP_OK, "comments before a URI");
	CHECK(f == TOTP_IMPORT_OTPAUTH, "comments before a URI: otpauth");
	CHECK_RC(totp_import_detect(&f, (const uint8_t *)"\xef\xbb\xbf[]", 5), TOTP_OK,
	         "BOM and an empty array");
	CHECK(f == TOTP_IMPORT_ANDOTP, "an empty array is andOTP");
	CHECK_RC(totp_import_detect(NULL, png, 4), TOTP_E_INVAL, "NULL format pointer");
}

static void names(void)
{
	enum totp_import_format f;

	for (int i = 0; i < TOTP_IMPORT_FORMAT_END_; i++) {
		const char *n = totp_import_format_name((enum totp_import_format)i);

		CHECK(n && totp_import_format_parse(&f, n) == TOTP_OK && (int)f == i,
		      "format %d name %s round-trips", i, n ? n : "(null)");
	}
	CHECK(totp_import_format_name(TOTP_IMPORT_FORMAT_END_) == NULL, "no name past the end");
	CHECK_RC(totp_import_format_parse(&f, "keepass"), TOTP_E_IMPORT_FORMAT, "unknown name");
	CHECK(totp_import_format_encrypted(TOTP_IMPORT_ENTE_ENCRYPTED) &&
	              !totp_import_format_encrypted(TOTP_IMPORT_ENTE),
	      "encrypted formats flagged");
}

/* Is `needle` anywhere in the problems' labels or details? */
static int problems_mention(const struct totp_import *im, const char *needle)
{
	for (size_t i = 0; i < im->nproblems; i++)
		if (strstr(im->problems[i].label, needle) || strstr(im->problems[i].detail, needle))
			return 1;
	return 0;
}

static void bad_entries(void)
{
	static const struct want *const good[] = {&W_DENO, &W_WWE};
	static const struct {
		size_t index;
		const char *label;
		int err;
		const char *detail;
	} want[] = {
	        {2, "Yandex:Ivan", TOTP_E_ENTRY, "type yandex is not supported"},
	        {3, "MOTP:Mona", TOTP_E_ENTRY, "type motp is not supported"},
	        {4, "Md5:Mason", TOTP_E_ALGO, "algorithm MD5 is not supported"},
	        {5, "Digits:Mason", TOTP_E_DIGITS, "digits 12 is out of range"},
	        {6, "Empty:Mason", TOTP_E_SECRET_EMPTY, "empty secret"},
	        {7, "Base32:Mason", TOTP_E_BASE32, NULL},
	        {8, "Period:Mason", TOTP_E_PERIOD, "period 0 is out of range"},
	};
	struct totp_import im;
	uint8_t *buf;
	size_t len = 0;

	totp_import_init(&im);
	buf = fixture("aegis_bad_entries.json", &len);
	if (!buf)
		return;
	CHECK_RC(totp_import_read(&im, buf, len, NULL), TOTP_OK, "bad entries: file read");
	CHECK(im.count == 2, "bad entries: the 2 good accounts kept (%zu)", im.count);
	for (size_t i = 0; i < 2; i++) {
		const struct totp_entry *e = find(&im, good[i]);

		if (CHECK(e != NULL, "bad entries: has %s", good[i]->issuer))
			check_entry("bad entries", e, good[i]);
	}
	CHECK(im.nproblems == N_OF(want), "bad entries: %zu problems", im.nproblems);
	for (size_t i = 0; i < N_OF(want) && i < im.nproblems; i++) {
		const struct totp_import_problem *p = &im.problems[i];

		CHECK(p->index == want[i].index, "problem %zu: index %zu", i, p->index);
		CHECK_STR(p->label, want[i].label, "problem %zu: label", i);
		CHECK_RC(p->err, want[i].err, "problem %zu: error", i);
		if (want[i].detail)
			CHECK_STR(p->detail, want[i].detail, "problem %zu: detail", i);
	}
	CHECK(!problems_mention(&im, "WJIAWXJRJUBTTLOOZOCGNYHU4Y") &&
	              !problems_mention(&im, "4SJHB4GSD43FZBAI7C2HLRJGP1") &&
	              !problems_mention(&im, "3132333435363738"),
	      "no secret in any problem");
	totp_import_clear(&im);
	free(buf);
}

/* Read a buffer and expect a whole-file error `err` with no entries. */
static void expect_fail(const char *what, const uint8_t *buf, size_t len,
                        const struct totp_import_opts *opts, int err, const char *detail_part)
{
	struct totp_import im;
	int rc;

	totp_import_init(&im);
	rc = totp_import_read(&im, buf, len, opts);
	CHECK_RC(rc, err, "%s: error", what);
	CHECK(im.count == 0 && im.entries == NULL, "%s: no entries", what);
	if (detail_part) {
		int found = im.nproblems && im.problems[0].index == 0 &&
		            strstr(im.problems[0].detail, detail_part);

		if (!CHECK(found, "%s: explained (\"%s\")", what, detail_part) && im.nproblems)
			printf("#   detail \"%s\"\n", im.problems[0].detail);
	}
	totp_import_clear(&im);
}

static void expect_text(const char *what, const char *text, const struct totp_import_opts *opts,
                        int err, const char *detail_part)
{
	expect_fail(what, (const uint8_t *)text, strlen(text), opts, err, detail_part);
}

static void expect_fail_file(const char *file, const struct totp_import_opts *opts, int err,
                             const char *detail_part)
{
	size_t len = 0;
	uint8_t *buf = fixture(file, &len);

	if (buf)
		expect_fail(file, buf, len, opts, err, detail_part);
	free(buf);
}

static void whole_file_errors(void)
{
	struct totp_import im;
	struct totp_import_opts forced = {TOTP_IMPORT_2FAS, NULL, NULL};
	uint8_t *big;
	size_t n;
	char *lines;

	expect_fail_file("2fas_schema5.2fas", NULL, TOTP_E_VERSION, "schema version 5");
	expect_fail_file("json_deep.json", NULL, TOTP_E_JSON, "nested");
	expect_fail_file("unknown.txt", NULL, TOTP_E_IMPORT_FORMAT, NULL);
	expect_fail_file("bitwarden_encrypted.json", NULL, TOTP_E_UNSUPPORTED, "encrypted");
	expect_fail_file("aegis_plain_v1.json", &forced, TOTP_E_JSON, "schemaVersion");
	expect_text("duplicate keys", "[{\"secret\":\"AA\",\"secret\":\"BB\"}]", NULL, TOTP_E_JSON,
	            NULL);
	expect_text("Aegis v2 file", "{\"version\":2,\"header\":{},\"db\":{}}", NULL,
	            TOTP_E_VERSION, "version");
	expect_text("Aegis content v4",
	            "{\"version\":1,\"header\":{},\"db\":{\"version\":4,\"entries\":[]}}", NULL,
	            TOTP_E_VERSION, "content version 4");
	expect_text("CSV without login_totp", "a,b\n1,2\n",
	            &(struct totp_import_opts){TOTP_IMPORT_BITWARDEN_CSV, NULL, NULL},
	            TOTP_E_IMPORT_FORMAT, "login_totp");
	expect_text("CSV with an open quote", "name,login_totp\n\"x,AAAA\n", NULL,
	            TOTP_E_IMPORT_FORMAT, "malformed CSV");
	expect_fail("text with a NUL byte", (const uint8_t *)"otpauth://totp/a?secret=AAAA\n\0\n",
	            31, NULL, TOTP_E_IMPORT_FORMAT, NULL);

	/* Size limit, checked before parsing. */
	n = TOTP_IMPORT_MAX_BYTES + 1;
	big = malloc(n);
	if (big) {
		memset(big, ' ', n);
		big[0] = '[';
		expect_fail("16 MiB + 1", big, n, NULL, TOTP_E_TOOBIG, NULL);
		free(big);
	}

	/* Entry limit: 10,001 URI lines. */
	n = (size_t)TOTP_IMPORT_MAX_ENTRIES + 1;
	lines = malloc(n * 48 + 1);
	if (lines) {
		size_t off = 0;

		for (size_t i = 0; i < n; i++)
			off += (size_t)sprintf(lines + off,
			                       "otpauth://totp/a%06zu?secret=JBSWY3DP\n", i);
		expect_fail("10,001 accounts", (const uint8_t *)lines, off, NULL, TOTP_E_TOOBIG,
		            "more than");
		totp_import_init(&im);
		CHECK_RC(totp_import_read(&im, (const uint8_t *)lines,
		                          off - strlen("otpauth://totp/a010000?secret=JBSWY3DP\n"),
		                          NULL),
		         TOTP_OK, "10,000 accounts are fine");
		CHECK(im.count == TOTP_IMPORT_MAX_ENTRIES, "10,000 accounts read (%zu)", im.count);
		totp_import_clear(&im);
		free(lines);
	}

	/* Rejected items count against the same limit. */
	n = (size_t)TOTP_IMPORT_MAX_ENTRIES + 1;
	lines = malloc(n * 2);
	if (lines) {
		for (size_t i = 0; i < n; i++)
			memcpy(lines + 2 * i, "x\n", 2);
		expect_fail("10,001 bad lines", (const uint8_t *)lines, n * 2,
		            &(struct totp_import_opts){TOTP_IMPORT_OTPAUTH, NULL, NULL},
		            TOTP_E_TOOBIG, "more than");
		free(lines);
	}

	/* The result must start empty. */
	totp_import_init(&im);
	CHECK_RC(totp_import_problem(&im, 1, NULL, TOTP_E_ENTRY, "x"), TOTP_OK, "seed a problem");
	CHECK_RC(totp_import_read(&im, (const uint8_t *)"[]", 2, NULL), TOTP_E_INVAL,
	         "non-empty result rejected");
	totp_import_clear(&im);
	CHECK_RC(totp_import_read(NULL, (const uint8_t *)"[]", 2, NULL), TOTP_E_INVAL,
	         "NULL result rejected");
}

/* Lines that are not URIs become problems numbered by line. */
static void uri_lines(void)
{
	static const char text[] = "# header\n"
	                           "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ\n"
	                           "\n"
	                           "otpauth://yandex/Y:Ivan?secret=WJIAWXJRJUBTTLOOZOCGNYHU4Y\n"
	                           "otpauth://totp/Empty:Me?secret=\n"
	                           "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8\n";
	struct totp_import im;

	totp_import_init(&im);
	CHECK_RC(totp_import_read(&im, (const uint8_t *)text, sizeof(text) - 1, NULL), TOTP_OK,
	         "URI list with bad lines: read");
	CHECK(im.count == 1, "URI list: 1 account (%zu)", im.count);
	CHECK(im.nproblems == 3, "URI list: 3 problems (%zu)", im.nproblems);
	if (im.nproblems == 3) {
		CHECK(im.problems[0].index == 4 && im.problems[1].index == 5 &&
		              im.problems[2].index == 6,
		      "URI list: problems on lines 4, 5, 6");
		CHECK_STR(im.problems[1].label, "Empty:Me", "URI list: label of a failed URI");
	}
	CHECK(!problems_mention(&im, "WJIAWXJRJUBTTLOOZOCGNYHU4Y") &&
	              !problems_mention(&im, "CjEKCkhlbGxv"),
	      "URI list: no secret in problems");
	totp_import_clear(&im);
}

/* App defaults and quirks on hand-made inputs. */
static void quirks(void)
{
	struct totp_import im;
	/* andOTP before the issuer field: "Issuer - Issuer:Name" labels. */
	static const char old_andotp[] =
	        "[{\"secret\":\"4SJHB4GSD43FZBAI7C2HLRJGPQ======\",\"label\":\"Deno - Deno:Mason\","
	        "\"digits\":6,\"type\":\"TOTP\",\"algorithm\":\"SHA1\",\"period\":30},"
	        "{\"secret\":\"4SJHB4GSD43FZBAI7C2HLRJGPQ\",\"label\":\"Plain "
	        "label\",\"type\":\"TOTP\"}]";
	/* 2FAS service without otp details: TOTP, SHA1, 6 digits, 30 s, and the
	 * service name as the account. */
	static const char twofas[] = "{\"schemaVersion\":2,\"services\":[{\"name\":\"Deno\","
	                             "\"secret\":\"4SJHB4GSD43FZBAI7C2HLRJGPQ\"}]}";
	/* Numbers written as strings or reals. */
	static const char numbers[] =
	        "[{\"secret\":\"4SJHB4GSD43FZBAI7C2HLRJGPQ\",\"issuer\":\"Deno\",\"label\":"
	        "\"Mason\","
	        "\"digits\":\"6\",\"type\":\"totp\",\"algorithm\":\"sha-1\",\"period\":30.0}]";

	totp_import_init(&im);
	CHECK_RC(totp_import_read(&im, (const uint8_t *)old_andotp, sizeof(old_andotp) - 1, NULL),
	         TOTP_OK, "old andOTP labels: read");
	if (CHECK(im.count == 2, "old andOTP labels: 2 accounts")) {
		check_entry("old andOTP", &im.entries[0], &W_DENO);
		CHECK(!im.entries[1].issuer[0] && strcmp(im.entries[1].account, "Plain label") == 0,
		      "old andOTP: label without \" - \" is the account");
	}
	totp_import_clear(&im);

	CHECK_RC(totp_import_read(&im, (const uint8_t *)twofas, sizeof(twofas) - 1, NULL), TOTP_OK,
	         "2FAS defaults: read");
	if (CHECK(im.count == 1, "2FAS defaults: 1 account")) {
		const struct totp_entry *e = &im.entries[0];

		CHECK(e->type == TOTP_TYPE_TOTP && e->algo == TOTP_ALGO_SHA1 && e->digits == 6 &&
		              e->period == 30,
		      "2FAS defaults: TOTP/SHA1/6/30");
		CHECK(!e->issuer[0] && strcmp(e->account, "Deno") == 0,
		      "2FAS defaults: the name becomes the account");
	}
	totp_import_clear(&im);

	CHECK_RC(totp_import_read(&im, (const uint8_t *)numbers, sizeof(numbers) - 1, NULL),
	         TOTP_OK, "numbers as strings: read");
	if (CHECK(im.count == 1, "numbers as strings: 1 account"))
		check_entry("numbers as strings", &im.entries[0], &W_DENO);
	totp_import_clear(&im);
}

int main(void)
{
	if (totp_init() != TOTP_OK)
		return 1;
	plain_formats();
	against_oathtool();
	detection();
	names();
	bad_entries();
	whole_file_errors();
	uri_lines();
	quirks();
	TEST_EXIT();
}
