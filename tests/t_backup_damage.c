/*
 * t_backup_damage.c - encrypted backups that are incomplete, damaged or
 * hostile: parts missing, repeated and mixed with another backup, every
 * bit flipped, truncation, wrong passphrases and hostile KDF costs and
 * versions.  Nothing may be imported from a damaged or unproven backup;
 * a whole one beside it is still restored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backup_test.h"

/* ---- tests ---------------------------------------------------------------- */

static void test_missing_dup_mixed(void)
{
	struct totp_entry *a = make_entries(100, 1, 1), *b = make_entries(9, 2, 0);
	struct totp_backup_opts small = {300};
	struct totp_backup_export xa, xb;
	struct totp_qr_list l;
	struct totp_import im;
	size_t order[TOTP_BACKUP_PARTS_MAX];
	int rc;

	if (totp_backup_format(&xa, a, 100, "alpha", 5, &tiny, NULL) ||
	    totp_backup_format(&xb, b, 9, "bravo", 5, &tiny, &small)) {
		CHECK(0, "mixed: format");
		return;
	}
	CHECK(xa.count >= 3 && xb.count >= 2, "two multi-part backups (%zu and %zu parts)",
	      xa.count, xb.count);

	/* Part 2 missing. */
	{
		struct pw p = {.pass = {"alpha"}};
		size_t k = 0;

		for (size_t i = 0; i < xa.count; i++)
			if (i != 1)
				order[k++] = i;
		totp_qr_list_init(&l);
		list_of(&l, &xa, order, k);
		rc = import_list(&im, &l, &p);
		CHECK_RC(rc, TOTP_E_BATCH, "part missing: TOTP_E_BATCH");
		CHECK(im.count == 0, "part missing: nothing imported");
		CHECK(has_problem(&im, TOTP_E_BATCH, 2, "part 2 of"), "part missing: part 2 named");
		CHECK(im.nproblems == 1, "part missing: one problem (%zu)", im.nproblems);
		CHECK(p.calls == 1 && p.last.found == xa.count - 1, "part missing: callback told");
		totp_import_clear(&im);
		totp_qr_list_free(&l);
	}
	/* Every part twice: the same text in another case, with white space. */
	{
		struct pw p = {.pass = {"alpha"}};

		totp_qr_list_init(&l);
		list_of(&l, &xa, NULL, xa.count);
		for (size_t i = 0; i < xa.count; i++) {
			size_t n = strlen(xa.parts[i]);
			char *t = malloc(n + 3);

			for (size_t j = 0; j < n; j++)
				t[j] = (char)(xa.parts[i][j] >= 'A' && xa.parts[i][j] <= 'Z'
				                      ? xa.parts[i][j] + 32
				                      : xa.parts[i][j]);
			memcpy(t + n, "\r\n", 3);
			if (totp_qr_list_add(&l, (const uint8_t *)t, n + 2, "again"))
				abort();
			free(t);
		}
		CHECK(l.count == 2 * xa.count, "duplicates: list holds every part twice");
		rc = import_list(&im, &l, &p);
		CHECK_RC(rc, TOTP_OK, "duplicates: import");
		CHECK(same_entries(&im, a, 100) && im.nproblems == 0, "duplicates: counted once");
		totp_import_clear(&im);
		totp_qr_list_free(&l);
	}
	/* Two backups interleaved: both restored, each asked its passphrase. */
	{
		struct pw p = {.pass = {"bravo", "alpha"}};
		size_t n = xa.count > xb.count ? xa.count : xb.count;

		totp_qr_list_init(&l);
		for (size_t i = 0; i < n; i++) {
			if (i < xb.count)
				list_of(&l, &xb, &i, 1);
			if (i < xa.count)
				list_of(&l, &xa, &i, 1);
		}
		rc = import_list(&im, &l, &p);
		CHECK_RC(rc, TOTP_OK, "two backups: import");
		CHECK(im.count == 109 && im.nproblems == 0, "two backups: 9 + 100 accounts");
		CHECK(im.count == 109 && same_entry(&im.entries[0], &b[0]) &&
		              same_entry(&im.entries[8], &b[8]) &&
		              same_entry(&im.entries[9], &a[0]) &&
		              same_entry(&im.entries[108], &a[99]),
		      "two backups: each whole, in order of first appearance");
		CHECK(p.calls == 2 && strcmp(p.ids[0], xb.id) == 0 && strcmp(p.ids[1], xa.id) == 0,
		      "two backups: one passphrase each");
		totp_import_clear(&im);
		totp_qr_list_free(&l);
	}
	/* A complete backup with a stray part of another. */
	{
		struct pw p = {.pass = {"alpha", "bravo"}};
		size_t one = 1;

		totp_qr_list_init(&l);
		list_of(&l, &xa, NULL, xa.count);
		list_of(&l, &xb, &one, 1);
		rc = import_list(&im, &l, &p);
		CHECK_RC(rc, TOTP_E_BATCH, "stray part: TOTP_E_BATCH");
		CHECK(same_entries(&im, a, 100), "stray part: the complete backup restored");
		CHECK(has_problem(&im, TOTP_E_BATCH, 1, xb.id) &&
		              !has_problem(&im, TOTP_E_BATCH, 2, NULL),
		      "stray part: the other backup's part 1 missing");
		totp_import_clear(&im);
		totp_qr_list_free(&l);
	}
	/* Two backups, the second with a wrong passphrase. */
	{
		struct pw p = {.pass = {"alpha", "wrong"}};

		totp_qr_list_init(&l);
		list_of(&l, &xa, NULL, xa.count);
		list_of(&l, &xb, NULL, xb.count);
		rc = import_list(&im, &l, &p);
		CHECK_RC(rc, TOTP_E_PASSWORD, "second passphrase wrong: TOTP_E_PASSWORD");
		CHECK(same_entries(&im, a, 100) && im.nproblems == 1 &&
		              has_problem(&im, TOTP_E_PASSWORD, 0, xb.id),
		      "second passphrase wrong: first backup only, one problem");
		totp_import_clear(&im);
		totp_qr_list_free(&l);
	}
	totp_backup_export_free(&xa);
	totp_backup_export_free(&xb);
	sodium_free(a);
	sodium_free(b);
}

/* Import the export with part k replaced by `text`: nothing may come in. */
static int import_altered(const struct totp_backup_export *x, size_t k, const char *text,
                          const char *pass, int *calls, struct totp_import *im)
{
	struct totp_qr_list l;
	struct pw p = {.pass = {pass}};
	int rc;

	totp_qr_list_init(&l);
	for (size_t i = 0; i < x->count; i++) {
		const char *t = i == k ? text : x->parts[i];

		if (totp_qr_list_add(&l, (const uint8_t *)t, strlen(t), NULL))
			abort();
	}
	rc = import_list(im, &l, &p);
	*calls = p.calls;
	totp_qr_list_free(&l);
	return rc;
}

/* The error a flip of bit `bit` of a one-part payload must give. */
static int flip_expect(size_t byte)
{
	if (byte == BK_OFF_VERSION)
		return TOTP_E_VERSION;
	if (byte == BK_OFF_KDF)
		return TOTP_E_KDF;
	if (byte >= BK_OFF_SALT && byte < BK_OFF_CHECK + BK_CHECK_BYTES)
		return TOTP_E_PASSWORD;
	return 0; /* several are right: see below */
}

static void test_bit_flips(void)
{
	struct totp_entry *e = make_entries(1, 7, 0);
	struct totp_backup_export x;
	struct totp_import im;
	uint8_t w[TOTP_BACKUP_PART_MAX], v[TOTP_BACKUP_PART_MAX];
	char t[TOTP_BACKUP_TEXT_MAX];
	size_t n, wrong = 0, imported = 0, flips = 0;
	int calls;

	strcpy(e->issuer, "I");
	strcpy(e->account, "a");
	e->secret_len = 1;
	if (totp_backup_format(&x, e, 1, "flip", 4, &tiny, NULL)) {
		CHECK(0, "flips: format");
		return;
	}
	n = to_wire(w, sizeof(w), x.parts[0]);
	for (size_t bit = 0; bit < n * 8; bit++) {
		int rc, want;

		memcpy(v, w, n);
		v[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (bit / 8 >= BK_OFF_OPS && bit / 8 < BK_OFF_SALT) {
			/* A legal but costly cost would only be slow: it
			 * fails the key check as any other does. */
			struct totp_kdf k = {totp_load_be32(v + BK_OFF_OPS),
			                     (uint64_t)totp_load_be32(v + BK_OFF_MEM) * 1024};

			if (k.opslimit >= 1 && k.opslimit <= TOTP_KDF_OPS_MAX &&
			    k.memlimit >= TOTP_KDF_MEM_MIN && k.memlimit <= TOTP_KDF_MEM_MAX &&
			    k.opslimit * k.memlimit > (1u << 20))
				continue;
		}
		to_text(t, v, n);
		rc = import_altered(&x, 0, t, "flip", &calls, &im);
		want = flip_expect(bit / 8);
		flips++;
		imported += im.count;
		if (want ? rc != want
		    : (bit / 8 >= BK_OFF_OPS && bit / 8 < BK_OFF_SALT)
		            ? rc != TOTP_E_KDF && rc != TOTP_E_PASSWORD
		    : (bit / 8 == BK_OFF_PART || bit / 8 == BK_OFF_COUNT)
		            ? rc != TOTP_E_BACKUP && rc != TOTP_E_AUTH
		            : rc != TOTP_E_AUTH) {
			if (wrong++ < 5)
				printf("# bit %zu (byte %zu): rc %d\n", bit, bit / 8, rc);
		}
		totp_import_clear(&im);
	}
	CHECK(imported == 0, "every one of %zu bit flips imports nothing", flips);
	CHECK(wrong == 0,
	      "flips give VERSION, KDF, PASSWORD (salt, cost, check) or AUTH (%zu unexpected)",
	      wrong);
	/* The text itself: every character replaced by another. */
	wrong = 0;
	for (size_t i = BK_PREFIX_LEN; i < strlen(x.parts[0]); i += 3) {
		int rc;

		strcpy(t, x.parts[0]);
		t[i] = t[i] == 'Z' ? '0' : 'Z';
		rc = import_altered(&x, 0, t, "flip", &calls, &im);
		wrong += rc == TOTP_OK || im.count != 0;
		totp_import_clear(&im);
	}
	CHECK(wrong == 0, "every third character changed: nothing imported");
	totp_backup_export_free(&x);
	sodium_free(e);
}

static void test_multi_part_flips(void)
{
	struct totp_entry *e = make_entries(100, 3, 1);
	struct totp_backup_export x;
	struct totp_import im;
	uint8_t w[TOTP_BACKUP_PART_MAX], v[TOTP_BACKUP_PART_MAX];
	char t[TOTP_BACKUP_TEXT_MAX];
	int calls, rc;

	if (totp_backup_format(&x, e, 100, "multi", 5, &tiny, NULL)) {
		CHECK(0, "multi flips: format");
		return;
	}
	for (size_t k = 0; k < x.count; k++) {
		size_t n = to_wire(w, sizeof(w), x.parts[k]);
		size_t at[] = {BK_OFF_ID,    BK_OFF_PART,     BK_OFF_SALT + 3,
		               BK_OFF_CHECK, BK_HEADER_BYTES, n / 2,
		               n - 1};
		size_t bad = 0;

		for (size_t a = 0; a < TOTP_ARRAY_LEN(at); a++) {
			memcpy(v, w, n);
			v[at[a]] ^= 0x10;
			to_text(t, v, n);
			rc = import_altered(&x, k, t, "multi", &calls, &im);
			/* The passphrase is proven by the other parts: the
			 * altered one is damaged, never a wrong passphrase. */
			if (im.count != 0 || calls != 1 ||
			    (at[a] == BK_OFF_PART
			             ? rc != TOTP_E_BATCH ||
			                       !has_problem(&im, TOTP_E_BACKUP, k + 1, NULL)
			             : rc != TOTP_E_AUTH || !has_problem(&im, TOTP_E_AUTH,
			                                                 v[BK_OFF_PART], NULL))) {
				bad++;
				printf("# part %zu byte %zu: rc %d, %zu imported, %d calls, %zu "
				       "problems: %s\n",
				       k + 1, at[a], rc, im.count, calls, im.nproblems,
				       im.nproblems ? im.problems[0].detail : "");
			}
			totp_import_clear(&im);
		}
		CHECK(bad == 0, "part %zu of %zu: 7 flips each TOTP_E_AUTH, nothing imported",
		      k + 1, x.count);
	}
	/* Truncated parts. */
	{
		size_t bad = 0, len = strlen(x.parts[1]);

		for (size_t cut = 0; cut < len; cut += (cut < 40 ? 1 : 97)) {
			memcpy(t, x.parts[1], cut);
			t[cut] = '\0';
			rc = import_altered(&x, 1, t, "multi", &calls, &im);
			bad += rc == TOTP_OK || im.count != 0;
			totp_import_clear(&im);
		}
		CHECK(bad == 0, "part 2 truncated anywhere: nothing imported");
		strcpy(t, x.parts[1]);
		/* Whole byte pairs less: decodes, fails authentication. */
		t[BK_PREFIX_LEN + (len - BK_PREFIX_LEN) / 3 * 3 - 3] = '\0';
		rc = import_altered(&x, 1, t, "multi", &calls, &im);
		CHECK(rc == TOTP_E_AUTH && im.count == 0 && has_problem(&im, TOTP_E_AUTH, 2, NULL),
		      "part 2 cut by whole byte pairs: damaged");
		totp_import_clear(&im);
		t[BK_PREFIX_LEN + 30] = '\0';
		rc = import_altered(&x, 1, t, "multi", &calls, &im);
		CHECK(rc == TOTP_E_BATCH && im.count == 0 &&
		              has_problem(&im, TOTP_E_BACKUP, 2, NULL) &&
		              has_problem(&im, TOTP_E_BATCH, 2, "part 2 of"),
		      "part 2 shorter than a header: malformed, so missing");
		totp_import_clear(&im);
	}
	totp_backup_export_free(&x);
	sodium_free(e);
}

static void test_passphrase(void)
{
	struct totp_entry *e = make_entries(3, 4, 0);
	struct totp_backup_export x;
	struct totp_qr_list l;
	struct totp_import im;
	int rc;

	if (totp_backup_format(&x, e, 3, "right", 5, &tiny, NULL)) {
		CHECK(0, "passphrase: format");
		return;
	}
	totp_qr_list_init(&l);
	list_of(&l, &x, NULL, x.count);
	{
		struct pw p = {.pass = {"wrong"}};

		rc = import_list(&im, &l, &p);
		CHECK_RC(rc, TOTP_E_PASSWORD, "wrong passphrase: TOTP_E_PASSWORD");
		CHECK(im.count == 0 && im.nproblems == 1 && p.calls == 1 &&
		              has_problem(&im, TOTP_E_PASSWORD, 0, "wrong passphrase"),
		      "wrong passphrase: asked once, nothing imported, one problem");
		totp_import_clear(&im);
	}
	{
		struct pw p = {.pass = {"righ"}};

		rc = import_list(&im, &l, &p);
		CHECK_RC(rc, TOTP_E_PASSWORD, "passphrase prefix: TOTP_E_PASSWORD");
		totp_import_clear(&im);
	}
	{
		struct pw p = {.pass = {NULL}};

		rc = import_list(&im, &l, &p);
		CHECK_RC(rc, TOTP_E_INVAL, "callback's error returned as is");
		CHECK(im.count == 0, "callback's error: nothing imported");
		totp_import_clear(&im);
	}
	totp_import_init(&im);
	CHECK_RC(totp_backup_import(&im, &l, NULL), TOTP_E_PASSWORD,
	         "no callback: TOTP_E_PASSWORD");
	CHECK(im.count == 0, "no callback: nothing imported");
	totp_import_clear(&im);
	totp_qr_list_free(&l);
	totp_backup_export_free(&x);
	sodium_free(e);
}

static void test_kdf_bounds(void)
{
	struct totp_entry *e = make_entries(1, 5, 0);
	struct totp_backup_export x;
	struct totp_import im;
	uint8_t w[TOTP_BACKUP_PART_MAX];
	char t[TOTP_BACKUP_TEXT_MAX];
	static const struct {
		uint32_t ops, mem_kib;
	} hostile[] = {{0, 8},          {1, 7},       {1, 0},          {65537, 8},
	               {0xffffffff, 8}, {1, 4194305}, {1, 0xffffffff}, {0xffffffff, 0xffffffff}};
	static const struct totp_kdf bad[] = {
	        {0, 8192}, {1, 8191}, {65537, 8192}, {1, (4ULL << 30) + 1024}};
	size_t n;
	int calls, rc;

	for (size_t i = 0; i < TOTP_ARRAY_LEN(bad); i++)
		CHECK_RC(totp_backup_format(&x, e, 1, "k", 1, &bad[i], NULL), TOTP_E_KDF,
		         "format refuses KDF cost %zu", i);
	if (totp_backup_format(&x, e, 1, "k", 1, &tiny, NULL)) {
		CHECK(0, "kdf: format");
		return;
	}
	n = to_wire(w, sizeof(w), x.parts[0]);
	for (size_t i = 0; i < TOTP_ARRAY_LEN(hostile); i++) {
		totp_store_be32(w + BK_OFF_OPS, hostile[i].ops);
		totp_store_be32(w + BK_OFF_MEM, hostile[i].mem_kib);
		to_text(t, w, n);
		rc = import_altered(&x, 0, t, "k", &calls, &im);
		CHECK(rc == TOTP_E_KDF && calls == 0 && im.count == 0 &&
		              has_problem(&im, TOTP_E_KDF, 1, NULL),
		      "hostile cost ops %u mem %u KiB: TOTP_E_KDF before any passphrase",
		      (unsigned)hostile[i].ops, (unsigned)hostile[i].mem_kib);
		totp_import_clear(&im);
	}
	w[BK_OFF_VERSION] = 2;
	to_text(t, w, n);
	rc = import_altered(&x, 0, t, "k", &calls, &im);
	CHECK(rc == TOTP_E_VERSION && calls == 0, "version 2: TOTP_E_VERSION");
	totp_import_clear(&im);
	memcpy(t, "TOTPBACKUP2:", BK_PREFIX_LEN);
	strcpy(t + BK_PREFIX_LEN, x.parts[0] + BK_PREFIX_LEN);
	rc = import_altered(&x, 0, t, "k", &calls, &im);
	CHECK(rc == TOTP_E_VERSION && calls == 0, "prefix TOTPBACKUP2: TOTP_E_VERSION");
	totp_import_clear(&im);
	totp_backup_export_free(&x);
	sodium_free(e);
}

int main(void)
{
	if (totp_init() != TOTP_OK)
		return 1;
	test_missing_dup_mixed();
	test_bit_flips();
	test_multi_part_flips();
	test_passphrase();
	test_kdf_bounds();
	TEST_EXIT();
}
