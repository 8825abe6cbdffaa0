/*
 * cmd_vault.c - init, passwd, unlock and lock: the vault as a whole.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define CALIBRATE_SECONDS 0.5
#define DEFAULT_UNLOCK_SECONDS (15 * 60)

/* --kdf-memory / --kdf-ops, or calibration when neither is given. */
static int kdf_choose(const struct command *cmd, const char *mem, const char *ops,
                      struct totp_kdf *kdf)
{
	char buf[32];
	uint64_t v;
	int rc;

	if (!mem && !ops) {
		rc = totp_kdf_calibrate(kdf, CALIBRATE_SECONDS, TOTP_KDF_MEM_RECOMMENDED_MIN);
		if (rc != TOTP_OK)
			return fail(rc, "calibrating the key derivation"), rc;
		return TOTP_OK;
	}
	kdf->memlimit = 256ULL << 20;
	kdf->opslimit = 3;
	if (mem) {
		if (parse_size(mem, &v) != 0 || v < TOTP_KDF_MEM_MIN || v > TOTP_KDF_MEM_MAX) {
			usage_error(cmd, "--kdf-memory: expected a size from 8K to 4G, got '%s'",
			            mem);
			return TOTP_E_INVAL;
		}
		kdf->memlimit = v;
	}
	if (ops) {
		if (parse_uint(ops, TOTP_KDF_OPS_MAX, &v) != 0 || v < 1) {
			usage_error(cmd, "--kdf-ops: expected a number from 1 to %u, got '%s'",
			            TOTP_KDF_OPS_MAX, ops);
			return TOTP_E_INVAL;
		}
		kdf->opslimit = (uint32_t)v;
	}
	if (kdf->memlimit < TOTP_KDF_MEM_RECOMMENDED_MIN) {
		format_size(buf, sizeof(buf), kdf->memlimit);
		warnx_("warning: key derivation memory %s is below the recommended 64 MiB; "
		       "a stolen vault is easier to brute-force",
		       buf);
	}
	return TOTP_OK;
}

static void describe_kdf(const struct totp_kdf *kdf, char *buf, size_t bufsz)
{
	char mem[32];

	format_size(mem, sizeof(mem), kdf->memlimit);
	snprintf(buf, bufsz, "Argon2id, %s, %u pass%s", mem, kdf->opslimit,
	         kdf->opslimit == 1 ? "" : "es");
}

static int kdf_options(const struct command *cmd, int argc, char **argv, const char **mem,
                       const char **ops, int *new_fd)
{
	static const struct option opts[] = {
	        {"kdf-memory", required_argument, NULL, 'm'},
	        {"kdf-ops", required_argument, NULL, 'o'},
	        {"new-passphrase-fd", required_argument, NULL, 'n'},
	        {NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (*mem)
				return usage_error(cmd, "--kdf-memory given twice");
			*mem = optarg;
			break;
		case 'o':
			if (*ops)
				return usage_error(cmd, "--kdf-ops given twice");
			*ops = optarg;
			break;
		case 'n':
			if (!new_fd)
				return usage_error(cmd, "unknown option --new-passphrase-fd");
			if (*new_fd >= 0 || parse_uint(optarg, 65535, &v) != 0)
				return usage_error(cmd,
				                   "--new-passphrase-fd: bad or repeated value");
			*new_fd = (int)v;
			break;
		default:
			return usage_error(cmd, "unknown option");
		}
	}
	if (optind != argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

/*
 * Create the missing ancestors of the vault's directory (mode 0700, like
 * mkdir -p), so that a first `totp init` works on an account where
 * ~/.local/share does not exist yet.  The library creates the vault's own
 * directory.  Errors are left for the library to report.
 */
static void make_ancestors(const char *vault)
{
	char dir[PATH_MAX];
	char *slash;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", vault) >= sizeof(dir))
		return;
	/* Drop the file name, then the vault's directory. */
	for (int i = 0; i < 2; i++) {
		if (!(slash = strrchr(dir, '/')) || slash == dir)
			return;
		*slash = '\0';
	}
	(void)make_dirs(dir);
}

int cmd_init(int argc, char **argv)
{
	const struct command *cmd = command_find("init");
	const char *mem = NULL, *ops = NULL;
	struct totp_vault *v = NULL;
	struct totp_kdf kdf;
	char desc[64], *pass = NULL;
	size_t len = 0;
	int rc;

	if ((rc = kdf_options(cmd, argc, argv, &mem, &ops, NULL)) != EXIT_OK)
		return rc;
	if ((mem || ops) && kdf_choose(cmd, mem, ops, &kdf) != TOTP_OK)
		return EXIT_USAGE;
	if (totp_vault_info(&(struct totp_vault_info){0}, cli.vault_path) != TOTP_E_NOENT) {
		warnx_("%s: a vault or other file is already there; refusing to overwrite it",
		       cli.vault_path);
		return EXIT_FAIL;
	}
	if (!mem && !ops && kdf_choose(cmd, mem, ops, &kdf) != TOTP_OK)
		return EXIT_FAIL;
	if (!(pass = secret_alloc()))
		return fail(TOTP_E_NOMEM, "passphrase");
	rc = get_passphrase(pass, &len, true);
	if (rc == TOTP_OK && len == 0) {
		warnx_("the passphrase is empty; refusing to create an unprotected vault");
		rc = TOTP_E_INVAL;
	}
	if (rc == TOTP_OK) {
		make_ancestors(cli.vault_path);
		rc = totp_vault_create(&v, cli.vault_path, pass, len, &kdf);
		if (rc != TOTP_OK)
			fail(rc, "%s", cli.vault_path);
	}
	secret_free(pass);
	totp_vault_close(v);
	if (rc != TOTP_OK)
		return EXIT_FAIL;
	describe_kdf(&kdf, desc, sizeof(desc));
	printf("created vault %s (%s)\n", cli.vault_path, desc);
	return EXIT_OK;
}

int cmd_passwd(int argc, char **argv)
{
	const struct command *cmd = command_find("passwd");
	const char *mem = NULL, *ops = NULL;
	struct totp_vault *v = NULL;
	struct totp_kdf kdf;
	char *pass = NULL, desc[64];
	size_t len = 0;
	int new_fd = -1, rc;

	if ((rc = kdf_options(cmd, argc, argv, &mem, &ops, &new_fd)) != EXIT_OK)
		return rc;
	if (kdf_choose(cmd, mem, ops, &kdf) != TOTP_OK)
		return mem || ops ? EXIT_USAGE : EXIT_FAIL;
	if (vault_unlock_passphrase(&v, TOTP_VAULT_WRITE) != TOTP_OK)
		return EXIT_FAIL;
	if (!(pass = secret_alloc())) {
		rc = fail(TOTP_E_NOMEM, "passphrase");
		goto out;
	}
	if (new_fd >= 0)
		rc = get_secret_from(new_fd, NULL, false, pass, &len);
	else
		rc = prompt_tty("New passphrase: ", true, pass, PASS_MAX + 1, &len);
	if (rc != TOTP_OK) {
		rc = EXIT_FAIL;
		goto out;
	}
	if (len == 0) {
		warnx_("the new passphrase is empty; vault unchanged");
		rc = EXIT_FAIL;
		goto out;
	}
	rc = totp_vault_rekey(v, pass, len, &kdf);
	if (rc != TOTP_OK) {
		rc = fail(rc, "changing the passphrase");
		goto out;
	}
	if (vault_save_or_fail(v) != TOTP_OK) {
		rc = EXIT_FAIL;
		goto out;
	}
	keycache_drop(cli.vault_path);
	describe_kdf(&kdf, desc, sizeof(desc));
	printf("passphrase changed (%s)\n", desc);
	rc = EXIT_OK;
out:
	secret_free(pass);
	totp_vault_close(v);
	return rc;
}

int cmd_unlock(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"timeout", required_argument, NULL, 't'},
	        {NULL, 0, NULL, 0},
	};
	const struct command *cmd = command_find("unlock");
	unsigned timeout = DEFAULT_UNLOCK_SECONDS;
	struct totp_vault *v = NULL;
	uint8_t *key;
	int c, rc;

	while ((c = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
		if (c != 't' || parse_duration(optarg, &timeout) != 0)
			return usage_error(cmd, c == 't' ? "--timeout: expected a duration like "
			                                   "90s, 15m or 2h"
			                                 : "unknown option");
	}
	if (optind != argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!keycache_enabled()) {
		warnx_("the key cache is disabled (TOTP_NO_KEYRING is set)");
		return EXIT_FAIL;
	}
	if (vault_unlock_passphrase(&v, 0) != TOTP_OK)
		return EXIT_FAIL;
	key = totp_secure_alloc(TOTP_KEY_BYTES);
	if (!key) {
		totp_vault_close(v);
		return fail(TOTP_E_NOMEM, "key");
	}
	totp_vault_key(v, key);
	totp_vault_close(v);
	rc = keycache_put(cli.vault_path, key, timeout);
	totp_wipe(key, TOTP_KEY_BYTES);
	totp_secure_free(key);
	if (rc != TOTP_OK) {
		warnx_("the kernel keyring is not available here (%s); commands will keep asking "
		       "for the passphrase",
		       strerror(errno));
		return EXIT_FAIL;
	}
	if (timeout % 3600 == 0)
		printf("unlocked %s for %u h\n", cli.vault_path, timeout / 3600);
	else if (timeout % 60 == 0)
		printf("unlocked %s for %u min\n", cli.vault_path, timeout / 60);
	else
		printf("unlocked %s for %u s\n", cli.vault_path, timeout);
	return EXIT_OK;
}

int cmd_lock(int argc, char **argv)
{
	const struct command *cmd = command_find("lock");

	(void)argv;
	if (argc > 1)
		return usage_error(cmd, "unexpected argument '%s'", argv[1]);
	if (keycache_drop(cli.vault_path) == TOTP_OK)
		printf("locked %s\n", cli.vault_path);
	else
		printf("%s was not unlocked\n", cli.vault_path);
	return EXIT_OK;
}
