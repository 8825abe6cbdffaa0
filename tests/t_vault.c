/*
 * t_vault.c - the encrypted vault: round trips, the file layout checked by
 * an independent encoder/decoder written from totp-vault(5), every bit
 * flip, truncation and append, KDF bounds, generations and backups, rekey,
 * large vaults, odd entries, calibration and an Argon2id known answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "test.h"
#include "totp.h"
#include "vault_internal.h"

static const struct totp_kdf tiny = {.opslimit = 1, .memlimit = 8192};
static const char pass[] = "pässwörd \xF0\x9F\x94\x91";
#define PASSLEN (sizeof(pass) - 1)
static char dir[64], vpath[128];

/* -- helpers --------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *b = NULL;
	int fd = open(path, O_RDONLY);

	*len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && (b = malloc((size_t)st.st_size + 1)) != NULL &&
	    read(fd, b, (size_t)st.st_size) == (ssize_t)st.st_size)
		*len = (size_t)st.st_size;
	close(fd);
	return b;
}

static void spill(const char *path, const uint8_t *b, size_t len)
{
	/* No O_TRUNC: ext4 flushes a file truncated to zero and rewritten
	 * when it is closed, which would make thousands of rewrites slow. */
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW, 0600);

	if (fd < 0 || pwrite(fd, b, len, 0) != (ssize_t)len || ftruncate(fd, (off_t)len) != 0)
		perror(path);
	close(fd);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void mk_entry(struct totp_entry *e, const char *issuer, const char *account, size_t slen,
                     enum totp_type type, enum totp_algo algo, unsigned digits, uint64_t counter)
{
	totp_entry_init(e);
	snprintf(e->issuer, sizeof(e->issuer), "%s", issuer);
	snprintf(e->account, sizeof(e->account), "%s", account);
	for (size_t i = 0; i < slen; i++)
		e->secret[i] = (uint8_t)(i * 37 + slen);
	e->secret_len = slen;
	e->type = type;
	e->algo = algo;
	e->digits = digits;
	e->counter = counter;
}

static int same_entry(const struct totp_entry *a, const struct totp_entry *b)
{
	return a && b && strcmp(a->issuer, b->issuer) == 0 && strcmp(a->account, b->account) == 0 &&
	       a->secret_len == b->secret_len && memcmp(a->secret, b->secret, a->secret_len) == 0 &&
	       a->type == b->type && a->algo == b->algo && a->digits == b->digits &&
	       a->period == b->period && a->counter == b->counter;
}

/* -- an independent encoder, from the byte layout in totp-vault(5) ------------ */

struct pt {
	uint8_t b[8192];
	size_t n;
};

static void pt_put(struct pt *p, const void *v, size_t len)
{
	memcpy(p->b + p->n, v, len);
	p->n += len;
}

static void pt_u32(struct pt *p, uint32_t v)
{
	put32(p->b + p->n, v);
	p->n += 4;
}

static void pt_field(struct pt *p, unsigned tag, const void *v, size_t len)
{
	uint8_t h[3] = {(uint8_t)tag, (uint8_t)(len >> 8), (uint8_t)len};

	pt_put(p, h, 3);
	pt_put(p, v, len);
}

static void pt_int(struct pt *p, unsigned tag, uint64_t v, size_t width)
{
	uint8_t b[8];

	for (size_t i = 0; i < width; i++)
		b[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
	pt_field(p, tag, b, width);
}

/* A record whose fields follow; rec_end fills in its length. */
static size_t rec_begin(struct pt *p)
{
	p->n += 4;
	return p->n;
}

static void rec_end(struct pt *p, size_t start)
{
	put32(p->b + start - 4, (uint32_t)(p->n - start));
}

static void pt_std_entry(struct pt *p, const char *account, unsigned digits)
{
	size_t r = rec_begin(p);

	pt_field(p, 1, "Iss", 3);
	pt_field(p, 2, account, strlen(account));
	pt_field(p, 3, "0123456789", 10);
	pt_int(p, 4, 0, 1);
	pt_int(p, 5, 0, 1);
	pt_int(p, 6, digits, 1);
	pt_int(p, 7, 30, 4);
	pt_int(p, 8, 0, 8);
	rec_end(p, r);
}

struct hdr {
	unsigned version, kdf_id, reserved;
	uint32_t ops;
	uint64_t mem, gen;
};

static const struct hdr std_hdr = {1, 1, 0, 1, 8192, 5};

/* A whole vault file: header, then the plaintext sealed under key. */
static size_t craft(uint8_t *out, const struct hdr *h, const uint8_t *plain, size_t len,
                    const uint8_t key[32])
{
	memcpy(out, "\x89TOTP\r\n\n", 8);
	out[8] = (uint8_t)(h->version >> 8);
	out[9] = (uint8_t)h->version;
	out[10] = (uint8_t)h->kdf_id;
	out[11] = (uint8_t)h->reserved;
	put32(out + 12, h->ops);
	put64(out + 16, h->mem);
	memset(out + 24, 0x5a, 16);
	put64(out + 40, h->gen);
	randombytes_buf(out + 48, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 72, NULL, plain, len, out, 72, NULL,
	                                           out + 48, key);
	return 72 + len + 16;
}

static uint8_t test_key[32];
static uint8_t filebuf[16384];

static int open_crafted(struct totp_vault **v, const struct hdr *h, const struct pt *p)
{
	spill(vpath, filebuf, craft(filebuf, h, p->b, p->n, test_key));
	return totp_vault_open_key(v, vpath, test_key, 0);
}

/* -- tests -------------------------------------------------------------------- */

static void test_round_trip(void)
{
	struct totp_entry want[4];
	struct totp_vault *v = NULL;
	uint8_t key[32], key2[32], *file;
	struct totp_vault_info info;
	size_t len;
	char sub[160];
	int rc;

	mk_entry(&want[0], "Ünïcødé Bank ✓", "alice@example.com", 20, TOTP_TYPE_TOTP,
	         TOTP_ALGO_SHA1, 6, 0);
	mk_entry(&want[1], "", "bob — 東京", 64, TOTP_TYPE_TOTP, TOTP_ALGO_SHA512, 8, 0);
	mk_entry(&want[2], "HOTP Inc", "carol", 32, TOTP_TYPE_HOTP, TOTP_ALGO_SHA256, 7,
	         (1ULL << 40) + 3);
	mk_entry(&want[3], "Steam", "dave", 10, TOTP_TYPE_STEAM, TOTP_ALGO_SHA1, 5, 0);
	want[1].period = 60;

	snprintf(sub, sizeof(sub), "%s/sub/vault", dir);
	rc = totp_vault_create(&v, sub, pass, PASSLEN, &tiny);
	CHECK_RC(rc, TOTP_OK, "create in a missing directory");
	if (rc)
		return;
	CHECK(totp_vault_count(v) == 0 && totp_vault_header(v)->generation == 1,
	      "a new vault is empty, generation 1");
	for (int i = 0; i < 4; i++)
		CHECK_RC(totp_vault_add(v, &want[i]), TOTP_OK, "add entry %d", i);
	CHECK_RC(totp_vault_save(v), TOTP_OK, "save");
	totp_vault_key(v, key);
	totp_vault_close(v);

	rc = totp_vault_open(&v, sub, pass, PASSLEN, 0);
	CHECK_RC(rc, TOTP_OK, "open with the passphrase");
	CHECK(totp_vault_count(v) == 4, "four entries back");
	for (size_t i = 0; i < 4; i++)
		CHECK(same_entry(totp_vault_entry(v, i), &want[i]), "entry %zu identical", i);
	CHECK(totp_vault_entry(v, 4) == NULL, "entry past the end is NULL");
	totp_vault_key(v, key2);
	CHECK(memcmp(key, key2, 32) == 0, "same key from the passphrase");
	totp_vault_close(v);

	v = (struct totp_vault *)1;
	CHECK_RC(totp_vault_open(&v, sub, pass, PASSLEN - 1, 0), TOTP_E_AUTH,
	         "passphrase missing its last byte");
	CHECK(v == NULL, "no vault on failure");
	CHECK_RC(totp_vault_open(&v, sub, "pässwörd \xF0\x9F\x94\x91\n", PASSLEN + 1, 0),
	         TOTP_E_AUTH, "passphrase with a newline is another passphrase");
	CHECK_RC(totp_vault_open(&v, sub, "wrong", 5, 0), TOTP_E_AUTH, "wrong passphrase");

	CHECK_RC(totp_vault_open_key(&v, sub, key, TOTP_VAULT_WRITE), TOTP_OK, "open with the key");
	CHECK(totp_vault_count(v) == 4 && same_entry(totp_vault_entry(v, 2), &want[2]),
	      "the key opens the same entries");
	totp_vault_close(v);
	key[31] ^= 1;
	CHECK_RC(totp_vault_open_key(&v, sub, key, 0), TOTP_E_AUTH, "a key one bit off");

	CHECK_RC(totp_vault_info(&info, sub), TOTP_OK, "info");
	file = slurp(sub, &len);
	CHECK(info.version == 1 && info.kdf.opslimit == 1 && info.kdf.memlimit == 8192 &&
	              info.generation == 2 && info.file_size == len,
	      "info: version, KDF, generation and size");
	/* The documented layout, byte by byte. */
	CHECK(memcmp(file, "\x89\x54\x4f\x54\x50\x0d\x0a\x0a", 8) == 0, "magic bytes");
	CHECK(file[8] == 0 && file[9] == 1 && file[10] == 1 && file[11] == 0,
	      "version 1, KDF id 1, reserved 0");
	CHECK(get64(file + 16) == 8192 && file[15] == 1 && get64(file + 40) == 2,
	      "opslimit, memlimit and generation big-endian");
	CHECK(memcmp(file + 24, info.salt, 16) == 0, "salt at offset 24");
	CHECK((len - 72 - 16) % 256 == 0, "plaintext padded to 256 bytes");
	/* Decrypt it independently and read the entry count. */
	{
		uint8_t *m = malloc(len);
		unsigned long long mlen = 0;

		key[31] ^= 1;
		rc = crypto_aead_xchacha20poly1305_ietf_decrypt(m, &mlen, NULL, file + 72, len - 72,
		                                                file, 72, file + 48, key);
		CHECK(rc == 0 && mlen >= 4 && m[3] == 4 && m[0] == 0,
		      "AD = bytes 0..71, nonce at 48, count 4");
		CHECK(rc == 0 && m[8] == 1 && m[9] == 0 && m[10] == strlen(want[0].issuer),
		      "first field: issuer tag and length");
		free(m);
	}
	{
		uint8_t k3[32];

		CHECK(totp_kdf_derive(k3, pass, PASSLEN, info.salt, &info.kdf) == TOTP_OK &&
		              memcmp(k3, key, 32) == 0,
		      "the vault key is Argon2id(passphrase, salt, params)");
	}
	free(file);
}

static void test_kat(void)
{
	/* 115 bytes of UTF-8 with a trailing space.  Expected outputs were
	 * computed with two independent Argon2id implementations (the
	 * reference "argon2" program from Debian, and @noble/hashes for
	 * JavaScript), t=3, m=64 KiB, p=1, 32 bytes, version 0x13. */
	static const char p[] = "Grüße aus Köln — 東京都の秘密 — Ελληνικά κλειδιά — "
	                        "🔑🗝️ correct horse battery ";
	static const struct {
		size_t extra;
		const char *hex;
	} kat[] = {
	        {0, "09c5e26b128d861e1c0d6bfcefd320e51196dcb3a51c2356c703e4e3b0a6503d"},
	        {1,
	         "9b8a4c1a0b857d157bdd5019dd0393050fdac2e4d184a3c17538b631dbdbb1eb"}, /* + "\n" */
	        {1, "566dc3e8662294dc8e217771e36e56dcaa09ee28f77d3154fa5610009032ac18"}, /* + NUL */
	};
	struct totp_kdf k = {.opslimit = 3, .memlimit = 65536};
	uint8_t salt[16], key[32], want[32];
	char buf[sizeof(p) + 1];

	CHECK(sizeof(p) - 1 == 115, "KAT passphrase is 115 bytes");
	memcpy(salt, "totp-vault-kat16", 16);
	for (size_t i = 0; i < TOTP_ARRAY_LEN(kat); i++) {
		memcpy(buf, p, sizeof(p) - 1);
		buf[sizeof(p) - 1] = i == 1 ? '\n' : '\0';
		sodium_hex2bin(want, 32, kat[i].hex, 64, NULL, NULL, NULL);
		CHECK(totp_kdf_derive(key, buf, sizeof(p) - 1 + kat[i].extra, salt, &k) ==
		                      TOTP_OK &&
		              memcmp(key, want, 32) == 0,
		      "Argon2id known answer %zu", i);
	}
}

static void test_layout_errors(void)
{
	static const struct {
		const char *what;
		struct hdr h;
		int want;
	} t[] = {
	        {"version 0", {0, 1, 0, 1, 8192, 1}, TOTP_E_VERSION},
	        {"version 2", {2, 1, 0, 1, 8192, 1}, TOTP_E_VERSION},
	        {"KDF id 2", {1, 2, 0, 1, 8192, 1}, TOTP_E_KDF},
	        {"reserved 1", {1, 1, 1, 1, 8192, 1}, TOTP_E_KDF},
	        {"opslimit 0", {1, 1, 0, 0, 8192, 1}, TOTP_E_KDF},
	        {"opslimit 65537", {1, 1, 0, 65537, 8192, 1}, TOTP_E_KDF},
	        {"opslimit 2^32-1", {1, 1, 0, UINT32_MAX, 8192, 1}, TOTP_E_KDF},
	        {"memlimit 8191", {1, 1, 0, 1, 8191, 1}, TOTP_E_KDF},
	        {"memlimit 4 GiB + 1 KiB", {1, 1, 0, 1, (4ULL << 30) + 1024, 1}, TOTP_E_KDF},
	        {"memlimit 2^40", {1, 1, 0, 1, 1ULL << 40, 1}, TOTP_E_KDF},
	        {"memlimit 2^64-1", {1, 1, 0, 1, UINT64_MAX, 1}, TOTP_E_KDF},
	};
	struct totp_vault *v = NULL;
	struct totp_vault_info info;
	struct pt p = {.n = 0};
	struct rusage ru0, ru1;
	uint8_t *b;
	size_t len;
	double t0;

	pt_u32(&p, 0);
	for (size_t i = 0; i < TOTP_ARRAY_LEN(t); i++) {
		spill(vpath, filebuf, craft(filebuf, &t[i].h, p.b, p.n, test_key));
		getrusage(RUSAGE_SELF, &ru0);
		t0 = now();
		CHECK_RC(totp_vault_open(&v, vpath, pass, PASSLEN, 0), t[i].want, "%s", t[i].what);
		getrusage(RUSAGE_SELF, &ru1);
		CHECK(now() - t0 < 0.1 && ru1.ru_maxrss - ru0.ru_maxrss < 16384,
		      "%s: refused in < 100 ms without allocating", t[i].what);
		CHECK_RC(totp_vault_open_key(&v, vpath, test_key, 0), t[i].want, "%s (key)",
		         t[i].what);
		CHECK_RC(totp_vault_info(&info, vpath), t[i].want, "%s (info)", t[i].what);
	}
	/* Text-mode transfer damage: CR LF -> LF, LF -> CR LF, high bit lost. */
	len = craft(filebuf, &std_hdr, p.b, p.n, test_key);
	b = malloc(len + 1);
	memcpy(b, filebuf, 5);
	memcpy(b + 5, filebuf + 6, len - 6);
	spill(vpath, b, len - 1);
	CHECK_RC(totp_vault_info(&info, vpath), TOTP_E_FORMAT, "CR LF turned into LF");
	memcpy(b, filebuf, 7);
	b[7] = '\r';
	memcpy(b + 8, filebuf + 7, len - 7);
	spill(vpath, b, len + 1);
	CHECK_RC(totp_vault_info(&info, vpath), TOTP_E_FORMAT, "LF turned into CR LF");
	filebuf[0] &= 0x7f;
	spill(vpath, filebuf, len);
	CHECK_RC(totp_vault_open_key(&v, vpath, test_key, 0), TOTP_E_FORMAT, "high bit stripped");
	free(b);
}

static void test_plaintext(void)
{
	static const struct {
		const char *what;
		int want;
	} t[] = {
	        {"empty plaintext", TOTP_E_CORRUPT},
	        {"3 bytes", TOTP_E_CORRUPT},
	        {"count 1, no record", TOTP_E_CORRUPT},
	        {"count 2^32-1", TOTP_E_CORRUPT},
	        {"record longer than the plaintext", TOTP_E_CORRUPT},
	        {"field longer than its record", TOTP_E_CORRUPT},
	        {"field header cut short", TOTP_E_CORRUPT},
	        {"account twice", TOTP_E_CORRUPT},
	        {"period of 3 bytes", TOTP_E_CORRUPT},
	        {"counter of 4 bytes", TOTP_E_CORRUPT},
	        {"NUL inside the account", TOTP_E_CORRUPT},
	        {"issuer of 256 bytes", TOTP_E_CORRUPT},
	        {"secret of 129 bytes", TOTP_E_CORRUPT},
	        {"non-zero padding", TOTP_E_CORRUPT},
	        {"issuer of 255 bytes", TOTP_OK},
	        {"secret of 128 bytes", TOTP_OK},
	        {"no entries, 1000 bytes of padding", TOTP_OK},
	        {"unknown tags 0, 9, 200, 255", TOTP_OK},
	        {"record without fields", TOTP_OK},
	        {"invalid UTF-8 account, type 7, algo 9", TOTP_OK},
	        {"no entries, no padding", TOTP_OK},
	};
	uint8_t big[300];
	struct totp_vault *v = NULL;
	struct totp_entry *e;

	memset(big, 'x', sizeof(big));
	for (size_t i = 0; i < TOTP_ARRAY_LEN(t); i++) {
		struct pt p = {.n = 0};
		size_t r;
		int rc;

		switch (i) {
		case 0:
			break;
		case 1:
			pt_put(&p, "\0\0\0", 3);
			break;
		case 2:
			pt_u32(&p, 1);
			break;
		case 3:
			pt_u32(&p, UINT32_MAX);
			pt_put(&p, big, 64);
			break;
		case 4:
			pt_u32(&p, 1);
			pt_u32(&p, 100);
			pt_put(&p, big, 10);
			break;
		case 5:
			pt_u32(&p, 1);
			pt_u32(&p, 5);
			pt_put(&p, "\x02\x00\x0axx", 5);
			break;
		case 6:
			pt_u32(&p, 1);
			pt_u32(&p, 2);
			pt_put(&p, "\x02\x00", 2);
			break;
		case 7:
			pt_u32(&p, 1);
			r = rec_begin(&p);
			pt_field(&p, 2, "a", 1);
			pt_field(&p, 2, "b", 1);
			rec_end(&p, r);
			break;
		case 8:
		case 9:
			pt_u32(&p, 1);
			r = rec_begin(&p);
			pt_int(&p, i == 8 ? 7 : 8, 30, i == 8 ? 3 : 4);
			rec_end(&p, r);
			break;
		case 10:
		case 11:
		case 12:
		case 14:
		case 15:
			pt_u32(&p, 1);
			r = rec_begin(&p);
			if (i == 10)
				pt_field(&p, 2, "a\0b", 3);
			else if (i == 11 || i == 14)
				pt_field(&p, 1, big, i == 11 ? 256 : 255);
			else
				pt_field(&p, 3, big, i == 12 ? 129 : 128);
			rec_end(&p, r);
			break;
		case 13:
			pt_u32(&p, 0);
			pt_put(&p, "\0\0\0\1", 4);
			break;
		case 16:
			pt_u32(&p, 0);
			memset(p.b + 4, 0, 1000);
			p.n += 1000;
			break;
		case 17:
			pt_u32(&p, 2);
			r = rec_begin(&p);
			pt_field(&p, 0, "zero", 4);
			pt_field(&p, 2, "acct", 4);
			pt_field(&p, 9, big, 300);
			pt_field(&p, 3, "S3CRET", 6);
			pt_field(&p, 200, "", 0);
			pt_int(&p, 6, 8, 1);
			pt_field(&p, 255, "\x01\x02", 2);
			rec_end(&p, r);
			pt_std_entry(&p, "second", 6);
			break;
		case 18:
			pt_u32(&p, 1);
			pt_u32(&p, 0);
			break;
		case 19:
			pt_u32(&p, 1);
			r = rec_begin(&p);
			pt_field(&p, 2, "\xc3\x28", 2);
			pt_int(&p, 4, 7, 1);
			pt_int(&p, 5, 9, 1);
			rec_end(&p, r);
			break;
		default:
			pt_u32(&p, 0);
			break;
		}
		rc = open_crafted(&v, &std_hdr, &p);
		CHECK_RC(rc, t[i].want, "plaintext: %s", t[i].what);
		if (rc)
			continue;
		e = totp_vault_entry(v, 0);
		if (i == 14)
			CHECK(e && strlen(e->issuer) == 255, "255-byte issuer kept");
		if (i == 15)
			CHECK(e && e->secret_len == 128, "128-byte secret kept");
		if (i == 17)
			CHECK(totp_vault_count(v) == 2 && strcmp(e->account, "acct") == 0 &&
			              e->secret_len == 6 && e->digits == 8 && e->period == 30 &&
			              strcmp(totp_vault_entry(v, 1)->account, "second") == 0,
			      "unknown tags skipped, known fields read");
		if (i == 18)
			CHECK(e && e->digits == 6 && e->period == 30 && e->type == TOTP_TYPE_TOTP &&
			              e->secret_len == 0 && e->account[0] == '\0',
			      "absent fields take the documented defaults");
		if (i == 19)
			CHECK(e && (unsigned)e->type == 7 && (unsigned)e->algo == 9 &&
			              totp_entry_check(e) != TOTP_OK,
			      "odd values loaded as they are, reported by totp_entry_check");
		totp_vault_close(v);
	}
}

/* A saved vault with one entry, its bytes in *file. */
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
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/t_vault.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	snprintf(vpath, sizeof(vpath), "%s/vault", dir);
	randombytes_buf(test_key, sizeof(test_key));

	test_round_trip();
	test_kat();
	test_layout_errors();
	test_plaintext();
	test_damage();
	test_generations_and_rekey();
	test_odd_entry();
	test_generation_limit();
	test_many(10000);
	test_many(100000);
	test_calibrate();

	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	TEST_EXIT();
}
