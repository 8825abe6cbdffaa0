/*
 * init.c - library initialisation and version.
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
