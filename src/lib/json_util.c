/*
 * json_util.c - bounded JSON loading and typed field access for the
 * backup importers.
 *
 * Limits (RELIABILITY.md 3.18): input size TOTP_IMPORT_MAX_BYTES, nesting
 * TOTP_JSON_MAX_DEPTH (checked on the raw bytes before jansson runs),
 * duplicate keys rejected.
 *
 * Secrets: totp_json_free wipes every string value before releasing the
 * tree.  jansson's lexer also copies each token into a scratch buffer that
 * it frees without wiping; replacing jansson's allocator
 * (json_set_alloc_funcs) would cover that too, but the allocator is global
 * to the process and libtotp may share it with a program that uses jansson
 * itself, so that remnant is an accepted limitation.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "import_int.h"
#include "json_util.h"

static void wipe_tree(json_t *j)
{
	const char *key;
	json_t *v;

	if (json_is_string(j)) {
		/* jansson owns the buffer and is about to free it. */
		sodium_memzero((char *)json_string_value(j), json_string_length(j));
	} else if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++)
			wipe_tree(json_array_get(j, i));
	} else if (json_is_object(j)) {
		json_object_foreach(j, key, v)
		{
			(void)key;
			wipe_tree(v);
		}
	}
}

void totp_json_free(json_t *j)
{
	if (!j)
		return;
	if (j->refcount == 1)
		wipe_tree(j);
	json_decref(j);
}

int totp_json_depth_ok(const uint8_t *buf, size_t len)
{
	size_t depth = 0;
	int in_str = 0, esc = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > TOTP_JSON_MAX_DEPTH)
				return 0;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return 1;
}

int totp_json_load(json_t **out, const uint8_t *buf, size_t len)
{
	json_error_t err;
	json_t *j;

	*out = NULL;
	if (len > TOTP_IMPORT_MAX_BYTES)
		return TOTP_E_TOOBIG;
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf) {
		buf += 3;
		len -= 3;
	}
	if (!totp_json_depth_ok(buf, len))
		return TOTP_E_JSON;
	j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		return json_error_code(&err) == json_error_out_of_memory ? TOTP_E_NOMEM
		                                                         : TOTP_E_JSON;
	*out = j;
	return TOTP_OK;
}

const char *totp_json_str(const json_t *obj, const char *key)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int parse_decimal(const char *s, long long *out)
{
	char *end;
	long long v;

	if (!*s || strlen(s) > 20)
		return -1;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (p == s && *p == '-')))
			return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 1;
}

int totp_json_int(const json_t *obj, const char *key, long long *out)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	double d;

	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 1;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (!(d >= -9.0e18 && d <= 9.0e18) || d != (double)(long long)d)
			return -1;
		*out = (long long)d;
		return 1;
	}
	if (json_is_string(v))
		return parse_decimal(json_string_value(v), out);
	return -1;
}

/* Decoders for binary values carried in JSON (and CSV) strings. */

int totp_imp_base64(uint8_t *out, size_t outsz, size_t *outlen, const char *in, size_t inlen)
{
	while (inlen > 0 && in[inlen - 1] == '=')
		inlen--;
	if (inlen == 0) {
		*outlen = 0;
		return 0;
	}
	if (sodium_base642bin(out, outsz, in, inlen, NULL, outlen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0)
		return 0;
	if (sodium_base642bin(out, outsz, in, inlen, NULL, outlen, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0)
		return 0;
	return -1;
}

int totp_imp_hex(uint8_t *out, size_t want, const char *hex)
{
	size_t n;

	if (!hex || strlen(hex) != 2 * want)
		return -1;
	if (sodium_hex2bin(out, want, hex, 2 * want, NULL, &n, NULL) != 0 || n != want)
		return -1;
	return 0;
}

/* Numeric fields of an entry, with the reason for a rejection. */

int totp_imp_num(struct totp_imp *c, const struct json_t *obj, const char *key, long long min,
                 long long max, long long def, long long *out, int err)
{
	long long v;
	int r = totp_json_int(obj, key, &v);

	if (r == 0) {
		*out = def;
		return TOTP_OK;
	}
	if (r < 0)
		return totp_imp_why(c, err, "%s is not a number", key);
	if (v < min || v > max)
		return totp_imp_why(c, err, "%s %lld is out of range", key, v);
	*out = v;
	return TOTP_OK;
}

int totp_imp_digits(struct totp_imp *c, const struct json_t *obj, const char *key, unsigned def)
{
	long long v;
	int rc =
	        totp_imp_num(c, obj, key, TOTP_DIGITS_MIN, TOTP_DIGITS_MAX, def, &v, TOTP_E_DIGITS);

	if (rc == TOTP_OK)
		c->e->digits = (unsigned)v;
	return rc;
}

int totp_imp_period(struct totp_imp *c, const struct json_t *obj, const char *key, unsigned def)
{
	long long v;
	int rc = totp_imp_num(c, obj, key, 1, TOTP_PERIOD_MAX, def, &v, TOTP_E_PERIOD);

	if (rc == TOTP_OK)
		c->e->period = (unsigned)v;
	return rc;
}

int totp_imp_counter(struct totp_imp *c, const struct json_t *obj, const char *key, uint64_t def,
                     uint64_t add)
{
	long long v;
	int rc = totp_imp_num(c, obj, key, 0, LLONG_MAX, (long long)def, &v, TOTP_E_COUNTER);

	if (rc != TOTP_OK)
		return rc;
	c->e->counter = (uint64_t)v + add; /* v <= LLONG_MAX, add <= 1: no wrap */
	return TOTP_OK;
}

int totp_imp_otp_params(struct totp_imp *c, const struct json_t *obj, const char *algo_key,
                        uint64_t counter_add)
{
	const char *algo = totp_json_str(obj, algo_key);
	int rc;

	if (c->e->type == TOTP_TYPE_STEAM)
		return TOTP_OK;
	rc = totp_imp_algo(c, algo ? algo : "SHA1");
	if (rc == TOTP_OK)
		rc = totp_imp_digits(c, obj, "digits", 6);
	if (rc == TOTP_OK && c->e->type == TOTP_TYPE_HOTP)
		rc = totp_imp_counter(c, obj, "counter", 0, counter_add);
	else if (rc == TOTP_OK)
		rc = totp_imp_period(c, obj, "period", 30);
	return rc;
}

/* Lists of accounts. */

int totp_imp_each(struct totp_imp *c, const struct json_t *arr,
                  int (*item)(struct totp_imp *c, size_t index, const struct json_t *obj))
{
	size_t n = json_array_size(arr);
	int rc;

	if (n > TOTP_IMPORT_MAX_ENTRIES)
		return totp_imp_fail(c, TOTP_E_TOOBIG, "more than %d accounts",
		                     TOTP_IMPORT_MAX_ENTRIES);
	for (size_t i = 0; i < n; i++) {
		rc = item(c, i + 1, json_array_get(arr, i));
		if (rc != TOTP_OK)
			return rc;
	}
	return TOTP_OK;
}
