/*
 * fuzz.h - shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput and includes this header
 * once.  The same source builds two ways: with clang -fsanitize=fuzzer for
 * `make fuzz`, and with tests/fuzz/replay.c's main() under any compiler for
 * the replay tier of `make check`.
 *
 * Harnesses are linked with -Wl,--wrap for the three password-based KDFs
 * the importers run (Argon2id, scrypt, PBKDF2).  The wrappers refuse costs
 * above a small cap, as if memory ran out, so that a mutated cost field can
 * neither take seconds nor hundreds of MiB; costs within the cap (the cheap
 * fixtures') are computed for real, so their decrypted content is reached.
 * The library's own bounds are still exercised: they are checked before
 * any KDF is called.
 */
#ifndef TOTP_FUZZ_H
#define TOTP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "totp.h"

#define FUZZ_UNUSED __attribute__((unused))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant of the library is broken: report and crash, so that
 * libFuzzer saves the input and the replay tier fails. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__,  \
			        #cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* ---- KDF cost caps ------------------------------------------------------ */

#define FUZZ_ARGON2_MEM_CAP (1u << 20) /* bytes */
#define FUZZ_ARGON2_OPS_CAP 4u
#define FUZZ_SCRYPT_COST_CAP 8192ull /* N * r * p */
#define FUZZ_PBKDF2_ITER_CAP 10000u  /* 2FAS's fixed count */

int __real_crypto_pwhash(unsigned char *out, unsigned long long outlen, const char *passwd,
                         unsigned long long passwdlen, const unsigned char *salt,
                         unsigned long long opslimit, size_t memlimit, int alg);
int __wrap_crypto_pwhash(unsigned char *out, unsigned long long outlen, const char *passwd,
                         unsigned long long passwdlen, const unsigned char *salt,
                         unsigned long long opslimit, size_t memlimit, int alg);
int __real_crypto_pwhash_scryptsalsa208sha256_ll(const uint8_t *passwd, size_t passwdlen,
                                                 const uint8_t *salt, size_t saltlen, uint64_t N,
                                                 uint32_t r, uint32_t p, uint8_t *buf,
                                                 size_t buflen);
int __wrap_crypto_pwhash_scryptsalsa208sha256_ll(const uint8_t *passwd, size_t passwdlen,
                                                 const uint8_t *salt, size_t saltlen, uint64_t N,
                                                 uint32_t r, uint32_t p, uint8_t *buf,
                                                 size_t buflen);
int __real_totp_pbkdf2(uint8_t *out, size_t outlen, enum totp_algo algo, const uint8_t *pass,
                       size_t passlen, const uint8_t *salt, size_t saltlen, uint32_t iterations);
int __wrap_totp_pbkdf2(uint8_t *out, size_t outlen, enum totp_algo algo, const uint8_t *pass,
                       size_t passlen, const uint8_t *salt, size_t saltlen, uint32_t iterations);

int __wrap_crypto_pwhash(unsigned char *out, unsigned long long outlen, const char *passwd,
                         unsigned long long passwdlen, const unsigned char *salt,
                         unsigned long long opslimit, size_t memlimit, int alg)
{
	if (memlimit > FUZZ_ARGON2_MEM_CAP || opslimit > FUZZ_ARGON2_OPS_CAP)
		return -1;
	return __real_crypto_pwhash(out, outlen, passwd, passwdlen, salt, opslimit, memlimit, alg);
}

int __wrap_crypto_pwhash_scryptsalsa208sha256_ll(const uint8_t *passwd, size_t passwdlen,
                                                 const uint8_t *salt, size_t saltlen, uint64_t N,
                                                 uint32_t r, uint32_t p, uint8_t *buf,
                                                 size_t buflen)
{
	if (N > FUZZ_SCRYPT_COST_CAP || r > FUZZ_SCRYPT_COST_CAP || p > FUZZ_SCRYPT_COST_CAP ||
	    N * r * p > FUZZ_SCRYPT_COST_CAP)
		return -1;
	return __real_crypto_pwhash_scryptsalsa208sha256_ll(passwd, passwdlen, salt, saltlen, N, r,
	                                                    p, buf, buflen);
}

int __wrap_totp_pbkdf2(uint8_t *out, size_t outlen, enum totp_algo algo, const uint8_t *pass,
                       size_t passlen, const uint8_t *salt, size_t saltlen, uint32_t iterations)
{
	if (iterations > FUZZ_PBKDF2_ITER_CAP)
		return TOTP_E_NOMEM;
	return __real_totp_pbkdf2(out, outlen, algo, pass, passlen, salt, saltlen, iterations);
}

/* ---- guarded memory ------------------------------------------------------ */

/*
 * The library keeps secrets in libsodium's guarded allocations (mmap with
 * guard pages), which AddressSanitizer and LeakSanitizer do not see, and
 * which cost several system calls each.  The library's calls to them are
 * wrapped to use the ordinary heap here, so that ASan checks every access
 * to them byte for byte and LSan finds them leaked; the live ones are also
 * counted, and every harness checks that none is left after an input
 * (fuzz_guarded_check).  The fill byte is libsodium's (0xdb).
 */
void *__wrap_sodium_malloc(size_t size);
void *__wrap_sodium_allocarray(size_t count, size_t size);
void __wrap_sodium_free(void *ptr);

static long fuzz_guarded_live;

void *__wrap_sodium_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p) {
		memset(p, 0xdb, size);
		fuzz_guarded_live++;
	}
	return p;
}

void *__wrap_sodium_allocarray(size_t count, size_t size)
{
	if (count > 0 && size >= SIZE_MAX / count)
		return NULL;
	return __wrap_sodium_malloc(count * size);
}

void __wrap_sodium_free(void *ptr)
{
	if (ptr)
		fuzz_guarded_live--;
	free(ptr);
}

/* Call at the end of each input, after everything was released. */
#define fuzz_guarded_check()                                                                       \
	do {                                                                                       \
		if (fuzz_guarded_live != 0) {                                                      \
			fprintf(stderr, "fuzz: %ld guarded allocation(s) leaked\n",                \
			        fuzz_guarded_live);                                                \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* ---- helpers ------------------------------------------------------------ */

/* 1 when s holds a NUL within n bytes. */
FUZZ_UNUSED static int fuzz_terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/* A NUL-terminated copy of the input, in ordinary heap so that ASan sees
 * reads past its end. */
FUZZ_UNUSED static char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * What every reader of an import promises: every entry it returns passes
 * totp_entry_check, and labels and details are terminated.  Each entry's
 * code and URI are computed too, to run the entry through the rest of the
 * library.
 */
FUZZ_UNUSED static void fuzz_check_import(const struct totp_import *im)
{
	char buf[TOTP_URI_MAX], code[TOTP_CODE_MAX];

	FUZZ_ASSERT(im->count <= im->cap || im->count == 0);
	FUZZ_ASSERT(fuzz_terminated(im->format, sizeof(im->format)));
	for (size_t i = 0; i < im->count; i++) {
		const struct totp_entry *e = &im->entries[i];

		FUZZ_ASSERT(totp_entry_check(e) == TOTP_OK);
		FUZZ_ASSERT(totp_uri_format(buf, sizeof(buf), e) == TOTP_OK);
		FUZZ_ASSERT(totp_code(code, sizeof(code), e, 1700000000) == TOTP_OK);
	}
	for (size_t i = 0; i < im->nproblems; i++) {
		const struct totp_import_problem *p = &im->problems[i];

		FUZZ_ASSERT(fuzz_terminated(p->label, sizeof(p->label)));
		FUZZ_ASSERT(fuzz_terminated(p->detail, sizeof(p->detail)));
		FUZZ_ASSERT(p->err < 0 && p->err >= TOTP_E_LAST_);
	}
	totp_wipe(buf, sizeof(buf));
}

#endif
