/*
 * cmd_entries.c - add, rm, rename and list: one account at a time (show is in
 * cmd_show.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Warnings about entries that work but are unusual. */
void entry_warnings(const struct totp_entry *e)
{
	char buf[2 * TOTP_LABEL_MAX];

	if (e->type != TOTP_TYPE_STEAM && (e->digits < 6 || e->digits > 8))
		warnx_("warning: %s: %u digits is unusual (most services use 6 or 8)",
		       entry_label(e, buf), e->digits);
	if (e->secret_len < 16)
		warnx_("warning: %s: the secret is %zu bits; RFC 4226 asks for at least 128",
		       entry_label(e, buf), e->secret_len * 8);
}

static int read_secret(struct totp_entry *e)
{
	char *text = secret_alloc(), prompt[2 * TOTP_LABEL_MAX + 40], label[2 * TOTP_LABEL_MAX];
	size_t len = 0;
	int fd = isatty(STDIN_FILENO) ? -1 : STDIN_FILENO, rc;

	if (!text)
		return fail(TOTP_E_NOMEM, "secret"), TOTP_E_NOMEM;
	snprintf(prompt, sizeof(prompt), "Base32 secret for %s: ", entry_label(e, label));
	rc = get_secret_from(fd, prompt, false, text, &len);
	if (rc == TOTP_OK) {
		rc = totp_base32_decode(e->secret, sizeof(e->secret), &e->secret_len, text, len);
		if (rc == TOTP_E_NOSPACE)
			rc = TOTP_E_SECRET_LONG;
		if (rc != TOTP_OK)
			fail(rc, "secret for %s", label);
	}
	secret_free(text);
	return rc;
}

int cmd_add(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"issuer", required_argument, NULL, 'i'},
	        {"algorithm", required_argument, NULL, 'a'},
	        {"digits", required_argument, NULL, 'd'},
	        {"period", required_argument, NULL, 'p'},
	        {"counter", required_argument, NULL, 'c'},
	        {"hotp", no_argument, NULL, 'H'},
	        {"steam", no_argument, NULL, 'S'},
	        {NULL, 0, NULL, 0},
	};
	const struct command *cmd = command_find("add");
	const char *issuer = NULL, *algo = NULL, *digits = NULL, *period = NULL, *counter = NULL;
	bool hotp = false, steam = false;
	struct totp_vault *v = NULL;
	struct totp_entry *e;
	char label[2 * TOTP_LABEL_MAX];
	uint64_t n;
	int c, rc = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			issuer = optarg;
			break;
		case 'a':
			algo = optarg;
			break;
		case 'd':
			digits = optarg;
			break;
		case 'p':
			period = optarg;
			break;
		case 'c':
			counter = optarg;
			break;
		case 'H':
			hotp = true;
			break;
		case 'S':
			steam = true;
			break;
		default:
			return usage_error(cmd, "unknown option");
		}
	}
	if (argc - optind != 1)
		return usage_error(cmd, argc == optind ? "missing LABEL" : "too many arguments");
	if (hotp && steam)
		return usage_error(cmd, "--hotp and --steam exclude each other");
	if (counter && !hotp)
		return usage_error(cmd, "--counter needs --hotp");
	if (steam && (algo || digits || period))
		return usage_error(cmd, "Steam codes are always SHA1, 5 characters, 30 seconds");
	if (hotp && period)
		return usage_error(cmd, "--period does not apply to --hotp");
	if (!(e = totp_entry_new()))
		return fail(TOTP_E_NOMEM, "entry");
	if ((rc = totp_entry_set_label(e, argv[optind])) != TOTP_OK) {
		rc = fail(rc, "label '%s'", argv[optind]);
		goto out;
	}
	if (issuer && strlen(issuer) >= sizeof(e->issuer)) {
		rc = fail(TOTP_E_LABEL, "--issuer");
		goto out;
	}
	if (issuer)
		snprintf(e->issuer, sizeof(e->issuer), "%s", issuer);
	rc = EXIT_USAGE;
	if (algo && totp_algo_parse(&e->algo, algo) != TOTP_OK) {
		usage_error(cmd, "--algorithm: expected sha1, sha256 or sha512, got '%s'", algo);
		goto out;
	}
	if (digits &&
	    (parse_uint(digits, 100, &n) != 0 || n < TOTP_DIGITS_MIN || n > TOTP_DIGITS_MAX)) {
		usage_error(cmd, "--digits: expected %d to %d, got '%s'", TOTP_DIGITS_MIN,
		            TOTP_DIGITS_MAX, digits);
		goto out;
	}
	if (digits)
		e->digits = (unsigned)n;
	if (period && (parse_uint(period, TOTP_PERIOD_MAX, &n) != 0 || n < 1)) {
		usage_error(cmd, "--period: expected 1 to %d seconds, got '%s'", TOTP_PERIOD_MAX,
		            period);
		goto out;
	}
	if (period)
		e->period = (unsigned)n;
	if (counter && parse_uint(counter, UINT64_MAX, &e->counter) != 0) {
		usage_error(cmd, "--counter: expected a non-negative integer, got '%s'", counter);
		goto out;
	}
	if (hotp)
		e->type = TOTP_TYPE_HOTP;
	if (steam) {
		e->type = TOTP_TYPE_STEAM;
		e->digits = 5;
	}
	rc = EXIT_FAIL;
	if (read_secret(e) != TOTP_OK)
		goto out;
	if ((c = totp_entry_check(e)) != TOTP_OK) {
		rc = fail(c, "%s", entry_label(e, label));
		goto out;
	}
	entry_warnings(e);
	if (vault_unlock(&v, TOTP_VAULT_WRITE) != TOTP_OK)
		goto out;
	if (vault_find_label(v, e) >= 0) {
		warnx_("an account named '%s' already exists (use 'totp rename' or 'totp rm')",
		       entry_label(e, label));
		goto out;
	}
	if ((c = totp_vault_add(v, e)) != TOTP_OK) {
		fail(c, "adding %s", entry_label(e, label));
		goto out;
	}
	if (vault_save_or_fail(v) != TOTP_OK)
		goto out;
	printf("added %s\n", entry_label(e, label));
	rc = EXIT_OK;
out:
	totp_vault_close(v);
	totp_entry_free(e);
	return rc;
}

int cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"force", no_argument, NULL, 'f'},
	        {NULL, 0, NULL, 0},
	};
	const struct command *cmd = command_find("rm");
	struct totp_vault *v = NULL;
	char label[2 * TOTP_LABEL_MAX], question[2 * TOTP_LABEL_MAX + 64];
	bool force = false;
	size_t i;
	int c, rc = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		if (c != 'f')
			return usage_error(cmd, "unknown option");
		force = true;
	}
	if (argc - optind != 1)
		return usage_error(cmd, argc == optind ? "missing PATTERN" : "too many arguments");
	if (vault_unlock(&v, TOTP_VAULT_WRITE) != TOTP_OK)
		return EXIT_FAIL;
	if (vault_match_one(v, argv[optind], &i) != TOTP_OK)
		goto out;
	entry_label(totp_vault_entry(v, i), label);
	if (!force) {
		snprintf(question, sizeof(question), "Remove %s? Its secret cannot be recovered.",
		         label);
		if (!prompt_yes(question)) {
			warnx_("%s not removed (confirm on a terminal, or use --force)", label);
			goto out;
		}
	}
	if ((c = totp_vault_remove(v, i)) != TOTP_OK) {
		fail(c, "removing %s", label);
		goto out;
	}
	if (vault_save_or_fail(v) != TOTP_OK)
		goto out;
	printf("removed %s\n", label);
	rc = EXIT_OK;
out:
	totp_vault_close(v);
	return rc;
}

int cmd_rename(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"issuer", required_argument, NULL, 'i'},
	        {NULL, 0, NULL, 0},
	};
	const struct command *cmd = command_find("rename");
	struct totp_vault *v = NULL;
	struct totp_entry *e = NULL, *cur;
	const char *issuer = NULL;
	char old[2 * TOTP_LABEL_MAX], label[2 * TOTP_LABEL_MAX];
	size_t i;
	long other;
	int c, rc = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'i')
			return usage_error(cmd, "unknown option");
		issuer = optarg;
	}
	if (argc - optind != 2)
		return usage_error(cmd, "expected PATTERN and NEWLABEL");
	if (issuer && strlen(issuer) >= TOTP_LABEL_MAX)
		return fail(TOTP_E_LABEL, "--issuer");
	if (vault_unlock(&v, TOTP_VAULT_WRITE) != TOTP_OK)
		return EXIT_FAIL;
	if (vault_match_one(v, argv[optind], &i) != TOTP_OK)
		goto out;
	cur = totp_vault_entry(v, i);
	entry_label(cur, old);
	if (!(e = totp_entry_new())) {
		fail(TOTP_E_NOMEM, "entry");
		goto out;
	}
	*e = *cur;
	if ((c = totp_entry_set_label(e, argv[optind + 1])) != TOTP_OK) {
		fail(c, "new label '%s'", argv[optind + 1]);
		goto out;
	}
	if (issuer)
		snprintf(e->issuer, sizeof(e->issuer), "%s", issuer);
	other = vault_find_label(v, e);
	if (other >= 0 && (size_t)other != i) {
		warnx_("an account named '%s' already exists", entry_label(e, label));
		goto out;
	}
	memcpy(cur->issuer, e->issuer, sizeof(cur->issuer));
	memcpy(cur->account, e->account, sizeof(cur->account));
	if (vault_save_or_fail(v) != TOTP_OK)
		goto out;
	printf("renamed %s to %s\n", old, entry_label(cur, label));
	rc = EXIT_OK;
out:
	totp_entry_free(e);
	totp_vault_close(v);
	return rc;
}

static void list_json(struct totp_vault *v, const size_t *idx, size_t n)
{
	putchar('[');
	for (size_t k = 0; k < n; k++) {
		const struct totp_entry *e = totp_vault_entry(v, idx[k]);

		fputs(k ? ",\n {" : "{", stdout);
		fputs("\"issuer\": ", stdout);
		json_put_string(e->issuer);
		fputs(", \"account\": ", stdout);
		json_put_string(e->account);
		printf(", \"type\": \"%s\", \"algorithm\": \"%s\", \"digits\": %u",
		       totp_type_name(e->type), totp_algo_name(e->algo), e->digits);
		if (e->type == TOTP_TYPE_HOTP)
			printf(", \"period\": null, \"counter\": %llu}",
			       (unsigned long long)e->counter);
		else
			printf(", \"period\": %u, \"counter\": null}", e->period);
	}
	puts("]");
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"json", no_argument, NULL, 'j'},
	        {NULL, 0, NULL, 0},
	};
	const struct command *cmd = command_find("list");
	struct totp_vault *v = NULL;
	char label[2 * TOTP_LABEL_MAX];
	bool json = false;
	size_t *idx = NULL, n, width = 7;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return usage_error(cmd, "unknown option");
		json = true;
	}
	if (argc - optind > 1)
		return usage_error(cmd, "too many arguments");
	if (vault_unlock(&v, 0) != TOTP_OK)
		return EXIT_FAIL;
	if ((c = vault_match(v, argc > optind ? argv[optind] : NULL, &idx, &n)) != TOTP_OK) {
		totp_vault_close(v);
		return fail(c, "listing");
	}
	if (json) {
		list_json(v, idx, n);
	} else {
		for (size_t k = 0; k < n; k++) {
			size_t w = strlen(entry_label(totp_vault_entry(v, idx[k]), label));
			width = w > width ? w : width;
		}
		if (cli.stdout_tty)
			printf("%-*s  %-5s  %-6s  %6s  %s\n", (int)width, "ACCOUNT", "TYPE", "ALGO",
			       "DIGITS", "PERIOD/COUNTER");
		for (size_t k = 0; k < n; k++) {
			const struct totp_entry *e = totp_vault_entry(v, idx[k]);
			char last[32];

			if (e->type == TOTP_TYPE_HOTP)
				snprintf(last, sizeof(last), "%llu",
				         (unsigned long long)e->counter);
			else
				snprintf(last, sizeof(last), "%u", e->period);
			if (cli.stdout_tty)
				printf("%-*s  %-5s  %-6s  %6u  %s%s\n", (int)width,
				       entry_label(e, label), totp_type_name(e->type),
				       totp_algo_name(e->algo), e->digits,
				       e->type == TOTP_TYPE_HOTP ? "#" : "", last);
			else
				printf("%s\t%s\t%s\t%u\t%s\n", entry_label(e, label),
				       totp_type_name(e->type), totp_algo_name(e->algo), e->digits,
				       last);
		}
		if (cli.stdout_tty && n == 0)
			printf(totp_vault_count(v)
			               ? "no account matches\n"
			               : "the vault is empty (add one with 'totp add')\n");
	}
	free(idx);
	totp_vault_close(v);
	return EXIT_OK;
}
