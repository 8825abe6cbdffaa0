/*
 * sha1.c - SHA-1 (FIPS 180-4), streaming and one-shot.
 *
 * SHA-1 is here for HMAC-SHA-1, which HOTP, TOTP, Steam codes and PBKDF2
 * need; libsodium does not provide it.  The compression function is fully
 * unrolled, keeps the message schedule in a 16-word ring, and uses no table
 * indexed by data, so its timing does not depend on the key or message.
 * On x86-64 processors with the SHA extensions the compression runs on
 * them instead (nearly twice as fast); setting TOTP_SHA1_GENERIC in the
 * environment forces the portable code, so tests can cover both.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "internal.h"

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* The round functions of FIPS 180-4 section 4.1.1 (Ch, Parity, Maj). */
#define F1(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define F2(b, c, d) ((b) ^ (c) ^ (d))
#define F3(b, c, d) (((b) & (c)) + ((d) & ((b) ^ (c))))

#define K1 0x5a827999u
#define K2 0x6ed9eba1u
#define K3 0x8f1bbcdcu
#define K4 0xca62c1d6u

/* Schedule word t: the first 16 come from the block, the rest from the
 * ring w[t mod 16] (W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16], rotated). */
#define LOAD(t) (w[(t)] = totp_load_be32(block + 4 * (t)))
#define EXPAND(t)                                                                                  \
	(w[(t)&15] = ROL(w[((t) + 13) & 15] ^ w[((t) + 8) & 15] ^ w[((t) + 2) & 15] ^ w[(t)&15], 1))
#define W(t) ((t) < 16 ? LOAD((t)&15) : EXPAND(t))

/* One round; the caller rotates the roles of a..e instead of moving data. */
#define ROUND(a, b, c, d, e, f, k, x)                                                              \
	do {                                                                                       \
		(e) += ROL(a, 5) + f(b, c, d) + (k) + (x);                                         \
		(b) = ROL(b, 30);                                                                  \
	} while (0)

#define FIVE(f, k, t)                                                                              \
	do {                                                                                       \
		ROUND(a, b, c, d, e, f, k, W(t));                                                  \
		ROUND(e, a, b, c, d, f, k, W((t) + 1));                                            \
		ROUND(d, e, a, b, c, f, k, W((t) + 2));                                            \
		ROUND(c, d, e, a, b, f, k, W((t) + 3));                                            \
		ROUND(b, c, d, e, a, f, k, W((t) + 4));                                            \
	} while (0)

static void sha1_compress_generic(uint32_t h[5], const uint8_t *block)
{
	uint32_t w[16];
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	FIVE(F1, K1, 0);
	FIVE(F1, K1, 5);
	FIVE(F1, K1, 10);
	FIVE(F1, K1, 15);
	FIVE(F2, K2, 20);
	FIVE(F2, K2, 25);
	FIVE(F2, K2, 30);
	FIVE(F2, K2, 35);
	FIVE(F3, K3, 40);
	FIVE(F3, K3, 45);
	FIVE(F3, K3, 50);
	FIVE(F3, K3, 55);
	FIVE(F2, K4, 60);
	FIVE(F2, K4, 65);
	FIVE(F2, K4, 70);
	FIVE(F2, K4, 75);

	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_SHANI 1
#endif

#ifdef HAVE_SHANI
#include <cpuid.h>
#include <immintrin.h>

#define SHANI_TARGET __attribute__((target("sha,ssse3")))

/*
 * Twenty groups of four rounds.  Lanes hold words with the first one on
 * top (A of ABCD, W[4g] of a schedule group).  The E input of group g is
 * rol(A of group g-1, 30) plus the group's words (sha1nexte); the schedule
 * ring m[] holds W of groups g-4..g-1 and yields group g with sha1msg1/2.
 */
#define SHANI_SCHED(g)                                                                             \
	(m[(g)&3] = _mm_sha1msg2_epu32(                                                            \
	         _mm_xor_si128(_mm_sha1msg1_epu32(m[(g)&3], m[((g) + 1) & 3]), m[((g) + 2) & 3]),  \
	         m[((g) + 3) & 3]))
#define SHANI_GROUP(g, f)                                                                          \
	do {                                                                                       \
		__m128i w_ = (g) < 4 ? m[(g)&3] : SHANI_SCHED(g);                                  \
		__m128i e_ = (g) == 0 ? _mm_add_epi32(e0, w_) : _mm_sha1nexte_epu32(prev, w_);     \
		prev = abcd;                                                                       \
		abcd = _mm_sha1rnds4_epu32(abcd, e_, f);                                           \
	} while (0)
#define SHANI_FIVE(g, f)                                                                           \
	do {                                                                                       \
		SHANI_GROUP(g, f);                                                                 \
		SHANI_GROUP((g) + 1, f);                                                           \
		SHANI_GROUP((g) + 2, f);                                                           \
		SHANI_GROUP((g) + 3, f);                                                           \
		SHANI_GROUP((g) + 4, f);                                                           \
	} while (0)

SHANI_TARGET static void sha1_compress_shani(uint32_t h[5], const uint8_t *block)
{
	/* Reverses all 16 bytes: big-endian words, the first one on top. */
	const __m128i order = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
	__m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)h), 0x1b);
	__m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0);
	__m128i abcd0 = abcd, prev = abcd, m[4];

	for (int i = 0; i < 4; i++)
		m[i] = _mm_shuffle_epi8(
		        _mm_loadu_si128((const __m128i *)(const void *)(block + 16 * i)), order);

	SHANI_FIVE(0, 0);
	SHANI_FIVE(5, 1);
	SHANI_FIVE(10, 2);
	SHANI_FIVE(15, 3);

	e0 = _mm_sha1nexte_epu32(prev, e0);
	abcd = _mm_shuffle_epi32(_mm_add_epi32(abcd, abcd0), 0x1b);
	_mm_storeu_si128((__m128i *)(void *)h, abcd);
	h[4] = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(e0, 12));
}

static int cpu_has_shani(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b & bit_SHA) != 0;
}
#else
static int cpu_has_shani(void)
{
	return 0;
}
#endif

/* 0 until probed, then 1 (portable) or 2 (SHA extensions). */
static atomic_int sha1_impl;

static void sha1_compress(uint32_t h[5], const uint8_t *block)
{
	int impl = atomic_load_explicit(&sha1_impl, memory_order_relaxed);

	if (impl == 0) {
		impl = cpu_has_shani() && !secure_getenv("TOTP_SHA1_GENERIC") ? 2 : 1;
		atomic_store_explicit(&sha1_impl, impl, memory_order_relaxed);
	}
#ifdef HAVE_SHANI
	if (impl == 2) {
		sha1_compress_shani(h, block);
		return;
	}
#endif
	sha1_compress_generic(h, block);
}

void totp_sha1_init(struct totp_sha1 *c)
{
	c->h[0] = 0x67452301u;
	c->h[1] = 0xefcdab89u;
	c->h[2] = 0x98badcfeu;
	c->h[3] = 0x10325476u;
	c->h[4] = 0xc3d2e1f0u;
	c->len = 0;
	c->buflen = 0;
}

void totp_sha1_update(struct totp_sha1 *c, const uint8_t *data, size_t len)
{
	if (len == 0)
		return;
	c->len += len;
	if (c->buflen > 0) {
		size_t n = sizeof(c->buf) - c->buflen;

		if (n > len)
			n = len;
		memcpy(c->buf + c->buflen, data, n);
		c->buflen += n;
		data += n;
		len -= n;
		if (c->buflen < sizeof(c->buf))
			return;
		sha1_compress(c->h, c->buf);
		c->buflen = 0;
	}
	for (; len >= sizeof(c->buf); data += sizeof(c->buf), len -= sizeof(c->buf))
		sha1_compress(c->h, data);
	if (len > 0) {
		memcpy(c->buf, data, len);
		c->buflen = len;
	}
}

/* Pads (0x80, zeros, 64-bit big-endian bit length), writes the digest and
 * wipes the context, which may hold keyed state. */
void totp_sha1_final(struct totp_sha1 *c, uint8_t out[TOTP_SHA1_BYTES])
{
	size_t n = c->buflen;

	c->buf[n++] = 0x80;
	if (n > 56) {
		memset(c->buf + n, 0, sizeof(c->buf) - n);
		sha1_compress(c->h, c->buf);
		n = 0;
	}
	memset(c->buf + n, 0, 56 - n);
	totp_store_be64(c->buf + 56, c->len << 3);
	sha1_compress(c->h, c->buf);
	for (int i = 0; i < 5; i++)
		totp_store_be32(out + 4 * i, c->h[i]);
	sodium_memzero(c, sizeof(*c));
}

void totp_sha1(uint8_t out[TOTP_SHA1_BYTES], const uint8_t *data, size_t len)
{
	struct totp_sha1 c;

	totp_sha1_init(&c);
	totp_sha1_update(&c, data, len);
	totp_sha1_final(&c, out);
}
