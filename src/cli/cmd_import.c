/*
 * cmd_import.c - 'totp import': accounts from QR images, otpauth URI
 * lists, encrypted backup codes, other totp vaults and other apps' backups
 * (import_*.c read them), merged into the vault.
 *
 * Everything is read and checked before the vault is opened.  All or
 * nothing by default: one unusable item rejects the import and names the
 * input, the item and the reason (never a secret); --partial imports the
 * rest.  An account already present (same label, type and secret) is
 * skipped; the same label with another secret is imported under a
 * distinct label.  The merge happens under the vault's lock and ends in
 * one atomic save.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct plan {
	struct totp_import take; /* accounts to add, labels final */
	size_t *from;            /* source of each, for the dry-run listing */
	size_t duplicates, renamed;
};

static bool same_secret(const struct totp_entry *a, const struct totp_entry *b)
{
	return a->type == b->type && a->secret_len == b->secret_len &&
	       totp_memeq(a->secret, b->secret, a->secret_len);
}

/* Is `name` exactly `base` or `base (N)`, the label an earlier import of
 * the same account may have given it? */
static bool same_or_numbered(const char *name, const char *base)
{
	size_t n = strlen(base);
	const char *p = name + n;

	if (strncmp(name, base, n) != 0)
		return false;
	if (*p == '\0')
		return true;
	if (p[0] != ' ' || p[1] != '(' || p[2] < '1' || p[2] > '9')
		return false;
	for (p += 2; *p >= '0' && *p <= '9'; p++)
		;
	return p[0] == ')' && p[1] == '\0';
}

static bool is_duplicate(const struct totp_entry *have, const struct totp_entry *e)
{
	return same_secret(have, e) && strcmp(have->issuer, e->issuer) == 0 &&
	       same_or_numbered(have->account, e->account);
}

/*
 * An index of the accounts in the vault (may be NULL) and those already
 * taken, by issuer and account name without a " (N)" suffix: every account
 * that can be a duplicate of e, or have e's label, is in the bucket of e's
 * account name or of that name's base.  Keeps a large import linear.
 */
struct label_index {
	struct totp_vault *v;
	const struct totp_import *take;
	size_t nvault;
	size_t *head, nbucket; /* nbucket a power of two; SIZE_MAX: empty */
	size_t *next;          /* per account, the next in its bucket */
	size_t cap;
};

static size_t name_len_base(const char *account)
{
	size_t n = strlen(account);
	const char *open = strrchr(account, '(');

	if (open && open > account + 1 && open[-1] == ' ' && n > 0 && account[n - 1] == ')') {
		const char *d = open + 1;

		if (*d >= '1' && *d <= '9') {
			while (*d >= '0' && *d <= '9')
				d++;
			if (d == account + n - 1)
				return (size_t)(open - 1 - account);
		}
	}
	return n;
}

static size_t label_hash(const char *issuer, const char *account, size_t alen)
{
	uint64_t h = 1469598103934665603u;

	for (const char *c = issuer; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211u;
	h = (h ^ 0xff) * 1099511628211u;
	for (size_t i = 0; i < alen; i++)
		h = (h ^ (unsigned char)account[i]) * 1099511628211u;
	return (size_t)h;
}

static const struct totp_entry *index_entry(const struct label_index *x, size_t i)
{
	return i < x->nvault ? totp_vault_entry(x->v, i) : &x->take->entries[i - x->nvault];
}

static int index_init(struct label_index *x, struct totp_vault *v, const struct totp_import *take,
                      size_t extra)
{
	memset(x, 0, sizeof(*x));
	x->v = v;
	x->take = take;
	x->nvault = v ? totp_vault_count(v) : 0;
	x->cap = x->nvault + extra;
	for (x->nbucket = 16; x->nbucket < 2 * x->cap; x->nbucket *= 2)
		;
	x->head = malloc(x->nbucket * sizeof(*x->head));
	x->next = malloc((x->cap + 1) * sizeof(*x->next));
	if (!x->head || !x->next)
		return TOTP_E_NOMEM;
	memset(x->head, 0xff, x->nbucket * sizeof(*x->head));
	return TOTP_OK;
}

/* Account i (vault entries first, then taken ones in order) joins. */
static void index_add(struct label_index *x, size_t i)
{
	const struct totp_entry *e = index_entry(x, i);
	size_t b = label_hash(e->issuer, e->account, name_len_base(e->account)) & (x->nbucket - 1);

	x->next[i] = x->head[b];
	x->head[b] = i;
}

static void index_free(struct label_index *x)
{
	free(x->head);
	free(x->next);
}

static bool bucket_match(const struct label_index *x, const struct totp_entry *e, size_t alen,
                         bool dup)
{
	size_t b = label_hash(e->issuer, e->account, alen) & (x->nbucket - 1);

	for (size_t i = x->head[b]; i != SIZE_MAX; i = x->next[i]) {
		const struct totp_entry *o = index_entry(x, i);

		if (dup ? is_duplicate(o, e)
		        : strcmp(o->issuer, e->issuer) == 0 && strcmp(o->account, e->account) == 0)
			return true;
	}
	return false;
}

/* Does any account, in the vault or already taken, match? */
static bool any(const struct label_index *x, const struct totp_entry *e, bool dup)
{
	size_t full = strlen(e->account), base = name_len_base(e->account);

	return bucket_match(x, e, base, dup) || (base != full && bucket_match(x, e, full, dup));
}

/* Give e a label no other account has: "account (2)", "account (3)"... */
static int distinct_label(const struct label_index *x, struct totp_entry *e)
{
	char base[TOTP_LABEL_MAX];
	size_t n = strlen(e->account);

	memcpy(base, e->account, n + 1);
	/* Room for " (NNNN)", cut on a UTF-8 character boundary. */
	if (n > sizeof(base) - 10) {
		n = sizeof(base) - 10;
		while (n > 0 && ((unsigned char)base[n] & 0xc0) == 0x80)
			n--;
		base[n] = '\0';
	}
	for (unsigned k = 2; k < 10000; k++) {
		snprintf(e->account, sizeof(e->account), "%s (%u)", base, k);
		if (!any(x, e, false))
			return TOTP_OK;
	}
	return TOTP_E_LABEL;
}

/*
 * Decide what happens to each account, in order: a duplicate of one in the
 * vault (NULL in a dry run) or of an earlier one is skipped; a label
 * already taken gets a number.
 */
static int make_plan(struct plan *p, struct totp_vault *v, const struct import_src *src,
                     size_t nsrc, bool dry)
{
	char old[2 * TOTP_LABEL_MAX], label[2 * TOTP_LABEL_MAX];
	struct totp_entry *e = totp_entry_new();
	struct label_index x;
	size_t total = 0;
	int rc;

	for (size_t s = 0; s < nsrc; s++)
		total += src[s].im.count;
	p->from = calloc(total + 1, sizeof(*p->from));
	rc = index_init(&x, v, &p->take, total);
	if (!e || !p->from || rc != TOTP_OK) {
		totp_entry_free(e);
		index_free(&x);
		return TOTP_E_NOMEM;
	}
	for (size_t i = 0; i < x.nvault; i++)
		index_add(&x, i);
	for (size_t s = 0; s < nsrc && rc == TOTP_OK; s++) {
		for (size_t k = 0; k < src[s].im.count && rc == TOTP_OK; k++) {
			*e = src[s].im.entries[k];
			if (any(&x, e, true)) {
				p->duplicates++;
				continue;
			}
			if (any(&x, e, false)) {
				entry_label(e, old);
				if ((rc = distinct_label(&x, e)) != TOTP_OK)
					break;
				warnx_("%s already exists with another secret; %s as %s", old,
				       dry ? "would be imported" : "imported",
				       entry_label(e, label));
				p->renamed++;
			}
			p->from[p->take.count] = s;
			rc = totp_import_add(&p->take, e);
			if (rc == TOTP_OK)
				index_add(&x, x.nvault + p->take.count - 1);
		}
	}
	totp_entry_free(e);
	index_free(&x);
	return rc;
}

/* One rejected item: "FILE: line 3 (Issuer:account): reason". */
static void report_problem(const struct import_src *src, const struct totp_import_problem *p,
                           const char *prefix)
{
	const char *why = *p->detail ? p->detail : totp_strerror(p->err);

	if (p->index == 0)
		fprintf(stderr, "%s: %s%s: %s\n", cli.prog, prefix, src->name, why);
	else
		fprintf(stderr, "%s: %s%s: %s %zu%s%s%s: %s\n", cli.prog, prefix, src->name,
		        src->lines ? "line" : "entry", p->index, *p->label ? " (" : "", p->label,
		        *p->label ? ")" : "", why);
}

/*
 * A problem of QR payloads decoded together, or of an encrypted backup.
 * Its detail names the source already ("shot.png, part 2 of 3, entry 7:
 * why"); the account's label is put after the entry number.
 */
static void report_qr_problem(const struct totp_import_problem *p, const char *prefix, bool backup)
{
	const char *d = p->detail;
	char tok[48];
	const char *at;

	if (p->err == TOTP_E_BATCH && !backup) {
		fprintf(stderr, "%s: %s%s: Google Authenticator export incomplete: %s\n", cli.prog,
		        prefix, p->label, d);
		return;
	}
	snprintf(tok, sizeof(tok), ", entry %zu: ", p->index);
	at = strstr(d, tok);
	if (at && *p->label && strncmp(d, p->label, strlen(p->label)) != 0) {
		size_t head = (size_t)(at - d) + strlen(tok) - 2;

		fprintf(stderr, "%s: %s%.*s (%s)%s\n", cli.prog, prefix, (int)head, d, p->label,
		        d + head);
	} else {
		fprintf(stderr, "%s: %s%s\n", cli.prog, prefix, d);
	}
}

static void print_account(const struct totp_entry *e)
{
	char label[2 * TOTP_LABEL_MAX];

	printf("  %s\t%s\t%s\t%u digits\t", entry_label(e, label), totp_type_name(e->type),
	       totp_algo_name(e->algo), e->digits);
	if (e->type == TOTP_TYPE_HOTP)
		printf("counter %llu\n", (unsigned long long)e->counter);
	else
		printf("%u s\n", e->period);
}

/* The dry run's listing: each input and the accounts it would add. */
static void print_plan(const struct plan *p, const struct import_src *src, size_t nsrc)
{
	for (size_t s = 0; s < nsrc; s++) {
		size_t n = 0;

		for (size_t k = 0; k < p->take.count; k++)
			n += p->from[k] == s;
		printf("%s (%s): %zu account%s%s%s\n", src[s].name, src[s].format, n,
		       n == 1 ? "" : "s", *src[s].note ? "; " : "", src[s].note);
		for (size_t k = 0; k < p->take.count; k++)
			if (p->from[k] == s)
				print_account(&p->take.entries[k]);
	}
}

/* "from aegis, QR image": each format once, in order. */
static void formats(char *out, size_t outsz, const struct import_src *src, size_t nsrc)
{
	size_t len = 0;

	*out = '\0';
	for (size_t s = 0; s < nsrc; s++) {
		bool seen = false;

		for (size_t t = 0; t < s; t++)
			seen |= strcmp(src[t].format, src[s].format) == 0;
		if (!seen && *src[s].format && len < outsz)
			len += (size_t)snprintf(out + len, outsz - len, "%s%s", len ? ", " : "",
			                        src[s].format);
	}
}

static void summary(const char *verb, size_t added, size_t dups, size_t unusable,
                    const struct import_src *src, size_t nsrc)
{
	char from[512];

	formats(from, sizeof(from), src, nsrc);
	fprintf(stderr, "%s: %s %zu, skipped %zu (%zu duplicate%s, %zu unusable), from %s\n",
	        cli.prog, verb, added, dups + unusable, dups, dups == 1 ? "" : "s", unusable,
	        *from ? from : "nothing");
}

static void display_name(char *out, size_t outsz, const char *path)
{
	size_t n = strlen(path);

	if (strcmp(path, "-") == 0)
		snprintf(out, outsz, "standard input");
	else if (n < outsz)
		snprintf(out, outsz, "%s", path);
	else
		snprintf(out, outsz, "...%s", path + n - (outsz - 4));
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"dry-run", no_argument, NULL, 'n'},
	        {"partial", no_argument, NULL, 'p'},
	        {"format", required_argument, NULL, 'f'},
	        {"file-passphrase-fd", required_argument, NULL, 'F'},
	        {NULL, 0, NULL, 0},
	};
	const struct command *cmd = command_find("import");
	struct import_opts io = {TOTP_IMPORT_AUTO, -1};
	struct import_src *src = NULL;
	struct totp_import qr, bk;
	struct plan p = {{0}, NULL, 0, 0};
	struct totp_vault *v = NULL;
	bool dry = false, partial = false, fmt_seen = false, stdin_seen = false;
	size_t nsrc = 0, found = 0, unusable = 0;
	const char *prefix;
	uint64_t fd;
	int c, rc = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "n", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			dry = true;
			break;
		case 'p':
			partial = true;
			break;
		case 'f':
			if (fmt_seen)
				return usage_error(cmd, "--format given twice");
			fmt_seen = true;
			if (totp_import_format_parse(&io.format, optarg) != TOTP_OK)
				return usage_error(cmd, "--format: unknown format '%s'", optarg);
			break;
		case 'F':
			if (io.pass_fd >= 0)
				return usage_error(cmd, "--file-passphrase-fd given twice");
			if (parse_uint(optarg, 65535, &fd) != 0)
				return usage_error(
				        cmd, "--file-passphrase-fd: not a file descriptor: %s",
				        optarg);
			io.pass_fd = (int)fd;
			break;
		default:
			return usage_error(cmd, "unknown option");
		}
	}
	if (optind == argc)
		return usage_error(cmd, "missing FILE (use - for standard input)");
	for (int a = optind; a < argc; a++) {
		if (strcmp(argv[a], "-") != 0)
			continue;
		if (stdin_seen)
			return usage_error(cmd, "standard input (-) given twice");
		stdin_seen = true;
		if (io.pass_fd == STDIN_FILENO || cli.passphrase_fd == STDIN_FILENO)
			return usage_error(cmd, "- reads standard input, which a passphrase "
			                        "option reads too");
	}
	nsrc = (size_t)(argc - optind);
	totp_import_init(&qr);
	totp_import_init(&bk);
	totp_import_init(&p.take);
	if (!(src = calloc(nsrc, sizeof(*src)))) {
		fail(TOTP_E_NOMEM, "import");
		goto out;
	}
	for (size_t s = 0; s < nsrc; s++) {
		src[s].path = argv[optind + (int)s];
		display_name(src[s].name, sizeof(src[s].name), src[s].path);
		totp_import_init(&src[s].im);
	}

	/* Read and check everything; nothing needs the vault yet. */
	if (import_gather(src, nsrc, &io, &qr, &bk) != TOTP_OK)
		goto out;
	prefix = partial ? "skipping " : "";
	for (size_t s = 0; s < nsrc; s++) {
		for (size_t k = 0; k < src[s].im.nproblems; k++)
			report_problem(&src[s], &src[s].im.problems[k], prefix);
		unusable += src[s].im.nproblems;
		found += src[s].im.count;
	}
	for (size_t k = 0; k < qr.nproblems; k++)
		report_qr_problem(&qr.problems[k], prefix, false);
	for (size_t k = 0; k < bk.nproblems; k++)
		report_qr_problem(&bk.problems[k], prefix, true);
	unusable += qr.nproblems + bk.nproblems;
	if (dry) {
		/* What the inputs hold, even when the import would be refused. */
		if ((c = make_plan(&p, NULL, src, nsrc, true)) != TOTP_OK) {
			fail(c, "import");
			goto out;
		}
		print_plan(&p, src, nsrc);
	}
	if (unusable && !partial) {
		warnx_("nothing %s: %zu item%s unusable (fix %s, or use --partial to import the "
		       "rest)",
		       dry ? "would be imported" : "imported", unusable,
		       unusable == 1 ? " is" : "s are", unusable == 1 ? "it" : "them");
		goto out;
	}
	if (found == 0) {
		warnx_("no accounts found to import");
		goto out;
	}
	if (dry) {
		summary("dry run: would import", p.take.count, p.duplicates, unusable, src, nsrc);
		warnx_("dry run: the vault was not opened; accounts already in it are not counted");
		rc = EXIT_OK;
		goto out;
	}
	for (size_t s = 0; s < nsrc; s++)
		for (size_t k = 0; k < src[s].im.count; k++)
			entry_warnings(&src[s].im.entries[k]);
	/* Read, merge and save under the vault's lock. */
	if (vault_unlock(&v, TOTP_VAULT_WRITE) != TOTP_OK)
		goto out;
	if ((c = make_plan(&p, v, src, nsrc, false)) != TOTP_OK) {
		fail(c, "import");
		goto out;
	}
	for (size_t k = 0; k < p.take.count; k++) {
		if ((c = totp_vault_add(v, &p.take.entries[k])) != TOTP_OK) {
			char label[2 * TOTP_LABEL_MAX];

			fail(c, "%s: nothing imported", entry_label(&p.take.entries[k], label));
			goto out;
		}
	}
	if (p.take.count && vault_save_or_fail(v) != TOTP_OK)
		goto out;
	summary("imported", p.take.count, p.duplicates, unusable, src, nsrc);
	rc = EXIT_OK;
out:
	totp_vault_close(v);
	for (size_t s = 0; src && s < nsrc; s++)
		totp_import_clear(&src[s].im);
	free(src);
	free(p.from);
	totp_import_clear(&p.take);
	totp_import_clear(&qr);
	totp_import_clear(&bk);
	return rc;
}
