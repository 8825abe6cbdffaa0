/*
 * util.c - parsing of numbers, times, durations and sizes; JSON strings;
 * directories created like mkdir -p.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits_at(const char *s, int n, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * Unix seconds (optionally negative), or ISO 8601 UTC
 * YYYY-MM-DDTHH:MM:SSZ (also with a space for T and +00:00 for Z).
 */
int parse_time(const char *s, int64_t *out)
{
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, mo, d, h, mi, sec;
	uint64_t v;

	if (*s == '-' && parse_uint(s + 1, (uint64_t)INT64_MAX, &v) == 0) {
		*out = -(int64_t)v;
		return 0;
	}
	if (parse_uint(s, (uint64_t)INT64_MAX, &v) == 0) {
		*out = (int64_t)v;
		return 0;
	}
	if (strlen(s) < 20 || digits_at(s, 4, &y) || s[4] != '-' || digits_at(s + 5, 2, &mo) ||
	    s[7] != '-' || digits_at(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits_at(s + 11, 2, &h) ||
	    s[13] != ':' || digits_at(s + 14, 2, &mi) || s[16] != ':' || digits_at(s + 17, 2, &sec))
		return -1;
	if (strcmp(s + 19, "Z") != 0 && strcmp(s + 19, "z") != 0 && strcmp(s + 19, "+00:00") != 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

/* "90", "90s", "15m", "2h", "1d". */
int parse_duration(const char *s, unsigned *seconds)
{
	char num[32];
	size_t n = strlen(s);
	uint64_t v, mult = 1;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 's':
		mult = 1;
		num[--n] = '\0';
		break;
	case 'm':
		mult = 60;
		num[--n] = '\0';
		break;
	case 'h':
		mult = 3600;
		num[--n] = '\0';
		break;
	case 'd':
		mult = 86400;
		num[--n] = '\0';
		break;
	default:
		break;
	}
	if (parse_uint(num, UINT32_MAX, &v) != 0 || v == 0 || v > UINT32_MAX / mult)
		return -1;
	*seconds = (unsigned)(v * mult);
	return 0;
}

/* "8192", "64K", "256M", "1G" (powers of 1024, optional trailing "iB"/"B"). */
int parse_size(const char *s, uint64_t *bytes)
{
	char num[32];
	size_t n = strlen(s);
	uint64_t v, mult = 1;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	if (n > 2 && strcasecmp(num + n - 2, "iB") == 0)
		num[n -= 2] = '\0';
	else if (n > 1 && (num[n - 1] == 'B' || num[n - 1] == 'b'))
		num[--n] = '\0';
	switch (n ? toupper((unsigned char)num[n - 1]) : 0) {
	case 'K':
		mult = 1ULL << 10;
		num[--n] = '\0';
		break;
	case 'M':
		mult = 1ULL << 20;
		num[--n] = '\0';
		break;
	case 'G':
		mult = 1ULL << 30;
		num[--n] = '\0';
		break;
	default:
		break;
	}
	if (parse_uint(num, UINT64_MAX, &v) != 0 || v > UINT64_MAX / mult)
		return -1;
	*bytes = v * mult;
	return 0;
}

void format_size(char *buf, size_t bufsz, uint64_t bytes)
{
	if (bytes >= (1ULL << 30) && bytes % (1ULL << 30) == 0)
		snprintf(buf, bufsz, "%llu GiB", (unsigned long long)(bytes >> 30));
	else if (bytes >= (1ULL << 20) && bytes % (1ULL << 20) == 0)
		snprintf(buf, bufsz, "%llu MiB", (unsigned long long)(bytes >> 20));
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(buf, bufsz, "%llu KiB", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, bufsz, "%llu bytes", (unsigned long long)bytes);
}

int64_t now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

/* A JSON string literal of UTF-8 text on stdout. */
void json_put_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

int make_dirs(char *dir)
{
	char c;

	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = c;
		if (!c)
			break;
	}
	return 0;
}
