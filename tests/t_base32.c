/* t_base32.c - RFC 4648 section 6 base32: vectors, lenient input, rejections. */
#include <stdint.h>
#include <string.h>

#include "test.h"
#include "totp.h"

struct vector {
	const char *bin, *b32;
};

/* RFC 4648 section 10. */
static const struct vector rfc[] = {
        {"", ""},
        {"f", "MY======"},
        {"fo", "MZXQ===="},
        {"foo", "MZXW6==="},
        {"foob", "MZXW6YQ="},
        {"fooba", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI======"},
};

/* Accepted spellings of "foobar" and of the Key URI wiki's secret. */
struct lenient {
	const char *in;
	const char *want; /* raw bytes */
	size_t wantlen;
};

static const uint8_t hello[] = {0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x21, 0xde, 0xad, 0xbe, 0xef};

static const struct lenient lenient[] = {
        {"MZXW6YTBOI", "foobar", 6},
        {"mzxw6ytboi", "foobar", 6},
        {"MzXw6YtBoI======", "foobar", 6},
        {"MZXW 6YTB OI", "foobar", 6},
        {"MZXW-6YTB-OI", "foobar", 6},
        {" MZXW6YTBOI ", "foobar", 6},
        {"MZXW6YTB\tOI\n", "foobar", 6},
        {"\r\nMZXW6YTBOI=\r\n", "foobar", 6},
        {"MZXW6YTBOI = = =", "foobar", 6},
        {"MZXW6YTBOI===========", "foobar", 6},
        {"MY", "f", 1},
        {"my=", "f", 1},
        {"JBSWY3DPEHPK3PXP", (const char *)hello, 10},
        {"jbsw y3dp ehpk 3pxp", (const char *)hello, 10},
        {"JBSWY3DP-EHPK3PXP", (const char *)hello, 10},
        /* Non-zero unused bits are accepted and dropped. */
        {"MZ", "f", 1},
        {"77", "\xff", 1},
        {"MZXR", "fo", 2},
};

struct reject {
	const char *in;
	int rc;
};

static const struct reject rejects[] = {
        {"MZXW6YT1", TOTP_E_BASE32},
        {"MZXW6YT0", TOTP_E_BASE32},
        {"MZXW6YT8", TOTP_E_BASE32},
        {"MZXW6YT9", TOTP_E_BASE32},
        {"MZ=XW6YTB", TOTP_E_BASE32},
        {"MY==MY==", TOTP_E_BASE32},
        {"=MZXW6YTB", TOTP_E_BASE32},
        {"MZXW6YTB_", TOTP_E_BASE32},
        {"MZXW6YTB.", TOTP_E_BASE32},
        {"MZXW\xc3\xa9"
         "6YTB",
         TOTP_E_BASE32},
        {"MZXW+6YTB", TOTP_E_BASE32},
        {"M", TOTP_E_BASE32_LENGTH},
        {"MZX", TOTP_E_BASE32_LENGTH},
        {"MZXW6Y", TOTP_E_BASE32_LENGTH},
        {"MZXW6YTBM", TOTP_E_BASE32_LENGTH},
        {"MZXW6YTBMZX", TOTP_E_BASE32_LENGTH},
        {"MZXW6YTBMZXW6Y", TOTP_E_BASE32_LENGTH},
        {"M=======", TOTP_E_BASE32_LENGTH},
        {"", TOTP_E_SECRET_EMPTY},
        {"   ", TOTP_E_SECRET_EMPTY},
        {" \t\n-", TOTP_E_SECRET_EMPTY},
        {"========", TOTP_E_SECRET_EMPTY},
};

/* xorshift64*: reproducible random bytes for the round trips. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint8_t rng_byte(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint8_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 56);
}

/* s with control characters shown as '.', for result lines. */
static const char *show(const char *s)
{
	static char buf[64];
	size_t i;

	for (i = 0; s[i] && i + 1 < sizeof(buf); i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '.' : s[i];
	buf[i] = '\0';
	return buf;
}

static void test_rfc(void)
{
	for (size_t i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
		const struct vector *v = &rfc[i];
		size_t n = strlen(v->bin), len = 999;
		char enc[32], want[32];
		uint8_t dec[16];
		int rc;

		/* Canonical output is unpadded. */
		snprintf(want, sizeof(want), "%.*s", (int)strcspn(v->b32, "="), v->b32);
		CHECK_RC(totp_base32_encode(enc, sizeof(enc), (const uint8_t *)v->bin, n), TOTP_OK,
		         "encode \"%s\"", v->bin);
		CHECK_STR(enc, want, "encode \"%s\" gives %s", v->bin, want);
		CHECK(totp_base32_encoded_size(n) == strlen(want) + 1, "encoded size of %zu bytes",
		      n);

		rc = totp_base32_decode(dec, sizeof(dec), &len, v->b32, strlen(v->b32));
		if (n == 0) {
			CHECK_RC(rc, TOTP_E_SECRET_EMPTY, "decode \"\" is an empty secret");
			CHECK(len == 0, "decode \"\" sets length 0");
			continue;
		}
		CHECK_RC(rc, TOTP_OK, "decode %s", v->b32);
		CHECK(len == n && memcmp(dec, v->bin, n) == 0, "decode %s gives \"%s\"", v->b32,
		      v->bin);
		rc = totp_base32_decode(dec, sizeof(dec), &len, want, strlen(want));
		CHECK(rc == TOTP_OK && len == n && memcmp(dec, v->bin, n) == 0,
		      "decode unpadded %s", want);
	}
}

static void test_hello(void)
{
	char enc[32];
	uint8_t dec[16];
	size_t len = 0;

	CHECK_RC(totp_base32_encode(enc, sizeof(enc), hello, sizeof(hello)), TOTP_OK,
	         "encode Hello!DEADBEEF");
	CHECK_STR(enc, "JBSWY3DPEHPK3PXP", "Hello!DEADBEEF encodes to the wiki's secret");
	CHECK_RC(totp_base32_decode(dec, sizeof(dec), &len, "JBSWY3DPEHPK3PXP", 16), TOTP_OK,
	         "decode JBSWY3DPEHPK3PXP");
	CHECK(len == 10 && memcmp(dec, hello, 10) == 0, "JBSWY3DPEHPK3PXP is Hello!DEADBEEF");
}

static void test_lenient(void)
{
	for (size_t i = 0; i < sizeof(lenient) / sizeof(lenient[0]); i++) {
		const struct lenient *l = &lenient[i];
		uint8_t dec[32];
		size_t len = 0;
		int rc = totp_base32_decode(dec, sizeof(dec), &len, l->in, strlen(l->in));

		CHECK(rc == TOTP_OK && len == l->wantlen && memcmp(dec, l->want, len) == 0,
		      "lenient decode #%zu \"%s\" (rc %d)", i, show(l->in), rc);
	}
}

static void test_rejects(void)
{
	for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		const struct reject *r = &rejects[i];
		uint8_t dec[32];
		size_t len = 7;

		memset(dec, 0xaa, sizeof(dec));
		CHECK_RC(totp_base32_decode(dec, sizeof(dec), &len, r->in, strlen(r->in)), r->rc,
		         "reject #%zu \"%s\"", i, show(r->in));
		CHECK(len == 0 && dec[0] == 0xaa, "reject #%zu writes nothing", i);
	}
}

static void test_sizes(void)
{
	uint8_t dec[8];
	char enc[8];
	size_t len = 5;

	/* "foobar" needs 6 bytes. */
	memset(dec, 0x55, sizeof(dec));
	CHECK_RC(totp_base32_decode(dec, 5, &len, "MZXW6YTBOI", 10), TOTP_E_NOSPACE,
	         "decode into 5 bytes of 6");
	CHECK(dec[0] == 0x55 && len == 0, "a too small output is not written");
	CHECK_RC(totp_base32_decode(dec, 6, &len, "MZXW6YTBOI", 10), TOTP_OK,
	         "decode into exactly 6 bytes");
	CHECK(len == 6 && memcmp(dec, "foobar", 6) == 0, "exact fit decodes");
	CHECK_RC(totp_base32_decode(NULL, 0, &len, "", 0), TOTP_E_SECRET_EMPTY,
	         "empty input with no output buffer");
	CHECK_RC(totp_base32_decode(dec, sizeof(dec), NULL, "MY", 2), TOTP_E_INVAL,
	         "NULL length pointer");
	/* The length bounds the input: no NUL needed, bytes past it ignored. */
	CHECK_RC(totp_base32_decode(dec, sizeof(dec), &len, "MY!!", 2), TOTP_OK,
	         "decode honours the length");
	CHECK(len == 1 && dec[0] == 'f', "only the first 2 characters are read");

	/* "fooba" encodes to 8 characters plus the NUL. */
	memset(enc, 'x', sizeof(enc));
	CHECK_RC(totp_base32_encode(enc, 8, (const uint8_t *)"fooba", 5), TOTP_E_NOSPACE,
	         "encode into 8 bytes for 9");
	CHECK_RC(totp_base32_encode(enc, 1, NULL, 0), TOTP_OK, "encode nothing");
	CHECK_STR(enc, "", "encoding nothing gives an empty string");
	CHECK_RC(totp_base32_encode(enc, 0, NULL, 0), TOTP_E_NOSPACE, "no room for the NUL");
	CHECK(totp_base32_encoded_size(0) == 1 && totp_base32_encoded_size(1) == 3 &&
	              totp_base32_encoded_size(20) == 33 && totp_base32_encoded_size(128) == 206,
	      "encoded sizes of 0, 1, 20 and 128 bytes");
	CHECK(totp_base32_encoded_size(SIZE_MAX) == SIZE_MAX, "encoded size saturates");
}

/* Round trip of random byte strings, and of each string's lower-case,
 * padded and spaced forms. */
static void test_roundtrip(void)
{
	int bad = 0;

	for (size_t n = 0; n <= 100; n++) {
		for (int rep = 0; rep < 20; rep++) {
			uint8_t in[100], dec[100];
			char enc[200], alt[400];
			size_t len = 0, a = 0, el;

			for (size_t i = 0; i < n; i++)
				in[i] = rng_byte();
			if (totp_base32_encode(enc, sizeof(enc), in, n) != TOTP_OK ||
			    strlen(enc) + 1 != totp_base32_encoded_size(n) ||
			    strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != strlen(enc)) {
				bad++;
				continue;
			}
			if (n == 0)
				continue;
			el = strlen(enc);
			if (totp_base32_decode(dec, n, &len, enc, el) != TOTP_OK || len != n ||
			    memcmp(dec, in, n) != 0)
				bad++;
			for (size_t i = 0; i < el; i++) {
				char c = enc[i];

				if (rng_byte() & 1)
					c = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
				alt[a++] = c;
				if ((rng_byte() & 7) == 0)
					alt[a++] = " -\t\n"[rng_byte() & 3];
			}
			while (a % 8)
				alt[a++] = '=';
			if (totp_base32_decode(dec, n, &len, alt, a) != TOTP_OK || len != n ||
			    memcmp(dec, in, n) != 0)
				bad++;
		}
	}
	CHECK(bad == 0, "2020 random byte strings of 0..100 bytes round-trip (%d failed)", bad);
}

int main(void)
{
	test_rfc();
	test_hello();
	test_lenient();
	test_rejects();
	test_sizes();
	test_roundtrip();
	TEST_EXIT();
}
