/*
 * t_sha1.c - SHA-1 known answers (FIPS 180-4 examples, RFC 3174 section 7.3)
 * and streaming against one-shot hashing at every length 0..300.
 *
 * The checks run twice: with the default compression (the CPU's SHA
 * extensions when it has them) and, in a re-executed copy of this program,
 * with TOTP_SHA1_GENERIC=1 forcing the portable code.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "totp.h"

static const char *mode;

static const char *hex(const uint8_t *d, size_t n)
{
	static char buf[2 * 64 + 1];

	for (size_t i = 0; i < n && i < 64; i++)
		snprintf(buf + 2 * i, 3, "%02x", d[i]);
	buf[2 * (n < 64 ? n : 64)] = '\0';
	return buf;
}

static const struct {
	const char *msg;
	size_t repeat;
	const char *digest;
} vectors[] = {
        {"", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrl"
         "mn"
         "opqrsmnopqrstnopqrstu",
         1, "a49b2446a02c645bf419f995b67091253a04a259"},
        {"0123456701234567012345670123456701234567012345670123456701234567", 10,
         "dea356a2cddd90c7a7ecedc5ebb563934f460452"},
        {"a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
};

/* A repeated message, streamed one copy at a time. */
static void check_vectors(void)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		struct totp_sha1 c;
		uint8_t d[TOTP_SHA1_BYTES];
		size_t n = strlen(vectors[i].msg);

		totp_sha1_init(&c);
		for (size_t r = 0; r < vectors[i].repeat; r++)
			totp_sha1_update(&c, (const uint8_t *)vectors[i].msg, n);
		totp_sha1_final(&c, d);
		CHECK_STR(hex(d, sizeof(d)), vectors[i].digest, "%s: vector %zu (%zu x %zu bytes)",
		          mode, i, vectors[i].repeat, n);
	}
}

/* The million 'a' one-shot, and fed in odd-sized chunks that straddle the
 * block boundary in every way. */
static void check_million(void)
{
	static const size_t chunks[] = {1, 3, 7, 13, 55, 56, 57, 61, 63, 64, 65, 127, 129, 1000};
	const char *want = "34aa973cd4c4daa4f61eeb2bdbad27316534016f";
	uint8_t *a = malloc(1000000), d[TOTP_SHA1_BYTES];
	struct totp_sha1 c;
	size_t done = 0;

	if (!CHECK(a != NULL, "%s: allocate a million bytes", mode))
		return;
	memset(a, 'a', 1000000);
	totp_sha1(d, a, 1000000);
	CHECK_STR(hex(d, sizeof(d)), want, "%s: one-shot million 'a'", mode);

	totp_sha1_init(&c);
	for (size_t i = 0; done < 1000000; i++) {
		size_t n = chunks[i % (sizeof(chunks) / sizeof(chunks[0]))];

		if (n > 1000000 - done)
			n = 1000000 - done;
		totp_sha1_update(&c, a + done, n);
		done += n;
	}
	totp_sha1_final(&c, d);
	CHECK_STR(hex(d, sizeof(d)), want, "%s: million 'a' in odd-sized chunks", mode);
	free(a);
}

/*
 * For a fixed pattern p, every prefix length 0..300: one-shot equals
 * streaming split at every point and fed byte by byte; and the SHA-1 of
 * the concatenated digests of all 301 prefixes matches an independent
 * implementation (OpenSSL), which pins the padding at every length.
 */
static void check_lengths(void)
{
	uint8_t p[301], d[TOTP_SHA1_BYTES], s[TOTP_SHA1_BYTES];
	struct totp_sha1 all, c;
	int same = 1;

	for (size_t i = 0; i < sizeof(p); i++)
		p[i] = (uint8_t)(i * 7 + 3);
	totp_sha1_init(&all);
	for (size_t n = 0; n <= 300; n++) {
		totp_sha1(d, p, n);
		totp_sha1_update(&all, d, sizeof(d));
		for (size_t cut = 0; cut <= n; cut++) {
			totp_sha1_init(&c);
			totp_sha1_update(&c, p, cut);
			totp_sha1_update(&c, NULL, 0);
			totp_sha1_update(&c, p + cut, n - cut);
			totp_sha1_final(&c, s);
			if (memcmp(d, s, sizeof(d)) != 0) {
				printf("# length %zu split at %zu differs\n", n, cut);
				same = 0;
			}
		}
		totp_sha1_init(&c);
		for (size_t i = 0; i < n; i++)
			totp_sha1_update(&c, p + i, 1);
		totp_sha1_final(&c, s);
		if (memcmp(d, s, sizeof(d)) != 0) {
			printf("# length %zu byte by byte differs\n", n);
			same = 0;
		}
	}
	CHECK(same, "%s: streaming equals one-shot at lengths 0..300, every split", mode);
	totp_sha1_final(&all, d);
	CHECK_STR(hex(d, sizeof(d)), "43debf5006166594c976375f1c06253e43d53ddf",
	          "%s: digests of all prefixes 0..300", mode);

	static const struct {
		size_t n;
		const char *digest;
	} edges[] = {
	        {55, "ddf57317ef34bfee3b6df83d359098930eb278bc"},
	        {56, "a0d492bb0fc889d0eca3bc137066ab6f4f74f369"},
	        {57, "11a02dcf95859677a62e75024067c22b165d890f"},
	        {63, "c55856749bef509bdfe6bfebfc7bf4e793e82132"},
	        {64, "bede92be29c3874e1b54ddc77988d606fc857a8e"},
	        {65, "b05a80522b053d6dc7e0a517d0e70212c7dad11f"},
	        {119, "504e27376a6e0f0dba8295b85cb25dc4dfa17d23"},
	        {120, "82134b02fb3f702491be9bed581eeab59334acb2"},
	        {128, "a09133e6730ffe899efb70204cb5646cd5dc24ee"},
	};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		totp_sha1(d, p, edges[i].n);
		CHECK_STR(hex(d, sizeof(d)), edges[i].digest, "%s: pattern prefix of %zu bytes",
		          mode, edges[i].n);
	}
}

/* Runs this program again with the portable compression forced. */
static int run_generic(char **argv)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setenv("TOTP_SHA1_GENERIC", "1", 1);
		/* argv[0] first: under valgrind /proc/self/exe is valgrind. */
		if (strchr(argv[0], '/'))
			execv(argv[0], argv);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
	int child = 0;

	(void)argc;
	mode = getenv("TOTP_SHA1_GENERIC") ? "generic" : "default";
	check_vectors();
	check_million();
	check_lengths();
	if (strcmp(mode, "default") == 0) {
		child = run_generic(argv);
		CHECK(child == 0, "portable compression passes (exit %d)", child);
	}
	TEST_EXIT();
}
