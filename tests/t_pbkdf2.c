/* t_pbkdf2.c - PBKDF2 (RFC 8018) on the library's HMAC: RFC 6070 vectors
 * for SHA-1, the usual SHA-256/512 vectors, long keys and odd lengths
 * (cross-checked with node's crypto.pbkdf2Sync), and argument checks. */
#include <stdlib.h>

#include <sodium.h>

#include "import_int.h"
#include "test.h"

struct vec {
	enum totp_algo algo;
	const char *pass;
	size_t passlen;
	const char *salt;
	size_t saltlen;
	uint32_t iter;
	size_t dklen;
	const char *hex;
};

#define S(x) x, sizeof(x) - 1

static const struct vec vecs[] = {
        /* RFC 6070 */
        {TOTP_ALGO_SHA1, S("password"), S("salt"), 1, 20,
         "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
        {TOTP_ALGO_SHA1, S("password"), S("salt"), 2, 20,
         "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
        {TOTP_ALGO_SHA1, S("password"), S("salt"), 4096, 20,
         "4b007901b765489abead49d926f721d065a429c1"},
        {TOTP_ALGO_SHA1, S("passwordPASSWORDpassword"), S("saltSALTsaltSALTsaltSALTsaltSALTsalt"),
         4096, 25, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
        {TOTP_ALGO_SHA1, S("pass\0word"), S("sa\0lt"), 4096, 16,
         "56fa6aa75548099dcc37d7f03425e0c3"},
        /* SHA-256 (the first is FORMATS.md section 7.2's) */
        {TOTP_ALGO_SHA256, S("password"), S("salt"), 1, 32,
         "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"},
        {TOTP_ALGO_SHA256, S("password"), S("salt"), 2, 32,
         "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"},
        {TOTP_ALGO_SHA256, S("password"), S("salt"), 4096, 32,
         "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"},
        {TOTP_ALGO_SHA256, S("passwordPASSWORDpassword"), S("saltSALTsaltSALTsaltSALTsaltSALTsalt"),
         4096, 40,
         "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"},
        {TOTP_ALGO_SHA512, S("password"), S("salt"), 1, 64,
         "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe"
         "943c0"
         "8f050235d7d68b1da55e63f73b60a57fce"},
        /* Empty password and salt. */
        {TOTP_ALGO_SHA1, S(""), S(""), 1, 20, "1e437a1c79d75be61e91141dae20affc4892cc99"},
};

int main(void)
{
	uint8_t out[80];
	char hex[161];

	if (totp_init() != TOTP_OK)
		return 1;
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		int rc = totp_pbkdf2(out, v->dklen, v->algo, (const uint8_t *)v->pass, v->passlen,
		                     (const uint8_t *)v->salt, v->saltlen, v->iter);

		CHECK_RC(rc, TOTP_OK, "vector %zu runs", i);
		sodium_bin2hex(hex, sizeof(hex), out, v->dklen);
		CHECK_STR(hex, v->hex, "vector %zu: %s c=%u dkLen=%zu", i, totp_algo_name(v->algo),
		          v->iter, v->dklen);
	}
	CHECK_RC(totp_pbkdf2(out, 20, TOTP_ALGO_SHA1, (const uint8_t *)"p", 1, (const uint8_t *)"s",
	                     1, 0),
	         TOTP_E_INVAL, "zero iterations rejected");
	CHECK_RC(totp_pbkdf2(out, 0, TOTP_ALGO_SHA1, (const uint8_t *)"p", 1, (const uint8_t *)"s",
	                     1, 1),
	         TOTP_E_INVAL, "empty output rejected");
	CHECK_RC(totp_pbkdf2(NULL, 20, TOTP_ALGO_SHA1, (const uint8_t *)"p", 1,
	                     (const uint8_t *)"s", 1, 1),
	         TOTP_E_INVAL, "NULL output rejected");
	CHECK_RC(totp_pbkdf2(out, 20, (enum totp_algo)7, (const uint8_t *)"p", 1,
	                     (const uint8_t *)"s", 1, 1) != TOTP_OK,
	         1, "unknown algorithm rejected");
	TEST_EXIT();
}
