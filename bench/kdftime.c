/*
 * kdftime.c - the reference for "totp unlock" in bench/run.sh: one process
 * that reads a vault's header and derives a key with the same Argon2id
 * parameters (libsodium crypto_pwhash, the same call the vault uses), and
 * nothing else.  Timing it beside "totp unlock" isolates what unlock adds
 * to the KDF.
 *
 *	kdftime VAULT		derive once, print nothing
 *	kdftime -p VAULT	print "opslimit memlimit" and exit
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#define HEADER_BYTES 72

static uint64_t load_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

int main(int argc, char **argv)
{
	static const char pass[] = "benchmark passphrase";
	uint8_t hdr[HEADER_BYTES], key[32];
	int print = argc == 3 && strcmp(argv[1], "-p") == 0;
	const char *path = argv[argc - 1];
	unsigned long long ops;
	size_t mem;
	FILE *f;

	if (argc != 2 && !print) {
		fprintf(stderr, "usage: kdftime [-p] VAULT\n");
		return 2;
	}
	f = fopen(path, "rb");
	if (!f || fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr)) {
		fprintf(stderr, "kdftime: %s: cannot read a vault header\n", path);
		return 1;
	}
	fclose(f);
	ops = load_be(hdr + 12, 4);
	mem = (size_t)load_be(hdr + 16, 8);
	if (print) {
		printf("%llu %zu\n", ops, mem);
		return 0;
	}
	if (sodium_init() < 0 || crypto_pwhash(key, sizeof(key), pass, sizeof(pass) - 1, hdr + 24,
	                                       ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		fprintf(stderr, "kdftime: crypto_pwhash failed\n");
		return 1;
	}
	sodium_memzero(key, sizeof(key));
	return 0;
}
