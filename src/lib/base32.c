/*
 * base32.c - RFC 4648 section 6 base32, encoded canonically (upper case,
 * unpadded) and decoded leniently, the way authenticator apps read secrets.
 *
 * Secret-dependent values are mapped to and from characters with
 * arithmetic masks instead of table lookups, so the memory access pattern
 * does not depend on the secret.
 */
#include "internal.h"

/* 0xffffffff when lo <= x <= hi, else 0 (x, lo, hi below 2^16). */
static uint32_t in_range(uint32_t x, uint32_t lo, uint32_t hi)
{
	uint32_t below = (x - lo) >> 31; /* 1 when x < lo */
	uint32_t above = (hi - x) >> 31; /* 1 when x > hi */

	return ((below | above) & 1) - 1;
}

/* The character of a 5-bit value: 0..25 -> 'A'..'Z', 26..31 -> '2'..'7'. */
static char b32_char(uint32_t v)
{
	uint32_t digit = in_range(v, 26, 31);

	return (char)(v + 'A' + (digit & (uint32_t)('2' - 26 - 'A')));
}

/* The 5-bit value of c (either case), or -1 outside the alphabet. */
static int b32_value(unsigned char c)
{
	uint32_t x = c;
	uint32_t upper = in_range(x, 'A', 'Z');
	uint32_t lower = in_range(x, 'a', 'z');
	uint32_t digit = in_range(x, '2', '7');
	uint32_t v = (upper & (x - 'A')) | (lower & (x - 'a')) | (digit & (x - '2' + 26));
	uint32_t valid = upper | lower | digit;

	return (int)(v & valid) - (int)(~valid & 1);
}

static int is_ignored(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '-';
}

size_t totp_base32_encoded_size(size_t n)
{
	static const unsigned char tail[5] = {0, 2, 4, 5, 7};
	size_t groups = n / 5;

	if (groups > (SIZE_MAX - 8) / 8)
		return SIZE_MAX;
	return groups * 8 + tail[n % 5] + 1;
}

int totp_base32_encode(char *out, size_t outsz, const uint8_t *in, size_t inlen)
{
	size_t need = totp_base32_encoded_size(inlen), o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if (!out || (!in && inlen))
		return TOTP_E_INVAL;
	if (need == SIZE_MAX || outsz < need)
		return TOTP_E_NOSPACE;
	for (size_t i = 0; i < inlen; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_char((acc >> bits) & 31);
		}
	}
	if (bits)
		out[o++] = b32_char((acc << (5 - bits)) & 31);
	out[o] = '\0';
	return TOTP_OK;
}

int totp_base32_decode(uint8_t *out, size_t outsz, size_t *outlen, const char *in, size_t inlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t end = inlen, nchars = 0, nbytes, o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if (outlen)
		*outlen = 0;
	if (!outlen || (!in && inlen) || (!out && outsz))
		return TOTP_E_INVAL;

	/* Trailing '=' padding, wherever white space or '-' sits around it. */
	while (end > 0 && (is_ignored(s[end - 1]) || s[end - 1] == '='))
		end--;

	/* Validate everything before writing anything. */
	for (size_t i = 0; i < end; i++) {
		if (is_ignored(s[i]))
			continue;
		if (b32_value(s[i]) < 0)
			return TOTP_E_BASE32;
		nchars++;
	}
	if (nchars == 0)
		return TOTP_E_SECRET_EMPTY;
	switch (nchars % 8) {
	case 1:
	case 3:
	case 6:
		return TOTP_E_BASE32_LENGTH;
	default:
		break;
	}
	nbytes = nchars / 8 * 5 + (nchars % 8) * 5 / 8;
	if (nbytes > outsz)
		return TOTP_E_NOSPACE;

	/* Bits left over in the last character are dropped, as Google
	 * Authenticator does; they need not be zero. */
	for (size_t i = 0; i < end; i++) {
		if (is_ignored(s[i]))
			continue;
		acc = (acc << 5 | (uint32_t)b32_value(s[i])) & 0x1fff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*outlen = o;
	return TOTP_OK;
}
