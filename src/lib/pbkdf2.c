/*
 * pbkdf2.c - PBKDF2 (RFC 8018 section 5.2) on the library's HMAC.
 *
 * andOTP derives its backup key with PBKDF2-HMAC-SHA1 and 2FAS with
 * PBKDF2-HMAC-SHA256; libsodium has neither.  The password is the HMAC
 * key, so its pads are absorbed once and each iteration costs only the
 * compressions of one short message.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "import_int.h"

int totp_pbkdf2(uint8_t *out, size_t outlen, enum totp_algo algo, const uint8_t *pass,
                size_t passlen, const uint8_t *salt, size_t saltlen, uint32_t iterations)
{
	struct totp_hmac h;
	uint8_t *msg = NULL;
	uint8_t u[2][TOTP_HMAC_MAX_BYTES], t[TOTP_HMAC_MAX_BYTES];
	uint32_t block = 1;
	int rc;

	if (!out || outlen == 0 || iterations == 0 || (passlen && !pass) || (saltlen && !salt) ||
	    saltlen > TOTP_PBKDF2_SALT_MAX || outlen > TOTP_PBKDF2_OUT_MAX)
		return TOTP_E_INVAL;
	rc = totp_hmac_init(&h, algo, pass, passlen);
	if (rc != TOTP_OK)
		return rc;
	/* Salt || INT(i): the salt is not secret, so ordinary heap is fine. */
	msg = malloc(saltlen + 4);
	if (!msg) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	if (saltlen)
		memcpy(msg, salt, saltlen);
	while (outlen > 0) {
		size_t n = outlen < h.len ? outlen : h.len;

		unsigned cur = 0;

		totp_store_be32(msg + saltlen, block);
		totp_hmac_mac(&h, u[0], msg, saltlen + 4);
		memcpy(t, u[0], h.len);
		/* U_i = HMAC(P, U_{i-1}), alternating buffers so input and output
		 * never overlap; T = U_1 ^ ... ^ U_c. */
		for (uint32_t i = 1; i < iterations; i++) {
			totp_hmac_mac(&h, u[cur ^ 1], u[cur], h.len);
			cur ^= 1;
			for (size_t j = 0; j < h.len; j++)
				t[j] ^= u[cur][j];
		}
		memcpy(out, t, n);
		out += n;
		outlen -= n;
		block++;
	}
	rc = TOTP_OK;
out:
	sodium_memzero(u, sizeof(u));
	sodium_memzero(t, sizeof(t));
	totp_hmac_wipe(&h);
	free(msg);
	return rc;
}
