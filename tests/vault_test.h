/*
 * vault_test.h - helpers shared by the vault tests: a private directory,
 * file I/O, entries, and an independent encoder written from the byte
 * layout in totp-vault(5).
 */
#ifndef TOTP_VAULT_TEST_H
#define TOTP_VAULT_TEST_H

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

#define TEST_UNUSED __attribute__((unused))

TEST_UNUSED static const struct totp_kdf tiny = {.opslimit = 1, .memlimit = 8192};
TEST_UNUSED static const char pass[] = "pässwörd \xF0\x9F\x94\x91";
#define PASSLEN (sizeof(pass) - 1)
TEST_UNUSED static char dir[64], vpath[128];

/* -- helpers --------------------------------------------------------------- */

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline uint8_t *slurp(const char *path, size_t *len)
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

static inline void spill(const char *path, const uint8_t *b, size_t len)
{
	/* No O_TRUNC: ext4 flushes a file truncated to zero and rewritten
	 * when it is closed, which would make thousands of rewrites slow. */
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW, 0600);

	if (fd < 0 || pwrite(fd, b, len, 0) != (ssize_t)len || ftruncate(fd, (off_t)len) != 0)
		perror(path);
	close(fd);
}

static inline int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static inline void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static inline uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void mk_entry(struct totp_entry *e, const char *issuer, const char *account,
                            size_t slen, enum totp_type type, enum totp_algo algo, unsigned digits,
                            uint64_t counter)
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

static inline int same_entry(const struct totp_entry *a, const struct totp_entry *b)
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

static inline void pt_put(struct pt *p, const void *v, size_t len)
{
	memcpy(p->b + p->n, v, len);
	p->n += len;
}

static inline void pt_u32(struct pt *p, uint32_t v)
{
	put32(p->b + p->n, v);
	p->n += 4;
}

static inline void pt_field(struct pt *p, unsigned tag, const void *v, size_t len)
{
	uint8_t h[3] = {(uint8_t)tag, (uint8_t)(len >> 8), (uint8_t)len};

	pt_put(p, h, 3);
	pt_put(p, v, len);
}

static inline void pt_int(struct pt *p, unsigned tag, uint64_t v, size_t width)
{
	uint8_t b[8];

	for (size_t i = 0; i < width; i++)
		b[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
	pt_field(p, tag, b, width);
}

/* A record whose fields follow; rec_end fills in its length. */
static inline size_t rec_begin(struct pt *p)
{
	p->n += 4;
	return p->n;
}

static inline void rec_end(struct pt *p, size_t start)
{
	put32(p->b + start - 4, (uint32_t)(p->n - start));
}

static inline void pt_std_entry(struct pt *p, const char *account, unsigned digits)
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

TEST_UNUSED static const struct hdr std_hdr = {1, 1, 0, 1, 8192, 5};

/* A whole vault file: header, then the plaintext sealed under key. */
static inline size_t craft(uint8_t *out, const struct hdr *h, const uint8_t *plain, size_t len,
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

TEST_UNUSED static uint8_t test_key[32];
TEST_UNUSED static uint8_t filebuf[16384];

static inline int open_crafted(struct totp_vault **v, const struct hdr *h, const struct pt *p)
{
	spill(vpath, filebuf, craft(filebuf, h, p->b, p->n, test_key));
	return totp_vault_open_key(v, vpath, test_key, 0);
}

/* A private directory holding the vault file; vt_done removes it. */
static inline int vt_setup(const char *name)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
	         name);
	if (!mkdtemp(dir))
		return -1;
	snprintf(vpath, sizeof(vpath), "%s/vault", dir);
	randombytes_buf(test_key, sizeof(test_key));
	return 0;
}

static inline void vt_done(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
