/*
 * prompt.c - passphrases and secrets from the terminal (echo off) or from a
 * file descriptor, into guarded memory.  Never from argv or the environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

char *secret_alloc(void)
{
	char *s = totp_secure_alloc(PASS_MAX + 1);

	if (s)
		memset(s, 0, PASS_MAX + 1);
	return s;
}

void secret_free(char *s)
{
	if (s) {
		totp_wipe(s, PASS_MAX + 1);
		totp_secure_free(s);
	}
}

/*
 * One byte at a time, so nothing after the newline is consumed from a
 * shared descriptor.  A line longer than the buffer is an error, not a
 * silent truncation.
 */
int read_line_fd(int fd, char *buf, size_t bufsz, size_t *len)
{
	size_t n = 0;

	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return TOTP_E_IO;
		if (r == 0 || c == '\n')
			break;
		if (n + 1 >= bufsz) {
			totp_wipe(buf, bufsz);
			return TOTP_E_TOOBIG;
		}
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return TOTP_OK;
}

static int tty_fd = -1;
static struct termios tty_saved;
static volatile sig_atomic_t tty_echo_off;

static void tty_restore(void)
{
	if (tty_echo_off) {
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
		tty_echo_off = 0;
	}
}

static void on_signal(int sig)
{
	tty_restore();
	if (tty_fd >= 0)
		(void)!write(tty_fd, "\n", 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int tty_read(const char *prompt, char *buf, size_t bufsz, size_t *len)
{
	struct sigaction sa, old_int, old_term, old_hup;
	struct termios t;
	int rc;

	if (dprintf(tty_fd, "%s", prompt) < 0)
		return TOTP_E_IO;
	if (tcgetattr(tty_fd, &tty_saved) != 0)
		return TOTP_E_IO;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	t.c_lflag |= ICANON;
	tty_echo_off = 1;
	if (tcsetattr(tty_fd, TCSAFLUSH, &t) != 0) {
		tty_echo_off = 0;
		rc = TOTP_E_IO;
	} else {
		rc = read_line_fd(tty_fd, buf, bufsz, len);
		tty_restore();
		(void)!write(tty_fd, "\n", 1);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	return rc;
}

static int tty_open(void)
{
	if (tty_fd < 0)
		tty_fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	return tty_fd;
}

int prompt_tty(const char *prompt, bool confirm, char *buf, size_t bufsz, size_t *len)
{
	char *again;
	size_t len2;
	int rc;

	if (tty_open() < 0) {
		warnx_("cannot ask for a passphrase: no terminal (use --passphrase-fd)");
		return TOTP_E_IO;
	}
	rc = tty_read(prompt, buf, bufsz, len);
	if (rc != TOTP_OK || !confirm)
		return rc;
	again = secret_alloc();
	if (!again) {
		warnx_("passphrase: %s", totp_strerror(TOTP_E_NOMEM));
		return TOTP_E_NOMEM;
	}
	rc = tty_read("Repeat to confirm: ", again, PASS_MAX + 1, &len2);
	if (rc == TOTP_OK && (len2 != *len || !totp_memeq(again, buf, *len))) {
		warnx_("the two entries differ");
		rc = TOTP_E_MISMATCH;
	}
	secret_free(again);
	return rc;
}

bool prompt_yes(const char *question)
{
	char answer[16];
	size_t n = 0;

	if (tty_open() < 0)
		return false;
	if (dprintf(tty_fd, "%s [y/N] ", question) < 0)
		return false;
	if (read_line_fd(tty_fd, answer, sizeof(answer), &n) != TOTP_OK)
		return false;
	return n > 0 && (answer[0] == 'y' || answer[0] == 'Y');
}

int get_secret_from(int fd, const char *prompt, bool confirm, char *buf, size_t *len)
{
	int rc;

	if (fd >= 0) {
		rc = read_line_fd(fd, buf, PASS_MAX + 1, len);
		if (rc == TOTP_E_IO)
			warnx_("cannot read from file descriptor %d: %s", fd, strerror(errno));
		else if (rc == TOTP_E_TOOBIG)
			warnx_("input on file descriptor %d is longer than %d bytes", fd, PASS_MAX);
		return rc;
	}
	return prompt_tty(prompt, confirm, buf, PASS_MAX + 1, len);
}

/* The passphrase given on --passphrase-fd is read once and kept, so a
 * command that needs it twice does not block on an exhausted pipe. */
static char *fd_pass;
static size_t fd_pass_len;

static void forget_fd_pass(void)
{
	secret_free(fd_pass);
	fd_pass = NULL;
}

int get_passphrase(char *buf, size_t *len, bool confirm)
{
	char prompt[4200];
	int rc;

	if (cli.passphrase_fd >= 0) {
		if (!fd_pass) {
			fd_pass = secret_alloc();
			if (!fd_pass)
				return TOTP_E_NOMEM;
			atexit(forget_fd_pass);
			rc = get_secret_from(cli.passphrase_fd, NULL, false, fd_pass, &fd_pass_len);
			if (rc != TOTP_OK) {
				secret_free(fd_pass);
				fd_pass = NULL;
				return rc;
			}
		}
		memcpy(buf, fd_pass, fd_pass_len + 1);
		*len = fd_pass_len;
		return TOTP_OK;
	}
	if (cli.no_prompt) {
		warnx_("%s is locked and --no-prompt forbids asking (run 'totp unlock')",
		       cli.vault_path);
		return TOTP_E_AUTH;
	}
	snprintf(prompt, sizeof(prompt),
	         "%s for vault %s: ", confirm ? "New passphrase" : "Passphrase", cli.vault_path);
	return prompt_tty(prompt, confirm, buf, PASS_MAX + 1, len);
}
