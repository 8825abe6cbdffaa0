/*
 * t_migration.c - otpauth-migration payloads: FORMATS.md worked examples,
 * format -> parse round trips in batches, missing/duplicate/mixed parts,
 * damaged protobuf (every truncation, bad varints, wire types, unknown
 * fields), rejected entries, and the URI spellings seen in the wild.
 */
#include <stdlib.h>

#include <sodium.h>

#include "internal.h"
#include "qr.h"
#include "test.h"
#include "totp.h"

static const char ex1[] = "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YW"
                          "xpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC";
static const char ex1_std[] = "otpauth-migration://offline?data=CjsKFBHMQnKu/odWlB/zUy+dfiRIaHj0Eh"
                              "hFeGFtcGxlOmFsaWNlQGdvb2dsZS5jb20aB0V4YW1wbGUwAg==";
static const char ex2[] = "otpauth-migration://offline?data=CiUKEPqlBekzoNEukL7qlsjBCDYSCWhvdHAgZGV"
                          "tbyABKAEwATgEEAEYASAAKNuv15j6%2F%2F%2F%2F%2FwE%3D";
static const char ex3[] =
        "otpauth-migration://offline?data=CjMKCkhlbGxvId6tvu8SGFRlc3QxOnRlc3QxQGV4YW1wbGUxLmNvbRoFV"
        "GVzdDEgASgBMAIKMwoKSGVsbG8h3q2%2B8BIYVGVzdDI6dGVzdDJAZXhhbXBsZTIuY29tGgVUZXN0MiABKAEwAgozC"
        "gpIZWxsbyHerb7xEhhUZXN0Mzp0ZXN0M0BleGFtcGxlMy5jb20aBVRlc3QzIAEoATACEAEYASAAKI3orYEE";

/* Import the given payloads (in that order) into a fresh im. */
static int import(struct totp_import *im, const char *const *p, size_t n)
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

static const char *b32(const struct totp_entry *e)
{
	static char out[TOTP_SECRET_MAX * 2];

	if (totp_base32_encode(out, sizeof(out), e->secret, e->secret_len) != TOTP_OK)
		return "(error)";
	return out;
}

/* The protobuf inside a URI, via the library's own decoder. */
static size_t pb_of(uint8_t *out, size_t outsz, const char *uri)
{
	size_t n = 0;

	if (totp_mig_decode(out, outsz, &n, (const uint8_t *)uri, strlen(uri)) != TOTP_OK)
		return 0;
	return n;
}

/* A URI around a protobuf. */
static void uri_of(char *out, size_t outsz, const uint8_t *pb, size_t n)
{
	static const char pre[] = "otpauth-migration://offline?data=";

	memcpy(out, pre, sizeof(pre));
	sodium_bin2base64(out + sizeof(pre) - 1, outsz - sizeof(pre) + 1, pb, n,
	                  sodium_base64_VARIANT_ORIGINAL);
}

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

/* Our encoder reproduces Google's bytes for worked example 2. */
static void test_encoder_known_answer(void)
{
	struct totp_entry e;
	struct totp_migration_export x;
	struct totp_migration_opts o = {0, 0, 1, -1558849573};
	size_t n;

	totp_entry_init(&e);
	CHECK(totp_base32_decode(e.secret, sizeof(e.secret), &n, "7KSQL2JTUDIS5EF65KLMRQIIGY",
	                         26) == TOTP_OK,
	      "secret");
	e.secret_len = n;
	strcpy(e.account, "hotp demo");
	e.type = TOTP_TYPE_HOTP;
	e.counter = 4;
	CHECK_RC(totp_migration_format(&x, &e, 1, &o), TOTP_OK, "format example 2 entry");
	CHECK(x.count == 1, "one URI");
	if (x.count == 1)
		CHECK_STR(x.uris[0], ex2,
		          "byte-identical to Google's export (FORMATS.md example 2)");
	totp_migration_export_free(&x);
	totp_migration_export_free(&x);
	sodium_memzero(&e, sizeof(e));
}

/* ---- Round trips ---------------------------------------------------------- */

static void random_entry(struct totp_entry *e, uint32_t i)
{
	static const char *const issuers[] = {"",    "Example", "ACME Co", "Bäckerei Müller",
	                                      "a:b", "GitHub"};
	static const char *const accounts[] = {
	        "alice@example.com",    "bob", "encoding: ¿äÄéÉ? (demo)", "x:y:z", "日本語",
	        "carol+tag@example.org"};

	totp_entry_init(e);
	e->secret_len = 10 + randombytes_uniform(31);
	randombytes_buf(e->secret, e->secret_len);
	snprintf(e->issuer, sizeof(e->issuer), "%s", issuers[randombytes_uniform(6)]);
	snprintf(e->account, sizeof(e->account), "%s %u", accounts[randombytes_uniform(6)], i);
	e->type = randombytes_uniform(2) ? TOTP_TYPE_HOTP : TOTP_TYPE_TOTP;
	e->algo = (enum totp_algo)randombytes_uniform(3);
	e->digits = randombytes_uniform(2) ? 8 : 6;
	if (e->type == TOTP_TYPE_HOTP)
		e->counter = (uint64_t)randombytes_random() << 31 | randombytes_random();
}

static int same_entry(const struct totp_entry *a, const struct totp_entry *b)
{
	return strcmp(a->issuer, b->issuer) == 0 && strcmp(a->account, b->account) == 0 &&
	       a->secret_len == b->secret_len && memcmp(a->secret, b->secret, a->secret_len) == 0 &&
	       a->type == b->type && a->algo == b->algo && a->digits == b->digits &&
	       a->period == b->period && a->counter == b->counter;
}

static void test_round_trips(void)
{
	static const size_t sizes[] = {1, 10, 11, 25};
	struct totp_entry *e = sodium_allocarray(25, sizeof(*e));

	for (size_t k = 0; k < TOTP_ARRAY_LEN(sizes); k++) {
		size_t n = sizes[k], want = (n + 9) / 10, ok = 0;
		struct totp_migration_export x;
		struct totp_import im;
		const char *p[3];
		struct totp_mig m0;
		int rc, ids_ok = 1;

		memset(&m0, 0, sizeof(m0));
		for (size_t i = 0; i < n; i++)
			random_entry(&e[i], (uint32_t)i);
		CHECK_RC(totp_migration_format(&x, e, n, NULL), TOTP_OK, "format %zu entries", n);
		CHECK(x.count == want, "%zu entries -> %zu URIs (%zu)", n, want, x.count);
		for (size_t i = 0; i < x.count && i < 3; i++) {
			uint8_t pb[TOTP_QR_PAYLOAD_MAX];
			struct totp_mig m;
			size_t len = pb_of(pb, sizeof(pb), x.uris[i]);

			if (totp_mig_parse(&m, pb, len) != TOTP_OK) {
				ids_ok = 0;
				continue;
			}
			if (i == 0)
				m0 = m;
			if (m.version != 1 || m.batch_size != (int32_t)x.count ||
			    m.batch_index != (int32_t)i || m.batch_id != m0.batch_id ||
			    m.nentries != (i + 1 < x.count ? 10 : n - 10 * i) ||
			    strlen(x.uris[i]) > TOTP_QR_CAPACITY_M)
				ids_ok = 0;
		}
		CHECK(ids_ok, "%zu entries: version 1, one batch_id, size/index, <= 10 per URI", n);
		/* Parts in reverse order: entries still come out in order. */
		for (size_t i = 0; i < x.count; i++)
			p[i] = x.uris[x.count - 1 - i];
		rc = import(&im, p, x.count);
		CHECK_RC(rc, TOTP_OK, "import %zu URIs in reverse order", x.count);
		for (size_t i = 0; i < n && i < im.count; i++)
			ok += same_entry(&e[i], &im.entries[i]);
		CHECK(im.count == n && ok == n && im.nproblems == 0,
		      "%zu entries round trip exactly, in order (%zu/%zu)", n, ok, im.count);
		totp_import_clear(&im);
		totp_migration_export_free(&x);
	}
	sodium_free(e);
}

/* ---- Batches ---------------------------------------------------------------- */

static struct totp_entry *fixed_entries(size_t n)
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

static int has_problem(const struct totp_import *im, int err, const char *detail)
{
	for (size_t i = 0; i < im->nproblems; i++)
		if (im->problems[i].err == err && strstr(im->problems[i].detail, detail))
			return 1;
	return 0;
}

static void test_batches(void)
{
	struct totp_entry *e = fixed_entries(25);
	struct totp_migration_export a, b;
	struct totp_migration_opts oa = {0, 0, 1, 111}, ob = {0, 0, 1, -222};
	struct totp_import im;
	const char *p[6];
	int rc;

	CHECK(totp_migration_format(&a, e, 25, &oa) == TOTP_OK && a.count == 3,
	      "export A: 3 parts");
	CHECK(totp_migration_format(&b, e, 12, &ob) == TOTP_OK && b.count == 2,
	      "export B: 2 parts");

	/* Part 2 of 3 missing. */
	p[0] = a.uris[0];
	p[1] = a.uris[2];
	rc = import(&im, p, 2);
	CHECK_RC(rc, TOTP_E_BATCH, "missing part: TOTP_E_BATCH");
	CHECK(has_problem(&im, TOTP_E_BATCH, "part 2 of 3 missing"),
	      "problem says part 2 of 3 missing");
	CHECK(im.nproblems == 1 && im.problems[0].index == 2, "exactly one problem, index 2");
	CHECK(im.count == 15, "the present parts' 15 entries are listed (%zu)", im.count);
	totp_import_clear(&im);

	/* Only the last part: two missing. */
	p[0] = a.uris[2];
	rc = import(&im, p, 1);
	CHECK(rc == TOTP_E_BATCH && has_problem(&im, TOTP_E_BATCH, "part 1 of 3 missing") &&
	              has_problem(&im, TOTP_E_BATCH, "part 2 of 3 missing") && im.nproblems == 2,
	      "two parts missing, each named");
	totp_import_clear(&im);

	/* Two complete exports, interleaved: both fine. */
	p[0] = b.uris[1];
	p[1] = a.uris[1];
	p[2] = a.uris[0];
	p[3] = b.uris[0];
	p[4] = a.uris[2];
	rc = import(&im, p, 5);
	CHECK_RC(rc, TOTP_OK, "two complete exports with different batch_ids");
	CHECK(im.count == 37 && im.nproblems == 0, "all 37 entries (%zu)", im.count);
	/* B was seen first: its entries come first, in part order. */
	CHECK(im.count == 37 && strcmp(im.entries[0].account, "user0") == 0 &&
	              strcmp(im.entries[11].account, "user11") == 0 &&
	              strcmp(im.entries[12].account, "user0") == 0 &&
	              strcmp(im.entries[36].account, "user24") == 0,
	      "batch by batch, each in part order");
	totp_import_clear(&im);

	/* One complete, one incomplete. */
	p[0] = a.uris[0];
	p[1] = a.uris[1];
	p[2] = a.uris[2];
	p[3] = b.uris[1];
	rc = import(&im, p, 4);
	CHECK(rc == TOTP_E_BATCH && im.nproblems == 1 &&
	              has_problem(&im, TOTP_E_BATCH, "part 1 of 2"),
	      "complete A, incomplete B: B's missing part named");
	totp_import_clear(&im);

	/* Duplicates: the same part twice (identical text is dropped by the
	 * list; a different spelling of the same bytes by the importer). */
	{
		char respelled[4096];
		size_t j = 0;

		for (const char *s = a.uris[1]; *s && j + 1 < sizeof(respelled); s++) {
			if (strncmp(s, "%2B", 3) == 0 || strncmp(s, "%2F", 3) == 0) {
				respelled[j++] = s[2] == 'B' ? '+' : '/';
				s += 2;
			} else {
				respelled[j++] = *s;
			}
		}
		respelled[j] = 0;
		p[0] = a.uris[0];
		p[1] = a.uris[1];
		p[2] = respelled;
		p[3] = a.uris[1];
		p[4] = a.uris[2];
		p[5] = a.uris[0];
		rc = import(&im, p, 6);
		CHECK(rc == TOTP_OK && im.count == 25 && im.nproblems == 0,
		      "duplicate parts counted once (%zu entries)", im.count);
		totp_import_clear(&im);
	}

	/* Same batch_id and index, different contents. */
	{
		struct totp_migration_export c;

		CHECK(totp_migration_format(&c, e + 3, 25 - 3, &oa) == TOTP_OK && c.count == 3,
		      "export C reusing A's batch_id");
		p[0] = a.uris[0];
		p[1] = c.uris[0];
		p[2] = a.uris[1];
		p[3] = a.uris[2];
		rc = import(&im, p, 4);
		CHECK(rc == TOTP_E_BATCH && has_problem(&im, TOTP_E_BATCH,
		                                        "part 1 of 3 appears twice with different"),
		      "conflicting copies of a part reported");
		totp_import_clear(&im);
		totp_migration_export_free(&c);
	}

	/* A part claiming a different batch size. */
	{
		struct totp_migration_export d;

		CHECK(totp_migration_format(&d, e, 12, &oa) == TOTP_OK && d.count == 2,
		      "export D: 2 parts with A's batch_id");
		p[0] = a.uris[0];
		p[1] = a.uris[1];
		p[2] = a.uris[2];
		p[3] = d.uris[1];
		rc = import(&im, p, 4);
		CHECK(rc == TOTP_E_BATCH &&
		              has_problem(&im, TOTP_E_BATCH, "says the export has 2 parts"),
		      "inconsistent batch size reported");
		totp_import_clear(&im);
		totp_migration_export_free(&d);
	}
	totp_migration_export_free(&a);
	totp_migration_export_free(&b);
	sodium_free(e);
}

/* ---- Damaged and unusual payloads ----------------------------------------- */

static int import_pb(struct totp_import *im, const uint8_t *pb, size_t n)
{
	char uri[1024];
	const char *p[1] = {uri};

	uri_of(uri, sizeof(uri), pb, n);
	return import(im, p, 1);
}

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

static void test_check_and_limits(void)
{
	struct totp_entry e;
	struct totp_migration_export x;
	struct totp_migration_opts small = {0, 300, 0, 0}, three = {3, 0, 0, 0};
	struct totp_entry *many = fixed_entries(20);

	totp_entry_init(&e);
	e.secret_len = 10;
	strcpy(e.account, "a");
	CHECK_RC(totp_migration_check(&e), TOTP_OK, "TOTP/SHA1/6/30 fits");
	e.algo = TOTP_ALGO_SHA512;
	e.digits = 8;
	CHECK_RC(totp_migration_check(&e), TOTP_OK, "SHA512/8 fits");
	e.period = 60;
	CHECK_RC(totp_migration_check(&e), TOTP_E_PERIOD, "period 60 does not");
	e.type = TOTP_TYPE_HOTP;
	CHECK_RC(totp_migration_check(&e), TOTP_OK, "HOTP ignores the period");
	e.digits = 7;
	CHECK_RC(totp_migration_check(&e), TOTP_E_DIGITS, "7 digits do not fit");
	e.type = TOTP_TYPE_STEAM;
	e.digits = 5;
	e.period = 30;
	CHECK_RC(totp_migration_check(&e), TOTP_E_ENTRY, "Steam does not fit");
	CHECK_RC(totp_migration_format(&x, &e, 1, NULL), TOTP_E_ENTRY, "format refuses Steam");
	CHECK(x.count == 0 && x.uris == NULL, "nothing allocated on error");
	e.type = TOTP_TYPE_TOTP;
	e.digits = 6;
	e.secret_len = 0;
	CHECK_RC(totp_migration_check(&e), TOTP_E_SECRET_EMPTY, "empty secret");

	CHECK(totp_migration_format(&x, many, 20, &three) == TOTP_OK && x.count == 7,
	      "3 per code: 20 entries -> 7 URIs");
	totp_migration_export_free(&x);
	CHECK(totp_migration_format(&x, many, 20, &small) == TOTP_OK && x.count > 2,
	      "300-byte URIs: %zu URIs", x.count);
	for (size_t i = 0; i < x.count; i++)
		CHECK(strlen(x.uris[i]) <= 300, "URI %zu within 300 bytes (%zu)", i,
		      strlen(x.uris[i]));
	totp_migration_export_free(&x);
	memset(many[0].account, 'x', 250);
	many[0].account[250] = 0;
	CHECK_RC(totp_migration_format(&x, many, 1, &small), TOTP_E_TOOBIG,
	         "an entry larger than max_len: TOTP_E_TOOBIG");
	CHECK(totp_migration_format(&x, many, 0, NULL) == TOTP_OK && x.count == 0, "no entries");
	totp_migration_export_free(&x);
	sodium_free(many);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_examples();
	test_encoder_known_answer();
	test_round_trips();
	test_batches();
	test_truncated();
	test_protobuf_errors();
	test_entry_problems();
	test_names();
	test_spellings();
	test_mixed_payloads();
	test_check_and_limits();
	TEST_EXIT();
}
