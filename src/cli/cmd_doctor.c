/*
 * cmd_doctor.c - check what codes and the vault depend on: the clock, the
 * vault's files and permissions, the strength of its key derivation
 * against today's calibration, the backup, the key cache.  No passphrase
 * is needed.  Exit 1 when something needs attention.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int problems;

static void report(bool good, const char *what, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void report(bool good, const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("%-8s %-10s ", good ? "ok" : "WARNING", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	problems += !good;
}

static void check_file(const char *what, const char *path, bool must_exist)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		if (must_exist || errno != ENOENT)
			report(false, what, "%s: %s", path, strerror(errno));
		return;
	}
	if (S_ISLNK(st.st_mode))
		report(false, what, "%s is a symbolic link; totp refuses to follow it", path);
	else if (!S_ISREG(st.st_mode))
		report(false, what, "%s is not a regular file", path);
	else if (st.st_uid != getuid())
		report(false, what, "%s is owned by uid %u, not you", path, (unsigned)st.st_uid);
	else if (st.st_mode & 077)
		report(false, what, "%s has mode %04o; run: chmod 600 '%s'", path,
		       (unsigned)(st.st_mode & 07777), path);
	else
		report(true, what, "%s (mode 0600, %lld bytes)", path, (long long)st.st_size);
}

static void check_dir(const char *vault)
{
	char dir[PATH_MAX];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", vault);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) != 0)
		report(false, "directory", "%s: %s", dir, strerror(errno));
	else if (st.st_mode & 022)
		report(false, "directory",
		       "%s is writable by others (mode %04o): they could "
		       "replace the vault",
		       dir, (unsigned)(st.st_mode & 07777));
	else
		report(true, "directory", "%s (mode %04o)", dir, (unsigned)(st.st_mode & 07777));
}

static void check_kdf(const struct totp_vault_info *info)
{
	struct totp_kdf today;
	char have[32], want[32];

	format_size(have, sizeof(have), info->kdf.memlimit);
	if (totp_kdf_calibrate(&today, 0.5, TOTP_KDF_MEM_RECOMMENDED_MIN) != TOTP_OK) {
		report(false, "strength", "cannot calibrate the key derivation here");
		return;
	}
	format_size(want, sizeof(want), today.memlimit);
	/* Work is memory times passes; compare with what half a second buys now. */
	if ((double)info->kdf.memlimit * info->kdf.opslimit <
	    0.5 * (double)today.memlimit * today.opslimit)
		report(false, "strength",
		       "Argon2id %s x %u passes is weaker than this machine affords (%s x %u); "
		       "run 'totp passwd' to upgrade",
		       have, info->kdf.opslimit, want, today.opslimit);
	else
		report(true, "strength", "Argon2id %s x %u passes (today's calibration: %s x %u)",
		       have, info->kdf.opslimit, want, today.opslimit);
}

static void check_backup(const char *vault)
{
	char bak[PATH_MAX];
	struct stat st;

	snprintf(bak, sizeof(bak), "%s.bak", vault);
	if (stat(bak, &st) != 0) {
		report(true, "backup", "none yet (the first save keeps one at %s)", bak);
		return;
	}
	check_file("backup", bak, true);
	printf("%-8s %-10s previous generation saved %.1f days ago\n", "", "",
	       (double)(now_seconds() - st.st_mtime) / 86400.0);
}

int cmd_doctor(int argc, char **argv)
{
	const struct command *cmd = command_find("doctor");
	struct totp_vault_info info;
	uint8_t key[TOTP_KEY_BYTES];
	int rc;

	(void)argv;
	if (argc > 1)
		return usage_error(cmd, "unexpected argument '%s'", argv[1]);
	problems = 0;
	if (clock_synchronised())
		report(true, "clock", "synchronised (the kernel reports NTP sync)");
	else
		report(false, "clock",
		       "not synchronised: TOTP codes are wrong if the clock "
		       "drifted; enable NTP (systemd-timesyncd, chrony)");
	rc = totp_vault_info(&info, cli.vault_path);
	if (rc == TOTP_E_NOENT) {
		report(false, "vault", "%s does not exist (create it with 'totp init')",
		       cli.vault_path);
		return EXIT_FAIL;
	}
	check_file("vault", cli.vault_path, true);
	check_dir(cli.vault_path);
	if (rc != TOTP_OK) {
		report(false, "format", "%s: %s", cli.vault_path, totp_strerror(rc));
		return EXIT_FAIL;
	}
	report(true, "format", "version %u, generation %llu", info.version,
	       (unsigned long long)info.generation);
	{
		char msg[512];
		bool good = rollback_describe(&info, msg, sizeof(msg));

		report(good, "rollback", "%s", msg);
	}
	check_kdf(&info);
	check_backup(cli.vault_path);
	if (!keycache_enabled())
		report(true, "unlock", "the key cache is disabled (TOTP_NO_KEYRING)");
	else if (keycache_get(cli.vault_path, key) == TOTP_OK)
		report(true, "unlock", "unlocked: the key is cached in the kernel keyring");
	else
		report(true, "unlock", "locked");
	totp_wipe(key, sizeof(key));
	return problems ? EXIT_FAIL : EXIT_OK;
}
