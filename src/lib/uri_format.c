/*
 * uri_format.c - writing otpauth:// key URIs that authenticator apps read
 * and that totp_uri_parse turns back into the identical entry.
 *
 *   otpauth://totp/Issuer:account?secret=B32&issuer=Issuer
 *                  &algorithm=SHA1&digits=6&period=30
 *   otpauth://hotp/...&algorithm=SHA1&digits=6&counter=N
 *   otpauth://steam/...&algorithm=SHA1&digits=5&period=30&encoder=steam
 *
 * Steam uses the "steam" type, which Aegis, 2FAS and Ente read, plus
 * encoder=steam, which KeePassXC (which ignores the type) reads.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "internal.h"

struct out {
	char *p;
	size_t size, len;
	int err;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->err)
		return;
	if (o->size - o->len <= n) {
		o->err = TOTP_E_NOSPACE;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Percent-encode everything outside RFC 3986's unreserved characters. */
static void put_encoded(struct out *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[3] = {'%', hex[c >> 4], hex[c & 15]};

		if (unreserved(c))
			put(o, s, 1);
		else
			put(o, esc, 3);
	}
}

static void put_number(struct out *o, const char *key, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "&%s=%llu", key, (unsigned long long)v);

	put(o, buf, (size_t)n);
}

/*
 * The label is "Issuer:account" when that splits back unambiguously.
 * Otherwise (no issuer, a colon in the issuer, or an account starting
 * with a space, which the parser would trim) it is just the account, with
 * a leading ':' when the account itself holds a colon; the issuer is then
 * carried by the issuer parameter alone.
 */
static void put_label(struct out *o, const struct totp_entry *e)
{
	if (e->issuer[0] && !strchr(e->issuer, ':') && e->account[0] != ' ') {
		put_encoded(o, e->issuer);
		put(o, ":", 1);
	} else if (strchr(e->account, ':')) {
		put(o, ":", 1);
	}
	put_encoded(o, e->account);
}

int totp_uri_format(char *out, size_t outsz, const struct totp_entry *e)
{
	char secret[TOTP_SECRET_MAX * 8 / 5 + 2];
	struct out o = {out, outsz, 0, 0};
	int rc;

	if (!out || !e)
		return TOTP_E_INVAL;
	if (outsz == 0)
		return TOTP_E_NOSPACE;
	out[0] = '\0';
	rc = totp_entry_check(e);
	if (rc)
		return rc;
	rc = totp_base32_encode(secret, sizeof(secret), e->secret, e->secret_len);
	if (rc)
		goto out;

	puts_(&o, "otpauth://");
	puts_(&o, totp_type_name(e->type));
	put(&o, "/", 1);
	put_label(&o, e);
	puts_(&o, "?secret=");
	puts_(&o, secret);
	if (e->issuer[0]) {
		puts_(&o, "&issuer=");
		put_encoded(&o, e->issuer);
	}
	puts_(&o, "&algorithm=");
	puts_(&o, totp_algo_name(e->algo));
	put_number(&o, "digits", e->digits);
	if (e->type == TOTP_TYPE_HOTP)
		put_number(&o, "counter", e->counter);
	else
		put_number(&o, "period", e->period);
	if (e->type == TOTP_TYPE_STEAM)
		puts_(&o, "&encoder=steam");
	rc = o.err;
out:
	sodium_memzero(secret, sizeof(secret));
	if (rc)
		sodium_memzero(out, outsz);
	return rc;
}
