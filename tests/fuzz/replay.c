/*
 * replay.c - a main() for the fuzz harnesses without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on every file named or found in the
 * directories named, and prints one TAP-style line per argument for
 * tests/run.sh.  Without arguments it replays the target's regression
 * inputs ($TOTP_TOP/tests/fuzz/regress/TARGET) and seed corpus
 * ($TOTP_BUILD/fuzz-seeds/TARGET), as `make check` does.
 *
 * A crash or sanitizer report ends the program; the input being run is
 * named on stderr first.  Built with -DFUZZ_TARGET="name".
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=\"name\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char current[4096];

/* Name the input that crashed (async-signal-safe). */
static void name_current(void)
{
	static const char a[] = "not ok - fuzz_" FUZZ_TARGET " replay crashed on ";

	if (!current[0])
		return;
	(void)!write(1, a, sizeof(a) - 1);
	(void)!write(1, current, strlen(current));
	(void)!write(1, "\n", 1);
}

static void on_signal(int sig)
{
	name_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define FUZZ_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_SANITIZED 1
#endif
#ifdef FUZZ_SANITIZED
void __sanitizer_set_death_callback(void (*callback)(void));
#endif

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	snprintf(current, sizeof(current), "%s", path);
	/* An exact-size copy, as libFuzzer passes its inputs. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	current[0] = '\0';
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run one file or every file of a directory (not recursive; dot files
 * skipped).  *count gets the number run; -1 when unreadable. */
static int run_path(const char *path, size_t *count)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	*count = 0;
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		*count = 1;
		return run_file(path);
	}
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

			if (!nn)
				abort();
			names = nn;
		}
		names[n] = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (!names[n])
			abort();
		sprintf(names[n], "%s/%s", path, de->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(names[i]) != 0)
				rc = -1;
			else
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	static const int sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
	const char *top = getenv("TOTP_TOP"), *build = getenv("TOTP_BUILD");
	char regress[4096], seeds[4096];
	const char *defaults[2];
	char **paths = argv + 1;
	int npaths = argc - 1, failed = 0;

	/* Sanitizers keep their own handlers for faults; an abort (a broken
	 * invariant) is named here in every build. */
#ifdef FUZZ_SANITIZED
	__sanitizer_set_death_callback(name_current);
	signal(SIGABRT, on_signal);
#else
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_signal);
#endif
	(void)sigs;
	if (LLVMFuzzerInitialize(&argc, &argv) != 0) {
		printf("not ok - fuzz_%s: initialisation failed\n", FUZZ_TARGET);
		return 1;
	}
	if (npaths == 0) {
		snprintf(regress, sizeof(regress), "%s/tests/fuzz/regress/%s", top ? top : ".",
		         FUZZ_TARGET);
		snprintf(seeds, sizeof(seeds), "%s/fuzz-seeds/%s", build ? build : "build",
		         FUZZ_TARGET);
		defaults[0] = regress;
		defaults[1] = seeds;
		paths = (char **)defaults;
		npaths = 2;
	}
	for (int i = 0; i < npaths; i++) {
		size_t count = 0;
		int rc = run_path(paths[i], &count);

		if (rc != 0 || count == 0) {
			printf("not ok - fuzz_%s replay: %s unreadable or empty\n", FUZZ_TARGET,
			       paths[i]);
			failed = 1;
		} else {
			printf("ok - fuzz_%s replay: %zu inputs of %s\n", FUZZ_TARGET, count,
			       paths[i]);
		}
		fflush(stdout);
	}
	return failed;
}
