/* t_import_crypto.c - the importers' building blocks: AES-256-GCM
 * decryption on both backends (GCM specification test cases, tampering,
 * and a differential test libsodium vs OpenSSL), base64/hex field
 * decoders, and the bounded JSON loader. */
#include <stdlib.h>

#include <sodium.h>

#include "import_int.h"
#include "json_util.h"
#include "test.h"

static size_t unhex(uint8_t *out, size_t outsz, const char *hex)
{
	size_t n = 0;

	if (sodium_hex2bin(out, outsz, hex, strlen(hex), NULL, &n, NULL) != 0)
		return (size_t)-1;
	return n;
}

/* McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13-15
 * (AES-256, no AAD); checked with node's aes-256-gcm. */
static const struct {
	const char *key, *iv, *pt, *ct, *tag;
} gcm[] = {
        {"0000000000000000000000000000000000000000000000000000000000000000",
         "000000000000000000000000", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
        {"0000000000000000000000000000000000000000000000000000000000000000",
         "000000000000000000000000", "00000000000000000000000000000000",
         "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
        {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
         "cafebabefacedbaddecaf888",
         "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e244"
         "9a6b5"
         "25b16aedf5aa0de657ba637b391aafd255",
         "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b105"
         "68288"
         "38c5f61e6393ba7a0abcc9f662898015ad",
         "b094dac5d93471bdec1a502270e3cc6c"},
};

static void gcm_vectors(enum totp_aesgcm_backend b, const char *name)
{
	for (size_t i = 0; i < sizeof(gcm) / sizeof(gcm[0]); i++) {
		uint8_t key[32], iv[12], pt[64], ct[64], tag[16], out[64];
		size_t ptlen = unhex(pt, sizeof(pt), gcm[i].pt);
		size_t ctlen = unhex(ct, sizeof(ct), gcm[i].ct);

		unhex(key, sizeof(key), gcm[i].key);
		unhex(iv, sizeof(iv), gcm[i].iv);
		unhex(tag, sizeof(tag), gcm[i].tag);
		memset(out, 0xaa, sizeof(out));
		CHECK_RC(totp_aesgcm_decrypt_with(b, out, ct, ctlen, tag, iv, key), TOTP_OK,
		         "%s: GCM case %zu decrypts", name, i + 13);
		CHECK(ctlen == ptlen && memcmp(out, pt, ptlen) == 0, "%s: GCM case %zu plaintext",
		      name, i + 13);
		tag[15] ^= 1;
		CHECK_RC(totp_aesgcm_decrypt_with(b, out, ct, ctlen, tag, iv, key), TOTP_E_AUTH,
		         "%s: GCM case %zu, flipped tag bit", name, i + 13);
		CHECK(ctlen == 0 || sodium_is_zero(out, ctlen), "%s: output wiped on failure",
		      name);
		tag[15] ^= 1;
		if (ctlen) {
			ct[ctlen / 2] ^= 0x80;
			CHECK_RC(totp_aesgcm_decrypt_with(b, out, ct, ctlen, tag, iv, key),
			         TOTP_E_AUTH, "%s: GCM case %zu, flipped ciphertext bit", name,
			         i + 13);
			ct[ctlen / 2] ^= 0x80;
		}
		iv[0] ^= 1;
		CHECK_RC(totp_aesgcm_decrypt_with(b, out, ct, ctlen, tag, iv, key), TOTP_E_AUTH,
		         "%s: GCM case %zu, other nonce", name, i + 13);
	}
}

/* libsodium encrypts, OpenSSL decrypts, for many lengths. */
static void differential(void)
{
	static const size_t lens[] = {0, 1, 15, 16, 17, 31, 64, 255, 1000, 4096, 70001};
	size_t bad = 0;

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = lens[i];
		uint8_t key[32], iv[12], tag[16];
		uint8_t *pt = malloc(n + 1), *ct = malloc(n + 1), *out = malloc(n + 1);

		randombytes_buf(key, sizeof(key));
		randombytes_buf(iv, sizeof(iv));
		randombytes_buf(pt, n);
		if (crypto_aead_aes256gcm_encrypt_detached(ct, tag, NULL, pt, n, NULL, 0, NULL, iv,
		                                           key) != 0 ||
		    totp_aesgcm_decrypt_with(TOTP_AESGCM_OPENSSL, out, ct, n, tag, iv, key) !=
		            TOTP_OK ||
		    memcmp(out, pt, n) != 0)
			bad++;
		free(pt);
		free(ct);
		free(out);
	}
	CHECK(bad == 0, "libsodium and OpenSSL agree on %zu lengths (%zu differ)",
	      sizeof(lens) / sizeof(lens[0]), bad);
}

static void aesgcm(void)
{
	int sodium = totp_aesgcm_available(TOTP_AESGCM_SODIUM);
	int ossl = totp_aesgcm_available(TOTP_AESGCM_OPENSSL);
	uint8_t k[32] = {0}, iv[12] = {0}, tag[16] = {0};

	CHECK(totp_aesgcm_available(TOTP_AESGCM_AUTO) == (sodium || ossl),
	      "AUTO available when either backend is");
	if (sodium)
		gcm_vectors(TOTP_AESGCM_SODIUM, "libsodium");
	else
		CHECK(1, "# SKIP libsodium AES-GCM needs AES-NI");
	if (ossl)
		gcm_vectors(TOTP_AESGCM_OPENSSL, "OpenSSL");
	else
		CHECK(1, "# SKIP libcrypto not installed");
	if (sodium && ossl)
		differential();
	if (sodium || ossl)
		gcm_vectors(TOTP_AESGCM_AUTO, "auto");
	CHECK_RC(totp_aesgcm_decrypt(NULL, NULL, 1, tag, iv, k), TOTP_E_INVAL,
	         "NULL buffers rejected");
}

static void decoders(void)
{
	uint8_t out[32];
	size_t n = 99;

	CHECK(totp_imp_base64(out, sizeof(out), &n, "Zm9vYg==", 8) == 0 && n == 4 &&
	              memcmp(out, "foob", 4) == 0,
	      "base64 with padding");
	CHECK(totp_imp_base64(out, sizeof(out), &n, "Zm9vYg", 6) == 0 && n == 4,
	      "base64 without padding");
	CHECK(totp_imp_base64(out, sizeof(out), &n, "-_8", 3) == 0 && n == 2 && out[0] == 0xfb &&
	              out[1] == 0xff,
	      "URL-safe base64");
	CHECK(totp_imp_base64(out, sizeof(out), &n, "+/8", 3) == 0 && n == 2 && out[0] == 0xfb,
	      "standard base64 alphabet");
	CHECK(totp_imp_base64(out, sizeof(out), &n, "", 0) == 0 && n == 0, "empty base64");
	CHECK(totp_imp_base64(out, sizeof(out), &n, "Zm9v Yg", 7) != 0, "space in base64 rejected");
	CHECK(totp_imp_base64(out, sizeof(out), &n, "Zm9vY", 5) != 0, "impossible base64 length");
	CHECK(totp_imp_base64(out, 3, &n, "Zm9vYg==", 8) != 0, "base64 overflow rejected");
	CHECK(totp_imp_hex(out, 2, "0aFf") == 0 && out[0] == 0x0a && out[1] == 0xff, "hex");
	CHECK(totp_imp_hex(out, 2, "0aF") != 0 && totp_imp_hex(out, 2, "0aFf00") != 0 &&
	              totp_imp_hex(out, 2, "0xFf") != 0 && totp_imp_hex(out, 2, NULL) != 0,
	      "hex of the wrong size or with junk rejected");
}

static void json(void)
{
	static const char fields[] = "\xef\xbb\xbf{\"n\":30,\"r\":30.0,\"s\":\"30\",\"f\":30.5,"
	                             "\"b\":true,\"z\":null,\"x\":\"3x\"}";
	char deep[80];
	json_t *j = NULL;
	long long v = 0;

	memset(deep, '[', 32);
	memset(deep + 32, ']', 32);
	CHECK(totp_json_depth_ok((const uint8_t *)deep, 64), "depth 32 accepted");
	CHECK_RC(totp_json_load(&j, (const uint8_t *)deep, 64), TOTP_OK, "depth 32 parses");
	totp_json_free(j);
	memset(deep, '[', 33);
	memset(deep + 33, ']', 33);
	CHECK(!totp_json_depth_ok((const uint8_t *)deep, 66), "depth 33 refused");
	CHECK_RC(totp_json_load(&j, (const uint8_t *)deep, 66), TOTP_E_JSON, "depth 33 not parsed");
	CHECK(j == NULL, "no tree after an error");
	CHECK(totp_json_depth_ok((const uint8_t *)"[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]", 39),
	      "brackets inside strings do not count");
	CHECK(!totp_json_depth_ok((const uint8_t *)"[\"\\\"\",[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]",
	                          39),
	      "an escaped quote does not end a string");

	CHECK_RC(totp_json_load(&j, (const uint8_t *)fields, sizeof(fields) - 1), TOTP_OK,
	         "BOM skipped");
	CHECK(totp_json_int(j, "n", &v) == 1 && v == 30, "integer");
	CHECK(totp_json_int(j, "r", &v) == 1 && v == 30, "integral real");
	CHECK(totp_json_int(j, "s", &v) == 1 && v == 30, "decimal string");
	CHECK(totp_json_int(j, "f", &v) == -1, "fractional real refused");
	CHECK(totp_json_int(j, "b", &v) == -1, "boolean refused");
	CHECK(totp_json_int(j, "x", &v) == -1, "non-decimal string refused");
	CHECK(totp_json_int(j, "z", &v) == 0 && totp_json_int(j, "missing", &v) == 0,
	      "null and absent are absent");
	CHECK(totp_json_str(j, "s") && strcmp(totp_json_str(j, "s"), "30") == 0 &&
	              totp_json_str(j, "n") == NULL,
	      "string access");
	totp_json_free(j);
}

int main(void)
{
	if (totp_init() != TOTP_OK)
		return 1;
	aesgcm();
	decoders();
	json();
	TEST_EXIT();
}
