/*
 * t_migration_write.c - writing otpauth-migration payloads: Google's bytes
 * for a worked example, format -> parse round trips in batches,
 * missing/duplicate/mixed parts, and the writer's checks and size limits.
 */
#include "migration_test.h"

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

/* The writer never makes more URIs than the reader takes in one export
 * (TOTP_MIG_BATCH_MAX), however small max_len makes them. */
static void test_batch_limit(void)
{
	const size_t max = TOTP_MIG_BATCH_MAX;
	struct totp_entry *e = fixed_entries(max + 1);
	struct totp_migration_opts one = {0, 64, 0, 0};
	struct totp_migration_export x;
	struct totp_import im;
	const char **p = calloc(max, sizeof(*p));
	size_t nuris = 0;

	/* A little more than the longest entry alone needs (URIs differ by a
	 * few escapes); a second entry needs far more. */
	while (one.max_len < 1024 && totp_migration_format(&x, &e[max], 1, &one) == TOTP_E_TOOBIG)
		one.max_len++;
	one.max_len += 24;
	totp_migration_export_free(&x);
	CHECK_RC(totp_migration_format(&x, e, max, &one), TOTP_OK, "%zu entries of one per URI",
	         max);
	CHECK(x.count == max, "%zu URIs (%zu)", max, x.count);
	for (size_t i = 0; p && i < x.count && i < max; i++)
		p[nuris++] = x.uris[i];
	CHECK(p && import(&im, p, nuris) == TOTP_OK && im.count == max && im.nproblems == 0,
	      "an export of %zu URIs reads back whole", max);
	totp_import_clear(&im);
	totp_migration_export_free(&x);
	CHECK_RC(totp_migration_format(&x, e, max + 1, &one), TOTP_E_TOOBIG,
	         "%zu URIs would be needed: TOTP_E_TOOBIG", max + 1);
	CHECK(x.count == 0 && x.uris == NULL, "nothing allocated");
	free(p);
	sodium_free(e);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_encoder_known_answer();
	test_round_trips();
	test_batches();
	test_check_and_limits();
	test_batch_limit();
	TEST_EXIT();
}
