/*
 * cmd_show.c - show one account's otpauth URI, or its QR code drawn in the
 * terminal with half blocks so a phone can scan it from the screen.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

enum background { BG_AUTO, BG_DARK, BG_LIGHT };

/*
 * Without colours the blocks take the terminal's own foreground colour, so
 * the right polarity depends on its background.  COLORFGBG ("fg;bg", set
 * by rxvt, Konsole and others) tells it when present: background colours
 * 0-6 and 8 are dark.  Otherwise assume a dark background, the most common
 * default; --background overrides both.
 */
static bool background_dark(enum background bg)
{
	const char *v = getenv("COLORFGBG"), *last;
	long n;
	char *end;

	if (bg != BG_AUTO)
		return bg == BG_DARK;
	if (!v || !(last = strrchr(v, ';')))
		return true;
	n = strtol(last + 1, &end, 10);
	if (end == last + 1 || *end)
		return true;
	return (n >= 0 && n <= 6) || n == 8;
}

/* Columns of the first line of a rendering (escape sequences skipped). */
static size_t text_columns(const char *s)
{
	size_t cols = 0;

	while (*s && *s != '\n') {
		if (*s == '\x1b') {
			while (*s && *s != 'm')
				s++;
			if (*s)
				s++;
			continue;
		}
		if (((unsigned char)*s & 0xc0) != 0x80)
			cols++;
		s++;
	}
	return cols;
}

static int show_qr(const struct totp_entry *e, enum background bg)
{
	struct totp_qr_render_opts opts = {TOTP_QR_ECC_M, 0, 4, 0};
	struct winsize ws;
	char *uri = NULL, *text = NULL, label[2 * TOTP_LABEL_MAX];
	size_t len = 0, cols;
	int rc = EXIT_FAIL, c;

	if (!cli.color)
		opts.flags = TOTP_QR_TEXT_PLAIN | (background_dark(bg) ? TOTP_QR_TEXT_INVERT : 0);
	if (!(uri = totp_secure_alloc(TOTP_URI_MAX)))
		return fail(TOTP_E_NOMEM, "URI");
	if ((c = totp_uri_format(uri, TOTP_URI_MAX, e)) != TOTP_OK) {
		fail(c, "formatting the URI");
		goto out;
	}
	if ((c = totp_qr_text(&text, &len, (const uint8_t *)uri, strlen(uri), &opts)) != TOTP_OK) {
		fail(c, "%s: encoding the QR code", entry_label(e, label));
		goto out;
	}
	cols = text_columns(text);
	if (cli.stdout_tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
	    ws.ws_col < cols) {
		warnx_("the terminal is %u columns wide and the QR code needs %zu: widen the "
		       "window or use a smaller font",
		       ws.ws_col, cols);
		goto out;
	}
	if (fwrite(text, 1, len, stdout) != len) {
		fail(TOTP_E_IO, "standard output");
		goto out;
	}
	if (cli.stdout_tty)
		printf("%s\n", entry_label(e, label));
	rc = EXIT_OK;
out:
	fflush(stdout);
	if (text)
		totp_qr_free(text);
	if (uri) {
		totp_wipe(uri, TOTP_URI_MAX);
		totp_secure_free(uri);
	}
	return rc;
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"qr", no_argument, NULL, 'q'},
	        {"background", required_argument, NULL, 'b'},
	        {NULL, 0, NULL, 0},
	};
	const struct command *cmd = command_find("show");
	enum background bg = BG_AUTO;
	struct totp_vault *v = NULL;
	bool qr = false;
	char *uri;
	size_t i;
	int rc = EXIT_FAIL, c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			qr = true;
			break;
		case 'b':
			if (strcmp(optarg, "dark") == 0)
				bg = BG_DARK;
			else if (strcmp(optarg, "light") == 0)
				bg = BG_LIGHT;
			else
				return usage_error(cmd,
				                   "--background: expected dark or light, got '%s'",
				                   optarg);
			break;
		default:
			return usage_error(cmd, "unknown option");
		}
	}
	if (argc - optind != 1)
		return usage_error(cmd, argc == optind ? "missing PATTERN" : "too many arguments");
	if (bg != BG_AUTO && !qr)
		return usage_error(cmd, "--background applies to --qr");
	if (vault_unlock(&v, 0) != TOTP_OK)
		return EXIT_FAIL;
	if (vault_match_one(v, argv[optind], &i) != TOTP_OK)
		goto out;
	if (qr) {
		rc = show_qr(totp_vault_entry(v, i), bg);
		goto out;
	}
	if (!(uri = totp_secure_alloc(TOTP_URI_MAX))) {
		fail(TOTP_E_NOMEM, "URI");
		goto out;
	}
	if ((c = totp_uri_format(uri, TOTP_URI_MAX, totp_vault_entry(v, i))) != TOTP_OK) {
		fail(c, "formatting the URI");
	} else {
		puts(uri);
		rc = EXIT_OK;
	}
	totp_wipe(uri, TOTP_URI_MAX);
	totp_secure_free(uri);
out:
	totp_vault_close(v);
	return rc;
}
