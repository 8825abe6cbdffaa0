/*
 * hello.c - the smallest program using libtotp: the RFC 6238 SHA-1 code of
 * the Key URI Format example account at a fixed time.
 *
 *   cc hello.c $(pkg-config --cflags --libs totp) -o hello
 */
#include <stdio.h>
#include <string.h>

#include <totp.h>

int main(void)
{
	const char *uri = "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP"
	                  "&issuer=Example";
	struct totp_entry *e;
	char code[TOTP_CODE_MAX];
	int rc;

	if (totp_init() != TOTP_OK || !(e = totp_entry_new()))
		return 1;
	rc = totp_uri_parse(e, NULL, uri, strlen(uri));
	if (rc == TOTP_OK)
		rc = totp_totp(code, sizeof(code), e, 1257894000, 0);
	totp_entry_free(e);
	if (rc != TOTP_OK) {
		fprintf(stderr, "hello: %s\n", totp_strerror(rc));
		return 1;
	}
	printf("libtotp %s: %s\n", totp_version(), code);
	return 0;
}
