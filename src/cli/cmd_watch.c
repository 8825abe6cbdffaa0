/*
 * cmd_watch.c - the live dashboard: every matching account's code with a
 * countdown bar, refreshed each second; typing filters, arrows select,
 * Enter copies the selected code, q (with an empty filter), Esc twice or
 * Ctrl-C leaves and restores the terminal.  Not a terminal: the plain list.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define FILTER_MAX 64

static struct termios saved;
static volatile sig_atomic_t raw_on, resized;

static void screen_restore(void)
{
	if (raw_on) {
		/* Show the cursor, leave the alternate screen. */
		(void)!write(STDOUT_FILENO, "\033[?25h\033[?1049l", 14);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		raw_on = 0;
	}
}

static void on_fatal(int sig)
{
	screen_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

static int screen_raw(void)
{
	struct termios t;
	struct sigaction sa;

	if (tcgetattr(STDIN_FILENO, &saved) != 0)
		return -1;
	t = saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
	t.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) != 0)
		return -1;
	raw_on = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	atexit(screen_restore);
	fputs("\033[?1049h\033[?25l", stdout);
	return 0;
}

struct dash {
	struct totp_vault *v;
	size_t *shown, nshown, sel, top;
	char filter[FILTER_MAX + 1];
	char status[160];
	int rows, cols;
};

static void refilter(struct dash *d)
{
	char label[2 * TOTP_LABEL_MAX];
	size_t count = totp_vault_count(d->v);

	d->nshown = 0;
	for (size_t i = 0; i < count; i++)
		if (!*d->filter || strcasestr(entry_label(totp_vault_entry(d->v, i), label),
					      d->filter))
			d->shown[d->nshown++] = i;
	if (d->sel >= d->nshown)
		d->sel = d->nshown ? d->nshown - 1 : 0;
}

/* Print s in at most `cols` terminal columns (UTF-8 aware, one column per
 * code point), padding with spaces. */
static void put_cols(const char *s, int cols)
{
	int used = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && used < cols; used++) {
		int n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

		if (*p < 0x20) {
			putchar('?');
			p++;
			continue;
		}
		for (int k = 0; k < n && p[k]; k++)
			putchar(p[k]);
		while (n-- && *p)
			p++;
	}
	for (; used < cols; used++)
		putchar(' ');
}

static void render(struct dash *d, int64_t now)
{
	char label[2 * TOTP_LABEL_MAX], code[TOTP_CODE_MAX], grouped[TOTP_CODE_MAX + 4];
	int list_rows = d->rows - 3, labelw = d->cols - 30;
	const int barw = 10;

	if (list_rows < 1)
		list_rows = 1;
	if (labelw < 8)
		labelw = 8;
	if (d->sel < d->top)
		d->top = d->sel;
	if (d->sel >= d->top + (size_t)list_rows)
		d->top = d->sel - (size_t)list_rows + 1;
	fputs("\033[H", stdout);
	printf("%s totp  %zu/%zu accounts  filter: %s", cli.color ? "\033[1m" : "", d->nshown,
	       totp_vault_count(d->v), d->filter);
	fputs(cli.color ? "\033[0m\033[K\r\n" : "\033[K\r\n", stdout);
	for (int r = 0; r < list_rows; r++) {
		size_t k = d->top + (size_t)r;
		const struct totp_entry *e;
		unsigned left = 0;

		if (k >= d->nshown) {
			fputs("\033[K\r\n", stdout);
			continue;
		}
		e = totp_vault_entry(d->v, d->shown[k]);
		if (k == d->sel)
			fputs(cli.color ? "\033[7m>" : ">", stdout);
		else
			putchar(' ');
		put_cols(entry_label(e, label), labelw);
		if (e->type == TOTP_TYPE_HOTP) {
			printf("  %-11s %*s", "(hotp)", barw + 4, "");
		} else if (totp_totp(code, sizeof(code), e, now, 0) == TOTP_OK) {
			size_t n = strlen(code), h = n > 5 ? n / 2 : n;

			snprintf(grouped, sizeof(grouped), "%.*s %s", (int)h, code,
				 h < n ? code + h : "");
			left = totp_time_remaining(now, 0, e->period);
			int fill = (int)((left * (unsigned)barw + e->period - 1) / e->period);

			printf("  %s%-11s%s ", cli.color && left <= 5 && k != d->sel ? "\033[31m" : "",
			       grouped, cli.color && left <= 5 && k != d->sel ? "\033[39m" : "");
			for (int b = 0; b < barw; b++)
				fputs(b < fill ? "\u2588" : "\u00b7", stdout);
			printf(" %2us", left);
		} else {
			printf("  %-11s %*s", "(invalid)", barw + 4, "");
		}
		fputs(k == d->sel && cli.color ? "\033[0m\033[K\r\n" : "\033[K\r\n", stdout);
	}
	printf("\033[K\r\n%s", d->status);
	fputs("\033[K", stdout);
	totp_wipe(code, sizeof(code));
	totp_wipe(grouped, sizeof(grouped));
	fflush(stdout);
}

static void winsize(struct dash *d)
{
	struct winsize ws;

	d->rows = 24;
	d->cols = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
		d->rows = ws.ws_row;
		d->cols = ws.ws_col;
	}
}

static void copy_selected(struct dash *d)
{
	char code[TOTP_CODE_MAX], label[2 * TOTP_LABEL_MAX], why[200];
	const struct totp_entry *e;
	int64_t now = now_seconds();

	if (!d->nshown)
		return;
	e = totp_vault_entry(d->v, d->shown[d->sel]);
	entry_label(e, label);
	if (e->type == TOTP_TYPE_HOTP) {
		snprintf(d->status, sizeof(d->status), "%.60s is HOTP: use 'totp code' for it",
			 label);
		return;
	}
	if (totp_totp(code, sizeof(code), e, now, 0) != TOTP_OK)
		return;
	if (clipboard_copy(code, totp_time_remaining(now, 0, e->period), why, sizeof(why)) ==
	    TOTP_OK)
		snprintf(d->status, sizeof(d->status), "copied the code of %.60s", label);
	else
		snprintf(d->status, sizeof(d->status), "cannot copy: %.140s", why);
	totp_wipe(code, sizeof(code));
}

/* Returns false when the user leaves. */
static bool handle_key(struct dash *d, const unsigned char *k, size_t n)
{
	size_t len = strlen(d->filter);

	if (n >= 3 && k[0] == 27 && k[1] == '[') {
		if (k[2] == 'A' && d->sel > 0)
			d->sel--;
		else if (k[2] == 'B' && d->sel + 1 < d->nshown)
			d->sel++;
		return true;
	}
	switch (k[0]) {
	case 3: /* Ctrl-C */
	case 4: /* Ctrl-D */
		return false;
	case 27: /* Esc: clear the filter, or leave */
		if (!len)
			return false;
		d->filter[0] = '\0';
		break;
	case '\r':
	case '\n':
		copy_selected(d);
		return true;
	case 127:
	case 8:
		if (len)
			d->filter[len - 1] = '\0';
		break;
	case 'q':
		if (!len)
			return false;
		/* fall through */
	default:
		if (k[0] >= 0x20 && len < FILTER_MAX) {
			d->filter[len] = (char)k[0];
			d->filter[len + 1] = '\0';
		}
	}
	d->status[0] = '\0';
	refilter(d);
	return true;
}

int cmd_watch(int argc, char **argv)
{
	const struct command *cmd = command_find("watch");
	struct dash d;
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	int rc = EXIT_OK;

	memset(&d, 0, sizeof(d));
	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return usage_error(cmd, "expected at most one PATTERN");
	if (!cli.stdout_tty || !isatty(STDIN_FILENO)) {
		char name[] = "code";
		char *plain[] = {name, argc == 2 ? argv[1] : NULL, NULL};

		optind = 0;
		return cmd_code(argc == 2 ? 2 : 1, plain);
	}
	if (vault_unlock(&d.v, 0) != TOTP_OK)
		return EXIT_FAIL;
	d.shown = calloc(totp_vault_count(d.v) + 1, sizeof(size_t));
	if (!d.shown) {
		totp_vault_close(d.v);
		return fail(TOTP_E_NOMEM, "dashboard");
	}
	if (argc == 2)
		snprintf(d.filter, sizeof(d.filter), "%s", argv[1]);
	refilter(&d);
	if (screen_raw() != 0) {
		rc = fail(TOTP_E_IO, "terminal");
		goto out;
	}
	winsize(&d);
	fputs("\033[2J", stdout);
	for (;;) {
		struct timespec ts;
		unsigned char key[16];
		int wait_ms;

		if (resized) {
			resized = 0;
			winsize(&d);
			fputs("\033[2J", stdout);
		}
		render(&d, now_seconds());
		clock_gettime(CLOCK_REALTIME, &ts);
		wait_ms = 1000 - (int)(ts.tv_nsec / 1000000);
		if (poll(&pfd, 1, wait_ms) > 0) {
			ssize_t n = read(STDIN_FILENO, key, sizeof(key));

			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				break;
			if (n > 0 && !handle_key(&d, key, (size_t)n))
				break;
		}
	}
	screen_restore();
out:
	free(d.shown);
	totp_vault_close(d.v);
	return rc;
}
