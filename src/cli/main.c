/*
 * main.c - global options, the command table and dispatch.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

struct cli cli = {.passphrase_fd = -1, .prog = "totp"};

static const struct command commands[] = {
        {"init", cmd_init, "init [--kdf-memory SIZE] [--kdf-ops N]", "create a new vault"},
        {"add", cmd_add,
         "add [--issuer I] [--algorithm A] [--digits N] [--period S] [--hotp [--counter N]] "
         "[--steam] LABEL",
         "add an account; the base32 secret is read from the terminal or stdin"},
        {"import", cmd_import,
         "import [--dry-run] [--partial] [--format NAME] [--file-passphrase-fd N] FILE|-...",
         "restore accounts from QR images, URI lists, other vaults and other apps' backups"},
        {"list", cmd_list, "list [--json] [PATTERN]", "list accounts"},
        {"code", cmd_code, "code [--at TIME] [--json] [--copy] [PATTERN]",
         "print current codes, or copy one to the clipboard"},
        {"watch", cmd_watch, "watch [PATTERN]",
         "live dashboard of codes (also 'totp' alone on a terminal)"},
        {"export", cmd_export,
         "export --format png|migration|uri|html|encrypted-qr|encrypted-html [-o PATH] [--force] "
         "[--backup-passphrase-fd N] [--kdf-memory SIZE] [--kdf-ops N] [PATTERN]",
         "write QR images, transfer codes, URIs, a sheet (in the clear) or encrypted backup codes"},
        {"show", cmd_show, "show [--qr [--background dark|light]] PATTERN",
         "print an account's otpauth URI or QR code (reveals the secret)"},
        {"verify", cmd_verify, "verify [--window N] [--at TIME] PATTERN CODE",
         "check a code; HOTP resynchronises the counter"},
        {"rename", cmd_rename, "rename [--issuer I] PATTERN NEWLABEL", "rename an account"},
        {"rm", cmd_rm, "rm [--force] PATTERN", "remove an account"},
        {"passwd", cmd_passwd, "passwd [--new-passphrase-fd N] [--kdf-memory SIZE] [--kdf-ops N]",
         "change the vault passphrase"},
        {"unlock", cmd_unlock, "unlock [--timeout DURATION]",
         "cache the vault key in the kernel keyring"},
        {"lock", cmd_lock, "lock", "forget the cached vault key"},
        {"doctor", cmd_doctor, "doctor", "check the clock, the vault's files and key strength"},
        {"help", cmd_help, "help [COMMAND]", "show help"},
};

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void command_usage(const struct command *cmd, int to_stderr)
{
	FILE *f = to_stderr ? stderr : stdout;

	fprintf(f, "usage: totp [--vault PATH] [--passphrase-fd N] %s\n", cmd->synopsis);
	if (!to_stderr)
		fprintf(f, "\n%s.\nSee totp(1) for details.\n", cmd->summary);
}

static void usage_all(FILE *f)
{
	fputs("usage: totp [--vault PATH] [--passphrase-fd N] [--no-prompt] COMMAND [ARGS]\n"
	      "       totp --version | --help\n\ncommands:\n",
	      f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'totp help COMMAND' describes a command; totp(1) has the details.\n", f);
}

int cmd_help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage_all(stdout);
		return EXIT_OK;
	}
	cmd = command_find(argv[1]);
	if (!cmd) {
		warnx_("help: no such command: %s", argv[1]);
		return EXIT_USAGE;
	}
	command_usage(cmd, 0);
	return EXIT_OK;
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli.prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli.prog);
	if (cmd)
		fprintf(stderr, "%s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		command_usage(cmd, 1);
	return EXIT_USAGE;
}

int fail(int err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	fprintf(stderr, "%s: ", cli.prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err == TOTP_E_IO && saved)
		fprintf(stderr, ": %s (%s)\n", totp_strerror(err), strerror(saved));
	else
		fprintf(stderr, ": %s\n", totp_strerror(err));
	return EXIT_FAIL;
}

/* totp's version, then each library's: "libsodium 1.0.18", and for one
 * loaded on demand (which --version does not load) "zbar (loaded on
 * demand: libzbar.so.0)". */
static void print_version(void)
{
	struct totp_library lib;

	printf("totp %s (libtotp %s)\n", TOTP_VERSION, totp_version());
	for (size_t i = 0; totp_library_info(i, &lib) == TOTP_OK; i++) {
		bool built = lib.flags & TOTP_LIBRARY_BUILT;
		bool on_demand = lib.flags & TOTP_LIBRARY_ON_DEMAND;

		printf("%s%s%s", lib.name, lib.version[0] ? " " : "", lib.version);
		if (built || on_demand)
			printf(" (%s%s%s%s)", built ? "version built with" : "",
			       built && on_demand ? "; " : "",
			       on_demand ? "loaded on demand: " : "", on_demand ? lib.soname : "");
		putchar('\n');
	}
}

/* No core dumps, no same-user ptrace, private files whatever the umask. */
static void harden(void)
{
	struct rlimit rl = {0, 0};

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &rl);
	umask(077);
}

static int parse_fd(const char *s, int *fd)
{
	uint64_t v;

	if (parse_uint(s, 65535, &v) != 0)
		return -1;
	*fd = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"vault", required_argument, NULL, 'v'},
	        {"passphrase-fd", required_argument, NULL, 'p'},
	        {"no-prompt", no_argument, NULL, 'P'},
	        {"version", no_argument, NULL, 'V'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const struct command *cmd;
	const char *vault = NULL;
	int c, seen_fd = 0;

	harden();
	if (totp_init() != TOTP_OK) {
		warnx_("cannot initialise the crypto library");
		return EXIT_FAIL;
	}
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (vault)
				return usage_error(NULL, "--vault given twice");
			vault = optarg;
			break;
		case 'p':
			if (seen_fd++)
				return usage_error(NULL, "--passphrase-fd given twice");
			if (parse_fd(optarg, &cli.passphrase_fd) != 0)
				return usage_error(
				        NULL, "--passphrase-fd: not a file descriptor: %s", optarg);
			break;
		case 'P':
			cli.no_prompt = true;
			break;
		case 'V':
			print_version();
			return EXIT_OK;
		case 'h':
			usage_all(stdout);
			return EXIT_OK;
		default:
			usage_all(stderr);
			return EXIT_USAGE;
		}
	}
	cli.stdout_tty = isatty(STDOUT_FILENO);
	/* no-color.org: NO_COLOR set and not empty turns colour off. */
	cli.color = cli.stdout_tty && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	cli.vault_path = vault ? vault : default_vault_path();
	if (!cli.vault_path) {
		warnx_("cannot find the vault: set HOME, XDG_DATA_HOME or TOTP_VAULT, or use "
		       "--vault");
		return EXIT_FAIL;
	}
	if (optind >= argc) {
		char name[] = "watch";
		char *watch[] = {name, NULL};

		if (cli.stdout_tty && isatty(STDIN_FILENO)) {
			optind = 0;
			return cmd_watch(1, watch);
		}
		usage_all(stderr);
		return EXIT_USAGE;
	}
	cmd = command_find(argv[optind]);
	if (!cmd) {
		warnx_("no such command: %s (see 'totp help')", argv[optind]);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			command_usage(cmd, 0);
			return EXIT_OK;
		}
	}
	optind = 0; /* reset getopt for the command */
	c = cmd->run(argc, argv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx_("error writing output: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return c;
}
