/*
 * cmd_code.c - code and verify.
 *
 * HOTP counters are advanced and saved durably before a code is shown, so
 * a crash can skip a code but never show the same one twice.  The vault is
 * first opened without the lock (most accounts are TOTP), holding only the
 * accounts the pattern may match when the key is cached; an HOTP account
 * reopens it whole under the lock with the key already derived.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Reopen *v under the lock and find the same account again. */
static int relock(struct totp_vault **v, size_t *index)
{
	struct totp_entry *want = totp_entry_new();
	uint8_t *key = totp_secure_alloc(TOTP_KEY_BYTES);
	struct totp_vault *nv = NULL;
	char label[2 * TOTP_LABEL_MAX];
	long i;
	int rc = TOTP_E_NOMEM;

	if (!want || !key)
		goto out;
	*want = *totp_vault_entry(*v, *index);
	totp_vault_key(*v, key);
	rc = totp_vault_open_key(&nv, cli.vault_path, key, TOTP_VAULT_WRITE);
	if (rc != TOTP_OK) {
		fail(rc, "%s", cli.vault_path);
		goto out;
	}
	i = vault_find_label(nv, want);
	if (i < 0) {
		warnx_("%s was changed by another totp process; try again",
		       entry_label(want, label));
		totp_vault_close(nv);
		rc = TOTP_E_NOENT;
		goto out;
	}
	totp_vault_close(*v);
	*v = nv;
	*index = (size_t)i;
out:
	if (rc == TOTP_E_NOMEM)
		fail(rc, "reopening the vault");
	totp_entry_free(want);
	if (key) {
		totp_wipe(key, TOTP_KEY_BYTES);
		totp_secure_free(key);
	}
	return rc;
}

/* The next HOTP code of entry *index: counter advanced and saved first. */
static int hotp_next(struct totp_vault **v, size_t *index, char code[TOTP_CODE_MAX])
{
	struct totp_entry *e;
	char label[2 * TOTP_LABEL_MAX];
	int rc;

	if ((rc = relock(v, index)) != TOTP_OK)
		return rc;
	e = totp_vault_entry(*v, *index);
	if (e->counter == UINT64_MAX) {
		warnx_("%s: the HOTP counter is exhausted", entry_label(e, label));
		return TOTP_E_COUNTER;
	}
	if ((rc = totp_hotp(code, TOTP_CODE_MAX, e, e->counter)) != TOTP_OK)
		return fail(rc, "%s", entry_label(e, label)), rc;
	e->counter++;
	if ((rc = vault_save_or_fail(*v)) != TOTP_OK) {
		totp_wipe(code, TOTP_CODE_MAX);
		return rc;
	}
	return TOTP_OK;
}

static void print_json_code(bool first, const struct totp_entry *e, const char *code, int64_t left)
{
	fputs(first ? "{" : ",\n {", stdout);
	fputs("\"issuer\": ", stdout);
	json_put_string(e->issuer);
	fputs(", \"account\": ", stdout);
	json_put_string(e->account);
	printf(", \"type\": \"%s\", \"algorithm\": \"%s\", \"digits\": %u", totp_type_name(e->type),
	       totp_algo_name(e->algo), e->digits);
	if (e->type == TOTP_TYPE_HOTP)
		printf(", \"period\": null, \"counter\": %llu", (unsigned long long)e->counter);
	else
		printf(", \"period\": %u, \"counter\": null", e->period);
	fputs(", \"code\": ", stdout);
	if (code)
		json_put_string(code);
	else
		fputs("null", stdout);
	if (left >= 0)
		printf(", \"seconds_left\": %lld}", (long long)left);
	else
		fputs(", \"seconds_left\": null}", stdout);
}

/* Every matching account: label, code, seconds left.  HOTP codes are not
 * generated here (that would advance every counter). */
static int code_all(struct totp_vault *v, const size_t *idx, size_t n, int64_t t, bool json)
{
	char label[2 * TOTP_LABEL_MAX], code[TOTP_CODE_MAX];
	size_t width = 0;
	int rc = EXIT_OK;

	for (size_t k = 0; k < n; k++) {
		size_t w = strlen(entry_label(totp_vault_entry(v, idx[k]), label));
		width = w > width ? w : width;
	}
	if (json)
		putchar('[');
	for (size_t k = 0; k < n; k++) {
		const struct totp_entry *e = totp_vault_entry(v, idx[k]);
		int err = TOTP_OK;
		int64_t left = -1;

		entry_label(e, label);
		if (e->type != TOTP_TYPE_HOTP) {
			err = totp_totp(code, sizeof(code), e, t, 0);
			if (err == TOTP_OK)
				left = totp_time_remaining(t, 0, e->period);
		}
		if (err != TOTP_OK) {
			fail(err, "%s", label);
			rc = EXIT_FAIL;
		}
		if (json) {
			print_json_code(k == 0, e, e->type == TOTP_TYPE_HOTP || err ? NULL : code,
			                left);
		} else if (e->type == TOTP_TYPE_HOTP) {
			printf("%-*s  %-10s  (hotp: 'totp code %s')\n", (int)width, label, "-",
			       label);
		} else if (err == TOTP_OK) {
			if (cli.color && left <= 5)
				printf("%-*s  \033[1;31m%-10s\033[0m  %2llds\n", (int)width, label,
				       code, (long long)left);
			else if (cli.color)
				printf("%-*s  \033[1m%-10s\033[0m  %2llds\n", (int)width, label,
				       code, (long long)left);
			else
				printf("%-*s  %-10s  %2llds\n", (int)width, label, code,
				       (long long)left);
		}
	}
	if (json)
		puts("]");
	totp_wipe(code, sizeof(code));
	return rc;
}

int cmd_code(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"at", required_argument, NULL, 't'},
	        {"json", no_argument, NULL, 'j'},
	        {"copy", no_argument, NULL, 'c'},
	        {NULL, 0, NULL, 0},
	};
	const struct command *cmd = command_find("code");
	struct totp_vault *v = NULL;
	const char *pattern = NULL;
	char code[TOTP_CODE_MAX] = "", label[2 * TOTP_LABEL_MAX];
	bool json = false, copy = false, at = false;
	int64_t t = now_seconds();
	size_t *idx = NULL, n, i;
	int c, rc = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_time(optarg, &t) != 0)
				return usage_error(cmd,
				                   "--at: expected Unix seconds or "
				                   "YYYY-MM-DDTHH:MM:SSZ, got '%s'",
				                   optarg);
			at = true;
			break;
		case 'j':
			json = true;
			break;
		case 'c':
			copy = true;
			break;
		default:
			return usage_error(cmd, "unknown option");
		}
	}
	if (argc - optind > 1)
		return usage_error(cmd, "too many arguments");
	pattern = argc > optind ? argv[optind] : NULL;
	if (copy && (!pattern || json || at))
		return usage_error(cmd, "--copy takes one PATTERN, without --json or --at");
	if (!at)
		clock_warn();
	if ((pattern ? vault_unlock_matching(&v, pattern) : vault_unlock(&v, 0)) != TOTP_OK)
		return EXIT_FAIL;
	if (!pattern) {
		if ((c = vault_match(v, NULL, &idx, &n)) != TOTP_OK) {
			rc = fail(c, "listing");
			goto out;
		}
		rc = code_all(v, idx, n, t, json);
		goto out;
	}
	if (vault_match_one(v, pattern, &i) != TOTP_OK)
		goto out;
	if (totp_vault_entry(v, i)->type == TOTP_TYPE_HOTP) {
		if (hotp_next(&v, &i, code) != TOTP_OK)
			goto out;
	} else if ((c = totp_totp(code, sizeof(code), totp_vault_entry(v, i), t, 0)) != TOTP_OK) {
		fail(c, "%s", entry_label(totp_vault_entry(v, i), label));
		goto out;
	}
	if (copy) {
		const struct totp_entry *e = totp_vault_entry(v, i);
		unsigned left = e->type == TOTP_TYPE_HOTP ? CLIP_CLEAR_MAX
		                                          : totp_time_remaining(t, 0, e->period);
		char why[200];

		if ((c = clipboard_copy(code, left, why, sizeof(why))) != TOTP_OK) {
			warnx_("cannot copy the code: %s", why);
			goto out;
		}
		fprintf(stderr, "%s: code of %s copied; the clipboard is cleared in %u s\n",
		        cli.prog, entry_label(e, label),
		        left < CLIP_CLEAR_MAX ? left : CLIP_CLEAR_MAX);
	} else if (json) {
		const struct totp_entry *e = totp_vault_entry(v, i);

		putchar('[');
		print_json_code(true, e, code,
		                e->type == TOTP_TYPE_HOTP
		                        ? -1
		                        : (int64_t)totp_time_remaining(t, 0, e->period));
		puts("]");
	} else {
		puts(code);
	}
	rc = EXIT_OK;
out:
	totp_wipe(code, sizeof(code));
	free(idx);
	totp_vault_close(v);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"at", required_argument, NULL, 't'},
	        {"window", required_argument, NULL, 'w'},
	        {NULL, 0, NULL, 0},
	};
	const struct command *cmd = command_find("verify");
	struct totp_vault *v = NULL;
	struct totp_entry *e;
	char label[2 * TOTP_LABEL_MAX];
	const char *window_arg = NULL;
	int64_t t = now_seconds(), offset = 0;
	uint64_t window;
	size_t i;
	int c, rc = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_time(optarg, &t) != 0)
				return usage_error(cmd,
				                   "--at: expected Unix seconds or "
				                   "YYYY-MM-DDTHH:MM:SSZ, got '%s'",
				                   optarg);
			break;
		case 'w':
			if (parse_uint(optarg, 100000000, &window) != 0)
				return usage_error(
				        cmd, "--window: expected 0 to 100000000, got '%s'", optarg);
			window_arg = optarg;
			break;
		default:
			return usage_error(cmd, "unknown option");
		}
	}
	if (argc - optind != 2)
		return usage_error(cmd, "expected PATTERN and CODE");
	if (vault_unlock(&v, 0) != TOTP_OK)
		return EXIT_FAIL;
	if (vault_match_one(v, argv[optind], &i) != TOTP_OK)
		goto out;
	e = totp_vault_entry(v, i);
	if (!window_arg)
		window = e->type == TOTP_TYPE_HOTP ? 20 : 1;
	if (e->type != TOTP_TYPE_HOTP && window > 1000000) {
		usage_error(cmd, "--window: at most 1000000 time steps");
		rc = EXIT_USAGE;
		goto out;
	}
	if (e->type == TOTP_TYPE_HOTP && relock(&v, &i) != TOTP_OK)
		goto out;
	e = totp_vault_entry(v, i);
	c = totp_verify(&offset, e, argv[optind + 1], t, window);
	if (c == TOTP_E_MISMATCH) {
		warnx_("%s: code does not match", entry_label(e, label));
		goto out;
	}
	if (c != TOTP_OK) {
		fail(c, "%s", entry_label(e, label));
		goto out;
	}
	if (e->type == TOTP_TYPE_HOTP) {
		/* Resynchronise: the next code uses the counter after the match. */
		e->counter += (uint64_t)offset;
		if (e->counter < UINT64_MAX)
			e->counter++;
		if (vault_save_or_fail(v) != TOTP_OK)
			goto out;
	}
	printf("%lld\n", (long long)offset);
	rc = EXIT_OK;
out:
	totp_vault_close(v);
	return rc;
}
