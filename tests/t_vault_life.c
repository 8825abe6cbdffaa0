/*
 * t_vault_life.c - the vault over its life: every bit flip, truncation and
 * append rejected, generations, backups and rekey, odd entries, the
 * generation limit, large vaults and KDF calibration.
 */
#include "vault_test.h"

static void small_vault(uint8_t **file, size_t *len, uint8_t key[32])
{
	struct totp_vault *v = NULL;
	struct totp_entry e;

	remove(vpath);
	mk_entry(&e, "Flip", "bits", 20, TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 0);
	if (totp_vault_create(&v, vpath, pass, PASSLEN, &tiny) == TOTP_OK &&
	    totp_vault_add(v, &e) == TOTP_OK && totp_vault_save(v) == TOTP_OK)
		totp_vault_key(v, key);
	totp_vault_close(v);
	*file = slurp(vpath, len);
}

static int rejected(int rc)
{
	return rc == TOTP_E_AUTH || rc == TOTP_E_FORMAT || rc == TOTP_E_VERSION || rc == TOTP_E_KDF;
}

static void test_damage(void)
{
	struct totp_vault *v = NULL;
	uint8_t key[32], *file, *b, *after;
	size_t len, alen, bad = 0, changed = 0, n = 0, i;
	int rc;

	small_vault(&file, &len, key);
	CHECK(file && len == 72 + 256 + 16, "small vault is %zu bytes", len);
	if (!file)
		return;
	b = malloc(len + 64);
	/* Every single-bit flip, with the key (the KDF skipped) and a writer's lock. */
	for (i = 0; i < 8 * len; i++) {
		memcpy(b, file, len);
		b[i / 8] ^= (uint8_t)(1u << (i % 8));
		spill(vpath, b, len);
		rc = totp_vault_open_key(&v, vpath, key, TOTP_VAULT_WRITE);
		totp_vault_close(v);
		bad += !rejected(rc);
		after = slurp(vpath, &alen);
		changed += alen != len || memcmp(after, b, len) != 0;
		free(after);
	}
	CHECK(bad == 0, "%zu bit flips with the key: all rejected (%zu not)", 8 * len, bad);
	CHECK(changed == 0, "the damaged file is never modified (%zu were)", changed);
	/* With the passphrase: every bit of the header and of the tag, except
	 * flips that make one derivation slow (opslimit bits 8-15 in byte 14,
	 * memlimit bits 16-31 in bytes 20-21), which the loop above covers. */
	bad = 0;
	for (i = 0; i < 8 * len; i++) {
		if (i / 8 == 14 || i / 8 == 20 || i / 8 == 21 || (i / 8 >= 72 && i / 8 < len - 16))
			continue;
		memcpy(b, file, len);
		b[i / 8] ^= (uint8_t)(1u << (i % 8));
		spill(vpath, b, len);
		rc = totp_vault_open(&v, vpath, pass, PASSLEN, 0);
		totp_vault_close(v);
		bad += !rejected(rc);
		n++;
	}
	CHECK(bad == 0, "%zu bit flips with the passphrase: all rejected", n);
	/* Every truncation and appends of 1..64 bytes. */
	bad = 0;
	for (i = 0; i < len; i++) {
		spill(vpath, file, i);
		rc = totp_vault_open_key(&v, vpath, key, 0);
		totp_vault_close(v);
		bad += !rejected(rc);
	}
	CHECK(bad == 0, "%zu truncations rejected", len);
	bad = 0;
	for (i = 1; i <= 64; i++) {
		memcpy(b, file, len);
		randombytes_buf(b + len, i);
		spill(vpath, b, len + i);
		rc = totp_vault_open_key(&v, vpath, key, 0);
		totp_vault_close(v);
		bad += rc != TOTP_E_AUTH;
	}
	CHECK(bad == 0, "64 appends rejected as damaged");
	spill(vpath, file, len);
	CHECK_RC(totp_vault_open(&v, vpath, pass, PASSLEN, 0), TOTP_OK, "the undamaged file opens");
	totp_vault_close(v);
	free(b);
	free(file);
}

static void test_generations_and_rekey(void)
{
	struct totp_vault *v = NULL;
	struct totp_entry e;
	struct totp_kdf k2 = {.opslimit = 2, .memlimit = 16384};
	struct totp_vault_info info;
	uint8_t *f1, *f2, *bak, salt[16];
	size_t l1, l2, lb;
	char bpath[160];

	snprintf(bpath, sizeof(bpath), "%s.bak", vpath);
	remove(vpath);
	remove(bpath);
	if (totp_vault_create(&v, vpath, pass, PASSLEN, &tiny) != TOTP_OK)
		return;
	CHECK(access(bpath, F_OK) != 0, "no backup after create");
	f1 = slurp(vpath, &l1);
	mk_entry(&e, "Gen", "one", 20, TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 0);
	CHECK(totp_vault_add(v, &e) == TOTP_OK && totp_vault_save(v) == TOTP_OK &&
	              totp_vault_header(v)->generation == 2,
	      "save: generation 2");
	bak = slurp(bpath, &lb);
	CHECK(bak && lb == l1 && memcmp(bak, f1, l1) == 0, "backup is the previous file");
	free(bak);
	f2 = slurp(vpath, &l2);
	CHECK(totp_vault_save(v) == TOTP_OK && totp_vault_header(v)->generation == 3,
	      "save again: generation 3");
	bak = slurp(bpath, &lb);
	CHECK(bak && lb == l2 && memcmp(bak, f2, l2) == 0, "backup follows one generation behind");
	free(bak);
	free(f1);
	free(f2);
	f1 = slurp(vpath, &l1);
	CHECK(totp_vault_save(v) == TOTP_OK, "save unchanged entries");
	f2 = slurp(vpath, &l2);
	CHECK(l1 == l2 && memcmp(f1 + 48, f2 + 48, 24) != 0, "a new nonce at every save");
	free(f1);
	free(f2);

	memcpy(salt, totp_vault_header(v)->salt, 16);
	CHECK_RC(totp_vault_rekey(v, "new pass", 8, &(struct totp_kdf){0, 8192}), TOTP_E_KDF,
	         "rekey refuses opslimit 0");
	CHECK_RC(totp_vault_rekey(v, "new pass", 8, &k2), TOTP_OK, "rekey");
	CHECK_RC(totp_vault_save(v), TOTP_OK, "save after rekey");
	totp_vault_close(v);
	CHECK_RC(totp_vault_open(&v, vpath, pass, PASSLEN, 0), TOTP_E_AUTH, "old passphrase fails");
	CHECK_RC(totp_vault_open(&v, vpath, "new pass", 8, 0), TOTP_OK, "new passphrase opens");
	CHECK(totp_vault_count(v) == 1, "entries survive the rekey");
	totp_vault_close(v);
	CHECK(totp_vault_info(&info, vpath) == TOTP_OK && info.kdf.opslimit == 2 &&
	              info.kdf.memlimit == 16384 && memcmp(info.salt, salt, 16) != 0,
	      "new KDF cost and salt in the header");
	CHECK_RC(totp_vault_open(&v, bpath, pass, PASSLEN, 0), TOTP_OK,
	         "the backup still opens with the old passphrase");
	totp_vault_close(v);
}

static void test_odd_entry(void)
{
	struct totp_vault *v = NULL;
	struct totp_entry e, bad;
	struct totp_entry *p;

	remove(vpath);
	if (totp_vault_create(&v, vpath, pass, PASSLEN, &tiny) != TOTP_OK)
		return;
	mk_entry(&e, "A", "a", 20, TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 0);
	CHECK(totp_vault_add(v, &e) == TOTP_OK, "add a");
	mk_entry(&bad, "", "", 20, TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 0);
	CHECK(totp_vault_add(v, &bad) != TOTP_OK && totp_vault_count(v) == 1,
	      "add refuses an entry without an account");
	mk_entry(&e, "B", "b", 20, TOTP_TYPE_HOTP, TOTP_ALGO_SHA1, 6, 9);
	CHECK(totp_vault_add(v, &e) == TOTP_OK, "add b");
	/* Change an entry behind the library's back, as a newer totp might
	 * store a value this one refuses. */
	p = totp_vault_entry(v, 1);
	if (!CHECK(p != NULL, "entry 1 is there")) {
		totp_vault_close(v);
		return;
	}
	p->digits = 11;
	bad = *p;
	CHECK_RC(totp_vault_save(v), TOTP_OK, "save with a digits=11 entry");
	totp_vault_close(v);
	CHECK_RC(totp_vault_open(&v, vpath, pass, PASSLEN, TOTP_VAULT_WRITE), TOTP_OK,
	         "a vault holding digits=11 opens");
	CHECK_RC(totp_entry_check(totp_vault_entry(v, 1)), TOTP_E_DIGITS,
	         "totp_entry_check reports it");
	CHECK(totp_entry_check(totp_vault_entry(v, 0)) == TOTP_OK, "the other entry is fine");
	CHECK_RC(totp_vault_save(v), TOTP_OK, "save it again");
	totp_vault_close(v);
	CHECK(totp_vault_open(&v, vpath, pass, PASSLEN, TOTP_VAULT_WRITE) == TOTP_OK &&
	              same_entry(totp_vault_entry(v, 1), &bad),
	      "the odd entry is untouched after saves");
	CHECK_RC(totp_vault_remove(v, 2), TOTP_E_INVAL, "remove past the end");
	CHECK(totp_vault_remove(v, 0) == TOTP_OK && totp_vault_count(v) == 1 &&
	              same_entry(totp_vault_entry(v, 0), &bad),
	      "remove the first, the second moves up");
	p = totp_vault_entry(v, 0);
	if (!p) {
		totp_vault_close(v);
		return;
	}
	p->digits = 300;
	CHECK_RC(totp_vault_save(v), TOTP_E_INVAL, "digits wider than the format: refused");
	p->digits = 6;
	memset(p->account, 'y', TOTP_LABEL_MAX);
	CHECK_RC(totp_vault_save(v), TOTP_E_INVAL, "unterminated label: refused");
	totp_vault_close(v);
}

static void test_generation_limit(void)
{
	struct totp_vault *v = NULL;
	struct hdr h = std_hdr;
	struct pt p = {.n = 0};
	uint8_t *a, *b;
	size_t la, lb;

	h.gen = UINT64_MAX;
	pt_u32(&p, 0);
	spill(vpath, filebuf, craft(filebuf, &h, p.b, p.n, test_key));
	a = slurp(vpath, &la);
	CHECK_RC(totp_vault_open_key(&v, vpath, test_key, TOTP_VAULT_WRITE), TOTP_OK,
	         "generation 2^64-1 opens");
	CHECK_RC(totp_vault_save(v), TOTP_E_TOOBIG, "but cannot be saved again");
	totp_vault_close(v);
	b = slurp(vpath, &lb);
	CHECK(la == lb && memcmp(a, b, la) == 0, "and the file is untouched");
	free(a);
	free(b);
}

static void test_many(size_t n)
{
	struct totp_vault *v = NULL;
	struct totp_entry *e = totp_entry_new();
	size_t bad = 0;
	double t0, topen;
	int rc;

	remove(vpath);
	if (!e || totp_vault_create(&v, vpath, pass, PASSLEN, &tiny) != TOTP_OK) {
		CHECK(0, "setup for %zu entries", n);
		totp_entry_free(e);
		return;
	}
	for (size_t i = 0; i < n && bad == 0; i++) {
		char acct[32];

		snprintf(acct, sizeof(acct), "user%zu@example.org", i);
		mk_entry(e, "Issuér", acct, 10 + i % 50, (enum totp_type)(i % 2),
		         (enum totp_algo)(i % 3), 6 + i % 3, i);
		bad += totp_vault_add(v, e) != TOTP_OK;
	}
	CHECK(bad == 0 && totp_vault_count(v) == n, "%zu entries added", n);
	CHECK_RC(totp_vault_save(v), TOTP_OK, "%zu entries saved", n);
	totp_vault_close(v);
	t0 = now();
	rc = totp_vault_open(&v, vpath, pass, PASSLEN, 0);
	topen = now() - t0;
	CHECK_RC(rc, TOTP_OK, "%zu entries open", n);
	printf("# opening %zu entries took %.3f s\n", n, topen);
	CHECK(topen < 2.0, "%zu entries open in under 2 s", n);
	bad = totp_vault_count(v) != n;
	for (size_t i = 0; i < n && !bad; i += 1 + i / 1000) {
		char acct[32];

		snprintf(acct, sizeof(acct), "user%zu@example.org", i);
		mk_entry(e, "Issuér", acct, 10 + i % 50, (enum totp_type)(i % 2),
		         (enum totp_algo)(i % 3), 6 + i % 3, i);
		bad += !same_entry(totp_vault_entry(v, i), e);
	}
	CHECK(!bad, "%zu entries identical after the round trip", n);
	totp_vault_close(v);
	totp_entry_free(e);
}

static void test_calibrate(void)
{
	struct totp_kdf k;
	uint8_t salt[16] = {0}, key[32];
	double t0, t;
	int rc;

	t0 = now();
	rc = totp_kdf_calibrate(&k, 0.05, 8192);
	t = now() - t0;
	CHECK_RC(rc, TOTP_OK, "calibrate for 0.05 s");
	printf("# calibrated: ops %u, mem %llu KiB, in %.3f s\n", k.opslimit,
	       (unsigned long long)(k.memlimit >> 10), t);
	CHECK(k.opslimit >= 1 && k.opslimit <= TOTP_KDF_OPS_MAX && k.memlimit >= 8192 &&
	              k.memlimit <= TOTP_KDF_MEM_MAX &&
	              k.memlimit <= (uint64_t)sysconf(_SC_PHYS_PAGES) *
	                                    (uint64_t)sysconf(_SC_PAGESIZE) / 2,
	      "calibrated cost within bounds");
	CHECK(t < 0.3, "calibration stays bounded (%.3f s)", t);
	t0 = now();
	rc = totp_kdf_derive(key, "x", 1, salt, &k);
	t = now() - t0;
	CHECK(rc == TOTP_OK && t < 0.5, "one derivation at that cost: %.3f s", t);
	CHECK(totp_kdf_calibrate(&k, 0.01, 32ULL << 20) == TOTP_OK && k.memlimit >= (32ULL << 20),
	      "memory never below min_mem");
	/* A realistic target: one derivation lands near it (loosely: CI
	 * machines are noisy). */
	rc = totp_kdf_calibrate(&k, 0.2, TOTP_KDF_MEM_RECOMMENDED_MIN);
	t0 = now();
	if (rc == TOTP_OK)
		rc = totp_kdf_derive(key, "x", 1, salt, &k);
	t = now() - t0;
	printf("# 0.2 s target: ops %u, mem %llu MiB, derivation %.3f s\n", k.opslimit,
	       (unsigned long long)(k.memlimit >> 20), t);
	CHECK(rc == TOTP_OK && k.memlimit >= TOTP_KDF_MEM_RECOMMENDED_MIN && t > 0.05 && t < 0.8,
	      "calibrated for 0.2 s, a derivation takes %.3f s", t);
	CHECK_RC(totp_kdf_calibrate(&k, 0.0, 8192), TOTP_E_INVAL, "zero seconds");
	CHECK_RC(totp_kdf_calibrate(&k, -1.0, 8192), TOTP_E_INVAL, "negative seconds");
	CHECK_RC(totp_kdf_calibrate(&k, 0.05, TOTP_KDF_MEM_MAX + 1), TOTP_E_KDF,
	         "min_mem above the cap");
}

int main(void)
{
	if (vt_setup("t_vault_life") != 0)
		return 1;
	test_damage();
	test_generations_and_rekey();
	test_odd_entry();
	test_generation_limit();
	test_many(10000);
	test_many(100000);
	test_calibrate();
	vt_done();
	TEST_EXIT();
}
