/*
 * utf8.c - strict UTF-8 validation (RFC 3629).
 */
#include <string.h>

#include "internal.h"

/*
 * Accepts exactly the shortest-form encodings of U+0001..U+D7FF and
 * U+E000..U+10FFFF.  Rejected: NUL bytes, stray continuation bytes, C0/C1
 * and F5..FF lead bytes, truncated sequences, overlong forms, UTF-16
 * surrogates and code points above U+10FFFF.
 */
int totp_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (!s)
		return len == 0;
	while (i < len) {
		unsigned c = p[i];
		unsigned lo = 0x80, hi = 0xbf;
		size_t n;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0; /* overlong below U+0800 */
			else if (c == 0xed)
				hi = 0x9f; /* surrogates U+D800..U+DFFF */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90; /* overlong below U+10000 */
			else if (c == 0xf4)
				hi = 0x8f; /* above U+10FFFF */
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (size_t k = 2; k <= n; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * A word holds a byte outside 0x20..0x7e when one has its top bit set, when
 * adding 1 to each carries into a top bit (0x7f), or when subtracting 0x20
 * from each borrows into the top bit of a byte that lacked it (below 0x20).
 * Carries and borrows between bytes can mark other bytes too, but only
 * after a byte that is itself out of range, so the answer for the word is
 * exact.  A tail shorter than a word is read as the last eight bytes.
 */
static uint64_t out_of_range(const char *s)
{
	const uint64_t ones = 0x0101010101010101u;
	uint64_t x;

	memcpy(&x, s, 8);
	return ((x - 0x20 * ones) & ~x) | x | (x + ones);
}

int totp_ascii_printable(const char *s, size_t len)
{
	uint64_t bad = 0;
	size_t i = 0;

	if (len < 8) {
		for (; i < len; i++)
			if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
				return 0;
		return 1;
	}
	for (; len - i > 8; i += 8)
		bad |= out_of_range(s + i);
	bad |= out_of_range(s + len - 8);
	return !(bad & 0x8080808080808080u);
}
