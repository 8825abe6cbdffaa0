/*
 * aesgcm.c - AES-256-GCM decryption with a detached 16-byte tag and no
 * associated data, as Aegis, andOTP and 2FAS backups use it.
 *
 * libsodium 1.0.18 implements AES-GCM only on x86-64 CPUs with AES-NI and
 * PCLMUL.  Elsewhere OpenSSL's libcrypto is loaded with dlopen() when it is
 * installed (dl.c), so the program neither links it nor needs it
 * otherwise.  Its handful of EVP functions are called through pointers
 * typed with opaque pointers, so building needs no OpenSSL headers.  The
 * environment variable TOTP_AESGCM_BACKEND=openssl (or =sodium) forces
 * one implementation, so tests can cover both.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dl.h"
#include "import_int.h"

/* EVP_CTRL_GCM_SET_TAG (= EVP_CTRL_AEAD_SET_TAG) in every OpenSSL since 1.0.1. */
#define OSSL_CTRL_GCM_SET_TAG 0x11

struct ossl {
	void *(*ctx_new)(void);
	void (*ctx_free)(void *ctx);
	const void *(*aes_256_gcm)(void);
	int (*init)(void *ctx, const void *cipher, void *engine, const unsigned char *key,
	            const unsigned char *iv);
	int (*update)(void *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl);
	int (*final)(void *ctx, unsigned char *out, int *outl);
	int (*ctrl)(void *ctx, int type, int arg, void *ptr);
};

static struct ossl ossl;

static const struct totp_dl_sym ossl_syms[] = {
        {"EVP_CIPHER_CTX_new", &ossl.ctx_new},  {"EVP_CIPHER_CTX_free", &ossl.ctx_free},
        {"EVP_aes_256_gcm", &ossl.aes_256_gcm}, {"EVP_DecryptInit_ex", &ossl.init},
        {"EVP_DecryptUpdate", &ossl.update},    {"EVP_DecryptFinal_ex", &ossl.final},
        {"EVP_CIPHER_CTX_ctrl", &ossl.ctrl},
};

/* OpenSSL 3, then 1.1 (same EVP interface). */
static struct totp_dl_lib ossl_libs[] = {
        {"libcrypto.so.3", ossl_syms, TOTP_ARRAY_LEN(ossl_syms), 0},
        {"libcrypto.so.1.1", ossl_syms, TOTP_ARRAY_LEN(ossl_syms), 0},
};

static int ossl_load(void)
{
	for (size_t i = 0; i < TOTP_ARRAY_LEN(ossl_libs); i++)
		if (totp_dl_load(&ossl_libs[i]) == TOTP_OK)
			return TOTP_OK;
	return TOTP_E_LIBRARY;
}

static int ossl_decrypt(uint8_t *out, const uint8_t *ct, size_t ctlen,
                        const uint8_t tag[TOTP_AESGCM_TAG_BYTES],
                        const uint8_t nonce[TOTP_AESGCM_NONCE_BYTES],
                        const uint8_t key[TOTP_AESGCM_KEY_BYTES])
{
	uint8_t tagcopy[TOTP_AESGCM_TAG_BYTES], last[16];
	void *ctx;
	size_t done = 0;
	int n, rc = TOTP_E_AUTH;

	if (ossl_load() != TOTP_OK)
		return TOTP_E_LIBRARY;
	ctx = ossl.ctx_new();
	if (!ctx)
		return TOTP_E_NOMEM;
	/* The default GCM IV length is 12 bytes, the length used here. */
	if (ossl.init(ctx, ossl.aes_256_gcm(), NULL, key, nonce) != 1)
		goto out;
	while (done < ctlen) {
		size_t chunk = ctlen - done;

		if (chunk > INT_MAX / 2)
			chunk = INT_MAX / 2;
		if (ossl.update(ctx, out + done, &n, ct + done, (int)chunk) != 1 ||
		    (size_t)n != chunk)
			goto out;
		done += chunk;
	}
	memcpy(tagcopy, tag, sizeof(tagcopy));
	if (ossl.ctrl(ctx, OSSL_CTRL_GCM_SET_TAG, (int)sizeof(tagcopy), tagcopy) != 1)
		goto out;
	if (ossl.final(ctx, last, &n) != 1)
		goto out;
	rc = TOTP_OK;
out:
	ossl.ctx_free(ctx); /* frees and wipes the key schedule */
	if (rc != TOTP_OK && ctlen)
		sodium_memzero(out, ctlen);
	return rc;
}

static enum totp_aesgcm_backend backend_from_env(void)
{
	const char *s = getenv("TOTP_AESGCM_BACKEND");

	if (s && strcmp(s, "openssl") == 0)
		return TOTP_AESGCM_OPENSSL;
	if (s && strcmp(s, "sodium") == 0)
		return TOTP_AESGCM_SODIUM;
	return TOTP_AESGCM_AUTO;
}

int totp_aesgcm_available(enum totp_aesgcm_backend b)
{
	if (sodium_init() < 0)
		return 0;
	switch (b) {
	case TOTP_AESGCM_SODIUM:
		return crypto_aead_aes256gcm_is_available() == 1;
	case TOTP_AESGCM_OPENSSL:
		return ossl_load() == TOTP_OK;
	case TOTP_AESGCM_AUTO:
	default:
		return totp_aesgcm_available(TOTP_AESGCM_SODIUM) ||
		       totp_aesgcm_available(TOTP_AESGCM_OPENSSL);
	}
}

int totp_aesgcm_decrypt_with(enum totp_aesgcm_backend b, uint8_t *out, const uint8_t *ct,
                             size_t ctlen, const uint8_t tag[TOTP_AESGCM_TAG_BYTES],
                             const uint8_t nonce[TOTP_AESGCM_NONCE_BYTES],
                             const uint8_t key[TOTP_AESGCM_KEY_BYTES])
{
	uint8_t dummy[1];

	if ((!out && ctlen) || (!ct && ctlen) || !tag || !nonce || !key)
		return TOTP_E_INVAL;
	if (!out)
		out = dummy;
	if (sodium_init() < 0)
		return TOTP_E_UNSUPPORTED;
	if (b == TOTP_AESGCM_AUTO) {
		b = backend_from_env();
		if (b == TOTP_AESGCM_AUTO)
			b = crypto_aead_aes256gcm_is_available() == 1 ? TOTP_AESGCM_SODIUM
			                                              : TOTP_AESGCM_OPENSSL;
		if (!totp_aesgcm_available(b))
			return TOTP_E_UNSUPPORTED;
	}
	if (b == TOTP_AESGCM_OPENSSL)
		return ossl_decrypt(out, ct, ctlen, tag, nonce, key);
	if (crypto_aead_aes256gcm_is_available() != 1)
		return TOTP_E_UNSUPPORTED;
	if (ctlen > crypto_aead_aes256gcm_MESSAGEBYTES_MAX)
		return TOTP_E_TOOBIG;
	if (crypto_aead_aes256gcm_decrypt_detached(out, NULL, ct, ctlen, tag, NULL, 0, nonce,
	                                           key) != 0) {
		if (ctlen)
			sodium_memzero(out, ctlen);
		return TOTP_E_AUTH;
	}
	return TOTP_OK;
}

int totp_aesgcm_decrypt(uint8_t *out, const uint8_t *ct, size_t ctlen,
                        const uint8_t tag[TOTP_AESGCM_TAG_BYTES],
                        const uint8_t nonce[TOTP_AESGCM_NONCE_BYTES],
                        const uint8_t key[TOTP_AESGCM_KEY_BYTES])
{
	return totp_aesgcm_decrypt_with(TOTP_AESGCM_AUTO, out, ct, ctlen, tag, nonce, key);
}
