/*
 * cmd_watch.c - the live dashboard: every matching account's code with a
 * countdown bar, refreshed each second; typing filters, arrows select,
 * Enter copies the selected code, q (with an empty filter), Esc twice or
 * Ctrl-C leaves and restores the terminal.  Not a terminal: the plain list
 * of the same accounts, once (HOTP counters are never advanced).
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
		if (!*d->filter ||
		    strcasestr(entry_label(totp_vault_entry(d->v, i), label), d->filter))
			d->shown[d->nshown++] = i;
	if (d->sel >= d->nshown)
		d->sel = d->nshown ? d->nshown - 1 : 0;
}

/* Print s in at most `cols` terminal columns (UTF-8 aware, one column per
 * code point), padding with spaces when pad is set. */
static void put_cols(const char *s, int cols, bool pad)
{
	int used = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && used < cols; used++) {
		int n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

		if (*p < 0x20 || *p == 0x7f) {
			putchar('?');
			p++;
			continue;
		}
		for (int k = 0; k < n && p[k]; k++)
			putchar(p[k]);
		while (n-- && *p)
			p++;
	}
	for (; pad && used < cols; used++)
		putchar(' ');
}

/*
 * One row per account, in cols - 1 columns so no terminal wraps it:
 * marker, label, two spaces, the code grouped in an 11-column field, a
 * 10-cell bar and the seconds left in 5 columns (periods reach 3600 s).
 */
#define BAR_W 10
#define ROW_FIXED (1 + 2 + 11 + 1 + BAR_W + 1 + 5)

static void render_row(const struct dash *d, size_t k, int labelw, int64_t now)
{
	char label[2 * TOTP_LABEL_MAX], code[TOTP_CODE_MAX], grouped[TOTP_CODE_MAX + 4];
	const struct totp_entry *e = totp_vault_entry(d->v, d->shown[k]);
	bool sel = k == d->sel;

	if (sel)
		fputs(cli.color ? "\033[7m>" : ">", stdout);
	else
		putchar(' ');
	put_cols(entry_label(e, label), labelw, true);
	if (e->type == TOTP_TYPE_HOTP) {
		printf("  %-11s %*s", "(hotp)", BAR_W + 6, "");
	} else if (totp_totp(code, sizeof(code), e, now, 0) == TOTP_OK) {
		size_t n = strlen(code), h = n > 5 ? n / 2 : n;
		unsigned left = totp_time_remaining(now, 0, e->period);
		int fill = (int)((left * (unsigned)BAR_W + e->period - 1) / e->period);
		bool red = cli.color && left <= 5 && !sel;

		snprintf(grouped, sizeof(grouped), "%.*s%s%s", (int)h, code, h < n ? " " : "",
		         code + h);
		printf("  %s%-11s%s ", red ? "\033[31m" : "", grouped, red ? "\033[39m" : "");
		for (int b = 0; b < BAR_W; b++)
			fputs(b < fill ? "\u2588" : "\u00b7", stdout);
		printf(" %4us", left);
	} else {
		printf("  %-11s %*s", "(invalid)", BAR_W + 6, "");
	}
	fputs(sel && cli.color ? "\033[0m\033[K\r\n" : "\033[K\r\n", stdout);
	totp_wipe(code, sizeof(code));
	totp_wipe(grouped, sizeof(grouped));
}

/* Header, list and status line fill exactly the screen's rows; nothing
 * reaches the last column, so nothing wraps or scrolls. */
static void render(struct dash *d, int64_t now)
{
	char head[FILTER_MAX + 80];
	int list_rows = d->rows - 3, labelw = d->cols - 1 - ROW_FIXED;

	if (list_rows < 1)
		list_rows = 1;
	if (labelw < 8)
		labelw = 8;
	if (d->sel < d->top)
		d->top = d->sel;
	if (d->sel >= d->top + (size_t)list_rows)
		d->top = d->sel - (size_t)list_rows + 1;
	if (d->top + (size_t)list_rows > d->nshown)
		d->top = d->nshown > (size_t)list_rows ? d->nshown - (size_t)list_rows : 0;
	fputs("\033[H", stdout);
	snprintf(head, sizeof(head), " totp  %zu/%zu accounts  filter: %s", d->nshown,
	         totp_vault_count(d->v), d->filter);
	fputs(cli.color ? "\033[1m" : "", stdout);
	put_cols(head, d->cols - 1, false);
	fputs(cli.color ? "\033[0m\033[K\r\n" : "\033[K\r\n", stdout);
	for (int r = 0; r < list_rows; r++) {
		size_t k = d->top + (size_t)r;

		if (k < d->nshown)
			render_row(d, k, labelw, now);
		else
			fputs("\033[K\r\n", stdout);
	}
	fputs("\033[K\r\n", stdout);
	put_cols(d->status[0] ? d->status
	                      : "type to filter, arrows select, Enter copies, q or Esc leaves",
	         d->cols - 1, false);
	fputs("\033[K", stdout);
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
	unsigned left;

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
	left = totp_time_remaining(now, 0, e->period);
	if (left > CLIP_CLEAR_MAX)
		left = CLIP_CLEAR_MAX;
	if (clipboard_copy(code, left, why, sizeof(why)) == TOTP_OK)
		snprintf(d->status, sizeof(d->status), "copied the code of %.60s (cleared in %u s)",
		         label, left);
	else
		snprintf(d->status, sizeof(d->status), "cannot copy: %.140s", why);
	totp_wipe(code, sizeof(code));
}

/* Add one typed byte to the filter, whole UTF-8 sequences only. */
static void filter_add(struct dash *d, unsigned char c)
{
	size_t len = strlen(d->filter);
	size_t need = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;

	if (c < 0x20 || c == 0x7f || c > 0xf4)
		return;
	if (need == 0) {
		/* A continuation byte: only after a lead byte or another one. */
		if (!len || (unsigned char)d->filter[len - 1] < 0x80)
			return;
		need = 1;
	}
	if (len + need > FILTER_MAX)
		return;
	d->filter[len] = (char)c;
	d->filter[len + 1] = '\0';
}

/* Remove the last character (a whole UTF-8 sequence) of the filter. */
static void filter_backspace(struct dash *d)
{
	size_t len = strlen(d->filter);

	while (len && ((unsigned char)d->filter[len - 1] & 0xc0) == 0x80)
		len--;
	if (len)
		len--;
	d->filter[len] = '\0';
}

/* An escape sequence ESC [ ... or ESC O ...: the arrows and page keys. */
static void handle_csi(struct dash *d, const unsigned char *k, size_t n)
{
	size_t page = d->rows > 4 ? (size_t)d->rows - 4 : 1;

	switch (k[n - 1]) {
	case 'A': /* up */
		if (d->sel > 0)
			d->sel--;
		break;
	case 'B': /* down */
		if (d->sel + 1 < d->nshown)
			d->sel++;
		break;
	case 'H':
		d->sel = 0;
		break;
	case 'F':
		d->sel = d->nshown ? d->nshown - 1 : 0;
		break;
	case '~':
		if (n >= 2 && k[n - 2] == '5') /* page up */
			d->sel = d->sel > page ? d->sel - page : 0;
		else if (n >= 2 && k[n - 2] == '6' && d->nshown) /* page down */
			d->sel = d->sel + page < d->nshown ? d->sel + page : d->nshown - 1;
		break;
	default:
		break;
	}
}

/* Handle one byte that is not part of an escape sequence.  Returns false
 * when the user leaves. */
static bool handle_byte(struct dash *d, unsigned char c)
{
	switch (c) {
	case 3: /* Ctrl-C */
	case 4: /* Ctrl-D */
		return false;
	case 27: /* Esc: clear the filter, or leave */
		if (!d->filter[0])
			return false;
		d->filter[0] = '\0';
		break;
	case '\r':
	case '\n':
		copy_selected(d);
		return true;
	case 127:
	case 8:
		filter_backspace(d);
		break;
	case 21: /* Ctrl-U */
		d->filter[0] = '\0';
		break;
	case 14: /* Ctrl-N */
		if (d->sel + 1 < d->nshown)
			d->sel++;
		return true;
	case 16: /* Ctrl-P */
		if (d->sel > 0)
			d->sel--;
		return true;
	case 'q':
		if (!d->filter[0])
			return false;
		/* fall through */
	default:
		filter_add(d, c);
	}
	d->status[0] = '\0';
	refilter(d);
	return true;
}

/* Handle what one read returned: any number of keys, typed fast or
 * pasted.  Returns false when the user leaves. */
static bool handle_input(struct dash *d, const unsigned char *k, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (k[i] == 27 && i + 1 < n && (k[i + 1] == '[' || k[i + 1] == 'O')) {
			size_t j = i + 2;

			/* Parameters, then a final byte in 0x40..0x7e. */
			while (j < n && (k[j] < 0x40 || k[j] > 0x7e))
				j++;
			if (j < n)
				handle_csi(d, k + i, j - i + 1);
			i = j + 1;
			continue;
		}
		if (!handle_byte(d, k[i]))
			return false;
		i++;
	}
	return true;
}

/* Not a terminal: the matching accounts once, as 'totp code' lists them. */
static int plain_list(struct dash *d)
{
	char label[2 * TOTP_LABEL_MAX], code[TOTP_CODE_MAX];
	int64_t now = now_seconds();
	size_t width = 0;
	int rc = EXIT_OK;

	for (size_t k = 0; k < d->nshown; k++) {
		size_t w = strlen(entry_label(totp_vault_entry(d->v, d->shown[k]), label));

		width = w > width ? w : width;
	}
	for (size_t k = 0; k < d->nshown; k++) {
		const struct totp_entry *e = totp_vault_entry(d->v, d->shown[k]);
		int err;

		entry_label(e, label);
		if (e->type == TOTP_TYPE_HOTP) {
			printf("%-*s  %-10s  (hotp: 'totp code %s')\n", (int)width, label, "-",
			       label);
			continue;
		}
		err = totp_totp(code, sizeof(code), e, now, 0);
		if (err != TOTP_OK) {
			rc = fail(err, "%s", label);
			continue;
		}
		printf("%-*s  %-10s  %2us\n", (int)width, label, code,
		       totp_time_remaining(now, 0, e->period));
	}
	totp_wipe(code, sizeof(code));
	return rc;
}

int cmd_watch(int argc, char **argv)
{
	const struct command *cmd = command_find("watch");
	struct dash d;
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	bool tty;
	int rc = EXIT_OK;

	memset(&d, 0, sizeof(d));
	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return usage_error(cmd, "expected at most one PATTERN");
	if (argc == 2 && strlen(argv[1]) > FILTER_MAX)
		return usage_error(cmd, "PATTERN: at most %d bytes", FILTER_MAX);
	tty = cli.stdout_tty && isatty(STDIN_FILENO);
	if (tty)
		clock_warn();
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
	if (!tty) {
		rc = plain_list(&d);
		goto out;
	}
	if (screen_raw() != 0) {
		rc = fail(TOTP_E_IO, "terminal");
		goto out;
	}
	winsize(&d);
	fputs("\033[2J", stdout);
	for (;;) {
		struct timespec ts;
		unsigned char key[64];
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
			if (n > 0 && !handle_input(&d, key, (size_t)n))
				break;
		}
	}
	screen_restore();
out:
	free(d.shown);
	totp_vault_close(d.v);
	return rc;
}
