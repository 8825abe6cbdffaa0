/*
 * kdf.c - passphrase to vault key: Argon2id v1.3 (libsodium's
 * crypto_pwhash, algorithm pinned), its bounds, and calibration of its cost
 * to this machine.
 */
#include <math.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "vault_internal.h"

/* Calibration: the memory to aim for, and the small probe that estimates
 * this machine's speed before anything large is tried. */
#define CAL_MEM_TARGET ((uint64_t)256 << 20)
#define CAL_PROBE_MEM ((uint64_t)4 << 20)
#define CAL_SECONDS_MAX 600.0

int totp_sodium_ready(void)
{
	return sodium_init() < 0 ? TOTP_E_UNSUPPORTED : TOTP_OK;
}

int totp_kdf_check(const struct totp_kdf *kdf)
{
	if (!kdf)
		return TOTP_E_INVAL;
	if (kdf->opslimit < 1 || kdf->opslimit > TOTP_KDF_OPS_MAX)
		return TOTP_E_KDF;
	if (kdf->opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
	    kdf->opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX)
		return TOTP_E_KDF;
	if (kdf->memlimit < TOTP_KDF_MEM_MIN || kdf->memlimit > TOTP_KDF_MEM_MAX)
		return TOTP_E_KDF;
	if (kdf->memlimit > SIZE_MAX || kdf->memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
	    kdf->memlimit > crypto_pwhash_argon2id_MEMLIMIT_MAX)
		return TOTP_E_KDF;
	return TOTP_OK;
}

int totp_kdf_derive(uint8_t key[TOTP_KEY_BYTES], const char *pass, size_t passlen,
                    const uint8_t salt[VAULT_SALT_BYTES], const struct totp_kdf *kdf)
{
	int rc;

	if (!key || !salt || (!pass && passlen))
		return TOTP_E_INVAL;
	rc = totp_kdf_check(kdf);
	if (rc)
		return rc;
	if ((uint64_t)passlen > crypto_pwhash_argon2id_PASSWD_MAX)
		return TOTP_E_TOOBIG;
	rc = totp_sodium_ready();
	if (rc)
		return rc;
	/* The only failure left with checked arguments is memory. */
	if (crypto_pwhash(key, TOTP_KEY_BYTES, pass ? pass : "", passlen, salt, kdf->opslimit,
	                  (size_t)kdf->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_memzero(key, TOTP_KEY_BYTES);
		return TOTP_E_NOMEM;
	}
	return TOTP_OK;
}

static double now_seconds(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0.0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds one derivation takes with this cost (a throw-away passphrase). */
static int measure(double *secs, uint32_t ops, uint64_t mem)
{
	static const char pass[] = "totp calibration";
	struct totp_kdf kdf = {.opslimit = ops, .memlimit = mem};
	uint8_t salt[VAULT_SALT_BYTES], key[TOTP_KEY_BYTES];
	double t0;
	int rc;

	randombytes_buf(salt, sizeof(salt));
	t0 = now_seconds();
	rc = totp_kdf_derive(key, pass, sizeof(pass) - 1, salt, &kdf);
	*secs = now_seconds() - t0;
	sodium_memzero(key, sizeof(key));
	if (*secs <= 0.0)
		*secs = 1e-6;
	return rc;
}

/* Half of physical memory, or 0 when the system does not say. */
static uint64_t half_ram(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || psize <= 0)
		return 0;
	if ((uint64_t)pages > UINT64_MAX / (uint64_t)psize)
		return UINT64_MAX / 2;
	return (uint64_t)pages * (uint64_t)psize / 2;
}

static uint64_t halve(uint64_t mem, uint64_t floor_mem)
{
	mem = (mem / 2) & ~(uint64_t)1023;
	return mem < floor_mem ? floor_mem : mem;
}

/*
 * Memory first (256 MiB, or min_mem if larger, at most half the RAM), then
 * passes.  A small probe predicts the cost of one pass, so memory is halved
 * on paper until one pass fits the target; one pass is then measured for
 * real (halving again while it is clearly too slow and time allows), and
 * the passes scale that measurement to the target.  The whole calibration
 * stays within about three times the target.
 */
int totp_kdf_calibrate(struct totp_kdf *out, double seconds, uint64_t min_mem)
{
	uint64_t mem, half, probe;
	double t, t_probe, spent, start, ops;
	int rc;

	if (!out || !isfinite(seconds) || seconds <= 0.0 || seconds > CAL_SECONDS_MAX)
		return TOTP_E_INVAL;
	if (min_mem < TOTP_KDF_MEM_MIN)
		min_mem = TOTP_KDF_MEM_MIN;
	if (min_mem > TOTP_KDF_MEM_MAX)
		return TOTP_E_KDF;
	rc = totp_sodium_ready();
	if (rc)
		return rc;

	mem = min_mem > CAL_MEM_TARGET ? min_mem : CAL_MEM_TARGET;
	half = half_ram();
	if (half && mem > half)
		mem = half;
	if (mem > TOTP_KDF_MEM_MAX)
		mem = TOTP_KDF_MEM_MAX;
	if (mem < min_mem)
		return TOTP_E_NOMEM; /* half the RAM is less than min_mem */
	if ((mem & ~(uint64_t)1023) >= min_mem)
		mem &= ~(uint64_t)1023;

	start = now_seconds();
	probe = mem < CAL_PROBE_MEM ? mem : CAL_PROBE_MEM;
	rc = measure(&t_probe, 1, probe);
	if (rc)
		return rc;
	while (mem > min_mem && t_probe * ((double)mem / (double)probe) > seconds)
		mem = halve(mem, min_mem);

	for (;;) {
		rc = measure(&t, 1, mem);
		if (rc == TOTP_E_NOMEM && mem > min_mem) {
			mem = halve(mem, min_mem);
			continue;
		}
		if (rc)
			return rc;
		spent = now_seconds() - start;
		if (t <= seconds * 1.25 || mem <= min_mem || spent + t / 2 > 2.0 * seconds)
			break;
		mem = halve(mem, min_mem);
	}

	ops = seconds / t + 0.5; /* rounded to the nearest number of passes */
	if (ops < 1.0)
		ops = 1.0;
	if (ops > (double)TOTP_KDF_OPS_MAX)
		ops = (double)TOTP_KDF_OPS_MAX;
	out->opslimit = (uint32_t)ops;
	out->memlimit = mem;
	return TOTP_OK;
}
