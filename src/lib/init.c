/*
 * init.c - library initialisation, version, and guarded memory for secrets.
 */
#include <sodium.h>

#include "internal.h"

int totp_init(void)
{
	return sodium_init() < 0 ? TOTP_E_UNSUPPORTED : TOTP_OK;
}

const char *totp_version(void)
{
	return TOTP_VERSION;
}

void *totp_secure_alloc(size_t n)
{
	return sodium_malloc(n);
}

void totp_secure_free(void *p)
{
	sodium_free(p);
}

void totp_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

int totp_memeq(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}
