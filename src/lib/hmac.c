/*
 * hmac.c - keyed HMAC (RFC 2104) over SHA-1, SHA-256 and SHA-512.
 *
 * totp_hmac_init absorbs the key's inner and outer pad blocks once; each
 * totp_hmac_mac copies that state and finishes it, so one keyed state
 * serves any number of messages (HOTP look-ahead, PBKDF2 iterations).
 * SHA-1 uses sha1.c; SHA-256/512 use libsodium, whose HMAC states already
 * hold the absorbed pads after crypto_auth_hmacsha*_init.
 *
 * struct totp_hmac.state is raw storage: the typed states are copied in and
 * out with memcpy, never accessed through a cast pointer.
 */
#include <string.h>

#include <sodium.h>

#include "internal.h"

#define SHA1_BLOCK 64

/* SHA-1 contexts after the inner (key ^ ipad) and outer (key ^ opad)
 * blocks. */
struct sha1_pads {
	struct totp_sha1 inner, outer;
};

#define STATE_FITS(type)                                                                           \
	(sizeof(type) <= sizeof(((struct totp_hmac *)0)->state) && _Alignof(type) <= 16)
_Static_assert(STATE_FITS(struct sha1_pads), "SHA-1 pads fit struct totp_hmac");
_Static_assert(STATE_FITS(crypto_auth_hmacsha256_state), "HMAC-SHA-256 fits struct totp_hmac");
_Static_assert(STATE_FITS(crypto_auth_hmacsha512_state), "HMAC-SHA-512 fits struct totp_hmac");

static void sha1_pads_init(struct sha1_pads *p, const uint8_t *key, size_t keylen)
{
	uint8_t k[SHA1_BLOCK] = {0}, pad[SHA1_BLOCK];

	if (keylen > SHA1_BLOCK)
		totp_sha1(k, key, keylen);
	else if (keylen > 0)
		memcpy(k, key, keylen);

	for (size_t i = 0; i < SHA1_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	totp_sha1_init(&p->inner);
	totp_sha1_update(&p->inner, pad, SHA1_BLOCK);
	for (size_t i = 0; i < SHA1_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	totp_sha1_init(&p->outer);
	totp_sha1_update(&p->outer, pad, SHA1_BLOCK);

	sodium_memzero(k, sizeof(k));
	sodium_memzero(pad, sizeof(pad));
}

int totp_hmac_init(struct totp_hmac *h, enum totp_algo algo, const uint8_t *key, size_t keylen)
{
	static const uint8_t empty[1];
	union {
		struct sha1_pads sha1;
		crypto_auth_hmacsha256_state sha256;
		crypto_auth_hmacsha512_state sha512;
	} st;
	size_t stlen = 0;
	int rc = TOTP_OK;

	if (!h || (!key && keylen > 0))
		return TOTP_E_INVAL;
	if (!key)
		key = empty;
	sodium_memzero(h, sizeof(*h));

	switch (algo) {
	case TOTP_ALGO_SHA1:
		sha1_pads_init(&st.sha1, key, keylen);
		stlen = sizeof(st.sha1);
		h->len = TOTP_SHA1_BYTES;
		break;
	case TOTP_ALGO_SHA256:
		crypto_auth_hmacsha256_init(&st.sha256, key, keylen);
		stlen = sizeof(st.sha256);
		h->len = crypto_auth_hmacsha256_BYTES;
		break;
	case TOTP_ALGO_SHA512:
		crypto_auth_hmacsha512_init(&st.sha512, key, keylen);
		stlen = sizeof(st.sha512);
		h->len = crypto_auth_hmacsha512_BYTES;
		break;
	default:
		rc = TOTP_E_ALGO;
		goto out;
	}
	h->algo = algo;
	memcpy(h->state, &st, stlen);
out:
	sodium_memzero(&st, sizeof(st));
	return rc;
}

void totp_hmac_mac(const struct totp_hmac *h, uint8_t *out, const uint8_t *msg, size_t msglen)
{
	union {
		struct totp_sha1 sha1;
		crypto_auth_hmacsha256_state sha256;
		crypto_auth_hmacsha512_state sha512;
	} st;
	uint8_t inner[TOTP_SHA1_BYTES];

	switch (h->algo) {
	case TOTP_ALGO_SHA1:
		/* H((K ^ opad) || H((K ^ ipad) || msg)); final wipes the copy. */
		memcpy(&st.sha1, h->state + offsetof(struct sha1_pads, inner), sizeof(st.sha1));
		totp_sha1_update(&st.sha1, msg, msglen);
		totp_sha1_final(&st.sha1, inner);
		memcpy(&st.sha1, h->state + offsetof(struct sha1_pads, outer), sizeof(st.sha1));
		totp_sha1_update(&st.sha1, inner, sizeof(inner));
		totp_sha1_final(&st.sha1, out);
		sodium_memzero(inner, sizeof(inner));
		break;
	case TOTP_ALGO_SHA256:
		memcpy(&st.sha256, h->state, sizeof(st.sha256));
		if (msglen > 0)
			crypto_auth_hmacsha256_update(&st.sha256, msg, msglen);
		crypto_auth_hmacsha256_final(&st.sha256, out);
		sodium_memzero(&st.sha256, sizeof(st.sha256));
		break;
	case TOTP_ALGO_SHA512:
		memcpy(&st.sha512, h->state, sizeof(st.sha512));
		if (msglen > 0)
			crypto_auth_hmacsha512_update(&st.sha512, msg, msglen);
		crypto_auth_hmacsha512_final(&st.sha512, out);
		sodium_memzero(&st.sha512, sizeof(st.sha512));
		break;
	}
}

void totp_hmac_wipe(struct totp_hmac *h)
{
	if (h)
		sodium_memzero(h, sizeof(*h));
}
