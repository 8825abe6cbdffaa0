/*
 * test.h - minimal TAP-style checks for the unit tests.  Each check prints
 * one "ok - ..." or "not ok - ..." line and flushes, so a crash never hides
 * earlier results; tests/run.sh adds them up.
 */
#ifndef TOTP_TEST_H
#define TOTP_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int test_failed;

__attribute__((format(printf, 4, 5))) static int test_check(int ok, const char *file, int line,
                                                            const char *fmt, ...)
{
	va_list ap;

	fputs(ok ? "ok - " : "not ok - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		printf(" (%s:%d)", file, line);
		test_failed = 1;
	}
	putchar('\n');
	fflush(stdout);
	return ok;
}

/* CHECK(cond, "what %d", x): one result line. */
#define CHECK(cond, ...) test_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* CHECK_STR(got, want, "what"): compares strings, shows both on failure. */
#define CHECK_STR(got, want, ...)                                                                  \
	do {                                                                                       \
		const char *got_ = (got), *want_ = (want);                                         \
		if (!CHECK(got_ && strcmp(got_, want_) == 0, __VA_ARGS__))                         \
			printf("#   got  \"%s\"\n#   want \"%s\"\n", got_ ? got_ : "(null)",       \
			       want_);                                                             \
	} while (0)

/* CHECK_RC(rc, want, "what"): compares return codes. */
#define CHECK_RC(got, want, ...)                                                                   \
	do {                                                                                       \
		int gotrc_ = (got), wantrc_ = (want);                                              \
		if (!CHECK(gotrc_ == wantrc_, __VA_ARGS__))                                        \
			printf("#   got rc %d, want %d\n", gotrc_, wantrc_);                       \
	} while (0)

#define TEST_EXIT() return test_failed ? 1 : 0

#endif
