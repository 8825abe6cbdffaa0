/*
 * fuzz_base32.c - totp_base32_decode on any text, and the round trips:
 * decoded bytes encode and decode back to themselves, and the input taken
 * as bytes encodes canonically and decodes back.
 */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return totp_init() == TOTP_OK ? 0 : 1;
}

/* Encode n bytes, check the canonical form, decode, compare. */
static void encode_round_trip(const uint8_t *in, size_t n)
{
	size_t need = totp_base32_encoded_size(n), len = 0;
	char *enc = malloc(need);
	uint8_t *dec = malloc(n + 1);

	if (!enc || !dec)
		abort();
	if (need > 1)
		FUZZ_ASSERT(totp_base32_encode(enc, need - 1, in, n) == TOTP_E_NOSPACE);
	FUZZ_ASSERT(totp_base32_encode(enc, need, in, n) == TOTP_OK);
	FUZZ_ASSERT(strlen(enc) == need - 1);
	for (size_t i = 0; enc[i]; i++)
		FUZZ_ASSERT((enc[i] >= 'A' && enc[i] <= 'Z') || (enc[i] >= '2' && enc[i] <= '7'));
	if (n == 0) {
		FUZZ_ASSERT(totp_base32_decode(dec, n + 1, &len, enc, need - 1) ==
		            TOTP_E_SECRET_EMPTY);
	} else {
		FUZZ_ASSERT(totp_base32_decode(dec, n, &len, enc, need - 1) == TOTP_OK);
		FUZZ_ASSERT(len == n && memcmp(dec, in, n) == 0);
		if (n > 1)
			FUZZ_ASSERT(totp_base32_decode(dec, n - 1, &len, enc, need - 1) ==
			            TOTP_E_NOSPACE);
	}
	free(enc);
	free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Five bytes come from every eight characters at most. */
	size_t cap = size / 8 * 5 + 5, len = 12345;
	uint8_t *out = malloc(cap);
	char *in = malloc(size ? size : 1);
	int rc;

	if (!out || !in)
		abort();
	if (size)
		memcpy(in, data, size);
	rc = totp_base32_decode(out, cap, &len, in, size);
	if (rc == TOTP_OK) {
		FUZZ_ASSERT(len > 0 && len <= cap);
		encode_round_trip(out, len);
	} else {
		FUZZ_ASSERT(rc == TOTP_E_BASE32 || rc == TOTP_E_BASE32_LENGTH ||
		            rc == TOTP_E_SECRET_EMPTY);
		FUZZ_ASSERT(len == 0);
	}
	if (size <= 4096)
		encode_round_trip(data, size);
	free(out);
	free(in);
	fuzz_guarded_check();
	return 0;
}
