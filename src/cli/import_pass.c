/*
 * import_pass.c - what 'totp import' reads before it knows the input:
 * whole files into guarded memory, and the passwords of encrypted inputs
 * (the line of --file-passphrase-fd, read once and used for every input,
 * or the terminal).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import.h"

int import_slurp(const char *path, uint8_t **buf, size_t *len, bool *is_vault)
{
	bool std = strcmp(path, "-") == 0;
	int fd = std ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = NULL, magic[VAULT_MAGIC_LEN];
	struct stat st;
	int rc = TOTP_E_IO;

	*is_vault = false;
	if (fd < 0)
		return errno == ENOENT ? TOTP_E_NOENT : TOTP_E_IO;
	if (fstat(fd, &st) != 0)
		goto out;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > READ_MAX) {
			rc = TOTP_E_TOOBIG;
			goto out;
		}
		if (!std && pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
		    memcmp(magic, VAULT_MAGIC, VAULT_MAGIC_LEN) == 0) {
			*is_vault = true;
			rc = TOTP_OK;
			goto out;
		}
		cap = (size_t)st.st_size + 1;
	}
	for (;;) {
		ssize_t r;

		if (!b && !(b = totp_secure_alloc(cap))) {
			rc = TOTP_E_NOMEM;
			goto out;
		}
		if (n == cap) {
			uint8_t *nb;

			if (cap > READ_MAX) {
				rc = TOTP_E_TOOBIG;
				goto out;
			}
			if (!(nb = totp_secure_alloc(cap * 2))) {
				rc = TOTP_E_NOMEM;
				goto out;
			}
			memcpy(nb, b, n);
			totp_wipe(b, cap);
			totp_secure_free(b);
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > READ_MAX) {
		rc = TOTP_E_TOOBIG;
		goto out;
	}
	*buf = b;
	*len = n;
	b = NULL;
	rc = TOTP_OK;
out:
	if (b) {
		totp_wipe(b, cap);
		totp_secure_free(b);
	}
	if (!std)
		close(fd);
	return rc;
}

/* ---- Passwords ---------------------------------------------------------- */

/* The line read from --file-passphrase-fd, read once and kept. */
static char *fd_pass;
static size_t fd_pass_len;

static void forget_fd_pass(void)
{
	secret_free(fd_pass);
	fd_pass = NULL;
}

int import_ask(struct ask *a, char *buf, size_t bufsz, size_t *len)
{
	const char *word = a->secret_word ? a->secret_word : "password";
	const char *is = a->named_encrypted ? "" : " is encrypted";
	int rc, tty;

	a->from_tty = false;
	if (a->o->pass_fd >= 0) {
		if (!fd_pass) {
			if (!(fd_pass = secret_alloc()))
				return TOTP_E_NOMEM;
			atexit(forget_fd_pass);
			rc = get_secret_from(a->o->pass_fd, NULL, false, fd_pass, &fd_pass_len);
			if (rc != TOTP_OK) {
				forget_fd_pass();
				a->reported = true;
				return rc;
			}
		}
		if (fd_pass_len > bufsz) {
			a->reported = true;
			warnx_("the %s on file descriptor %d is too long", word, a->o->pass_fd);
			return TOTP_E_TOOBIG;
		}
		memcpy(buf, fd_pass, fd_pass_len);
		*len = fd_pass_len;
		return TOTP_OK;
	}
	a->reported = true;
	if (cli.no_prompt) {
		warnx_("%s%s and --no-prompt forbids asking for its %s (use "
		       "--file-passphrase-fd N)",
		       a->name, is, word);
		return TOTP_E_PASSWORD;
	}
	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty < 0) {
		warnx_("%s%s: cannot ask for its %s without a terminal (use "
		       "--file-passphrase-fd N)",
		       a->name, is, word);
		return TOTP_E_PASSWORD;
	}
	close(tty);
	rc = prompt_tty(a->prompt, false, buf, bufsz, len);
	a->from_tty = rc == TOTP_OK;
	a->reported = rc != TOTP_OK;
	return rc;
}

int import_password_cb(void *ctx, char *buf, size_t bufsz, size_t *len)
{
	char *tmp = secret_alloc();
	size_t n = 0;
	int rc;

	if (!tmp)
		return TOTP_E_NOMEM;
	rc = import_ask(ctx, tmp, PASS_MAX + 1, &n);
	if (rc == TOTP_OK && n > bufsz)
		rc = TOTP_E_TOOBIG;
	if (rc == TOTP_OK) {
		memcpy(buf, tmp, n);
		*len = n;
	}
	secret_free(tmp);
	return rc;
}
