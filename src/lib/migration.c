/*
 * migration.c - Google Authenticator exports (otpauth-migration://offline?
 * data=...; FORMATS.md section 5) read with a bounded protobuf reader: the
 * data parameter to protobuf, protobuf to a payload header and entries.
 */
#include <string.h>

#include <sodium.h>

#include "internal.h"
#include "qr.h"

/* ---- Protobuf reader ---------------------------------------------------- */

struct pb {
	const uint8_t *p, *end;
};

/* A varint of at most 10 bytes whose value fits 64 bits. */
static int pb_varint(struct pb *r, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned i = 0; i < 10; i++) {
		uint8_t b;

		if (r->p == r->end)
			return TOTP_E_MIGRATION;
		b = *r->p++;
		if (i == 9 && b > 1)
			return TOTP_E_MIGRATION;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			return TOTP_OK;
		}
	}
	return TOTP_E_MIGRATION;
}

static int pb_key(struct pb *r, uint32_t *field, unsigned *wire)
{
	uint64_t k;
	int rc = pb_varint(r, &k);

	if (rc != TOTP_OK)
		return rc;
	if (k >> 3 == 0 || k >> 3 > 0x1fffffff)
		return TOTP_E_MIGRATION;
	*field = (uint32_t)(k >> 3);
	*wire = (unsigned)(k & 7);
	return TOTP_OK;
}

/* A length-delimited value: its bytes stay in the buffer. */
static int pb_len(struct pb *r, struct pb *val)
{
	uint64_t n;
	int rc = pb_varint(r, &n);

	if (rc != TOTP_OK)
		return rc;
	if (n > (uint64_t)(r->end - r->p))
		return TOTP_E_MIGRATION;
	val->p = r->p;
	val->end = r->p + n;
	r->p += n;
	return TOTP_OK;
}

/* Skip a field this reader does not use.  Groups (wire 3, 4) and the
 * unassigned wire types 6, 7 are errors. */
static int pb_skip(struct pb *r, unsigned wire)
{
	struct pb val;
	uint64_t v;

	switch (wire) {
	case 0:
		return pb_varint(r, &v);
	case 1:
	case 5: {
		size_t n = wire == 1 ? 8 : 4;

		if ((size_t)(r->end - r->p) < n)
			return TOTP_E_MIGRATION;
		r->p += n;
		return TOTP_OK;
	}
	case 2:
		return pb_len(r, &val);
	default:
		return TOTP_E_MIGRATION;
	}
}

/* ---- OtpParameters ------------------------------------------------------ */

struct mig_otp {
	struct pb secret, name, issuer;
	uint64_t algo, digits, type, counter;
};

/* Fields 1-3 are strings/bytes (wire 2), 4-7 varints (wire 0); a known
 * field with another wire type is malformed; the last occurrence wins. */
static int parse_otp(struct mig_otp *o, struct pb r)
{
	static const uint8_t none[1];

	memset(o, 0, sizeof(*o));
	o->secret.p = o->secret.end = none;
	o->name = o->issuer = o->secret;
	while (r.p < r.end) {
		uint32_t field;
		unsigned wire;
		int rc = pb_key(&r, &field, &wire);

		if (rc != TOTP_OK)
			return rc;
		if (field >= 1 && field <= 7 && wire != (field <= 3 ? 2u : 0u))
			return TOTP_E_MIGRATION;
		switch (field) {
		case 1:
			rc = pb_len(&r, &o->secret);
			break;
		case 2:
			rc = pb_len(&r, &o->name);
			break;
		case 3:
			rc = pb_len(&r, &o->issuer);
			break;
		case 4:
			rc = pb_varint(&r, &o->algo);
			break;
		case 5:
			rc = pb_varint(&r, &o->digits);
			break;
		case 6:
			rc = pb_varint(&r, &o->type);
			break;
		case 7:
			rc = pb_varint(&r, &o->counter);
			break;
		default:
			rc = pb_skip(&r, wire);
		}
		if (rc != TOTP_OK)
			return rc;
	}
	return TOTP_OK;
}

/* ---- MigrationPayload --------------------------------------------------- */

int totp_mig_parse(struct totp_mig *m, const uint8_t *pb, size_t len)
{
	struct pb r = {pb, pb + len};
	uint64_t v;

	memset(m, 0, sizeof(*m));
	m->pb = pb;
	m->pblen = len;
	while (r.p < r.end) {
		uint32_t field;
		unsigned wire;
		struct pb val;
		struct mig_otp o;
		int rc = pb_key(&r, &field, &wire);

		if (rc != TOTP_OK)
			return rc;
		if (field >= 1 && field <= 5 && wire != (field == 1 ? 2u : 0u))
			return TOTP_E_MIGRATION;
		if (field == 1) {
			rc = pb_len(&r, &val);
			/* Check the whole entry now, so a payload is either
			 * well-formed throughout or rejected. */
			if (rc == TOTP_OK)
				rc = parse_otp(&o, val);
			m->nentries++;
		} else if (field >= 2 && field <= 5) {
			rc = pb_varint(&r, &v);
			if (rc == TOTP_OK && field == 2)
				m->version = v;
			/* int32 fields: a negative value arrives sign-extended
			 * to 64 bits; keep the low 32 bits. */
			if (rc == TOTP_OK && field == 3) {
				m->batch_size = (int32_t)(uint32_t)v;
				m->has_size = 1;
			}
			if (rc == TOTP_OK && field == 4)
				m->batch_index = (int32_t)(uint32_t)v;
			if (rc == TOTP_OK && field == 5)
				m->batch_id = (int32_t)(uint32_t)v;
		} else {
			rc = pb_skip(&r, wire);
		}
		if (rc != TOTP_OK)
			return rc;
	}
	if (m->batch_size < 0 || m->batch_index < 0 || m->batch_size > TOTP_MIG_BATCH_MAX)
		return TOTP_E_MIGRATION;
	if (m->batch_size == 0)
		m->batch_size = 1;
	if (m->batch_index >= m->batch_size)
		return TOTP_E_MIGRATION;
	return TOTP_OK;
}

/* Copy a protobuf string into a label field; TOTP_E_LABEL when it does
 * not fit or holds a NUL. */
static int copy_text(char out[TOTP_LABEL_MAX], const uint8_t *s, size_t n)
{
	if (n >= TOTP_LABEL_MAX || memchr(s, 0, n))
		return TOTP_E_LABEL;
	memcpy(out, s, n);
	out[n] = 0;
	return TOTP_OK;
}

/* Append n bytes of text for a message: control bytes, and every
 * non-ASCII byte when the text is not UTF-8, become '?'. */
static size_t put_safe(char *out, size_t outsz, size_t k, const uint8_t *s, size_t n, int utf8)
{
	for (size_t j = 0; j < n && k + 1 < outsz; j++)
		out[k++] =
		        s[j] < 0x20 || s[j] == 0x7f || (s[j] >= 0x80 && !utf8) ? '?' : (char)s[j];
	return k;
}

/* "Issuer:account" for messages (the name alone when it already starts
 * with the issuer). */
static void safe_label(char *out, size_t outsz, const struct mig_otp *o)
{
	size_t nlen = (size_t)(o->name.end - o->name.p);
	size_t ilen = (size_t)(o->issuer.end - o->issuer.p);
	int utf8 = totp_utf8_valid((const char *)o->issuer.p, ilen) &&
	           totp_utf8_valid((const char *)o->name.p, nlen);
	size_t k = 0;

	if (ilen > 0 &&
	    !(nlen > ilen && memcmp(o->name.p, o->issuer.p, ilen) == 0 && o->name.p[ilen] == ':')) {
		k = put_safe(out, outsz, k, o->issuer.p, ilen, utf8);
		k = put_safe(out, outsz, k, (const uint8_t *)":", 1, 1);
	}
	k = put_safe(out, outsz, k, o->name.p, nlen, utf8);
	/* Truncation may have cut a character in two: drop its start. */
	while (utf8 && k > 0 && !totp_utf8_valid(out, k))
		k--;
	out[k] = 0;
}

/* Algorithm, digits, type and counter of e from o's enums. */
static int otp_kind(struct totp_entry *e, const struct mig_otp *o, const char **why)
{
	switch (o->algo) {
	case 0:
	case 1:
		e->algo = TOTP_ALGO_SHA1;
		break;
	case 2:
		e->algo = TOTP_ALGO_SHA256;
		break;
	case 3:
		e->algo = TOTP_ALGO_SHA512;
		break;
	case 4:
		*why = "algorithm MD5 is not supported";
		return TOTP_E_ALGO;
	default:
		*why = "unknown algorithm";
		return TOTP_E_ALGO;
	}
	if (o->digits > 2) {
		*why = "unknown digit count";
		return TOTP_E_DIGITS;
	}
	e->digits = o->digits == 2 ? 8 : 6;
	if (o->type > 2) {
		*why = "unknown OTP type";
		return TOTP_E_URI_TYPE;
	}
	e->type = o->type == 1 ? TOTP_TYPE_HOTP : TOTP_TYPE_TOTP;
	e->period = 30;
	if (e->type == TOTP_TYPE_HOTP) {
		if (o->counter > INT64_MAX) {
			*why = "negative counter";
			return TOTP_E_COUNTER;
		}
		e->counter = o->counter;
	}
	return TOTP_OK;
}

/* Fill e from o; on failure *why says what (never the secret). */
static int otp_to_entry(struct totp_entry *e, const struct mig_otp *o, const char **why)
{
	size_t slen = (size_t)(o->secret.end - o->secret.p);
	size_t nlen = (size_t)(o->name.end - o->name.p);
	size_t ilen = (size_t)(o->issuer.end - o->issuer.p);
	const uint8_t *acct = o->name.p;
	size_t alen = nlen;
	int rc;

	totp_entry_init(e);
	rc = otp_kind(e, o, why);
	if (rc != TOTP_OK)
		return rc;
	if (slen == 0) {
		*why = "empty secret";
		return TOTP_E_SECRET_EMPTY;
	}
	if (slen > TOTP_SECRET_MAX) {
		*why = "secret too long";
		return TOTP_E_SECRET_LONG;
	}
	memcpy(e->secret, o->secret.p, slen);
	e->secret_len = slen;
	*why = "issuer too long or not text";
	rc = copy_text(e->issuer, o->issuer.p, ilen);
	if (rc != TOTP_OK)
		return rc;
	/* The name often repeats the issuer as "Issuer:account". */
	if (ilen > 0 && nlen > ilen && memcmp(acct, o->issuer.p, ilen) == 0 && acct[ilen] == ':') {
		acct += ilen + 1;
		alen -= ilen + 1;
		while (alen > 0 && *acct == ' ') {
			acct++;
			alen--;
		}
	}
	/* An entry needs an account: fall back to the issuer. */
	if (alen == 0) {
		acct = o->issuer.p;
		alen = ilen;
	}
	*why = "name too long or not text";
	rc = copy_text(e->account, acct, alen);
	if (rc != TOTP_OK)
		return rc;
	rc = totp_entry_check(e);
	if (rc == TOTP_E_UTF8)
		*why = "name or issuer is not valid UTF-8";
	else if (rc == TOTP_E_LABEL)
		*why = "no name";
	else if (rc != TOTP_OK)
		*why = totp_strerror(rc);
	return rc;
}

int totp_mig_entries(struct totp_import *im, const struct totp_mig *m, size_t *item,
                     const char *where)
{
	struct pb r = {m->pb, m->pb + m->pblen};
	struct totp_entry e;
	int rc = TOTP_OK;

	while (r.p < r.end) {
		uint32_t field;
		unsigned wire;
		struct pb val;
		struct mig_otp o;
		const char *why = "";

		/* totp_mig_parse has checked the structure already. */
		if (pb_key(&r, &field, &wire) != TOTP_OK)
			return TOTP_E_MIGRATION;
		if (field != 1) {
			if (pb_skip(&r, wire) != TOTP_OK)
				return TOTP_E_MIGRATION;
			continue;
		}
		if (pb_len(&r, &val) != TOTP_OK || parse_otp(&o, val) != TOTP_OK)
			return TOTP_E_MIGRATION;
		(*item)++;
		rc = otp_to_entry(&e, &o, &why);
		if (rc == TOTP_OK) {
			rc = totp_import_add(im, &e);
		} else {
			char label[2 * TOTP_LABEL_MAX];

			safe_label(label, sizeof(label), &o);
			rc = totp_import_problem(im, *item, label, rc, "%s, entry %zu: %s", where,
			                         *item, why);
		}
		sodium_memzero(&e, sizeof(e));
		if (rc != TOTP_OK)
			return rc;
	}
	return TOTP_OK;
}

/* ---- The URI ------------------------------------------------------------ */

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int totp_mig_is_uri(const uint8_t *s, size_t n)
{
	static const char scheme[] = "otpauth-migration:";
	size_t k = sizeof(scheme) - 1;

	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (lower(s[i]) != scheme[i])
			return 0;
	return 1;
}

/* The value of the first data= parameter of otpauth-migration://offline?...
 * (up to '#'), white space around the URI ignored. */
static int find_data(const uint8_t **val, size_t *vlen, const uint8_t *s, size_t n)
{
	static const char prefix[] = "otpauth-migration://offline";
	size_t k = sizeof(prefix) - 1, i;

	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (n < k)
		return TOTP_E_MIGRATION;
	for (i = 0; i < k; i++)
		if (lower(s[i]) != prefix[i])
			return TOTP_E_MIGRATION;
	if (i < n && s[i] == '/')
		i++;
	if (i >= n || s[i] != '?')
		return TOTP_E_MIGRATION;
	for (i++; i < n && s[i] != '#';) {
		size_t e = i;

		while (e < n && s[e] != '&' && s[e] != '#')
			e++;
		if (e - i >= 5 && memcmp(s + i, "data=", 5) == 0) {
			*val = s + i + 5;
			*vlen = e - i - 5;
			return TOTP_OK;
		}
		i = e < n && s[e] == '&' ? e + 1 : e;
	}
	return TOTP_E_MIGRATION;
}

int totp_mig_decode(uint8_t *out, size_t outsz, size_t *outlen, const uint8_t *s, size_t n)
{
	size_t i, b64len = 0;
	int padded = 0;
	const uint8_t *val = NULL;
	size_t vlen = 0;
	char *b64 = NULL;
	int rc = find_data(&val, &vlen, s, n);

	if (rc != TOTP_OK)
		return rc;
	rc = TOTP_E_MIGRATION;

	/* Percent-decode; a space (from a form decoder's '+') is '+' again,
	 * other white space is dropped, URL-safe '-' '_' are accepted, and
	 * '=' padding is dropped (decoding does not need it). */
	b64 = sodium_malloc(vlen + 1);
	if (!b64)
		return TOTP_E_NOMEM;
	for (i = 0; i < vlen; i++) {
		int c = val[i];

		if (c == '%') {
			int h, l;

			if (vlen - i < 3)
				goto out;
			h = hexval(val[i + 1]);
			l = hexval(val[i + 2]);
			if (h < 0 || l < 0)
				goto out;
			c = h << 4 | l;
			i += 2;
		}
		if (c == ' ' || c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		if (is_space(c))
			continue;
		if (c == '=') {
			padded = 1; /* nothing may follow but more '=' */
			continue;
		}
		if (padded)
			goto out;
		b64[b64len++] = (char)c;
	}
	if (b64len == 0)
		goto out;
	if (sodium_base642bin(out, outsz, b64, b64len, NULL, outlen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
		goto out;
	rc = TOTP_OK;
out:
	sodium_memzero(b64, vlen + 1);
	sodium_free(b64);
	return rc;
}
