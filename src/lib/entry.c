/*
 * entry.c - one account: defaults, guarded allocation, validation, labels
 * and the names of types and algorithms.
 */
#include <string.h>

#include <sodium.h>

#include "internal.h"

void totp_entry_init(struct totp_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->type = TOTP_TYPE_TOTP;
	e->algo = TOTP_ALGO_SHA1;
	e->digits = 6;
	e->period = 30;
	e->counter = 0;
}

struct totp_entry *totp_entry_new(void)
{
	struct totp_entry *e;

	if (sodium_init() < 0)
		return NULL;
	e = sodium_malloc(sizeof(*e));
	if (e)
		totp_entry_init(e);
	return e;
}

void totp_entry_free(struct totp_entry *e)
{
	if (!e)
		return;
	sodium_memzero(e, sizeof(*e));
	sodium_free(e);
}

/* Zeroes every byte, then restores the defaults of totp_entry_init. */
void totp_entry_wipe(struct totp_entry *e)
{
	if (!e)
		return;
	sodium_memzero(e, sizeof(*e));
	totp_entry_init(e);
}

/* Labels are printed on terminals and in tab-separated lists: valid UTF-8
 * and no control characters (which could also carry escape sequences). */
int totp_label_text_check(const char *s, size_t len)
{
	if (totp_ascii_printable(s, len))
		return TOTP_OK;
	if (!totp_utf8_valid(s, len))
		return TOTP_E_UTF8;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return TOTP_E_LABEL;
	return TOTP_OK;
}

int totp_entry_check(const struct totp_entry *e)
{
	struct totp_entry_view view;
	const char *nul;

	if (!e)
		return TOTP_E_INVAL;
	/* Each label must end inside its array; the issuer is judged first. */
	nul = memchr(e->issuer, '\0', TOTP_LABEL_MAX);
	if (!nul)
		return TOTP_E_LABEL;
	view.issuer = e->issuer;
	view.issuer_len = (size_t)(nul - e->issuer);
	nul = memchr(e->account, '\0', TOTP_LABEL_MAX);
	if (!nul) {
		int rc = totp_label_text_check(view.issuer, view.issuer_len);

		return rc ? rc : TOTP_E_LABEL;
	}
	view.account = e->account;
	view.account_len = (size_t)(nul - e->account);
	view.secret_len = e->secret_len;
	view.type = e->type;
	view.algo = e->algo;
	view.digits = e->digits;
	view.period = e->period;
	return totp_entry_view_check(&view);
}

int totp_entry_view_check(const struct totp_entry_view *e)
{
	int rc = totp_label_text_check(e->issuer, e->issuer_len);

	if (rc)
		return rc;
	rc = totp_label_text_check(e->account, e->account_len);
	if (rc)
		return rc;
	if (e->account_len == 0)
		return TOTP_E_LABEL;
	if (e->secret_len == 0)
		return TOTP_E_SECRET_EMPTY;
	if (e->secret_len > TOTP_SECRET_MAX)
		return TOTP_E_SECRET_LONG;
	if ((unsigned)e->type > (unsigned)TOTP_TYPE_STEAM)
		return TOTP_E_ENTRY;
	if ((unsigned)e->algo > (unsigned)TOTP_ALGO_SHA512)
		return TOTP_E_ALGO;
	if (e->type == TOTP_TYPE_STEAM ? e->digits != 5
	                               : e->digits < TOTP_DIGITS_MIN || e->digits > TOTP_DIGITS_MAX)
		return TOTP_E_DIGITS;
	if (e->type != TOTP_TYPE_HOTP && (e->period < 1 || e->period > TOTP_PERIOD_MAX))
		return TOTP_E_PERIOD;
	return TOTP_OK;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Narrows [*b, *end) to drop ASCII white space at both ends. */
static void trim(const char **b, const char **end)
{
	while (*b < *end && is_space(**b))
		(*b)++;
	while (*end > *b && is_space((*end)[-1]))
		(*end)--;
}

static int check_part(const char *b, const char *end)
{
	size_t n = (size_t)(end - b);

	if (n >= TOTP_LABEL_MAX)
		return TOTP_E_LABEL;
	return totp_label_text_check(b, n);
}

/*
 * White space is trimmed from the whole label and from both sides of the
 * first colon.  Nothing changes unless the whole label is valid, by the
 * rules of totp_entry_check (control characters inside are TOTP_E_LABEL).
 */
int totp_entry_set_label(struct totp_entry *e, const char *label)
{
	const char *b, *end, *colon, *ib = NULL, *iend = NULL;
	int rc;

	if (!e || !label)
		return TOTP_E_INVAL;
	b = label;
	end = label + strlen(label);
	trim(&b, &end);
	colon = memchr(b, ':', (size_t)(end - b));
	if (colon) {
		ib = b;
		iend = colon;
		trim(&ib, &iend);
		b = colon + 1;
		trim(&b, &end);
		rc = check_part(ib, iend);
		if (rc)
			return rc;
	}
	if (b == end)
		return TOTP_E_LABEL;
	rc = check_part(b, end);
	if (rc)
		return rc;
	if (ib && ib != iend) {
		memcpy(e->issuer, ib, (size_t)(iend - ib));
		memset(e->issuer + (iend - ib), 0, sizeof(e->issuer) - (size_t)(iend - ib));
	}
	memcpy(e->account, b, (size_t)(end - b));
	memset(e->account + (end - b), 0, sizeof(e->account) - (size_t)(end - b));
	return TOTP_OK;
}

int totp_entry_label(char *out, size_t outsz, const struct totp_entry *e)
{
	size_t ilen, alen, need;

	if (!out || !e)
		return TOTP_E_INVAL;
	if (!memchr(e->issuer, '\0', TOTP_LABEL_MAX) || !memchr(e->account, '\0', TOTP_LABEL_MAX))
		return TOTP_E_LABEL;
	ilen = strlen(e->issuer);
	alen = strlen(e->account);
	need = ilen + (ilen ? 1 : 0) + alen + 1;
	if (outsz < need)
		return TOTP_E_NOSPACE;
	if (ilen) {
		memcpy(out, e->issuer, ilen);
		out[ilen++] = ':';
	}
	memcpy(out + ilen, e->account, alen + 1);
	return TOTP_OK;
}

static const char *const type_names[] = {
        [TOTP_TYPE_TOTP] = "totp",
        [TOTP_TYPE_HOTP] = "hotp",
        [TOTP_TYPE_STEAM] = "steam",
};

static const char *const algo_names[] = {
        [TOTP_ALGO_SHA1] = "SHA1",
        [TOTP_ALGO_SHA256] = "SHA256",
        [TOTP_ALGO_SHA512] = "SHA512",
};

const char *totp_type_name(enum totp_type t)
{
	if ((unsigned)t >= TOTP_ARRAY_LEN(type_names))
		return "unknown";
	return type_names[t];
}

const char *totp_algo_name(enum totp_algo a)
{
	if ((unsigned)a >= TOTP_ARRAY_LEN(algo_names))
		return "unknown";
	return algo_names[a];
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int ascii_caseeq(const char *a, const char *b)
{
	while (*a && ascii_lower(*a) == ascii_lower(*b)) {
		a++;
		b++;
	}
	return *a == *b;
}

/* "SHA1", "sha-1", "Sha256", "SHA-512", ...; at most one '-' after "SHA". */
int totp_algo_parse(enum totp_algo *out, const char *name)
{
	static const char *const bits[] = {
	        [TOTP_ALGO_SHA1] = "1",
	        [TOTP_ALGO_SHA256] = "256",
	        [TOTP_ALGO_SHA512] = "512",
	};

	if (!out || !name)
		return TOTP_E_INVAL;
	if (ascii_lower(name[0]) != 's' || ascii_lower(name[1]) != 'h' ||
	    ascii_lower(name[2]) != 'a')
		return TOTP_E_ALGO;
	name += 3;
	if (*name == '-')
		name++;
	for (size_t i = 0; i < TOTP_ARRAY_LEN(bits); i++) {
		if (strcmp(name, bits[i]) == 0) {
			*out = (enum totp_algo)i;
			return TOTP_OK;
		}
	}
	return TOTP_E_ALGO;
}

int totp_type_parse(enum totp_type *out, const char *name)
{
	if (!out || !name)
		return TOTP_E_INVAL;
	for (size_t i = 0; i < TOTP_ARRAY_LEN(type_names); i++) {
		if (ascii_caseeq(name, type_names[i])) {
			*out = (enum totp_type)i;
			return TOTP_OK;
		}
	}
	return TOTP_E_URI_TYPE;
}
