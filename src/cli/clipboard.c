/*
 * clipboard.c - put a code (never a seed) on the desktop clipboard with
 * wl-copy (Wayland) or xclip/xsel (X11), fed through a pipe, and clear it
 * when the code expires if the clipboard still holds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct clip_tool {
	const char *env;          /* session variable it needs */
	const char *const *copy;  /* reads the text on stdin */
	const char *const *paste; /* prints the clipboard */
	const char *const *clear; /* empties it (stdin is empty) */
};

static const char *const wl_copy[] = {"wl-copy", "--type", "text/plain", NULL};
static const char *const wl_paste[] = {"wl-paste", "--no-newline", NULL};
static const char *const wl_clear[] = {"wl-copy", "--clear", NULL};
static const char *const xclip_copy[] = {"xclip", "-selection", "clipboard", "-in", NULL};
static const char *const xclip_paste[] = {"xclip", "-selection", "clipboard", "-out", NULL};
static const char *const xsel_copy[] = {"xsel", "--clipboard", "--input", NULL};
static const char *const xsel_paste[] = {"xsel", "--clipboard", "--output", NULL};
static const char *const xsel_clear[] = {"xsel", "--clipboard", "--delete", NULL};

static const struct clip_tool tools[] = {
	{"WAYLAND_DISPLAY", wl_copy, wl_paste, wl_clear},
	{"DISPLAY", xclip_copy, xclip_paste, xclip_copy},
	{"DISPLAY", xsel_copy, xsel_paste, xsel_clear},
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

static const struct clip_tool *find_tool(void)
{
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		const char *v = getenv(tools[i].env);

		if (v && *v && in_path(tools[i].copy[0]) && in_path(tools[i].paste[0]))
			return &tools[i];
	}
	return NULL;
}

/*
 * Run argv with `in` on its stdin; when out is not NULL, collect up to
 * outsz-1 bytes of its stdout.  Returns the exit status or -1.
 */
static int run_tool(const char *const *argv, const char *in, char *out, size_t outsz)
{
	int pin[2], pout[2] = {-1, -1}, status;
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
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(pin[0], STDIN_FILENO);
		dup2(out ? pout[1] : devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pin[0]);
	if (in)
		(void)!write(pin[1], in, strlen(in));
	close(pin[1]);
	if (out) {
		ssize_t r;

		close(pout[1]);
		while (n + 1 < outsz && (r = read(pout[0], out + n, outsz - 1 - n)) > 0)
			n += (size_t)r;
		out[n] = '\0';
		close(pout[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* In a detached child: wait until the code expires, then clear the
 * clipboard if it still holds the code. */
static void clear_later(const struct clip_tool *t, const char *code, unsigned seconds)
{
	char now[TOTP_CODE_MAX + 8];
	struct timespec ts = {(time_t)seconds, 0};
	pid_t pid = fork();

	if (pid != 0)
		return;
	setsid();
	signal(SIGHUP, SIG_IGN);
	for (int fd = 0; fd < 3; fd++) {
		int devnull = open("/dev/null", O_RDWR);

		if (devnull >= 0 && devnull != fd) {
			dup2(devnull, fd);
			close(devnull);
		}
	}
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	if (run_tool(t->paste, NULL, now, sizeof(now)) == 0 && strcmp(now, code) == 0)
		run_tool(t->clear, "", NULL, 0);
	totp_wipe(now, sizeof(now));
	_exit(0);
}

int clipboard_copy(const char *code, unsigned valid_for, char *why, size_t whysz)
{
	const struct clip_tool *t = find_tool();
	char check[TOTP_CODE_MAX + 8];

	if (!t) {
		snprintf(why, whysz, "no clipboard tool for this session (install wl-clipboard on "
				     "Wayland, or xclip or xsel on X11, and run in a graphical "
				     "session)");
		return TOTP_E_UNSUPPORTED;
	}
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
