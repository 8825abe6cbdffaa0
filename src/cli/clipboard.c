/*
 * clipboard.c - put a code (never a seed) on the desktop clipboard with
 * wl-copy (Wayland) or xclip/xsel (X11), fed through a pipe, and clear it
 * when the code expires if the clipboard still holds it.
 *
 * The clearing runs in a detached shell, not in a fork of this process: a
 * fork would keep a copy of the unlocked vault in memory until the code
 * expires.  The shell gets the code on a pipe, never in its arguments or
 * environment.
 *
 * None of these tools can offer a second MIME type beside the text, so the
 * password-manager hint (x-kde-passwordManagerHint) cannot be set: offering
 * only the hint would leave nothing to paste.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

struct clip_tool {
	const char *env;          /* session variable it needs */
	const char *const *copy;  /* reads the text on stdin */
	const char *const *paste; /* prints the clipboard */
	const char *clear_sh;     /* shell: prints the clipboard; empties it */
};

static const char *const wl_copy[] = {"wl-copy", "--type", "text/plain", NULL};
static const char *const wl_paste[] = {"wl-paste", "--no-newline", NULL};
static const char *const xclip_copy[] = {"xclip", "-selection", "clipboard", "-in", NULL};
static const char *const xclip_paste[] = {"xclip", "-selection", "clipboard", "-out", NULL};
static const char *const xsel_copy[] = {"xsel", "--clipboard", "--input", NULL};
static const char *const xsel_paste[] = {"xsel", "--clipboard", "--output", NULL};

/* Run by the detached shell: $1 is the delay, the code comes on stdin. */
#define CLEAR_SH(paste, clear)                                                                     \
	"read -r code || exit 0; sleep \"$1\"; "                                                   \
	"[ \"$(" paste " 2>/dev/null)\" = \"$code\" ] && " clear " </dev/null"

static const struct clip_tool tools[] = {
        {"WAYLAND_DISPLAY", wl_copy, wl_paste,
         CLEAR_SH("wl-paste --no-newline", "wl-copy --clear")},
        {"DISPLAY", xclip_copy, xclip_paste,
         CLEAR_SH("xclip -selection clipboard -out", "xclip -selection clipboard -in")},
        {"DISPLAY", xsel_copy, xsel_paste,
         CLEAR_SH("xsel --clipboard --output", "xsel --clipboard --delete")},
};

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog) < (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

static bool have_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

static const struct clip_tool *find_tool(void)
{
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (have_env(tools[i].env) && in_path(tools[i].copy[0]) &&
		    in_path(tools[i].paste[0]))
			return &tools[i];
	return NULL;
}

/* Write all of s to fd, with SIGPIPE ignored (the tool may exit early). */
static int write_all(int fd, const char *s, size_t len)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	int rc = 0;

	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		s += n;
		len -= (size_t)n;
	}
	sigaction(SIGPIPE, &old, NULL);
	return rc;
}

/* In a child: stdin from fd `in`, stdout to `out` (-1: /dev/null), stderr
 * to /dev/null. */
static void child_stdio(int in, int out)
{
	int devnull = open("/dev/null", O_RDWR);

	dup2(in, STDIN_FILENO);
	dup2(out >= 0 ? out : devnull, STDOUT_FILENO);
	dup2(devnull, STDERR_FILENO);
}

/*
 * Run argv with `in` on its stdin; when out is not NULL, collect up to
 * outsz-1 bytes of its stdout.  Returns the exit status or -1.
 */
static int run_tool(const char *const *argv, const char *in, char *out, size_t outsz)
{
	int pin[2], pout[2] = {-1, -1}, status, rc = -1;
	pid_t pid;
	size_t n = 0;

	if (pipe2(pin, O_CLOEXEC) != 0)
		return -1;
	if (out && pipe2(pout, O_CLOEXEC) != 0) {
		close(pin[0]);
		close(pin[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		child_stdio(pin[0], out ? pout[1] : -1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pin[0]);
	if (out)
		close(pout[1]);
	if (pid < 0) {
		close(pin[1]);
		if (out)
			close(pout[0]);
		return -1;
	}
	if (in)
		write_all(pin[1], in, strlen(in));
	close(pin[1]);
	if (out) {
		ssize_t r;

		while (n + 1 < outsz && ((r = read(pout[0], out + n, outsz - 1 - n)) > 0 ||
		                         (r < 0 && errno == EINTR)))
			if (r > 0)
				n += (size_t)r;
		out[n] = '\0';
		close(pout[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
	return rc;
}

/* Start the detached shell that clears the clipboard after `seconds` if
 * it still holds the code.  Best effort: a failure leaves the code there. */
static void clear_later(const struct clip_tool *t, const char *code, unsigned seconds)
{
	char delay[16], line[TOTP_CODE_MAX + 2];
	int p[2], status;
	pid_t pid;

	snprintf(delay, sizeof(delay), "%u", seconds);
	if (pipe2(p, O_CLOEXEC) != 0)
		return;
	pid = fork();
	if (pid == 0) {
		/* Double fork: the shell is no child of ours, so no zombie. */
		if (fork() != 0)
			_exit(0);
		setsid();
		signal(SIGHUP, SIG_IGN);
		child_stdio(p[0], -1);
		execl("/bin/sh", "sh", "-c", t->clear_sh, "sh", delay, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	if (pid > 0) {
		snprintf(line, sizeof(line), "%s\n", code);
		write_all(p[1], line, strlen(line));
		totp_wipe(line, sizeof(line));
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(p[1]);
}

int clipboard_copy(const char *code, unsigned valid_for, char *why, size_t whysz)
{
	const struct clip_tool *t = find_tool();
	char check[TOTP_CODE_MAX + 8];

	if (!t) {
		if (!have_env("WAYLAND_DISPLAY") && !have_env("DISPLAY"))
			snprintf(why, whysz,
			         "no graphical session (neither WAYLAND_DISPLAY nor "
			         "DISPLAY is set)");
		else
			snprintf(why, whysz,
			         "no clipboard tool found: install wl-clipboard "
			         "(Wayland), or xclip or xsel (X11)");
		return TOTP_E_UNSUPPORTED;
	}
	if (valid_for > CLIP_CLEAR_MAX)
		valid_for = CLIP_CLEAR_MAX;
	if (run_tool(t->copy, code, NULL, 0) != 0) {
		snprintf(why, whysz, "%s failed", t->copy[0]);
		return TOTP_E_IO;
	}
	/* Confirm, so a broken session does not pass for a copied code. */
	if (run_tool(t->paste, NULL, check, sizeof(check)) != 0 || strcmp(check, code) != 0) {
		totp_wipe(check, sizeof(check));
		snprintf(why, whysz, "the clipboard (%s) did not take the code", t->copy[0]);
		return TOTP_E_IO;
	}
	totp_wipe(check, sizeof(check));
	fflush(NULL);
	clear_later(t, code, valid_for);
	return TOTP_OK;
}
