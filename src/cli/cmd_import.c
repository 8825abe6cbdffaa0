/*
 * cmd_import.c - import accounts from files (or stdin) into the vault.
 *
 * Everything is read and parsed before the vault is opened.  All or
 * nothing by default: one unusable item rejects the import and names the
 * item and the reason (never its secret); --partial imports the rest.
 * An account already present (same label, type and secret) is skipped; the
 * same label with another secret is imported under a distinct label.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define IMPORT_FILE_MAX (64UL << 20)

/* Read a whole file (or stdin for "-") into guarded memory. */
static int slurp(const char *path, uint8_t **buf, size_t *len)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = NULL;
	struct stat st;
	int rc = TOTP_E_IO;

	if (fd < 0)
		return errno == ENOENT ? TOTP_E_NOENT : TOTP_E_IO;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > IMPORT_FILE_MAX) {
			rc = TOTP_E_TOOBIG;
			goto out;
		}
		cap = (size_t)st.st_size + 1;
	} else if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			uint8_t *nb;

			if (cap >= IMPORT_FILE_MAX) {
				rc = TOTP_E_TOOBIG;
				goto out;
			}
			nb = totp_secure_alloc(cap * 2);
			if (!nb) {
				rc = TOTP_E_NOMEM;
				goto out;
			}
			memcpy(nb, b, n);
			totp_wipe(b, cap);
			totp_secure_free(b);
			b = nb;
			cap *= 2;
		}
		if (!b && !(b = totp_secure_alloc(cap))) {
			rc = TOTP_E_NOMEM;
			goto out;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	b = NULL;
	rc = TOTP_OK;
out:
	if (b) {
		totp_wipe(b, cap);
		totp_secure_free(b);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

/* otpauth URIs, one per line; blank lines and '#' comments ignored. */
static int read_uri_lines(struct totp_import *im, const char *text, size_t len)
{
	struct totp_entry *e = totp_entry_new();
	size_t line = 0, pos = 0;
	int rc = TOTP_OK;

	if (!e)
		return TOTP_E_NOMEM;
	snprintf(im->format, sizeof(im->format), "otpauth URI list");
	while (pos < len && rc == TOTP_OK) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		char label[2 * TOTP_LABEL_MAX];
		int err;

		pos += n + (nl != NULL);
		line++;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		if (n == 0 || *s == '#')
			continue;
		err = totp_uri_parse(e, NULL, s, n);
		if (err == TOTP_OK)
			err = totp_entry_check(e);
		if (err == TOTP_OK)
			rc = totp_import_add(im, e);
		else
			rc = totp_import_problem(im, line, err == TOTP_E_URI_SCHEME ? NULL
					: (totp_entry_label(label, sizeof(label), e), label),
					err, "%s", totp_strerror(err));
		totp_entry_wipe(e);
	}
	totp_entry_free(e);
	return rc;
}

static int read_source(const char *path, struct totp_import *im)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = slurp(path, &buf, &len);

	if (rc != TOTP_OK)
		return rc;
	rc = read_uri_lines(im, (const char *)buf, len);
	totp_wipe(buf, len);
	totp_secure_free(buf);
	return rc;
}

static bool same_secret(const struct totp_entry *a, const struct totp_entry *b)
{
	return a->type == b->type && a->secret_len == b->secret_len &&
	       totp_memeq(a->secret, b->secret, a->secret_len);
}

/* Give e a label no other account has: "account (2)", "account (3)"... */
static int distinct_label(struct totp_vault *v, struct totp_entry *e)
{
	char base[TOTP_LABEL_MAX];

	memcpy(base, e->account, sizeof(base));
	for (unsigned k = 2; k < 10000; k++) {
		int n = snprintf(e->account, sizeof(e->account), "%.*s (%u)",
				 (int)(sizeof(base) - 16), base, k);

		if (n < 0 || (size_t)n >= sizeof(e->account))
			return TOTP_E_LABEL;
		if (vault_find_label(v, e) < 0)
			return TOTP_OK;
	}
	return TOTP_E_LABEL;
}

struct import_stats {
	size_t added, duplicates, renamed;
};

static int merge(struct totp_vault *v, const struct totp_import *im, struct import_stats *st)
{
	char label[2 * TOTP_LABEL_MAX], old[2 * TOTP_LABEL_MAX];
	struct totp_entry *e = totp_entry_new();
	int rc = TOTP_OK;

	if (!e)
		return TOTP_E_NOMEM;
	for (size_t k = 0; k < im->count && rc == TOTP_OK; k++) {
		long j;

		*e = im->entries[k];
		j = vault_find_label(v, e);
		if (j >= 0 && same_secret(totp_vault_entry(v, (size_t)j), e)) {
			st->duplicates++;
			continue;
		}
		if (j >= 0) {
			entry_label(e, old);
			if ((rc = distinct_label(v, e)) != TOTP_OK)
				break;
			warnx_("%s already exists with another secret; imported as %s", old,
			       entry_label(e, label));
			st->renamed++;
		}
		rc = totp_vault_add(v, e);
		st->added += rc == TOTP_OK;
	}
	totp_entry_free(e);
	return rc;
}

static void report_problems(const char *path, const struct totp_import *im, const char *verb)
{
	for (size_t k = 0; k < im->nproblems; k++) {
		const struct totp_import_problem *p = &im->problems[k];

		fprintf(stderr, "%s: %s: %s item %zu%s%s%s: %s\n", cli.prog, path, verb, p->index,
			*p->label ? " (" : "", p->label, *p->label ? ")" : "",
			*p->detail ? p->detail : totp_strerror(p->err));
	}
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"partial", no_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	const struct command *cmd = command_find("import");
	struct totp_import all, one;
	struct import_stats st = {0, 0, 0};
	struct totp_vault *v = NULL;
	char label[2 * TOTP_LABEL_MAX];
	bool dry = false, partial = false;
	size_t problems = 0;
	int c, rc = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "n", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry = true; break;
		case 'p': partial = true; break;
		default: return usage_error(cmd, "unknown option");
		}
	}
	if (optind == argc)
		return usage_error(cmd, "missing FILE (use - for standard input)");
	totp_import_init(&all);
	totp_import_init(&one);
	for (int a = optind; a < argc; a++) {
		const char *path = argv[a];

		if ((c = read_source(path, &one)) != TOTP_OK) {
			fail(c, "%s", strcmp(path, "-") ? path : "standard input");
			goto out;
		}
		problems += one.nproblems;
		report_problems(path, &one, partial || dry ? "skipping" : "cannot import");
		for (size_t k = 0; k < one.count; k++)
			if ((c = totp_import_add(&all, &one.entries[k])) != TOTP_OK) {
				fail(c, "%s", path);
				goto out;
			}
		snprintf(all.format, sizeof(all.format), "%s", one.format);
		totp_import_clear(&one);
	}
	if (problems && !partial && !dry) {
		warnx_("nothing imported: %zu item%s unusable (fix them, or use --partial to import "
		       "the rest)",
		       problems, problems == 1 ? " is" : "s are");
		goto out;
	}
	if (dry) {
		for (size_t k = 0; k < all.count; k++) {
			const struct totp_entry *e = &all.entries[k];

			printf("%s\t%s\t%s\t%u\n", entry_label(e, label), totp_type_name(e->type),
			       totp_algo_name(e->algo), e->digits);
		}
		fprintf(stderr, "%s: dry run: %zu account%s would be imported, %zu skipped\n",
			cli.prog, all.count, all.count == 1 ? "" : "s", problems);
		rc = problems && !partial ? EXIT_FAIL : EXIT_OK;
		goto out;
	}
	if (all.count == 0) {
		warnx_("no accounts found to import");
		goto out;
	}
	for (size_t k = 0; k < all.count; k++)
		entry_warnings(&all.entries[k]);
	if (vault_unlock(&v, TOTP_VAULT_WRITE) != TOTP_OK)
		goto out;
	if ((c = merge(v, &all, &st)) != TOTP_OK) {
		fail(c, "importing");
		goto out;
	}
	if (st.added && vault_save_or_fail(v) != TOTP_OK)
		goto out;
	printf("imported %zu account%s, skipped %zu already present", st.added,
	       st.added == 1 ? "" : "s", st.duplicates);
	if (st.renamed)
		printf(", renamed %zu", st.renamed);
	if (problems)
		printf(", skipped %zu unusable", problems);
	printf(" (from %s)\n", all.format);
	rc = EXIT_OK;
out:
	totp_vault_close(v);
	totp_import_clear(&all);
	totp_import_clear(&one);
	return rc;
}
