/*
 * t_oathtool.c - differential test against oathtool (OATH Toolkit).
 *
 * Random cases from a seeded PRNG: TOTP with SHA-1/256/512 or HOTP
 * (oathtool's HOTP is SHA-1 only), secrets of 10..64 bytes, 6..8 digits,
 * periods of 15..120 s, times across 1970..2100 and counters up to 2^40.
 * Each case runs oathtool once with -w 3, so it prints the codes of four
 * consecutive steps or counters, all compared with ours: 2,500 cases give
 * 10,000 codes with few enough process starts to stay fast.  A few
 * oathtool processes run at once.  The seed is printed first; set
 * TOTP_TEST_SEED to replay a run and TOTP_TEST_CASES for more cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "totp.h"

#define CASES 2500
#define CASES_MAX 1000000
#define BATCH 250          /* cases per result line: 1000 codes */
#define WINDOW 3           /* oathtool -w: codes per case = WINDOW + 1 */
#define PARALLEL 4         /* oathtool processes at once */
#define T_MAX 4102444800LL /* 2100-01-01T00:00:00Z */
#define COUNTER_MAX (1ULL << 40)

extern char **environ;

static uint64_t prng_state;

/* splitmix64 */
static uint64_t prng(void)
{
	uint64_t z = (prng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in lo..hi (the modulo bias is irrelevant here). */
static uint64_t uniform(uint64_t lo, uint64_t hi)
{
	return lo + prng() % (hi - lo + 1);
}

struct tcase {
	int index;
	struct totp_entry e;
	int64_t t; /* TOTP */
	char hex[2 * 64 + 1];
	/* While oathtool runs: */
	pid_t pid;
	int fd;
};

static void make_case(struct tcase *c, int index)
{
	memset(c, 0, sizeof(*c));
	c->index = index;
	strcpy(c->e.account, "case");
	c->e.type = prng() & 1 ? TOTP_TYPE_TOTP : TOTP_TYPE_HOTP;
	c->e.algo = c->e.type == TOTP_TYPE_TOTP ? (enum totp_algo)uniform(0, 2) : TOTP_ALGO_SHA1;
	c->e.digits = (unsigned)uniform(6, 8);
	c->e.period = (unsigned)uniform(15, 120);
	c->e.secret_len = (size_t)uniform(10, 64);
	for (size_t i = 0; i < c->e.secret_len; i++) {
		c->e.secret[i] = (uint8_t)prng();
		snprintf(c->hex + 2 * i, 3, "%02x", c->e.secret[i]);
	}
	c->t = (int64_t)uniform(0, T_MAX - 1);
	c->e.counter = uniform(0, COUNTER_MAX);
}

static const char *const algo_names[] = {"SHA1", "SHA256", "SHA512"};

static void describe(const struct tcase *c)
{
	if (c->e.type == TOTP_TYPE_TOTP)
		printf("#   case %d: oathtool --totp=%s -d %u -s %us -N @%lld -w %d %s\n", c->index,
		       algo_names[c->e.algo], c->e.digits, c->e.period, (long long)c->t, WINDOW,
		       c->hex);
	else
		printf("#   case %d: oathtool --hotp -c %" PRIu64 " -d %u -w %d %s\n", c->index,
		       c->e.counter, c->e.digits, WINDOW, c->hex);
}

/* Starts oathtool for c with stdout and stderr on a pipe. */
static int start(struct tcase *c)
{
	char mode[32], digits[8], period[16], now[32], counter[32], window[8];
	char *argv[16];
	int n = 0, p[2], rc;
	posix_spawn_file_actions_t fa;

	snprintf(digits, sizeof(digits), "%u", c->e.digits);
	snprintf(window, sizeof(window), "%d", WINDOW);
	argv[n++] = (char *)"oathtool";
	if (c->e.type == TOTP_TYPE_TOTP) {
		snprintf(mode, sizeof(mode), "--totp=%s", algo_names[c->e.algo]);
		snprintf(period, sizeof(period), "%us", c->e.period);
		snprintf(now, sizeof(now), "@%lld", (long long)c->t);
		argv[n++] = mode;
		argv[n++] = (char *)"-s";
		argv[n++] = period;
		argv[n++] = (char *)"-N";
		argv[n++] = now;
	} else {
		snprintf(counter, sizeof(counter), "%" PRIu64, c->e.counter);
		argv[n++] = (char *)"--hotp";
		argv[n++] = (char *)"-c";
		argv[n++] = counter;
	}
	argv[n++] = (char *)"-d";
	argv[n++] = digits;
	argv[n++] = (char *)"-w";
	argv[n++] = window;
	argv[n++] = c->hex;
	argv[n] = NULL;

	if (pipe2(p, O_CLOEXEC) < 0)
		return errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	rc = posix_spawnp(&c->pid, "oathtool", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return rc;
	}
	c->fd = p[0];
	return 0;
}

/* Reads oathtool's output to the end and reaps it; returns the number of
 * codes that differ from ours (a failed run counts them all). */
static int finish(struct tcase *c)
{
	char out[512], want[(WINDOW + 1) * (TOTP_CODE_MAX + 1)] = "";
	size_t len = 0;
	ssize_t r;
	int status, bad = 0;

	while ((r = read(c->fd, out + len, sizeof(out) - 1 - len)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			len += (size_t)r;
	out[len] = '\0';
	close(c->fd);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;

	for (int k = 0; k <= WINDOW; k++) {
		char code[TOTP_CODE_MAX];
		int rc;

		if (c->e.type == TOTP_TYPE_TOTP)
			rc = totp_totp(code, sizeof(code), &c->e, c->t + k * (int64_t)c->e.period,
			               0);
		else
			rc = totp_hotp(code, sizeof(code), &c->e, c->e.counter + (uint64_t)k);
		if (rc != TOTP_OK)
			snprintf(code, sizeof(code), "error%d", rc);
		strcat(want, code);
		strcat(want, "\n");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strcmp(out, want) != 0) {
		const char *o = out, *w = want;

		describe(c);
		printf("#   oathtool exit %d, output:\n",
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		for (int k = 0; k <= WINDOW; k++) {
			size_t on = strcspn(o, "\n"), wn = strcspn(w, "\n");

			if (on != wn || strncmp(o, w, on) != 0) {
				printf("#   +%d: oathtool \"%.*s\", ours \"%.*s\"\n", k, (int)on, o,
				       (int)wn, w);
				bad++;
			}
			o += on + (o[on] != '\0');
			w += wn + (w[wn] != '\0');
		}
		if (bad == 0)
			bad = 1; /* failed run or stray output */
	}
	return bad;
}

static int oathtool_present(void)
{
	char *argv[] = {(char *)"oathtool", (char *)"--version", NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "oathtool", &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return 0;
	}
	posix_spawn_file_actions_destroy(&fa);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
	static struct tcase running[PARALLEL];
	const char *env = getenv("TOTP_TEST_SEED"), *ncases = getenv("TOTP_TEST_CASES");
	uint64_t seed;
	int cases = CASES, next = 0, done = 0, active = 0, batch_bad = 0, total_bad = 0,
	    batch_start = 1;
	time_t t0 = time(NULL);

	seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	printf("# seed %" PRIu64 "\n", seed);
	fflush(stdout);
	prng_state = seed;
	if (ncases) {
		cases = atoi(ncases);
		if (cases < 1 || cases > CASES_MAX) {
			printf("not ok - TOTP_TEST_CASES must be 1..%d\n", CASES_MAX);
			return 1;
		}
	}

	if (!oathtool_present()) {
		printf("not ok - oathtool not installed\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	/* Cases are generated in order, so a seed always gives the same set;
	 * they finish in order too (slot by slot), for stable batch lines. */
	while (done < cases) {
		while (active < PARALLEL && next < cases) {
			struct tcase *c = &running[next % PARALLEL];
			int rc;

			make_case(c, next + 1);
			rc = start(c);
			if (rc != 0) {
				printf("not ok - cannot run oathtool: %s\n", strerror(rc));
				return 1;
			}
			next++;
			active++;
		}
		int bad = finish(&running[done % PARALLEL]);

		active--;
		done++;
		batch_bad += bad;
		total_bad += bad;
		if (done % BATCH == 0 || done == cases) {
			CHECK(batch_bad == 0,
			      "cases %d..%d (%d codes) agree with oathtool (%d mismatches)",
			      batch_start, done, (done - batch_start + 1) * (WINDOW + 1),
			      batch_bad);
			batch_bad = 0;
			batch_start = done + 1;
		}
	}
	CHECK(total_bad == 0, "%d cases, %d codes agree with oathtool (%d mismatches, %lds)", cases,
	      cases * (WINDOW + 1), total_bad, (long)(time(NULL) - t0));
	TEST_EXIT();
}
