/*
 * fuzz_uri.c - otpauth:// and steam:// URIs: totp_uri_parse, and for every
 * URI that parses, format -> parse gives the same entry (up to the
 * normalisations totp.h documents) and formatting is then stable.
 */
#include "fuzz.h"

/* What totp_uri_format + totp_uri_parse is documented to give back. */
static void expected_after_round_trip(struct totp_entry *e)
{
	if (e->type == TOTP_TYPE_HOTP)
		e->period = 30;
	else
		e->counter = 0;
	if (e->type == TOTP_TYPE_TOTP && strcmp(e->issuer, "Steam") == 0 && e->digits == 5 &&
	    e->algo == TOTP_ALGO_SHA1)
		e->type = TOTP_TYPE_STEAM;
}

static void same_entry(const struct totp_entry *a, const struct totp_entry *b)
{
	FUZZ_ASSERT(strcmp(a->issuer, b->issuer) == 0);
	FUZZ_ASSERT(strcmp(a->account, b->account) == 0);
	FUZZ_ASSERT(a->secret_len == b->secret_len);
	FUZZ_ASSERT(memcmp(a->secret, b->secret, a->secret_len) == 0);
	FUZZ_ASSERT(a->type == b->type);
	FUZZ_ASSERT(a->algo == b->algo);
	FUZZ_ASSERT(a->digits == b->digits);
	FUZZ_ASSERT(a->period == b->period);
	FUZZ_ASSERT(a->counter == b->counter);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return totp_init() == TOTP_OK ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct totp_entry *e = totp_entry_new(), *f = totp_entry_new();
	char *uri = fuzz_strdup(data, size);
	char *raw = malloc(size ? size : 1);
	char *out = malloc(TOTP_URI_MAX), *out2 = malloc(TOTP_URI_MAX);
	unsigned warn = 0;
	int rc;

	if (!e || !f || !out || !out2 || !raw)
		abort();
	/* Exactly the length given (no NUL after it), with any NULs inside. */
	if (size)
		memcpy(raw, data, size);
	rc = totp_uri_parse(e, &warn, raw, size);
	if (rc == TOTP_OK) {
		FUZZ_ASSERT(totp_entry_check(e) == TOTP_OK);
		FUZZ_ASSERT(totp_uri_format(out, TOTP_URI_MAX, e) == TOTP_OK);
		FUZZ_ASSERT(totp_uri_parse(f, NULL, out, strlen(out)) == TOTP_OK);
		expected_after_round_trip(e);
		same_entry(e, f);
		FUZZ_ASSERT(totp_uri_format(out2, TOTP_URI_MAX, f) == TOTP_OK);
		FUZZ_ASSERT(strcmp(out, out2) == 0);
	} else {
		FUZZ_ASSERT(rc < 0 && rc >= TOTP_E_LAST_);
		/* Left initialised: the secret wiped. */
		FUZZ_ASSERT(e->secret_len == 0);
	}
	/* Without a warnings pointer, and as a C string (stops at a NUL). */
	if (totp_uri_parse(f, NULL, uri, strlen(uri)) == TOTP_OK)
		FUZZ_ASSERT(totp_entry_check(f) == TOTP_OK);
	totp_wipe(uri, size);
	totp_wipe(raw, size);
	free(raw);
	totp_wipe(out, TOTP_URI_MAX);
	totp_wipe(out2, TOTP_URI_MAX);
	free(uri);
	free(out);
	free(out2);
	totp_entry_free(e);
	totp_entry_free(f);
	fuzz_guarded_check();
	return 0;
}
