/*
 * t_hmac.c - HMAC known answers: RFC 2202 (HMAC-SHA-1, all 7 cases) and
 * RFC 4231 (HMAC-SHA-256 and -512, all 7 cases), key lengths around the
 * block size, reuse of one keyed state, wiping and argument errors.
 */
#include <sodium.h>

#include "test.h"
#include "totp.h"

static const char *hex(const uint8_t *d, size_t n)
{
	static char buf[2 * TOTP_HMAC_MAX_BYTES + 1];

	for (size_t i = 0; i < n && i < TOTP_HMAC_MAX_BYTES; i++)
		snprintf(buf + 2 * i, 3, "%02x", d[i]);
	buf[2 * (n < TOTP_HMAC_MAX_BYTES ? n : TOTP_HMAC_MAX_BYTES)] = '\0';
	return buf;
}

static const char *const algo_names[] = {"SHA1", "SHA256", "SHA512"};

/* A key or message: `n` copies of byte `fill`, or the text when set. */
struct bytes {
	const char *text;
	uint8_t fill;
	size_t n;
};

static size_t expand(uint8_t *out, const struct bytes *b)
{
	if (b->text) {
		memcpy(out, b->text, strlen(b->text));
		return strlen(b->text);
	}
	memset(out, b->fill, b->n);
	return b->n;
}

struct vector {
	const char *name;
	enum totp_algo algo;
	struct bytes key, msg;
	int counting_key; /* key is 0x01, 0x02, ... (RFC 2202/4231 case 4) */
	const char *mac;  /* may be a prefix (truncated case 5) */
};

#define HI "Hi There"
#define JEFE "Jefe"
#define WHAT "what do ya want for nothing?"
#define TRUNC "Test With Truncation"
#define BIGKEY "Test Using Larger Than Block-Size Key - Hash Key First"
#define BIGDATA1 "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"
#define BIGDATA2                                                                                   \
	"This is a test using a larger than block-size key and a larger than block-size data. "    \
	"The key needs to be hashed before being used by the HMAC algorithm."

static const struct vector vectors[] = {
        /* RFC 2202 section 3 */
        {"2202 case 1",
         TOTP_ALGO_SHA1,
         {NULL, 0x0b, 20},
         {HI, 0, 0},
         0,
         "b617318655057264e28bc0b6fb378c8ef146be00"},
        {"2202 case 2",
         TOTP_ALGO_SHA1,
         {JEFE, 0, 0},
         {WHAT, 0, 0},
         0,
         "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
        {"2202 case 3",
         TOTP_ALGO_SHA1,
         {NULL, 0xaa, 20},
         {NULL, 0xdd, 50},
         0,
         "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
        {"2202 case 4",
         TOTP_ALGO_SHA1,
         {NULL, 0, 25},
         {NULL, 0xcd, 50},
         1,
         "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
        {"2202 case 5",
         TOTP_ALGO_SHA1,
         {NULL, 0x0c, 20},
         {TRUNC, 0, 0},
         0,
         "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
        {"2202 case 6",
         TOTP_ALGO_SHA1,
         {NULL, 0xaa, 80},
         {BIGKEY, 0, 0},
         0,
         "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
        {"2202 case 7",
         TOTP_ALGO_SHA1,
         {NULL, 0xaa, 80},
         {BIGDATA1, 0, 0},
         0,
         "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
        /* RFC 4231 section 4 */
        {"4231 case 1",
         TOTP_ALGO_SHA256,
         {NULL, 0x0b, 20},
         {HI, 0, 0},
         0,
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"4231 case 1",
         TOTP_ALGO_SHA512,
         {NULL, 0x0b, 20},
         {HI, 0, 0},
         0,
         "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
         "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
        {"4231 case 2",
         TOTP_ALGO_SHA256,
         {JEFE, 0, 0},
         {WHAT, 0, 0},
         0,
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {"4231 case 2",
         TOTP_ALGO_SHA512,
         {JEFE, 0, 0},
         {WHAT, 0, 0},
         0,
         "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
         "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
        {"4231 case 3",
         TOTP_ALGO_SHA256,
         {NULL, 0xaa, 20},
         {NULL, 0xdd, 50},
         0,
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {"4231 case 3",
         TOTP_ALGO_SHA512,
         {NULL, 0xaa, 20},
         {NULL, 0xdd, 50},
         0,
         "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
         "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
        {"4231 case 4",
         TOTP_ALGO_SHA256,
         {NULL, 0, 25},
         {NULL, 0xcd, 50},
         1,
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {"4231 case 4",
         TOTP_ALGO_SHA512,
         {NULL, 0, 25},
         {NULL, 0xcd, 50},
         1,
         "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
         "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
        {"4231 case 5 (128-bit truncation)",
         TOTP_ALGO_SHA256,
         {NULL, 0x0c, 20},
         {TRUNC, 0, 0},
         0,
         "a3b6167473100ee06e0c796c2955552b"},
        {"4231 case 5 (128-bit truncation)",
         TOTP_ALGO_SHA512,
         {NULL, 0x0c, 20},
         {TRUNC, 0, 0},
         0,
         "415fad6271580a531d4179bc891d87a6"},
        {"4231 case 6",
         TOTP_ALGO_SHA256,
         {NULL, 0xaa, 131},
         {BIGKEY, 0, 0},
         0,
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {"4231 case 6",
         TOTP_ALGO_SHA512,
         {NULL, 0xaa, 131},
         {BIGKEY, 0, 0},
         0,
         "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
         "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
        {"4231 case 7",
         TOTP_ALGO_SHA256,
         {NULL, 0xaa, 131},
         {BIGDATA2, 0, 0},
         0,
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
        {"4231 case 7",
         TOTP_ALGO_SHA512,
         {NULL, 0xaa, 131},
         {BIGDATA2, 0, 0},
         0,
         "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
         "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
        /* SHA-1 with a key longer than the block, RFC 4231's 131-byte keys */
        {"131-byte key",
         TOTP_ALGO_SHA1,
         {NULL, 0xaa, 131},
         {BIGKEY, 0, 0},
         0,
         "90d0dace1c1bdc957339307803160335bde6df2b"},
        {"empty key and message",
         TOTP_ALGO_SHA1,
         {NULL, 0, 0},
         {NULL, 0, 0},
         0,
         "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d"},
};

static void check_vectors(void)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];
		uint8_t key[200], msg[200], mac[TOTP_HMAC_MAX_BYTES];
		size_t keylen = expand(key, &v->key), msglen = expand(msg, &v->msg);
		size_t want = strlen(v->mac) / 2;
		struct totp_hmac h;
		char got[2 * TOTP_HMAC_MAX_BYTES + 1];

		if (v->counting_key)
			for (size_t j = 0; j < keylen; j++)
				key[j] = (uint8_t)(j + 1);
		CHECK_RC(totp_hmac_init(&h, v->algo, keylen ? key : NULL, keylen), TOTP_OK,
		         "%s %s: init", v->name, algo_names[v->algo]);
		CHECK(h.len == (v->algo == TOTP_ALGO_SHA1     ? 20u
		                : v->algo == TOTP_ALGO_SHA256 ? 32u
		                                              : 64u),
		      "%s %s: digest length %zu", v->name, algo_names[v->algo], h.len);
		totp_hmac_mac(&h, mac, msg, msglen);
		snprintf(got, sizeof(got), "%s", hex(mac, want < h.len ? want : h.len));
		CHECK_STR(got, v->mac, "%s HMAC-%s", v->name, algo_names[v->algo]);
		totp_hmac_wipe(&h);
	}
}

/*
 * Keys of every length 0..150 (crossing both block sizes), MAC of
 * "message": the SHA-1 of all 151 MACs, from an independent HMAC
 * implementation (OpenSSL).
 */
static void check_key_lengths(void)
{
	static const char *const want[] = {
	        "7d18c933adce56d672d0ba5318a2ecfafa822ea6",
	        "998c13f60773ae20eb49476ecb1e2e466b5ca127",
	        "532e970e376de311ca6bd10f72c11a444f1d12a1",
	};
	for (int a = TOTP_ALGO_SHA1; a <= TOTP_ALGO_SHA512; a++) {
		struct totp_sha1 all;
		uint8_t key[150], mac[TOTP_HMAC_MAX_BYTES], d[TOTP_SHA1_BYTES];
		int ok = 1;

		for (size_t i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)(i * 13 + 5);
		totp_sha1_init(&all);
		for (size_t n = 0; n <= sizeof(key); n++) {
			struct totp_hmac h;

			ok &= totp_hmac_init(&h, (enum totp_algo)a, key, n) == TOTP_OK;
			totp_hmac_mac(&h, mac, (const uint8_t *)"message", 7);
			totp_sha1_update(&all, mac, h.len);
			totp_hmac_wipe(&h);
		}
		totp_sha1_final(&all, d);
		CHECK(ok, "HMAC-%s: every key length initialises", algo_names[a]);
		CHECK_STR(hex(d, sizeof(d)), want[a], "HMAC-%s: keys of 0..150 bytes",
		          algo_names[a]);
	}
}

/* One keyed state used for 300 messages gives what a fresh state gives,
 * and the state itself is not changed by use. */
static void check_reuse(void)
{
	uint8_t key[37], msg[300];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(255 - i);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 31);
	for (int a = TOTP_ALGO_SHA1; a <= TOTP_ALGO_SHA512; a++) {
		struct totp_hmac keyed, before, fresh;
		uint8_t m1[TOTP_HMAC_MAX_BYTES], m2[TOTP_HMAC_MAX_BYTES];
		int same = 1;

		CHECK_RC(totp_hmac_init(&keyed, (enum totp_algo)a, key, sizeof(key)), TOTP_OK,
		         "HMAC-%s: keyed state", algo_names[a]);
		memcpy(&before, &keyed, sizeof(keyed));
		for (size_t n = 0; n < sizeof(msg); n++) {
			totp_hmac_mac(&keyed, m1, msg, n);
			if (totp_hmac_init(&fresh, (enum totp_algo)a, key, sizeof(key)) != TOTP_OK)
				same = 0;
			totp_hmac_mac(&fresh, m2, msg, n);
			totp_hmac_wipe(&fresh);
			if (memcmp(m1, m2, keyed.len) != 0) {
				printf("# HMAC-%s message of %zu bytes differs\n", algo_names[a],
				       n);
				same = 0;
			}
		}
		CHECK(same, "HMAC-%s: one keyed state for 300 messages equals fresh states",
		      algo_names[a]);
		CHECK(memcmp(&before, &keyed, sizeof(keyed)) == 0,
		      "HMAC-%s: state unchanged by use", algo_names[a]);
		totp_hmac_wipe(&keyed);
		totp_hmac_wipe(&before);
	}
}

static void check_wipe_and_errors(void)
{
	static const struct totp_hmac zero;
	struct totp_hmac h;

	CHECK_RC(totp_hmac_init(&h, TOTP_ALGO_SHA1, (const uint8_t *)"key", 3), TOTP_OK, "init");
	totp_hmac_wipe(&h);
	CHECK(memcmp(&h, &zero, sizeof(h)) == 0, "wipe zeroes the whole state");
	totp_hmac_wipe(NULL);

	CHECK_RC(totp_hmac_init(&h, (enum totp_algo)3, (const uint8_t *)"key", 3), TOTP_E_ALGO,
	         "unknown algorithm");
	CHECK_RC(totp_hmac_init(&h, (enum totp_algo) - 1, (const uint8_t *)"key", 3), TOTP_E_ALGO,
	         "negative algorithm");
	CHECK_RC(totp_hmac_init(&h, TOTP_ALGO_SHA1, NULL, 3), TOTP_E_INVAL,
	         "NULL key with a length");
	CHECK_RC(totp_hmac_init(NULL, TOTP_ALGO_SHA1, (const uint8_t *)"key", 3), TOTP_E_INVAL,
	         "NULL state");
}

int main(void)
{
	if (sodium_init() < 0) {
		printf("not ok - sodium_init\n");
		return 1;
	}
	check_vectors();
	check_key_lengths();
	check_reuse();
	check_wipe_and_errors();
	TEST_EXIT();
}
