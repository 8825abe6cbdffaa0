/*
 * make_fixtures.c - how the fixture vaults in this directory were made.
 *
 * They are frozen: tests/cli/t_compat.sh opens the committed files, so
 * that every later totp is checked against vaults written by this one.
 * Never regenerate a released fixture; add a new one for a new format
 * version (v2.vault, ...).  Salts and nonces are random, so running this
 * again gives different bytes with the same contents.
 *
 *   make
 *   cc -std=c11 -D_GNU_SOURCE -Iinclude -o /tmp/make_fixtures \
 *       tests/data/vaults/make_fixtures.c build/libtotp.a \
 *       $(pkg-config --libs libsodium libqrencode libpng jansson) -ldl
 *   /tmp/make_fixtures tests/data/vaults
 *
 * Every vault has the passphrase "totp fixture v1" and the smallest
 * Argon2id cost (1 pass, 8 KiB), so opening one is instant.
 *
 *   v1.vault        format version 1 as written by totp 0.1: seven accounts
 *                   covering TOTP SHA-1/256/512, 6/7/8 digits, periods 30/60,
 *                   HOTP (counter 5), Steam and UTF-8 labels.
 *   v1-odd.vault    version 1 holding entries that totp_entry_check rejects
 *                   (11 digits, a label byte that is not UTF-8, type 7,
 *                   algorithm 9, period 0, an empty secret) between two good
 *                   ones.  Written through the library: the odd values are
 *                   set through totp_vault_entry() after a valid add.
 *   v1-newer.vault  version 1 encoded by hand as a newer writer might: an
 *                   unknown field (tag 9) in each record, one placed first,
 *                   and a record whose fields come in another order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <totp.h>

#define PASS "totp fixture v1"

static const struct totp_kdf kdf = {1, 8192};

struct acct {
	const char *issuer, *account, *secret; /* secret: raw ASCII bytes */
	enum totp_type type;
	enum totp_algo algo;
	unsigned digits, period;
	uint64_t counter;
};

static const struct acct good[] = {
        {"RFC6238", "sha1", "12345678901234567890", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 8, 30, 0},
        {"RFC6238", "sha256", "12345678901234567890123456789012", TOTP_TYPE_TOTP, TOTP_ALGO_SHA256,
         8, 30, 0},
        {"RFC6238", "sha512", "1234567890123456789012345678901234567890123456789012345678901234",
         TOTP_TYPE_TOTP, TOTP_ALGO_SHA512, 8, 30, 0},
        {"Example", "alice@google.com", "Hello!\xde\xad\xbe\xef", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6,
         30, 0},
        {"RFC4226", "hotp", "12345678901234567890", TOTP_TYPE_HOTP, TOTP_ALGO_SHA1, 6, 30, 5},
        {"B\xc3\xbc"
         "cher",
         "zo\xc3\xab", "fixture-utf8-seed-01", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 7, 60, 0},
        {"Boeing", "Sophia", "\x4c\x72\x25\xf3\xe2\x65\xea\xe8\x31\xaf\xcc\x74\x5f\xa7\x91\x32",
         TOTP_TYPE_STEAM, TOTP_ALGO_SHA1, 5, 30, 0},
};

static void fill(struct totp_entry *e, const struct acct *a)
{
	totp_entry_init(e);
	snprintf(e->issuer, sizeof(e->issuer), "%s", a->issuer);
	snprintf(e->account, sizeof(e->account), "%s", a->account);
	e->secret_len = strlen(a->secret);
	memcpy(e->secret, a->secret, e->secret_len);
	e->type = a->type;
	e->algo = a->algo;
	e->digits = a->digits;
	e->period = a->period;
	e->counter = a->counter;
}

static int die(const char *what, int rc)
{
	fprintf(stderr, "make_fixtures: %s: %s\n", what, totp_strerror(rc));
	exit(1);
}

static void create(const char *path, struct totp_vault **v)
{
	int rc;

	remove(path);
	if ((rc = totp_vault_create(v, path, PASS, strlen(PASS), &kdf)) != TOTP_OK)
		die(path, rc);
}

/* Save, close, and drop the backup and lock files a save leaves beside it. */
static void finish(struct totp_vault *v, const char *path)
{
	char side[4200];
	int rc;

	if ((rc = totp_vault_save(v)) != TOTP_OK)
		die(path, rc);
	totp_vault_close(v);
	snprintf(side, sizeof(side), "%s.bak", path);
	remove(side);
	snprintf(side, sizeof(side), "%s.lock", path);
	remove(side);
}

static void add(struct totp_vault *v, const struct acct *a)
{
	struct totp_entry *e = totp_entry_new();
	int rc;

	if (!e)
		die("entry", TOTP_E_NOMEM);
	fill(e, a);
	if ((rc = totp_vault_add(v, e)) != TOTP_OK)
		die(a->account, rc);
	totp_entry_free(e);
}

static void make_v1(const char *dir)
{
	char path[4096];
	struct totp_vault *v;

	snprintf(path, sizeof(path), "%s/v1.vault", dir);
	create(path, &v);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		add(v, &good[i]);
	finish(v, path);
}

static void make_odd(const char *dir)
{
	static const struct acct base = {
	        "Odd", "x", "12345678901234567890", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, 0};
	static const struct acct g1 = {
	        "Good", "one", "12345678901234567890", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, 0};
	static const struct acct g2 = {"Good",
	                               "two",
	                               "12345678901234567890123456789012",
	                               TOTP_TYPE_TOTP,
	                               TOTP_ALGO_SHA256,
	                               8,
	                               30,
	                               0};
	char path[4096];
	struct totp_vault *v;
	struct totp_entry *e;

	snprintf(path, sizeof(path), "%s/v1-odd.vault", dir);
	create(path, &v);
	add(v, &g1);
	for (int k = 0; k < 6; k++) {
		add(v, &base);
		e = totp_vault_entry(v, totp_vault_count(v) - 1);
		switch (k) {
		case 0: /* more digits than any code has */
			strcpy(e->account, "digits11");
			e->digits = 11;
			break;
		case 1: /* a label byte that is not UTF-8 */
			strcpy(e->account, "bad\xff"
			                   "byte");
			break;
		case 2: /* a type a later version might define */
			strcpy(e->account, "type7");
			e->type = (enum totp_type)7;
			break;
		case 3:
			strcpy(e->account, "algo9");
			e->algo = (enum totp_algo)9;
			break;
		case 4:
			strcpy(e->account, "period0");
			e->period = 0;
			break;
		default:
			strcpy(e->account, "nosecret");
			e->secret_len = 0;
			break;
		}
	}
	add(v, &g2);
	finish(v, path);
}

/* -- a hand-made vault, following totp-vault(5) ------------------------------ */

static uint8_t *field(uint8_t *p, unsigned tag, const void *val, size_t len)
{
	p[0] = (uint8_t)tag;
	p[1] = (uint8_t)(len >> 8);
	p[2] = (uint8_t)len;
	memcpy(p + 3, val, len);
	return p + 3 + len;
}

static void be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* One record: the length, then fields; newer adds an unknown tag 9 first. */
static uint8_t *record(uint8_t *p, const struct acct *a, int unknown_first)
{
	uint8_t *start = p + 4, *q = start, b[8];
	static const char future[] = "a field from a later version";

	if (unknown_first)
		q = field(q, 9, future, sizeof(future) - 1);
	be(b, a->counter, 8);
	q = field(q, 8, b, 8); /* counter first: the order is free */
	q = field(q, 2, a->account, strlen(a->account));
	q = field(q, 1, a->issuer, strlen(a->issuer));
	q = field(q, 3, a->secret, strlen(a->secret));
	b[0] = (uint8_t)a->type;
	q = field(q, 4, b, 1);
	b[0] = (uint8_t)a->algo;
	q = field(q, 5, b, 1);
	b[0] = (uint8_t)a->digits;
	q = field(q, 6, b, 1);
	be(b, a->period, 4);
	q = field(q, 7, b, 4);
	if (!unknown_first)
		q = field(q, 200, "\x01\x02\x03", 3);
	be(p, (uint64_t)(q - start), 4);
	return q;
}

static void make_newer(const char *dir)
{
	uint8_t hdr[72], key[32], plain[1024] = {0}, *p = plain + 4;
	uint8_t out[72 + sizeof(plain) + 16];
	unsigned long long clen;
	char path[4096];
	FILE *f;

	memcpy(hdr, "\x89TOTP\r\n\n", 8);
	be(hdr + 8, 1, 2);
	hdr[10] = 1;
	hdr[11] = 0;
	be(hdr + 12, kdf.opslimit, 4);
	be(hdr + 16, kdf.memlimit, 8);
	randombytes_buf(hdr + 24, 16);
	be(hdr + 40, 7, 8); /* generation 7 */
	randombytes_buf(hdr + 48, 24);
	if (crypto_pwhash(key, sizeof(key), PASS, strlen(PASS), hdr + 24, kdf.opslimit,
	                  (size_t)kdf.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		die("pwhash", TOTP_E_NOMEM);
	be(plain, 2, 4);
	p = record(p, &good[0], 1);
	p = record(p, &good[4], 0);
	memcpy(out, hdr, 72);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 72, &clen, plain, 256, hdr, 72, NULL,
	                                           hdr + 48, key);
	snprintf(path, sizeof(path), "%s/v1-newer.vault", dir);
	f = fopen(path, "wb");
	if (!f || fwrite(out, 1, 72 + (size_t)clen, f) != 72 + (size_t)clen || fclose(f) != 0)
		die(path, TOTP_E_IO);
	sodium_memzero(key, sizeof(key));
}

int main(int argc, char **argv)
{
	if (argc != 2 || totp_init() != TOTP_OK || sodium_init() < 0) {
		fprintf(stderr, "usage: make_fixtures DIR\n");
		return 2;
	}
	make_v1(argv[1]);
	make_odd(argv[1]);
	make_newer(argv[1]);
	return 0;
}
