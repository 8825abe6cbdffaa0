/*
 * export_qr.c - QR code images: one otpauth QR code per account with an
 * index.txt, or Google Authenticator transfer codes (otpauth-migration)
 * with a MANIFEST.txt.  Each image is decoded again from the file written
 * (our PNG decoder and zbar) and compared with the vault's account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "export.h"

/* Level M, at least 8 pixels per module and 300 pixels across, 4 modules
 * of quiet zone: comfortable for a phone camera on a screen or on paper. */
static const struct totp_qr_render_opts png_opts = {TOTP_QR_ECC_M, 0, 4, 0};
#define PNG_MODULE_MIN 8 /* totp_qr_png's least module size by default */

void utc_now(char *buf, size_t bufsz)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, bufsz, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, bufsz, "unknown date");
}

int write_qr_png(struct stage *s, size_t fi, const char *text, struct totp_qr_list *list)
{
	const uint8_t *back = NULL;
	uint8_t *png = NULL;
	size_t len = 0;
	int rc = totp_qr_png(&png, &len, (const uint8_t *)text, strlen(text), &png_opts);

	if (rc != TOTP_OK)
		return fail(rc, "%s: encoding the QR code", s->files[fi].name), rc;
	rc = stage_write(s, fi, png, len, &back);
	totp_qr_free(png);
	if (rc != TOTP_OK)
		return rc;
	rc = verify_png_payload(list, back, len, s->files[fi].name, PNG_MODULE_MIN);
	if (rc != TOTP_OK)
		warnx_("%s/%s: the QR code read back cannot be decoded (%s); nothing written",
		       s->dir, s->files[fi].name, totp_strerror(rc));
	return rc;
}

/* The last payload of list must be exactly `text`. */
static bool last_payload_is(const struct totp_qr_list *list, const char *text)
{
	const struct totp_qr_payload *p;
	size_t n = strlen(text);

	if (list->count == 0)
		return false;
	p = &list->items[list->count - 1];
	return p->len == n && totp_memeq(p->data, text, n);
}

/*
 * Accounts written as otpauth QR codes, one per file.  Each file read back
 * must hold exactly the URI formatted from the vault; at the end all the
 * payloads go through totp_qr_import together and must give the accounts.
 */
struct uri_codes {
	struct totp_qr_list list;       /* payloads read back, in file order */
	const struct totp_entry **want; /* the account of each payload */
	size_t *fi;                     /* the file of each payload */
	size_t n;
	char *uri; /* guarded, TOTP_URI_MAX */
};

static int codes_init(struct uri_codes *c, size_t max)
{
	memset(c, 0, sizeof(*c));
	totp_qr_list_init(&c->list);
	c->want = calloc(max + 1, sizeof(*c->want));
	c->fi = calloc(max + 1, sizeof(*c->fi));
	c->uri = totp_secure_alloc(TOTP_URI_MAX);
	return c->want && c->fi && c->uri ? TOTP_OK : TOTP_E_NOMEM;
}

static void codes_free(struct uri_codes *c)
{
	totp_qr_list_free(&c->list);
	free(c->want);
	free(c->fi);
	if (c->uri) {
		totp_wipe(c->uri, TOTP_URI_MAX);
		totp_secure_free(c->uri);
	}
	memset(c, 0, sizeof(*c));
}

static void report_mismatch(const struct stage *s, size_t fi, const struct totp_entry *e, int err)
{
	char label[2 * TOTP_LABEL_MAX];

	warnx_("%s/%s: the QR code read back does not give %s (%s); nothing written", s->dir,
	       s->files[fi].name, entry_label(e, label),
	       err ? totp_strerror(err) : "different account");
}

/* Write file fi with e's otpauth QR code. */
static int write_account_png(struct stage *s, size_t fi, const struct totp_entry *e,
                             struct uri_codes *c)
{
	int rc = totp_uri_format(c->uri, TOTP_URI_MAX, e);
	char label[2 * TOTP_LABEL_MAX];

	if (rc != TOTP_OK)
		return fail(rc, "%s: formatting the URI", entry_label(e, label)), rc;
	if ((rc = write_qr_png(s, fi, c->uri, &c->list)) != TOTP_OK)
		return rc;
	if (!last_payload_is(&c->list, c->uri)) {
		report_mismatch(s, fi, e, 0);
		return TOTP_E_MISMATCH;
	}
	c->want[c->n] = e;
	c->fi[c->n++] = fi;
	return TOTP_OK;
}

/* All payloads read back, imported together, give the accounts. */
static int check_codes(const struct stage *s, const struct uri_codes *c)
{
	struct totp_import im;
	int rc;

	if (c->n == 0)
		return TOTP_OK;
	totp_import_init(&im);
	rc = totp_qr_import(&im, &c->list);
	if (rc == TOTP_OK && (im.nproblems || im.count != c->n)) {
		size_t k = im.nproblems ? im.problems[0].index - 1 : 0;

		report_mismatch(s, c->fi[k < c->n ? k : 0], c->want[k < c->n ? k : 0],
		                im.nproblems ? im.problems[0].err : 0);
		rc = TOTP_E_MISMATCH;
	} else if (rc != TOTP_OK) {
		warnx_("%s: the QR codes read back cannot be imported (%s); nothing written",
		       s->dir, totp_strerror(rc));
	}
	for (size_t k = 0; rc == TOTP_OK && k < c->n; k++)
		if (!same_account(&im.entries[k], c->want[k])) {
			report_mismatch(s, c->fi[k], c->want[k], 0);
			rc = TOTP_E_MISMATCH;
		}
	totp_import_clear(&im);
	return rc;
}

int write_text(struct stage *s, size_t fi, struct gbuf *text)
{
	const uint8_t *back = NULL;

	if (text->err)
		return fail(text->err, "%s", s->files[fi].name), text->err;
	return stage_write(s, fi, text->p, text->len, &back);
}

int export_png(const struct export_ctx *x)
{
	char label[2 * TOTP_LABEL_MAX], date[64];
	struct uri_codes codes;
	struct stage s;
	struct gbuf index;
	size_t *fi = calloc(x->count + 1, sizeof(size_t)), index_fi;
	int rc = EXIT_FAIL;

	gb_init(&index);
	memset(&s, 0, sizeof(s));
	s.dirfd = -1;
	if (codes_init(&codes, x->count) != TOTP_OK || !fi)
		goto nomem;
	if (stage_open(&s, x->output, true, x->force) != TOTP_OK)
		goto out;
	for (size_t k = 0; k < x->count; k++)
		if (png_name_for(&s, x->entries[k], &fi[k]) != TOTP_OK)
			goto nomem;
	if (stage_add_name(&s, "index.txt", &index_fi) != TOTP_OK)
		goto nomem;
	if (stage_check_names(&s) != TOTP_OK)
		goto out;
	utc_now(date, sizeof(date));
	gb_printf(&index,
	          "# totp export, %s: %zu QR code%s of otpauth URIs (file, tab, account).\n"
	          "# Scan them with an authenticator app, or restore with: totp import FILE...\n",
	          date, x->count, x->count == 1 ? "" : "s");
	for (size_t k = 0; k < x->count; k++) {
		if (write_account_png(&s, fi[k], x->entries[k], &codes) != TOTP_OK)
			goto out;
		gb_put_line_safe(&index, s.files[fi[k]].name);
		gb_puts(&index, "\t");
		gb_put_line_safe(&index, entry_label(x->entries[k], label));
		gb_puts(&index, "\n");
	}
	if (check_codes(&s, &codes) != TOTP_OK || write_text(&s, index_fi, &index) != TOTP_OK ||
	    stage_commit(&s) != TOTP_OK)
		goto out;
	warnx_("wrote %zu QR code%s and index.txt to %s, verified", x->count,
	       x->count == 1 ? "" : "s", x->output);
	rc = EXIT_OK;
	goto out;
nomem:
	fail(TOTP_E_NOMEM, "export");
out:
	stage_close(&s);
	codes_free(&codes);
	gb_free(&index);
	free(fi);
	return rc;
}

/* ---- Google Authenticator transfer codes -------------------------------- */

static void migration_reason(char *buf, size_t bufsz, const struct totp_entry *e, int err)
{
	if (err == TOTP_E_ENTRY)
		snprintf(buf, bufsz, "%s accounts", totp_type_name(e->type));
	else if (err == TOTP_E_PERIOD)
		snprintf(buf, bufsz, "period %u s", e->period);
	else if (err == TOTP_E_DIGITS)
		snprintf(buf, bufsz, "%u digits", e->digits);
	else
		snprintf(buf, bufsz, "%s", totp_strerror(err));
}

/*
 * Write transfer code fi and check it alone: its accounts must be the next
 * ones of `carried` from *pos.  owner[] records the code of each account;
 * the payload is kept in `all` for the check of the whole batch.
 */
static int write_transfer_png(struct stage *s, size_t fi, const char *uri,
                              const struct totp_entry *carried, size_t n, size_t *pos,
                              size_t *owner, struct totp_qr_list *all)
{
	struct totp_qr_list one;
	struct totp_import im;
	int rc;

	totp_qr_list_init(&one);
	totp_import_init(&im);
	if ((rc = write_qr_png(s, fi, uri, all)) != TOTP_OK)
		goto out;
	rc = TOTP_E_MISMATCH;
	if (!last_payload_is(all, uri))
		goto bad;
	rc = totp_qr_list_add(&one, all->items[all->count - 1].data, all->items[all->count - 1].len,
	                      s->files[fi].name);
	/* Alone, a part of a larger export is incomplete: only its accounts
	 * matter here; the whole batch is checked at the end. */
	if (rc == TOTP_OK && (rc = totp_qr_import(&im, &one)) == TOTP_E_BATCH)
		rc = TOTP_OK;
	if (rc == TOTP_OK && (im.count == 0 || im.count > n - *pos))
		rc = TOTP_E_MISMATCH;
	for (size_t k = 0; rc == TOTP_OK && k < im.count; k++) {
		if (!same_account(&im.entries[k], &carried[*pos + k]))
			rc = TOTP_E_MISMATCH;
		owner[*pos + k] = fi;
	}
	if (rc == TOTP_OK) {
		*pos += im.count;
		goto out;
	}
bad:
	warnx_("%s/%s: the transfer code read back does not match the vault (%s); nothing "
	       "written",
	       s->dir, s->files[fi].name,
	       rc == TOTP_E_MISMATCH ? "different accounts" : totp_strerror(rc));
out:
	totp_qr_list_free(&one);
	totp_import_clear(&im);
	return rc;
}

/* All transfer codes together must give back every carried account. */
static int check_batch(const struct totp_qr_list *all, const struct totp_entry *carried, size_t n,
                       const char *dir)
{
	struct totp_import im;
	int rc;

	totp_import_init(&im);
	rc = totp_qr_import(&im, all);
	if (rc == TOTP_OK && (im.nproblems || im.count != n))
		rc = TOTP_E_MISMATCH;
	for (size_t k = 0; rc == TOTP_OK && k < n; k++)
		if (!same_account(&im.entries[k], &carried[k]))
			rc = TOTP_E_MISMATCH;
	if (rc != TOTP_OK)
		warnx_("%s: the transfer codes read back together do not give the accounts (%s); "
		       "nothing written",
		       dir, rc == TOTP_E_MISMATCH ? "different accounts" : totp_strerror(rc));
	totp_import_clear(&im);
	return rc;
}

struct mig_plan {
	struct totp_entry *carried; /* guarded copies, in selection order */
	size_t ncarried;
	const struct totp_entry **others;
	int *why; /* totp_migration_check's error for each of others */
	size_t nothers;
	size_t *owner;    /* file of each carried account */
	size_t *other_fi; /* file of each other account */
};

static void plan_free(struct mig_plan *p, size_t count)
{
	if (p->carried) {
		totp_wipe(p->carried, count * sizeof(*p->carried));
		totp_secure_free(p->carried);
	}
	free(p->others);
	free(p->why);
	free(p->owner);
	free(p->other_fi);
}

static int plan_make(struct mig_plan *p, const struct export_ctx *x)
{
	memset(p, 0, sizeof(*p));
	p->carried = totp_secure_alloc(x->count * sizeof(*p->carried));
	p->others = calloc(x->count, sizeof(*p->others));
	p->why = calloc(x->count, sizeof(*p->why));
	p->owner = calloc(x->count, sizeof(*p->owner));
	p->other_fi = calloc(x->count, sizeof(*p->other_fi));
	if (!p->carried || !p->others || !p->why || !p->owner || !p->other_fi)
		return TOTP_E_NOMEM;
	for (size_t k = 0; k < x->count; k++) {
		int err = totp_migration_check(x->entries[k]);

		if (err == TOTP_OK) {
			p->carried[p->ncarried++] = *x->entries[k];
		} else {
			p->why[p->nothers] = err;
			p->others[p->nothers++] = x->entries[k];
		}
	}
	return TOTP_OK;
}

static void write_manifest(struct gbuf *m, const struct mig_plan *p, const struct stage *s,
                           const struct totp_migration_export *mx, const size_t *mig_fi)
{
	char label[2 * TOTP_LABEL_MAX], date[64], why[64];

	utc_now(date, sizeof(date));
	gb_printf(m, "# totp export for Google Authenticator, %s (file, tab, account).\n", date);
	if (mx->count)
		gb_printf(m,
		          "# Scan the %zu transfer code%s with Google Authenticator (Transfer "
		          "accounts, Import accounts),\n# or restore with: totp import "
		          "google-authenticator-*.png\n",
		          mx->count, mx->count == 1 ? "" : "s");
	for (size_t j = 0; j < mx->count; j++)
		for (size_t k = 0; k < p->ncarried; k++) {
			if (p->owner[k] != mig_fi[j])
				continue;
			gb_put_line_safe(m, s->files[mig_fi[j]].name);
			gb_puts(m, "\t");
			gb_put_line_safe(m, entry_label(&p->carried[k], label));
			gb_puts(m, "\n");
		}
	if (p->nothers)
		gb_printf(m,
		          "# Accounts a transfer code cannot hold, each in its own otpauth QR "
		          "code\n# (scan with an app that supports them, or: totp import FILE):\n");
	for (size_t k = 0; k < p->nothers; k++) {
		migration_reason(why, sizeof(why), p->others[k], p->why[k]);
		gb_put_line_safe(m, s->files[p->other_fi[k]].name);
		gb_puts(m, "\t");
		gb_put_line_safe(m, entry_label(p->others[k], label));
		gb_printf(m, "\t(%s)\n", why);
	}
}

int export_migration(const struct export_ctx *x)
{
	struct totp_migration_export mx = {NULL, 0, 0};
	struct uri_codes codes;
	struct totp_qr_list all;
	struct mig_plan p;
	struct stage s;
	struct gbuf manifest;
	size_t *mig_fi = NULL, manifest_fi, pos = 0;
	int rc = EXIT_FAIL, c;

	totp_qr_list_init(&all);
	gb_init(&manifest);
	memset(&s, 0, sizeof(s));
	s.dirfd = -1;
	c = codes_init(&codes, x->count);
	if (plan_make(&p, x) != TOTP_OK || c != TOTP_OK)
		goto nomem;
	if (p.ncarried &&
	    (c = totp_migration_format(&mx, p.carried, p.ncarried, NULL)) != TOTP_OK) {
		fail(c, "formatting the transfer codes");
		goto out;
	}
	if (!(mig_fi = calloc(mx.count + 1, sizeof(*mig_fi))))
		goto nomem;
	if (stage_open(&s, x->output, true, x->force) != TOTP_OK)
		goto out;
	for (size_t j = 0; j < mx.count; j++) {
		char name[96];

		snprintf(name, sizeof(name), "google-authenticator-%zu-of-%zu.png", j + 1,
		         mx.count);
		if (stage_add_name(&s, name, &mig_fi[j]) != TOTP_OK)
			goto nomem;
	}
	for (size_t k = 0; k < p.nothers; k++)
		if (png_name_for(&s, p.others[k], &p.other_fi[k]) != TOTP_OK)
			goto nomem;
	if (stage_add_name(&s, "MANIFEST.txt", &manifest_fi) != TOTP_OK)
		goto nomem;
	if (stage_check_names(&s) != TOTP_OK)
		goto out;
	for (size_t j = 0; j < mx.count; j++)
		if (write_transfer_png(&s, mig_fi[j], mx.uris[j], p.carried, p.ncarried, &pos,
		                       p.owner, &all) != TOTP_OK)
			goto out;
	if (pos != p.ncarried) {
		warnx_("%s: the transfer codes hold %zu of %zu accounts; nothing written",
		       x->output, pos, p.ncarried);
		goto out;
	}
	if (mx.count && check_batch(&all, p.carried, p.ncarried, x->output) != TOTP_OK)
		goto out;
	for (size_t k = 0; k < p.nothers; k++)
		if (write_account_png(&s, p.other_fi[k], p.others[k], &codes) != TOTP_OK)
			goto out;
	if (check_codes(&s, &codes) != TOTP_OK)
		goto out;
	write_manifest(&manifest, &p, &s, &mx, mig_fi);
	if (write_text(&s, manifest_fi, &manifest) != TOTP_OK || stage_commit(&s) != TOTP_OK)
		goto out;
	if (p.nothers)
		warnx_("%zu account%s cannot go in a Google Authenticator transfer code (Steam, "
		       "periods other than 30 s, digits other than 6 or 8): written as otpauth QR "
		       "codes, see MANIFEST.txt",
		       p.nothers, p.nothers == 1 ? "" : "s");
	warnx_("wrote %zu transfer code%s (%zu account%s) and %zu other QR code%s to %s, "
	       "verified",
	       mx.count, mx.count == 1 ? "" : "s", p.ncarried, p.ncarried == 1 ? "" : "s",
	       p.nothers, p.nothers == 1 ? "" : "s", x->output);
	rc = EXIT_OK;
	goto out;
nomem:
	fail(TOTP_E_NOMEM, "export");
out:
	stage_close(&s);
	totp_migration_export_free(&mx);
	totp_qr_list_free(&all);
	codes_free(&codes);
	gb_free(&manifest);
	plan_free(&p, x->count);
	free(mig_fi);
	return rc;
}
