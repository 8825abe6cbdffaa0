/* t_error.c - every error code has its own message. */
#include "test.h"
#include "totp.h"

int main(void)
{
	for (int e = TOTP_OK; e >= TOTP_E_LAST_; e--) {
		const char *m = totp_strerror(e);
		CHECK(m && *m && strcmp(m, "unknown error") != 0, "code %d has a message", e);
		for (int o = e + 1; o <= TOTP_OK; o++)
			if (strcmp(m, totp_strerror(o)) == 0)
				CHECK(0, "codes %d and %d share a message", e, o);
	}
	CHECK_STR(totp_strerror(TOTP_E_LAST_ - 1), "unknown error", "below the last code");
	CHECK_STR(totp_strerror(1), "unknown error", "positive code");
	CHECK_STR(totp_version(), TOTP_VERSION, "library version matches header");
	TEST_EXIT();
}
