/*
 * mkbackup - write an encrypted backup (totp-backup(5)) for the CLI tests.
 *
 *   mkbackup [PART_BYTES] <uris 3<passphrase
 *
 * Reads otpauth:// URIs, one a line, from standard input and the
 * passphrase (one line) from descriptor 3, and prints the backup's parts,
 * one payload text a line, in part order, and its id on standard error.  Argon2id costs the minimum
 * (8 KiB, one pass), so tests stay fast.  Exit 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <totp.h>

#define MAX_ACCOUNTS 1000

static int read_pass(char *buf, size_t bufsz, size_t *len)
{
	size_t n = 0;

	while (n < bufsz) {
		ssize_t r = read(3, buf + n, 1);

		if (r < 0)
			return -1;
		if (r == 0 || buf[n] == '\n')
			break;
		n++;
	}
	if (n == bufsz || n == 0)
		return -1;
	*len = n;
	return 0;
}

int main(int argc, char **argv)
{
	struct totp_kdf kdf = {1, TOTP_KDF_MEM_MIN};
	struct totp_backup_opts opts = {0};
	struct totp_backup_export x = {NULL, 0, ""};
	struct totp_entry *entries = NULL;
	char *line = NULL, *pass = NULL;
	size_t n = 0, passlen = 0;
	int rc, status = 1;

	if (argc > 2 || totp_init() != TOTP_OK) {
		fprintf(stderr, "usage: mkbackup [PART_BYTES] <uris 3<passphrase\n");
		return 2;
	}
	if (argc == 2)
		opts.part_bytes = (size_t)strtoul(argv[1], NULL, 10);
	entries = totp_secure_alloc(MAX_ACCOUNTS * sizeof(*entries));
	line = totp_secure_alloc(TOTP_URI_MAX);
	pass = totp_secure_alloc(TOTP_IMPORT_PASSWORD_MAX);
	if (!entries || !line || !pass) {
		fprintf(stderr, "mkbackup: out of memory\n");
		goto out;
	}
	if (read_pass(pass, TOTP_IMPORT_PASSWORD_MAX, &passlen) != 0) {
		fprintf(stderr, "mkbackup: no passphrase on descriptor 3\n");
		goto out;
	}
	while (fgets(line, TOTP_URI_MAX, stdin)) {
		size_t len = strcspn(line, "\r\n");

		if (len == 0)
			continue;
		if (n == MAX_ACCOUNTS) {
			fprintf(stderr, "mkbackup: more than %d accounts\n", MAX_ACCOUNTS);
			goto out;
		}
		totp_entry_init(&entries[n]);
		rc = totp_uri_parse(&entries[n], NULL, line, len);
		if (rc != TOTP_OK) {
			fprintf(stderr, "mkbackup: line %zu: %s\n", n + 1, totp_strerror(rc));
			goto out;
		}
		n++;
	}
	rc = totp_backup_format(&x, entries, n, pass, passlen, &kdf, &opts);
	if (rc != TOTP_OK) {
		fprintf(stderr, "mkbackup: %s\n", totp_strerror(rc));
		goto out;
	}
	for (size_t i = 0; i < x.count; i++)
		printf("%s\n", x.parts[i]);
	fprintf(stderr, "%s\n", x.id);
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	totp_backup_export_free(&x);
	totp_secure_free(entries);
	totp_secure_free(line);
	totp_secure_free(pass);
	return status;
}
