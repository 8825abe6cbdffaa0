/*
 * uri.c - parsing otpauth:// key URIs (Google Authenticator's "Key Uri
 * Format" with the extensions of real apps) and Bitwarden's steam://SECRET.
 *
 *   otpauth://TYPE/[ISSUER(":" / "%3A")*" "]ACCOUNT?secret=...&issuer=...
 *
 * The input is a byte range, not a string; nothing is allocated.  The
 * label is percent-decoded with '+' literal, query values with '+' as a
 * space.  Every percent escape in the URI must be well formed, no control
 * character or NUL may appear raw in it nor NUL escaped, and an escaped
 * control character in the label or issuer is TOTP_E_LABEL.
 */
#include <string.h>

#include <sodium.h>

#include "internal.h"

/* Longest percent-decoded secret= value accepted (room for a 128-byte
 * secret in base32 with generous white space and padding). */
#define SECRET_TEXT_MAX 1024

/* Longest decoded key or short value (digits, period, algorithm...). */
#define SHORT_MAX 32

struct span {
	const char *p;
	size_t n;
	int set;
};

enum key { K_SECRET, K_ISSUER, K_ALGORITHM, K_DIGITS, K_PERIOD, K_COUNTER, K_ENCODER, K_COUNT };

static const char *const key_names[K_COUNT] = {
        [K_SECRET] = "secret",   [K_ISSUER] = "issuer", [K_ALGORITHM] = "algorithm",
        [K_DIGITS] = "digits",   [K_PERIOD] = "period", [K_COUNTER] = "counter",
        [K_ENCODER] = "encoder",
};

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* s[0..n) equals the lower-case word w, ignoring ASCII case. */
static int caseeq(const char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n && w[i]; i++)
		if (lower(s[i]) != w[i])
			return 0;
	return i == n && w[i] == '\0';
}

/*
 * The next decoded byte of s[*i..n): %XX is one byte, '+' is a space when
 * `plus` is set.  Returns 1 with *c set, 0 at the end, or
 * TOTP_E_URI_SYNTAX for a bad escape or an escaped NUL.
 */
static int next_byte(const char *s, size_t n, size_t *i, int plus, unsigned char *c)
{
	if (*i >= n)
		return 0;
	if (s[*i] == '%') {
		int hi, lo;

		if (n - *i < 3)
			return TOTP_E_URI_SYNTAX;
		hi = hexval((unsigned char)s[*i + 1]);
		lo = hexval((unsigned char)s[*i + 2]);
		if (hi < 0 || lo < 0 || (hi | lo) == 0)
			return TOTP_E_URI_SYNTAX;
		*c = (unsigned char)(hi << 4 | lo);
		*i += 3;
		return 1;
	}
	*c = plus && s[*i] == '+' ? ' ' : (unsigned char)s[*i];
	(*i)++;
	return 1;
}

/*
 * Percent-decode s[0..n) into out (NUL-terminated).  *outlen gets the
 * decoded length.  A result that does not fit in outsz - 1 bytes is
 * `toolong`; the remaining escapes are still checked first so a syntax
 * error wins.
 */
static int decode(char *out, size_t outsz, size_t *outlen, const char *s, size_t n, int plus,
                  int toolong)
{
	size_t i = 0, o = 0;
	unsigned char c;
	int rc, over = 0;

	while ((rc = next_byte(s, n, &i, plus, &c)) > 0) {
		if (o + 1 < outsz)
			out[o++] = (char)c;
		else
			over = 1;
	}
	if (outsz)
		out[o] = '\0';
	if (outlen)
		*outlen = o;
	if (rc < 0)
		return rc;
	return over ? toolong : TOTP_OK;
}

/* Decode a label part or issuer into a TOTP_LABEL_MAX field.  Escaped
 * control characters are TOTP_E_LABEL here, as totp_entry_check has it, so
 * that names kept after a later error never carry terminal controls. */
static int decode_text(char out[TOTP_LABEL_MAX], const char *s, size_t n, int plus)
{
	size_t len;
	int rc = decode(out, TOTP_LABEL_MAX, &len, s, n, plus, TOTP_E_LABEL);

	return rc ? rc : totp_label_text_check(out, len);
}

/* An unsigned decimal number of 1..20 digits that fits in 64 bits. */
static int parse_u64(uint64_t *v, const char *s)
{
	uint64_t x = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d = (unsigned)(unsigned char)*s - '0';

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

/* A short query value as a number in lo..hi, or `err`. */
static int parse_num(uint64_t *v, const struct span *sp, uint64_t lo, uint64_t hi, int err)
{
	char buf[SHORT_MAX];
	int rc = decode(buf, sizeof(buf), NULL, sp->p, sp->n, 1, err);

	if (rc)
		return rc;
	if (parse_u64(v, buf) < 0 || *v < lo || *v > hi)
		return err;
	return TOTP_OK;
}

/*
 * Record the first occurrence of each known key in the query q[0..n).
 * Every key and value is checked for well-formed escapes.
 */
static int scan_query(struct span keys[K_COUNT], const char *q, size_t n)
{
	size_t i = 0;

	while (i <= n) {
		const char *item = q + i, *amp = memchr(item, '&', n - i), *eq;
		size_t len = amp ? (size_t)(amp - item) : n - i, klen;
		char key[SHORT_MAX];
		int rc, krc;

		eq = memchr(item, '=', len);
		klen = eq ? (size_t)(eq - item) : len;
		krc = decode(key, sizeof(key), NULL, item, klen, 1, 1);
		if (krc < 0)
			return krc;
		if (eq) {
			char none[1];

			rc = decode(none, 0, NULL, eq + 1, len - klen - 1, 1, TOTP_OK);
			if (rc < 0)
				return rc;
		}
		for (size_t k = 0; krc == TOTP_OK && k < K_COUNT; k++) {
			if (keys[k].set || !caseeq(key, strlen(key), key_names[k]))
				continue;
			keys[k].set = 1;
			keys[k].p = eq ? eq + 1 : item + len;
			keys[k].n = eq ? len - klen - 1 : 0;
		}
		i += len + 1;
	}
	return TOTP_OK;
}

/* Decode the secret text into e->secret; the scratch copy is wiped. */
static int parse_secret(struct totp_entry *e, const char *s, size_t n, int plus)
{
	char buf[SECRET_TEXT_MAX];
	size_t len = 0;
	int rc;

	rc = decode(buf, sizeof(buf), &len, s, n, plus, TOTP_E_SECRET_LONG);
	if (rc == TOTP_OK) {
		rc = totp_base32_decode(e->secret, sizeof(e->secret), &e->secret_len, buf, len);
		if (rc == TOTP_E_NOSPACE)
			rc = TOTP_E_SECRET_LONG;
	}
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/* steam://SECRET: the base32 secret is the authority; there is no label. */
static int parse_steam_scheme(struct totp_entry *e, const char *s, size_t n)
{
	size_t len = 0;
	int rc;

	while (len < n && s[len] != '/' && s[len] != '?' && s[len] != '#')
		len++;
	if (len == 0)
		return TOTP_E_URI_SECRET;
	rc = parse_secret(e, s, len, 0);
	if (rc)
		return rc;
	memcpy(e->issuer, "Steam", sizeof("Steam"));
	memcpy(e->account, "Steam", sizeof("Steam"));
	e->type = TOTP_TYPE_STEAM;
	e->digits = 5;
	return TOTP_OK;
}

/*
 * The label: split on the first colon, literal or %3A.  Spaces (' ' or
 * %20) after the colon are skipped unless the issuer part is empty, so
 * ":ACCOUNT" carries any account verbatim.
 */
static int parse_label(struct totp_entry *e, char prefix[TOTP_LABEL_MAX], const char *s, size_t n)
{
	size_t i = 0, sep = 0, rest = 0;
	unsigned char c;
	int rc, found = 0;

	for (;;) {
		size_t before = i;

		rc = next_byte(s, n, &i, 0, &c);
		if (rc <= 0)
			break;
		if (c == ':') {
			sep = before;
			rest = i;
			found = 1;
			break;
		}
	}
	if (rc < 0)
		return rc;
	if (found && sep > 0) {
		rc = decode_text(prefix, s, sep, 0);
		if (rc)
			return rc;
		for (size_t j = rest; next_byte(s, n, &j, 0, &c) > 0 && c == ' ';)
			rest = j;
	}
	rc = decode_text(e->account, s + rest, n - rest, 0);
	if (rc)
		return rc;
	return e->account[0] ? TOTP_OK : TOTP_E_LABEL;
}

/* The issuer= parameter when present, else the label's issuer part. */
static int parse_issuer(struct totp_entry *e, unsigned *warn, const struct span *param,
                        const char *prefix)
{
	int rc;

	if (param->n == 0) {
		memcpy(e->issuer, prefix, TOTP_LABEL_MAX);
		return TOTP_OK;
	}
	rc = decode_text(e->issuer, param->p, param->n, 1);
	if (rc == TOTP_OK && prefix[0] && strcmp(prefix, e->issuer) != 0)
		*warn |= TOTP_W_ISSUER_MISMATCH;
	return rc;
}

static int parse_params(struct totp_entry *e, unsigned *warn, const struct span keys[K_COUNT],
                        int steam)
{
	char buf[SHORT_MAX];
	uint64_t v;
	int rc, digits_given = keys[K_DIGITS].n > 0;

	if (keys[K_SECRET].n == 0)
		return TOTP_E_URI_SECRET;
	rc = parse_secret(e, keys[K_SECRET].p, keys[K_SECRET].n, 1);
	if (rc)
		return rc;

	if (keys[K_ALGORITHM].n > 0) {
		rc = decode(buf, sizeof(buf), NULL, keys[K_ALGORITHM].p, keys[K_ALGORITHM].n, 1,
		            TOTP_E_ALGO);
		if (rc == TOTP_OK)
			rc = totp_algo_parse(&e->algo, buf);
		if (rc)
			return rc;
	}
	if (digits_given) {
		rc = parse_num(&v, &keys[K_DIGITS], TOTP_DIGITS_MIN, TOTP_DIGITS_MAX,
		               TOTP_E_DIGITS);
		if (rc)
			return rc;
		e->digits = (unsigned)v;
	}
	if (e->type != TOTP_TYPE_HOTP && keys[K_PERIOD].n > 0) {
		rc = parse_num(&v, &keys[K_PERIOD], 1, TOTP_PERIOD_MAX, TOTP_E_PERIOD);
		if (rc)
			return rc;
		e->period = (unsigned)v;
	}
	if (e->type == TOTP_TYPE_HOTP && keys[K_COUNTER].n > 0) {
		rc = parse_num(&e->counter, &keys[K_COUNTER], 0, UINT64_MAX, TOTP_E_COUNTER);
		if (rc)
			return rc;
	}
	if (e->type == TOTP_TYPE_TOTP && keys[K_ENCODER].n > 0) {
		rc = decode(buf, sizeof(buf), NULL, keys[K_ENCODER].p, keys[K_ENCODER].n, 1, 1);
		if (rc < 0)
			return rc;
		steam |= rc == TOTP_OK && caseeq(buf, strlen(buf), "steam");
	}
	/* FreeOTP and Steam Desktop Authenticator mark Steam by the issuer. */
	if (e->type == TOTP_TYPE_TOTP && caseeq(e->issuer, strlen(e->issuer), "steam") &&
	    (!digits_given || e->digits == 5) && e->algo == TOTP_ALGO_SHA1)
		steam = 1;
	if (steam) {
		e->type = TOTP_TYPE_STEAM;
		e->digits = 5;
		e->algo = TOTP_ALGO_SHA1;
	} else if (e->digits < 6 || e->digits > 8) {
		*warn |= TOTP_W_DIGITS;
	}
	return TOTP_OK;
}

/* *named is set once issuer and account are known (and valid). */
static int parse_otpauth(struct totp_entry *e, unsigned *warn, int *named, const char *s, size_t n)
{
	struct span keys[K_COUNT];
	char prefix[TOTP_LABEL_MAX] = "";
	char tname[8];
	size_t t = 0, p, q, end;
	int rc, steam = 0;

	memset(keys, 0, sizeof(keys));
	while (t < n && s[t] != '/' && s[t] != '?' && s[t] != '#')
		t++;
	if (t >= sizeof(tname))
		return TOTP_E_URI_TYPE;
	memcpy(tname, s, t);
	tname[t] = '\0';
	rc = totp_type_parse(&e->type, tname);
	if (rc)
		return TOTP_E_URI_TYPE;
	if (e->type == TOTP_TYPE_STEAM) {
		e->type = TOTP_TYPE_TOTP;
		steam = 1;
	}
	if (t == n || s[t] != '/')
		return TOTP_E_URI_SYNTAX;

	end = t + 1;
	while (end < n && s[end] != '#')
		end++;
	p = t + 1;
	q = p;
	while (q < end && s[q] != '?')
		q++;
	if (q < end) {
		rc = scan_query(keys, s + q + 1, end - q - 1);
		if (rc)
			return rc;
	}
	rc = parse_label(e, prefix, s + p, q - p);
	if (rc == TOTP_OK)
		rc = parse_issuer(e, warn, &keys[K_ISSUER], prefix);
	if (rc)
		return rc;
	*named = 1;
	return parse_params(e, warn, keys, steam);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * White space around the whole URI is ignored (a line read from a file);
 * control characters and NUL inside it are syntax errors.  On error the
 * entry is wiped, but a valid issuer and account already parsed are put
 * back (they are not secret), so a caller can say which account failed.
 */
int totp_uri_parse(struct totp_entry *e, unsigned *warnings, const char *uri, size_t len)
{
	char issuer[TOTP_LABEL_MAX], account[TOTP_LABEL_MAX];
	unsigned warn = 0;
	size_t b = 0, colon;
	int rc, named = 0;

	if (warnings)
		*warnings = 0;
	if (!e || (!uri && len))
		return TOTP_E_INVAL;
	totp_entry_wipe(e);
	while (len > 0 && is_space(uri[len - 1]))
		len--;
	while (b < len && is_space(uri[b]))
		b++;
	uri += b;
	len -= b;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)uri[i];

		if (c < 0x20 || c == 0x7f) {
			rc = TOTP_E_URI_SYNTAX;
			goto out;
		}
	}
	colon = 0;
	while (colon < len && uri[colon] != ':')
		colon++;
	if (colon == len || !(caseeq(uri, colon, "otpauth") || caseeq(uri, colon, "steam"))) {
		rc = TOTP_E_URI_SCHEME;
		goto out;
	}
	if (len - colon < 3 || uri[colon + 1] != '/' || uri[colon + 2] != '/') {
		rc = TOTP_E_URI_SYNTAX;
		goto out;
	}
	if (colon == 5)
		rc = parse_steam_scheme(e, uri + 8, len - 8);
	else
		rc = parse_otpauth(e, &warn, &named, uri + 10, len - 10);
	if (rc == TOTP_OK)
		rc = totp_entry_check(e);
	if (rc == TOTP_OK && e->secret_len < 16)
		warn |= TOTP_W_SHORT_SECRET;
out:
	if (rc) {
		if (named) {
			memcpy(issuer, e->issuer, sizeof(issuer));
			memcpy(account, e->account, sizeof(account));
		}
		totp_entry_wipe(e);
		if (named) {
			memcpy(e->issuer, issuer, sizeof(issuer));
			memcpy(e->account, account, sizeof(account));
		}
		warn = 0;
	}
	if (warnings)
		*warnings = warn;
	return rc;
}
