/*
 * keycache.c - the derived vault key cached in the kernel keyring (the
 * user keyring, so every terminal of the user shares one unlock), with a
 * timeout after which the kernel drops it.  The key is bound to the vault
 * by its real path; a stale key simply fails to decrypt and is dropped.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keyutils.h>
#include "cli.h"

bool keycache_enabled(void)
{
	const char *off = getenv("TOTP_NO_KEYRING");

	return !(off && *off && strcmp(off, "0") != 0);
}

static int describe(const char *vault_path, char *desc, size_t descsz)
{
	char real[PATH_MAX];

	if (!realpath(vault_path, real))
		return -1;
	if ((size_t)snprintf(desc, descsz, "totp:vault:%s", real) >= descsz)
		return -1;
	return 0;
}

static key_serial_t find(const char *vault_path)
{
	char desc[PATH_MAX + 16];
	key_serial_t k;

	if (!keycache_enabled() || describe(vault_path, desc, sizeof(desc)) != 0)
		return -1;
	k = keyctl_search(KEY_SPEC_USER_KEYRING, "user", desc, 0);
	return k < 0 ? -1 : k;
}

int keycache_get(const char *vault_path, uint8_t key[TOTP_KEY_BYTES])
{
	key_serial_t k = find(vault_path);
	long n;

	if (k < 0)
		return TOTP_E_NOENT;
	/* keyctl_read gives the payload's whole size and copies what fits:
	 * anything but a key's size is not one of ours. */
	n = keyctl_read(k, (char *)key, TOTP_KEY_BYTES);
	if (n == TOTP_KEY_BYTES)
		return TOTP_OK;
	totp_wipe(key, TOTP_KEY_BYTES);
	return TOTP_E_NOENT;
}

int keycache_put(const char *vault_path, const uint8_t key[TOTP_KEY_BYTES], unsigned timeout_s)
{
	char desc[PATH_MAX + 16];
	key_serial_t k;

	if (describe(vault_path, desc, sizeof(desc)) != 0)
		return TOTP_E_INVAL;
	k = add_key("user", desc, key, TOTP_KEY_BYTES, KEY_SPEC_USER_KEYRING);
	if (k < 0)
		return TOTP_E_UNSUPPORTED;
	/* Only possessors (this user's sessions) may read it; others may see
	 * that it exists. */
	if (keyctl_setperm(k, KEY_POS_ALL | KEY_USR_VIEW) < 0 ||
	    keyctl_set_timeout(k, timeout_s) < 0) {
		keyctl_invalidate(k);
		return TOTP_E_UNSUPPORTED;
	}
	return TOTP_OK;
}

int keycache_drop(const char *vault_path)
{
	key_serial_t k = find(vault_path);

	if (k < 0)
		return TOTP_E_NOENT;
	if (keyctl_invalidate(k) < 0 && keyctl_unlink(k, KEY_SPEC_USER_KEYRING) < 0)
		return TOTP_E_IO;
	return TOTP_OK;
}
