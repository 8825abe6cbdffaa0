/*
 * t_migration.c - reading otpauth-migration payloads: FORMATS.md worked
 * examples, damaged protobuf (every truncation, bad varints, wire types,
 * unknown fields), rejected entries, names, the URI spellings seen in the
 * wild, and payloads mixed with other QR codes.  Writing and batches are in
 * t_migration_write.c.
 */
#include "migration_test.h"

static void test_examples(void)
{
	struct totp_import im;
	const char *p[1];
	char code[TOTP_CODE_MAX];
	uint8_t pb[256];
	struct totp_mig m;
	size_t n;

	p[0] = ex1;
	CHECK_RC(import(&im, p, 1), TOTP_OK, "worked example 1 imports");
	CHECK(im.count == 1 && im.nproblems == 0, "one entry, no problem");
	if (im.count == 1) {
		struct totp_entry *e = &im.entries[0];

		CHECK_STR(b32(e), "JBSWY3DPEHPK3PXP", "example 1 secret");
		CHECK_STR(e->issuer, "Example", "example 1 issuer");
		CHECK_STR(e->account, "alice@google.com",
		          "example 1 account (issuer prefix stripped)");
		CHECK(e->type == TOTP_TYPE_TOTP && e->algo == TOTP_ALGO_SHA1 && e->digits == 6 &&
		              e->period == 30,
		      "example 1 TOTP/SHA1/6/30");
		CHECK(totp_totp(code, sizeof(code), e, 1257894000, 0) == TOTP_OK, "code computes");
		CHECK_STR(code, "528064", "code at 2009-11-10T23:00:00Z (dim13 evaluate_test.go)");
	}
	CHECK_STR(im.format, "otpauth-migration", "format name");
	totp_import_clear(&im);

	p[0] = ex1_std;
	CHECK_RC(import(&im, p, 1), TOTP_OK, "example 1 with raw '+/==' imports");
	CHECK(im.count == 1 &&
	              strcmp(b32(&im.entries[0]), "CHGEE4VO72DVNFA76NJS7HL6EREGQ6HU") == 0 &&
	              strcmp(im.entries[0].account, "alice@google.com") == 0,
	      "raw base64 variant: 20-byte secret, account");
	totp_import_clear(&im);

	p[0] = ex2;
	CHECK_RC(import(&im, p, 1), TOTP_OK, "worked example 2 imports");
	if (CHECK(im.count == 1, "one entry")) {
		struct totp_entry *e = &im.entries[0];

		CHECK_STR(b32(e), "7KSQL2JTUDIS5EF65KLMRQIIGY", "example 2 secret");
		CHECK_STR(e->account, "hotp demo", "example 2 name");
		CHECK_STR(e->issuer, "", "example 2 has no issuer");
		CHECK(e->type == TOTP_TYPE_HOTP && e->counter == 4 && e->digits == 6 &&
		              e->algo == TOTP_ALGO_SHA1,
		      "example 2 HOTP counter 4");
	}
	totp_import_clear(&im);
	n = pb_of(pb, sizeof(pb), ex2);
	CHECK(n == 56, "example 2 protobuf is 56 bytes (%zu)", n);
	CHECK_RC(totp_mig_parse(&m, pb, n), TOTP_OK, "example 2 parses");
	CHECK(m.version == 1 && m.batch_size == 1 && m.batch_index == 0 &&
	              m.batch_id == -1558849573 && m.nentries == 1,
	      "example 2 header: version 1, batch 1/0, 10-byte batch_id -1558849573 (%d)",
	      (int)m.batch_id);

	p[0] = ex3;
	CHECK_RC(import(&im, p, 1), TOTP_OK, "worked example 3 (zbar text) imports");
	if (CHECK(im.count == 3, "three entries")) {
		static const char *const s[] = {"JBSWY3DPEHPK3PXP", "JBSWY3DPEHPK3PXQ",
		                                "JBSWY3DPEHPK3PXR"};

		for (int i = 0; i < 3; i++) {
			char iss[8], acc[32];

			snprintf(iss, sizeof(iss), "Test%d", i + 1);
			snprintf(acc, sizeof(acc), "test%d@example%d.com", i + 1, i + 1);
			CHECK(strcmp(b32(&im.entries[i]), s[i]) == 0 &&
			              strcmp(im.entries[i].issuer, iss) == 0 &&
			              strcmp(im.entries[i].account, acc) == 0,
			      "example 3 entry %d", i + 1);
		}
	}
	totp_import_clear(&im);
	n = pb_of(pb, sizeof(pb), ex3);
	CHECK(n == 171 && totp_mig_parse(&m, pb, n) == TOTP_OK && m.batch_id == 1076589581,
	      "example 3: 171 bytes, batch_id 1076589581");
}

/* ---- Damaged and unusual payloads ----------------------------------------- */

static void test_truncated(void)
{
	uint8_t pb[256];
	size_t n = pb_of(pb, sizeof(pb), ex2), bad = 0;
	/* Field boundaries of example 2: entry 0..39, version, size, index,
	 * batch_id (10-byte varint). */
	static const size_t whole[] = {39, 41, 43, 45, 56};
	char uri[512];

	for (size_t len = 0; len <= n; len++) {
		struct totp_import im;
		int boundary = 0, rc = import_pb(&im, pb, len);

		for (size_t k = 0; k < TOTP_ARRAY_LEN(whole); k++)
			boundary |= whole[k] == len;
		if (boundary ? rc != TOTP_OK || im.count != 1
		             : rc != TOTP_E_MIGRATION || im.count != 0 || im.nproblems != 1)
			bad++;
		totp_import_clear(&im);
	}
	CHECK(bad == 0,
	      "example 2 cut at each of %zu lengths: whole fields parse, others "
	      "TOTP_E_MIGRATION (%zu wrong)",
	      n + 1, bad);

	/* Every prefix of the URI text: no crash, never a wrong entry. */
	bad = 0;
	for (size_t len = 0; len < sizeof(ex3) - 1; len++) {
		struct totp_import im;
		const char *p[1] = {uri};

		memcpy(uri, ex3, len);
		uri[len] = 0;
		(void)import(&im, p, 1);
		for (size_t i = 0; i < im.count; i++)
			if (strncmp(im.entries[i].issuer, "Test", 4) != 0)
				bad++;
		totp_import_clear(&im);
	}
	CHECK(bad == 0, "every prefix of example 3's URI handled");

	/* Random damage to example 3's protobuf: no crash, and an entry is
	 * either well-formed or reported. */
	bad = 0;
	n = pb_of(pb, sizeof(pb), ex3);
	for (int i = 0; i < 1000; i++) {
		uint8_t m[256];
		struct totp_import im;
		int rc;

		memcpy(m, pb, n);
		for (int k = 0; k < 1 + i % 4; k++)
			m[randombytes_uniform((uint32_t)n)] = (uint8_t)randombytes_uniform(256);
		rc = import_pb(&im, m, n);
		if (rc != TOTP_OK && rc != TOTP_E_MIGRATION && rc != TOTP_E_BATCH)
			bad++;
		for (size_t k = 0; k < im.count; k++)
			if (totp_entry_check(&im.entries[k]) != TOTP_OK)
				bad++;
		totp_import_clear(&im);
	}
	CHECK(bad == 0, "1000 damaged payloads: only OK/MIGRATION/BATCH, valid entries (%zu bad)",
	      bad);
}

static void test_protobuf_errors(void)
{
	static const struct {
		const char *what;
		uint8_t pb[40];
		size_t len;
		int want;
		size_t entries;
	} t[] = {
	        {"11-byte varint",
	         {0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
	         12,
	         TOTP_E_MIGRATION,
	         0},
	        {"10th varint byte > 1",
	         {0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02},
	         11,
	         TOTP_E_MIGRATION,
	         0},
	        {"varint runs off the end", {0x10, 0x80}, 2, TOTP_E_MIGRATION, 0},
	        {"field 0", {0x00, 0x01}, 2, TOTP_E_MIGRATION, 0},
	        {"otp_parameters as varint (wire 0)", {0x08, 0x01}, 2, TOTP_E_MIGRATION, 0},
	        {"version as bytes (wire 2)", {0x12, 0x01, 0x01}, 3, TOTP_E_MIGRATION, 0},
	        {"group start (wire 3)", {0x33}, 1, TOTP_E_MIGRATION, 0},
	        {"group end (wire 4)", {0x34}, 1, TOTP_E_MIGRATION, 0},
	        {"wire type 6", {0x36, 0x00}, 2, TOTP_E_MIGRATION, 0},
	        {"wire type 7", {0x37, 0x00}, 2, TOTP_E_MIGRATION, 0},
	        {"length beyond the end", {0x0a, 0x05, 0x0a, 0x01}, 4, TOTP_E_MIGRATION, 0},
	        {"secret as varint inside entry", {0x0a, 0x02, 0x08, 0x01}, 4, TOTP_E_MIGRATION, 0},
	        {"algorithm as bytes inside entry",
	         {0x0a, 0x03, 0x22, 0x01, 0x01},
	         5,
	         TOTP_E_MIGRATION,
	         0},
	        {"batch_index >= batch_size", {0x18, 0x02, 0x20, 0x02}, 4, TOTP_E_MIGRATION, 0},
	        {"negative batch_size",
	         {0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
	         11,
	         TOTP_E_MIGRATION,
	         0},
	        {"batch_size over 1000", {0x18, 0xe9, 0x07}, 3, TOTP_E_MIGRATION, 0},
	        /* An entry with name "n", secret "s", then unknown fields of
	         * every skippable wire type, in and around it. */
	        {"unknown fields (wire 0, 1, 2, 5) skipped",
	         {0x0a, 0x1a, 0x12, 0x01, 'n',  0x42, 0x02, 'i',  'd', /* field 8 string */
	          0x49, 1,    2,    3,    4,    5,    6,    7,    8,   /* field 9 fixed64 */
	          0x55, 1,    2,    3,    4,                           /* field 10 fixed32 */
	          0x58, 0x05,                                          /* field 11 varint */
	          0x0a, 0x01, 's',                                     /* secret */
	          0x78, 0x01,                                          /* field 15 varint */
	          0x81, 0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	          0x08}, /* field 16 fixed64 */
	         40,
	         TOTP_OK,
	         1},
	        {"repeated scalar: last wins",
	         {0x0a, 0x0a, 0x0a, 0x01, 's', 0x12, 0x01, 'n', 0x30, 0x01, 0x30, 0x02},
	         12,
	         TOTP_OK,
	         1},
	        {"empty payload (no entries)", {0x10, 0x01}, 2, TOTP_OK, 0},
	};

	for (size_t i = 0; i < TOTP_ARRAY_LEN(t); i++) {
		struct totp_import im;
		int rc = import_pb(&im, t[i].pb, t[i].len);

		CHECK(rc == t[i].want && im.count == t[i].entries, "%s: rc %d, %zu entries",
		      t[i].what, rc, im.count);
		if (i == TOTP_ARRAY_LEN(t) - 2 && im.count == 1)
			CHECK(im.entries[0].type == TOTP_TYPE_TOTP,
			      "last type value (2, TOTP) wins");
		totp_import_clear(&im);
	}
}

/* Entries the format can carry but totp cannot use become problems. */
static void test_entry_problems(void)
{
	/* Five entries: ok, MD5, digits 3, unknown type, empty secret. */
	static const uint8_t pb[] = {
	        0x0a, 0x0f, 0x0a, 0x01, 'a',  0x12, 0x06, 'O',  'K',  ':',  'o',  'n',  'e',  0x1a,
	        0x02, 'O',  'K',  0x0a, 0x17, 0x0a, 0x01, 'b',  0x12, 0x09, 'M',  'D',  '5',  'C',
	        'o',  ':',  'b',  'o',  'b',  0x1a, 0x05, 'M',  'D',  '5',  'C',  'o',  0x20, 0x04,
	        0x0a, 0x08, 0x0a, 0x01, 'c',  0x12, 0x01, 'c',  0x28, 0x03, 0x0a, 0x08, 0x0a, 0x01,
	        'd',  0x12, 0x01, 'd',  0x30, 0x07, 0x0a, 0x05, 0x12, 0x03, 'e',  0xff, 'e',
	};
	struct totp_import im;
	int rc = import_pb(&im, pb, sizeof(pb));

	CHECK_RC(rc, TOTP_OK, "entry problems do not fail the payload");
	CHECK(im.count == 1 && strcmp(im.entries[0].account, "one") == 0,
	      "the good entry imported");
	CHECK(im.nproblems == 4, "four problems (%zu)", im.nproblems);
	if (im.nproblems == 4) {
		CHECK(im.problems[0].err == TOTP_E_ALGO && im.problems[0].index == 2 &&
		              strcmp(im.problems[0].label, "MD5Co:bob") == 0 &&
		              strstr(im.problems[0].detail, "MD5"),
		      "MD5 entry: index 2, label MD5Co:bob, says MD5 (\"%s\")",
		      im.problems[0].detail);
		CHECK(strstr(im.problems[0].detail, "code1.png") != NULL,
		      "detail names the source");
		CHECK(im.problems[1].err == TOTP_E_DIGITS && im.problems[1].index == 3,
		      "digits enum 3 rejected");
		CHECK(im.problems[2].err == TOTP_E_URI_TYPE && im.problems[2].index == 4,
		      "type enum 7 rejected");
		CHECK(im.problems[3].err == TOTP_E_SECRET_EMPTY && im.problems[3].index == 5 &&
		              strcmp(im.problems[3].label, "e?e") == 0,
		      "empty secret rejected; invalid UTF-8 shown as '?' (\"%s\")",
		      im.problems[3].label);
	}
	totp_import_clear(&im);
}

static void test_names(void)
{
	static const struct {
		const char *name, *issuer, *want_issuer, *want_account;
	} t[] = {
	        {"Example:alice", "Example", "Example", "alice"},
	        {"Example: alice", "Example", "Example", "alice"},
	        {"Other:bob", "Example", "Example", "Other:bob"},
	        {"a:b", "", "", "a:b"},
	        {"", "OnlyIssuer", "OnlyIssuer", "OnlyIssuer"},
	        {"Example:", "Example", "Example", "Example"},
	};

	for (size_t i = 0; i < TOTP_ARRAY_LEN(t); i++) {
		uint8_t pb[128];
		size_t n = 0, nl = strlen(t[i].name), il = strlen(t[i].issuer);
		struct totp_import im;

		pb[n++] = 0x0a;
		pb[n++] = (uint8_t)(3 + 2 + nl + (il ? 2 + il : 0));
		pb[n++] = 0x0a;
		pb[n++] = 0x01;
		pb[n++] = 'k';
		pb[n++] = 0x12;
		pb[n++] = (uint8_t)nl;
		memcpy(pb + n, t[i].name, nl);
		n += nl;
		if (il) {
			pb[n++] = 0x1a;
			pb[n++] = (uint8_t)il;
			memcpy(pb + n, t[i].issuer, il);
			n += il;
		}
		CHECK(import_pb(&im, pb, n) == TOTP_OK && im.count == 1 &&
		              strcmp(im.entries[0].issuer, t[i].want_issuer) == 0 &&
		              strcmp(im.entries[0].account, t[i].want_account) == 0,
		      "name \"%s\" issuer \"%s\" -> \"%s\" / \"%s\"", t[i].name, t[i].issuer,
		      t[i].want_issuer, t[i].want_account);
		totp_import_clear(&im);
	}
}

/* URI spellings: raw '+' read as space, missing padding, URL-safe
 * alphabet, line breaks, case, other parameters. */
static void test_spellings(void)
{
	static const char body[] =
	        "CjsKFBHMQnKu/odWlB/"
	        "zUy+dfiRIaHj0EhhFeGFtcGxlOmFsaWNlQGdvb2dsZS5jb20aB0V4YW1wbGUwAg";
	/* Each URI is pre + body + post. */
	static const struct {
		const char *pre, *post;
		int want;
	} t[] = {
	        {"otpauth-migration://offline?data=", "==", TOTP_OK},
	        {"otpauth-migration://offline?data=", "", TOTP_OK},
	        {"otpauth-migration://offline?data=", "=", TOTP_OK},
	        {"OTPAUTH-MIGRATION://OFFLINE?data=", "", TOTP_OK},
	        {"otpauth-migration://offline/?x=1&data=", "&y=2", TOTP_OK},
	        {"  otpauth-migration://offline?data=", "==\n", TOTP_OK},
	        {"otpauth-migration://offline?data=", "#frag", TOTP_OK},
	        {"otpauth-migration://online?data=", "", TOTP_E_MIGRATION},
	        {"otpauth-migration://offline?dat=", "", TOTP_E_MIGRATION},
	        {"otpauth-migration://offline?data=", "=A", TOTP_E_MIGRATION},
	        {"otpauth-migration://offline?data=%zz", "", TOTP_E_MIGRATION},
	        {"otpauth-migration://offline?data=", "%", TOTP_E_MIGRATION},
	        {"otpauth-migration://offline?data=", NULL, TOTP_E_MIGRATION},
	};
	char uri[512], variant[256];
	const char *p[1] = {uri};

	for (size_t i = 0; i < TOTP_ARRAY_LEN(t); i++) {
		struct totp_import im;
		int rc;

		snprintf(uri, sizeof(uri), "%s%s%s", t[i].pre, t[i].post ? body : "",
		         t[i].post ? t[i].post : "");
		rc = import(&im, p, 1);
		CHECK(rc == t[i].want && im.count == (size_t)(rc == TOTP_OK) &&
		              (rc != TOTP_OK || strcmp(b32(&im.entries[0]),
		                                       "CHGEE4VO72DVNFA76NJS7HL6EREGQ6HU") == 0),
		      "spelling %zu: rc %d", i, rc);
		totp_import_clear(&im);
	}

	/* '+' turned into ' ' by a form decoder; '-' '_'; line breaks; %XX. */
	for (int v = 0; v < 4; v++) {
		struct totp_import im;
		size_t j = 0;

		for (const char *s = body; *s; s++) {
			char c = *s;

			if (v == 0 && c == '+')
				c = ' ';
			if (v == 1)
				c = c == '+' ? '-' : c == '/' ? '_' : c;
			if (v == 2 && (s - body) % 20 == 19)
				variant[j++] = '\n';
			if (v == 3 && (c == '+' || c == '/')) {
				j += (size_t)sprintf(variant + j, "%%%02x", (unsigned char)c);
				continue;
			}
			variant[j++] = c;
		}
		variant[j] = 0;
		snprintf(uri, sizeof(uri), "otpauth-migration://offline?data=%s", variant);
		CHECK(import(&im, p, 1) == TOTP_OK && im.count == 1 &&
		              strcmp(b32(&im.entries[0]), "CHGEE4VO72DVNFA76NJS7HL6EREGQ6HU") == 0,
		      "%s",
		      (const char *[]){"spaces for '+'", "URL-safe '-' '_'", "line breaks",
		                       "lower-case %2b %2f"}[v]);
		totp_import_clear(&im);
	}
}

static void test_mixed_payloads(void)
{
	static const char uri[] =
	        "otpauth://totp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII&"
	        "issuer=Air+Canada";
	static const char bad_uri[] = "otpauth://totp/NoSecret:x?issuer=NoSecret";
	static const char text[] = "WIFI:S:home;T:WPA;P:hunter2;;";
	const char *p[4] = {uri, ex2, text, bad_uri};
	struct totp_import im;
	int rc = import(&im, p, 4);

	CHECK_RC(rc, TOTP_E_PAYLOAD, "non-otp payload: TOTP_E_PAYLOAD");
	CHECK(im.count == 2 && strcmp(im.entries[0].account, "Benjamin") == 0 &&
	              strcmp(im.entries[1].account, "hotp demo") == 0,
	      "URI and migration entries, in payload order");
	CHECK(im.nproblems == 2, "two problems (%zu)", im.nproblems);
	CHECK(has_problem(&im, TOTP_E_PAYLOAD, "code3.png"), "non-otp payload named by source");
	CHECK(has_problem(&im, TOTP_E_URI_SECRET, "code4.png"),
	      "bad otpauth URI is an entry problem");
	for (size_t i = 0; i < im.nproblems; i++)
		CHECK(!strstr(im.problems[i].detail, "hunter2") &&
		              !strstr(im.problems[i].label, "hunter2"),
		      "problem %zu does not repeat the payload", i);
	CHECK_STR(im.format, "otpauth+migration", "format for a mix");
	totp_import_clear(&im);

	p[0] = ex1;
	p[1] = "otpauth-migration://offline?data=!!!";
	rc = import(&im, p, 2);
	CHECK(rc == TOTP_E_MIGRATION && im.count == 1 &&
	              has_problem(&im, TOTP_E_MIGRATION, "code2.png"),
	      "malformed migration payload: TOTP_E_MIGRATION, the other still imported");
	totp_import_clear(&im);
}

/* A problem's label cut to fit stays valid UTF-8. */
static void test_long_label_problem(void)
{
	uint8_t pb[640];
	size_t n = 0;
	struct totp_import im;

	pb[n++] = 0x0a; /* one entry of 608 bytes */
	pb[n++] = 0xe0;
	pb[n++] = 0x04;
	pb[n++] = 0x0a; /* secret "k" */
	pb[n++] = 0x01;
	pb[n++] = 'k';
	pb[n++] = 0x12; /* name: 300 x U+00E9, 600 bytes */
	pb[n++] = 0xd8;
	pb[n++] = 0x04;
	for (int i = 0; i < 300; i++) {
		pb[n++] = 0xc3;
		pb[n++] = 0xa9;
	}
	pb[n++] = 0x20; /* algorithm MD5 */
	pb[n++] = 0x04;
	CHECK(import_pb(&im, pb, n) == TOTP_OK && im.count == 0 && im.nproblems == 1,
	      "MD5 entry with a 600-byte name: one problem");
	if (im.nproblems == 1)
		CHECK(totp_utf8_valid(im.problems[0].label, strlen(im.problems[0].label)) &&
		              strlen(im.problems[0].label) == 510,
		      "its label is cut between characters (%zu bytes)",
		      strlen(im.problems[0].label));
	totp_import_clear(&im);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_examples();
	test_truncated();
	test_protobuf_errors();
	test_entry_problems();
	test_names();
	test_spellings();
	test_mixed_payloads();
	test_long_label_problem();
	TEST_EXIT();
}
