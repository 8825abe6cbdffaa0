/*
 * mkvault.c - builds the large throwaway vaults of bench/run.sh through
 * libtotp's public API: create (tiny KDF), parse each otpauth URI of a
 * list, add, save once.  Linear in the number of accounts, so a
 * 100,000-account vault takes seconds whatever "totp import" costs.
 *
 *	mkvault VAULT URI-LIST	passphrase "benchmark passphrase", 8 KiB, 1 pass
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <totp.h>

int main(int argc, char **argv)
{
	static const char pass[] = "benchmark passphrase";
	const struct totp_kdf kdf = {.opslimit = 1, .memlimit = 8192};
	struct totp_vault *v = NULL;
	struct totp_entry *e = NULL;
	char line[4096];
	unsigned long n = 0;
	FILE *f = NULL;
	int rc = 1, err;

	if (argc != 3) {
		fprintf(stderr, "usage: mkvault VAULT URI-LIST\n");
		return 2;
	}
	if (totp_init() != TOTP_OK || !(e = totp_entry_new()))
		goto out;
	f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		goto out;
	}
	err = totp_vault_create(&v, argv[1], pass, sizeof(pass) - 1, &kdf);
	if (err != TOTP_OK) {
		fprintf(stderr, "mkvault: %s: %s\n", argv[1], totp_strerror(err));
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n");

		n++;
		if (len == 0)
			continue;
		err = totp_uri_parse(e, NULL, line, len);
		if (err == TOTP_OK)
			err = totp_vault_add(v, e);
		if (err != TOTP_OK) {
			fprintf(stderr, "mkvault: %s:%lu: %s\n", argv[2], n, totp_strerror(err));
			goto out;
		}
	}
	err = totp_vault_save(v);
	if (err != TOTP_OK) {
		fprintf(stderr, "mkvault: saving %s: %s\n", argv[1], totp_strerror(err));
		goto out;
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	totp_entry_free(e);
	totp_vault_close(v);
	return rc;
}
