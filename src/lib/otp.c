/*
 * otp.c - HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard codes, their
 * time-step arithmetic, and verification of a code over a window.
 */
#include <limits.h>
#include <string.h>

#include <sodium.h>

#include "internal.h"

#define STEAM_CHARS 5
static const char steam_alphabet[] = "23456789BCDFGHJKMNPQRTVWXY";
#define STEAM_RADIX (sizeof(steam_alphabet) - 1)

static const uint64_t powers_of_ten[TOTP_DIGITS_MAX + 1] = {
        1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000,
};

/* RFC 4226 5.3: the offset is the low nibble of the digest's last byte;
 * the four bytes there, big-endian, without the sign bit. */
static uint32_t truncate_digest(const uint8_t *d, size_t len)
{
	return totp_load_be32(d + (d[len - 1] & 0x0f)) & 0x7fffffffu;
}

uint32_t totp_hotp_value(const struct totp_hmac *h, uint64_t counter)
{
	uint8_t msg[8], d[TOTP_HMAC_MAX_BYTES];
	uint32_t v;

	totp_store_be64(msg, counter);
	totp_hmac_mac(h, d, msg, sizeof(msg));
	v = truncate_digest(d, h->len);
	sodium_memzero(d, sizeof(d));
	return v;
}

int totp_code_format(char *out, size_t outsz, uint32_t value, unsigned digits, enum totp_type type)
{
	size_t n;

	if (!out)
		return TOTP_E_INVAL;
	if (outsz > 0)
		out[0] = '\0';
	switch (type) {
	case TOTP_TYPE_TOTP:
	case TOTP_TYPE_HOTP:
		if (digits < TOTP_DIGITS_MIN || digits > TOTP_DIGITS_MAX)
			return TOTP_E_DIGITS;
		n = digits;
		break;
	case TOTP_TYPE_STEAM:
		n = STEAM_CHARS;
		break;
	default:
		return TOTP_E_INVAL;
	}
	if (outsz <= n)
		return TOTP_E_NOSPACE;

	if (type == TOTP_TYPE_STEAM) {
		/* Least significant base-26 digit first, no reduction. */
		for (size_t i = 0; i < n; i++) {
			out[i] = steam_alphabet[value % STEAM_RADIX];
			value /= STEAM_RADIX;
		}
	} else {
		uint64_t v = value % powers_of_ten[n];

		for (size_t i = n; i-- > 0; v /= 10)
			out[i] = (char)('0' + v % 10);
	}
	out[n] = '\0';
	return TOTP_OK;
}

/*
 * t - t0 is computed on magnitudes in uint64_t, where it cannot overflow.
 * A step beyond the int64_t range (only possible with tiny periods at the
 * ends of the time range) saturates to INT64_MIN or INT64_MAX.  period 0 is
 * a caller error and gives 0.
 */
int64_t totp_time_step(int64_t t, int64_t t0, unsigned period)
{
	uint64_t d, q;

	if (period == 0)
		return 0;
	if (t >= t0) {
		q = ((uint64_t)t - (uint64_t)t0) / period;
		return q > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)q;
	}
	d = (uint64_t)t0 - (uint64_t)t;
	q = d / period + (d % period != 0);
	if (q > (uint64_t)INT64_MAX)
		return INT64_MIN;
	return -(int64_t)q;
}

/* 1..period (period itself at the first second of a step); 0 when period
 * is 0. */
unsigned totp_time_remaining(int64_t t, int64_t t0, unsigned period)
{
	uint64_t r;

	if (period == 0)
		return 0;
	if (t >= t0) {
		r = ((uint64_t)t - (uint64_t)t0) % period;
	} else {
		r = ((uint64_t)t0 - (uint64_t)t) % period;
		r = r ? period - r : 0;
	}
	return period - (unsigned)r;
}

/* The fields the computations use, for a counter (timed = 0) or a time. */
static int check_entry(const struct totp_entry *e, int timed)
{
	if (!e)
		return TOTP_E_INVAL;
	switch (e->type) {
	case TOTP_TYPE_TOTP:
	case TOTP_TYPE_HOTP:
		if (e->digits < TOTP_DIGITS_MIN || e->digits > TOTP_DIGITS_MAX)
			return TOTP_E_DIGITS;
		break;
	case TOTP_TYPE_STEAM:
		break; /* always five characters */
	default:
		return TOTP_E_ENTRY;
	}
	switch (e->algo) {
	case TOTP_ALGO_SHA1:
	case TOTP_ALGO_SHA256:
	case TOTP_ALGO_SHA512:
		break;
	default:
		return TOTP_E_ALGO;
	}
	if (timed && (e->period < 1 || e->period > TOTP_PERIOD_MAX))
		return TOTP_E_PERIOD;
	if (e->secret_len == 0)
		return TOTP_E_SECRET_EMPTY;
	if (e->secret_len > TOTP_SECRET_MAX)
		return TOTP_E_SECRET_LONG;
	return TOTP_OK;
}

/* The counter of the step containing t: exact for every t >= t0, since the
 * difference of two int64_t values fits a uint64_t when it is not
 * negative.  Times before t0 have no counter. */
static int time_counter(uint64_t *counter, int64_t t, int64_t t0, unsigned period)
{
	if (t < t0)
		return TOTP_E_TIME;
	*counter = ((uint64_t)t - (uint64_t)t0) / period;
	return TOTP_OK;
}

int totp_hotp(char *out, size_t outsz, const struct totp_entry *e, uint64_t counter)
{
	struct totp_hmac h;
	int rc;

	rc = check_entry(e, 0);
	if (rc != TOTP_OK)
		return rc;
	rc = totp_hmac_init(&h, e->algo, e->secret, e->secret_len);
	if (rc != TOTP_OK)
		goto out;
	rc = totp_code_format(out, outsz, totp_hotp_value(&h, counter), e->digits, e->type);
out:
	totp_hmac_wipe(&h);
	return rc;
}

int totp_totp(char *out, size_t outsz, const struct totp_entry *e, int64_t t, int64_t t0)
{
	uint64_t counter;
	int rc;

	rc = check_entry(e, 1);
	if (rc != TOTP_OK)
		return rc;
	rc = time_counter(&counter, t, t0, e->period);
	if (rc != TOTP_OK)
		return rc;
	return totp_hotp(out, outsz, e, counter);
}

int totp_code(char *out, size_t outsz, const struct totp_entry *e, int64_t now)
{
	if (!e)
		return TOTP_E_INVAL;
	if (e->type == TOTP_TYPE_HOTP)
		return totp_hotp(out, outsz, e, e->counter);
	return totp_totp(out, outsz, e, now, 0);
}

/* Branch-free helpers for the verifiers: 1 when x is 0, else 0; and
 * "keep the first match" selection of an offset. */
static uint64_t is_zero(uint64_t x)
{
	return ((x | (0 - x)) >> 63) ^ 1;
}

static void take_first(uint64_t *found, uint64_t *off, uint64_t eq, uint64_t candidate)
{
	uint64_t mask = 0 - (eq & (*found ^ 1));

	*off = (*off & ~mask) | (candidate & mask);
	*found |= eq;
}

/*
 * TOTP and Steam: every step from -window to +window is computed and
 * compared, in the order 0, -1, +1, -2, +2, ... so that of two matches the
 * one nearer now is reported.  Steps that would be negative or overflow
 * are skipped (they depend only on public inputs).
 */
static int verify_timed(int64_t *offset, const struct totp_entry *e, const char *code, int64_t now,
                        uint64_t window)
{
	struct totp_hmac h;
	char want[TOTP_CODE_MAX], got[TOTP_CODE_MAX] = {0};
	uint64_t found = 0, off = 0, lenok;
	size_t n, codelen;
	int64_t base;
	int rc;

	rc = check_entry(e, 1);
	if (rc != TOTP_OK)
		return rc;
	if (window > TOTP_WINDOW_MAX_TOTP)
		return TOTP_E_INVAL;
	n = e->type == TOTP_TYPE_STEAM ? STEAM_CHARS : e->digits;
	codelen = strnlen(code, sizeof(got));
	lenok = codelen == n;
	for (size_t i = 0; i < n && i < codelen; i++) {
		char c = code[i];

		/* Steam's alphabet is upper case; accept what people type. */
		if (e->type == TOTP_TYPE_STEAM && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		got[i] = c;
	}

	rc = totp_hmac_init(&h, e->algo, e->secret, e->secret_len);
	if (rc != TOTP_OK)
		goto out;
	base = totp_time_step(now, 0, e->period);
	for (uint64_t i = 0; i <= 2 * window; i++) {
		int64_t k = (i & 1) ? -(int64_t)((i + 1) / 2) : (int64_t)(i / 2);
		unsigned diff = 0;

		if (k > 0 ? base > INT64_MAX - k : base < -k)
			continue;
		rc = totp_code_format(want, sizeof(want), totp_hotp_value(&h, (uint64_t)(base + k)),
		                      e->digits, e->type);
		if (rc != TOTP_OK)
			goto out;
		for (size_t j = 0; j < n; j++)
			diff |= (unsigned char)(want[j] ^ got[j]);
		take_first(&found, &off, lenok & is_zero(diff), (uint64_t)k);
	}
	rc = found ? TOTP_OK : TOTP_E_MISMATCH;
	if (found && offset)
		*offset = (int64_t)off;
out:
	totp_hmac_wipe(&h);
	sodium_memzero(want, sizeof(want));
	sodium_memzero(got, sizeof(got));
	return rc;
}

/* A decimal code of exactly `digits` digits, as a number. */
static int parse_decimal(uint64_t *out, const char *code, unsigned digits)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < digits; i++) {
		if (code[i] < '0' || code[i] > '9')
			return TOTP_E_MISMATCH;
		v = v * 10 + (uint64_t)(code[i] - '0');
	}
	if (code[i] != '\0')
		return TOTP_E_MISMATCH;
	*out = v;
	return TOTP_OK;
}

/*
 * HOTP look-ahead: counters e->counter .. e->counter + window (stopping at
 * UINT64_MAX).  The candidate is parsed once and compared as a number with
 * each truncated value mod 10^digits; the keyed HMAC state and the
 * serialised counter are carried from one counter to the next, and every
 * counter is computed whether or not an earlier one matched.
 */
static int verify_hotp(int64_t *offset, const struct totp_entry *e, const char *code,
                       uint64_t window)
{
	struct totp_hmac h;
	uint8_t msg[8], d[TOTP_HMAC_MAX_BYTES];
	uint64_t want = 0, found = 0, off = 0, last;
	uint32_t mod;
	int rc;

	rc = check_entry(e, 0);
	if (rc != TOTP_OK)
		return rc;
	if (window > TOTP_WINDOW_MAX_HOTP)
		return TOTP_E_INVAL;
	rc = parse_decimal(&want, code, e->digits);
	if (rc != TOTP_OK)
		return rc;
	last = UINT64_MAX - e->counter < window ? UINT64_MAX - e->counter : window;
	/* A 32-bit divisor is quicker; values are < 2^31, so for 10 digits any
	 * divisor above that leaves them unchanged, as 10^10 would. */
	mod = e->digits < 10 ? (uint32_t)powers_of_ten[e->digits] : UINT32_MAX;

	rc = totp_hmac_init(&h, e->algo, e->secret, e->secret_len);
	if (rc != TOTP_OK)
		goto out;
	totp_store_be64(msg, e->counter);
	for (uint64_t i = 0;; i++) {
		totp_hmac_mac(&h, d, msg, sizeof(msg));
		take_first(&found, &off, is_zero((truncate_digest(d, h.len) % mod) ^ want), i);
		if (i == last)
			break;
		for (int j = 7; j >= 0 && ++msg[j] == 0; j--)
			;
	}
	rc = found ? TOTP_OK : TOTP_E_MISMATCH;
	if (found && offset)
		*offset = (int64_t)off;
out:
	totp_hmac_wipe(&h);
	sodium_memzero(d, sizeof(d));
	sodium_memzero(&want, sizeof(want));
	return rc;
}

int totp_verify(int64_t *offset, const struct totp_entry *e, const char *code, int64_t now,
                uint64_t window)
{
	if (!e || !code)
		return TOTP_E_INVAL;
	if (e->type == TOTP_TYPE_HOTP)
		return verify_hotp(offset, e, code, window);
	return verify_timed(offset, e, code, now, window);
}
