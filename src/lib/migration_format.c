/*
 * migration_format.c - entries to otpauth-migration://offline?data=...
 * URIs, at most a set number of accounts per URI, as Google's app exports.
 */
#include <string.h>

#include <sodium.h>

#include "internal.h"
#include "qr.h"

#define PREFIX "otpauth-migration://offline?data="
#define PREFIX_LEN (sizeof(PREFIX) - 1)
#define PER_CODE_MAX 1000
/* Largest payload trailer: version, batch size, index (int32 varints of at
 * most 5 bytes, 6 with the key) and batch_id (negative: 10 bytes + key). */
#define TRAILER_MAX (2 + 6 + 6 + 11)

int totp_migration_check(const struct totp_entry *e)
{
	int rc = totp_entry_check(e);

	if (rc != TOTP_OK)
		return rc;
	if (e->type != TOTP_TYPE_TOTP && e->type != TOTP_TYPE_HOTP)
		return TOTP_E_ENTRY;
	if (e->type == TOTP_TYPE_TOTP && e->period != 30)
		return TOTP_E_PERIOD;
	if (e->digits != 6 && e->digits != 8)
		return TOTP_E_DIGITS;
	if (e->type == TOTP_TYPE_HOTP && e->counter > INT64_MAX)
		return TOTP_E_COUNTER;
	return TOTP_OK;
}

/* ---- Protobuf writer (out == NULL measures) ----------------------------- */

static size_t put_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	do {
		uint8_t b = (uint8_t)(v & 0x7f);

		v >>= 7;
		if (out)
			out[n] = b | (v ? 0x80 : 0);
		n++;
	} while (v);
	return n;
}

static size_t put_uint(uint8_t *out, uint32_t field, uint64_t v)
{
	size_t n = put_varint(out, (uint64_t)field << 3);

	return n + put_varint(out ? out + n : NULL, v);
}

/* The bytes may come in two pieces (issuer, ":", account). */
static size_t put_bytes(uint8_t *out, uint32_t field, const void *a, size_t alen, const void *b,
                        size_t blen, const void *c, size_t clen)
{
	size_t n = put_varint(out, (uint64_t)field << 3 | 2);

	n += put_varint(out ? out + n : NULL, alen + blen + clen);
	if (out) {
		if (alen)
			memcpy(out + n, a, alen);
		if (blen)
			memcpy(out + n + alen, b, blen);
		if (clen)
			memcpy(out + n + alen + blen, c, clen);
	}
	return n + alen + blen + clen;
}

/* One OtpParameters message with its key and length. */
static size_t put_entry(uint8_t *out, const struct totp_entry *e)
{
	size_t il = strlen(e->issuer), al = strlen(e->account), body = 0, n;
	uint8_t *p = NULL;

	for (int pass = 0; pass < 2; pass++) {
		size_t k = 0;

		if (pass == 1) {
			if (!out)
				break;
			n = put_varint(out, 1u << 3 | 2);
			n += put_varint(out + n, body);
			p = out + n;
		}
		k += put_bytes(p ? p + k : NULL, 1, e->secret, e->secret_len, NULL, 0, NULL, 0);
		if (il)
			k += put_bytes(p ? p + k : NULL, 2, e->issuer, il, ":", 1, e->account, al);
		else
			k += put_bytes(p ? p + k : NULL, 2, e->account, al, NULL, 0, NULL, 0);
		if (il)
			k += put_bytes(p ? p + k : NULL, 3, e->issuer, il, NULL, 0, NULL, 0);
		k += put_uint(p ? p + k : NULL, 4, (uint64_t)e->algo + 1);
		k += put_uint(p ? p + k : NULL, 5, e->digits == 8 ? 2 : 1);
		k += put_uint(p ? p + k : NULL, 6, e->type == TOTP_TYPE_HOTP ? 1 : 2);
		if (e->type == TOTP_TYPE_HOTP)
			k += put_uint(p ? p + k : NULL, 7, e->counter);
		body = k;
	}
	return put_varint(NULL, 1u << 3 | 2) + put_varint(NULL, body) + body;
}

size_t totp_mig_encode(uint8_t *out, const struct totp_entry *e, size_t n, int32_t batch_size,
                       int32_t batch_index, int32_t batch_id)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += put_entry(out ? out + k : NULL, &e[i]);
	k += put_uint(out ? out + k : NULL, 2, 1);
	/* int32 fields: negative values are sign-extended to 64 bits. */
	k += put_uint(out ? out + k : NULL, 3, (uint64_t)(int64_t)batch_size);
	k += put_uint(out ? out + k : NULL, 4, (uint64_t)(int64_t)batch_index);
	k += put_uint(out ? out + k : NULL, 5, (uint64_t)(int64_t)batch_id);
	return k;
}

/* ---- Base64 in a query value -------------------------------------------- */

/* Standard base64 with padding, '+' '/' '=' percent-encoded; out == NULL
 * measures.  b64 is scratch of sodium_base64_ENCODED_LEN(n) bytes. */
static size_t put_b64(char *out, char *b64, const uint8_t *bin, size_t n)
{
	size_t k = 0;

	sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), bin, n,
	                  sodium_base64_VARIANT_ORIGINAL);
	for (const char *s = b64; *s; s++) {
		const char *esc = *s == '+' ? "%2B" : *s == '/' ? "%2F" : *s == '=' ? "%3D" : NULL;

		if (esc) {
			if (out)
				memcpy(out + k, esc, 3);
			k += 3;
		} else {
			if (out)
				out[k] = *s;
			k++;
		}
	}
	return k;
}

/* An upper bound on the URI of a payload whose entries encode to pb[0..n):
 * the base64 of whole 3-byte groups of entries is exact, the rest (with
 * the largest trailer) is counted as if every character were escaped. */
static size_t uri_bound(char *b64, const uint8_t *pb, size_t n)
{
	size_t whole = n / 3 * 3, rest = n - whole + TRAILER_MAX;

	return PREFIX_LEN + put_b64(NULL, b64, pb, whole) + 3 * 4 * ((rest + 2) / 3);
}

/* ---- Formatting --------------------------------------------------------- */

void totp_migration_export_free(struct totp_migration_export *x)
{
	if (!x)
		return;
	if (x->uris)
		sodium_free(x->uris); /* wipes */
	memset(x, 0, sizeof(*x));
}

/* Group greedily: up to `per` entries while the URI fits max_len, in at
 * most TOTP_MIG_BATCH_MAX URIs (more would not be read back).  Group g is
 * entries start[g] .. start[g + 1] - 1; pb and b64 are scratch. */
static int plan_groups(size_t *start, size_t *ngroups, uint8_t *pb, char *b64,
                       const struct totp_entry *entries, size_t n, unsigned per, size_t max_len)
{
	size_t g = 0;

	for (size_t i = 0; i < n;) {
		size_t len = 0, first = i;

		if (g == TOTP_MIG_BATCH_MAX)
			return TOTP_E_TOOBIG;
		start[g++] = i;
		while (i < n && i - first < per) {
			size_t k = put_entry(pb + len, &entries[i]);

			if (uri_bound(b64, pb, len + k) > max_len)
				break;
			len += k;
			i++;
		}
		if (i == first)
			return TOTP_E_TOOBIG;
	}
	start[g] = n;
	*ngroups = g;
	return TOTP_OK;
}

/* Measure, allocate, then write the URIs: pointers, then the strings. */
static int write_uris(struct totp_migration_export *out, uint8_t *pb, char *b64,
                      const struct totp_entry *entries, const size_t *start, size_t ngroups,
                      int32_t id)
{
	size_t total = ngroups * sizeof(char *);
	char *s;

	for (size_t g = 0; g < ngroups; g++) {
		size_t k = totp_mig_encode(pb, entries + start[g], start[g + 1] - start[g],
		                           (int32_t)ngroups, (int32_t)g, id);

		total += PREFIX_LEN + put_b64(NULL, b64, pb, k) + 1;
	}
	/* sodium_malloc aligns the end of the block: round the size so the
	 * pointer array at its start is aligned too. */
	total = (total + 15) & ~(size_t)15;
	out->uris = sodium_malloc(total);
	if (!out->uris)
		return TOTP_E_NOMEM;
	out->size_ = total;
	s = (char *)(out->uris + ngroups);
	for (size_t g = 0; g < ngroups; g++) {
		size_t k = totp_mig_encode(pb, entries + start[g], start[g + 1] - start[g],
		                           (int32_t)ngroups, (int32_t)g, id);

		out->uris[g] = s;
		memcpy(s, PREFIX, PREFIX_LEN);
		s += PREFIX_LEN;
		s += put_b64(s, b64, pb, k);
		*s++ = 0;
	}
	out->count = ngroups;
	return TOTP_OK;
}

int totp_migration_format(struct totp_migration_export *out, const struct totp_entry *entries,
                          size_t n, const struct totp_migration_opts *opts)
{
	unsigned per = opts && opts->per_code ? opts->per_code : TOTP_MIGRATION_PER_CODE;
	size_t max_len = opts && opts->max_len ? opts->max_len : TOTP_QR_CAPACITY_M;
	size_t *start = NULL, ngroups = 0, pbcap, b64cap, i;
	uint8_t *pb = NULL;
	char *b64 = NULL;
	int32_t id;
	int rc;

	if (!out)
		return TOTP_E_INVAL;
	memset(out, 0, sizeof(*out));
	if ((!entries && n) || per > PER_CODE_MAX)
		return TOTP_E_INVAL;
	if (n == 0)
		return TOTP_OK;
	if (n > (size_t)TOTP_MIG_BATCH_MAX * per)
		return TOTP_E_TOOBIG;
	if (sodium_init() < 0)
		return TOTP_E_UNSUPPORTED;
	for (i = 0; i < n; i++) {
		rc = totp_migration_check(&entries[i]);
		if (rc != TOTP_OK)
			return rc;
	}
	id = opts && opts->fixed_batch_id ? opts->batch_id : (int32_t)randombytes_random();

	/* Scratch for the largest payload: per entries of at most
	 * put_entry(max) bytes each, plus the trailer. */
	pbcap = 0;
	for (i = 0; i < n; i++) {
		size_t k = put_entry(NULL, &entries[i]);

		if (k > pbcap)
			pbcap = k;
	}
	pbcap = pbcap * per + TRAILER_MAX;
	b64cap = sodium_base64_ENCODED_LEN(pbcap, sodium_base64_VARIANT_ORIGINAL);
	pb = sodium_malloc(pbcap);
	b64 = sodium_malloc(b64cap);
	start = sodium_allocarray(n + 1, sizeof(*start));
	if (!pb || !b64 || !start) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	rc = plan_groups(start, &ngroups, pb, b64, entries, n, per, max_len);
	if (rc == TOTP_OK)
		rc = write_uris(out, pb, b64, entries, start, ngroups, id);
out:
	if (pb)
		sodium_free(pb);
	if (b64)
		sodium_free(b64);
	if (start)
		sodium_free(start);
	if (rc != TOTP_OK)
		totp_migration_export_free(out);
	return rc;
}
