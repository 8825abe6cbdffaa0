/*
 * import_read.c - the reading half of 'totp import': every input is told
 * apart by its content (QR image, otpauth URI text, another totp vault,
 * another app's backup) and turned into accounts and rejected items, all
 * before the target vault is opened.  QR payloads of every input are
 * gathered into one list and decoded together (import_qr.c), so a Google
 * Authenticator export or an encrypted backup split over several images
 * reassembles whatever their order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import.h"

static bool starts_ci(const uint8_t *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp((const char *)s, prefix, k) == 0;
}

/* ---- Sources ------------------------------------------------------------ */

/* Remember which source the payloads added since `before` came from. */
static int note_payloads(struct gather *g, size_t before, size_t s)
{
	if (g->list.count > g->payload_cap) {
		size_t cap = g->list.count * 2;
		size_t *p = realloc(g->payload_src, cap * sizeof(*p));

		if (!p)
			return TOTP_E_NOMEM;
		g->payload_src = p;
		g->payload_cap = cap;
	}
	for (size_t i = before; i < g->list.count; i++)
		g->payload_src[i] = s;
	return TOTP_OK;
}

static int read_image(struct gather *g, size_t s, const uint8_t *buf, size_t len)
{
	struct import_src *src = &g->src[s];
	struct totp_image img = {NULL, 0, 0};
	size_t before = g->list.count;
	int rc;

	snprintf(src->format, sizeof(src->format), "QR image");
	rc = totp_image_load(&img, buf, len);
	if (rc == TOTP_OK) {
		rc = totp_qr_scan(&g->list, &img, src->name, NULL);
		totp_image_free(&img);
		if (rc == TOTP_E_NO_QR)
			return totp_import_problem(&src->im, 0, NULL, rc, "no QR code found");
		if (rc == TOTP_E_TOOBIG)
			return totp_import_problem(&src->im, 0, NULL, rc,
			                           "too many QR codes, or one too large");
	} else if (rc == TOTP_E_IMAGE || rc == TOTP_E_TOOBIG) {
		return totp_import_problem(&src->im, 0, NULL, rc, "cannot decode the image: %s",
		                           totp_strerror(rc));
	}
	if (rc != TOTP_OK)
		return fail(rc, "%s", src->name), rc;
	return note_payloads(g, before, s);
}

/* otpauth://, steam:// and otpauth-migration:// URIs and encrypted backup
 * codes, one a line; blank lines and '#' comments ignored.  Migration
 * payloads and backup codes join the QR list. */
static int read_uri_text(struct gather *g, size_t s, const char *text, size_t len)
{
	struct import_src *src = &g->src[s];
	struct totp_entry *e = totp_entry_new();
	char label[2 * TOTP_LABEL_MAX], where[TOTP_LABEL_MAX + 32];
	size_t line = 0, pos = 0;
	int rc = TOTP_OK;

	if (!e)
		return fail(TOTP_E_NOMEM, "%s", src->name), TOTP_E_NOMEM;
	snprintf(src->format, sizeof(src->format), "otpauth");
	src->lines = true;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len && rc == TOTP_OK) {
		const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos, before;
		int err;

		pos += n + (nl != NULL);
		line++;
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
			n--;
		if (n == 0 || *p == '#')
			continue;
		if (starts_ci((const uint8_t *)p, n, "otpauth-migration:") ||
		    totp_backup_is_payload((const uint8_t *)p, n)) {
			snprintf(where, sizeof(where), "%s line %zu", src->name, line);
			before = g->list.count;
			err = totp_qr_list_add(&g->list, (const uint8_t *)p, n, where);
			if (err == TOTP_OK)
				rc = note_payloads(g, before, s);
			else if (err == TOTP_E_TOOBIG)
				rc = totp_import_problem(
				        &src->im, line, NULL, err,
				        "otpauth-migration URI or backup code too long");
			else
				rc = err;
			continue;
		}
		if (!starts_ci((const uint8_t *)p, n, "otpauth:") &&
		    !starts_ci((const uint8_t *)p, n, "steam:")) {
			rc = totp_import_problem(&src->im, line, NULL, TOTP_E_URI_SCHEME,
			                         "not an otpauth://, steam:// or "
			                         "otpauth-migration:// URI or a TOTPBACKUP code");
			continue;
		}
		err = totp_uri_parse(e, NULL, p, n);
		if (err == TOTP_OK)
			err = totp_entry_check(e);
		if (err == TOTP_OK)
			rc = totp_import_add(&src->im, e);
		else if (err == TOTP_E_NOMEM)
			rc = err;
		else
			rc = totp_import_problem(&src->im, line, entry_label(e, label), err, "%s",
			                         totp_strerror(err));
		totp_entry_wipe(e);
	}
	totp_entry_free(e);
	if (rc != TOTP_OK)
		fail(rc, "%s", src->name);
	return rc;
}

/* Another totp vault: opened read-only with its own passphrase. */
static int read_vault(struct gather *g, size_t s)
{
	struct import_src *src = &g->src[s];
	char prompt[TOTP_LABEL_MAX + 40];
	struct ask a = {g->o, src->name, prompt, false, false, false, NULL};
	struct totp_vault *v = NULL;
	char *pass = secret_alloc();
	size_t len = 0;
	int rc;

	snprintf(src->format, sizeof(src->format), "totp vault");
	if (!pass)
		return fail(TOTP_E_NOMEM, "passphrase"), TOTP_E_NOMEM;
	snprintf(prompt, sizeof(prompt), "Passphrase for vault %s: ", src->name);
	for (int attempt = 0; attempt < 3; attempt++) {
		rc = import_ask(&a, pass, PASS_MAX + 1, &len);
		if (rc != TOTP_OK)
			break;
		rc = totp_vault_open(&v, src->path, pass, len, 0);
		totp_wipe(pass, PASS_MAX + 1);
		if (rc != TOTP_E_AUTH || !a.from_tty)
			break;
		warnx_("%s: %s; try again", src->name, totp_strerror(rc));
	}
	if (rc == TOTP_OK) {
		size_t n = totp_vault_count(v);

		for (size_t i = 0; i < n && rc == TOTP_OK; i++)
			rc = totp_import_add(&src->im, totp_vault_entry(v, i));
		snprintf(src->im.format, sizeof(src->im.format), "totp vault");
	}
	if (rc != TOTP_OK && !a.reported)
		fail(rc, "%s", src->name);
	totp_vault_close(v);
	secret_free(pass);
	return rc;
}

static const char *app_name(enum totp_import_format f)
{
	switch (f) {
	case TOTP_IMPORT_AEGIS_ENCRYPTED:
		return "Aegis";
	case TOTP_IMPORT_ANDOTP_ENCRYPTED:
		return "andOTP";
	case TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD:
		return "andOTP, old format";
	case TOTP_IMPORT_2FAS_ENCRYPTED:
		return "2FAS";
	case TOTP_IMPORT_ENTE_ENCRYPTED:
		return "Ente Auth";
	default:
		return totp_import_format_name(f);
	}
}

/* Print why a whole file could not be read. */
static void whole_file_error(const struct import_src *src, int rc)
{
	const struct totp_import *im = &src->im;
	const char *why = totp_strerror(rc);

	for (size_t i = 0; i < im->nproblems; i++)
		if (im->problems[i].index == 0 && *im->problems[i].detail)
			why = im->problems[i].detail;
	if (rc == TOTP_E_IMPORT_FORMAT && why == totp_strerror(rc))
		why = "not a format totp can import (see 'import' in totp(1))";
	if (rc == TOTP_E_IO)
		fail(rc, "%s", src->name);
	else
		warnx_("%s: %s", src->name, why);
}

/* Another app's backup through libtotp's readers. */
static int read_backup(struct gather *g, size_t s, const uint8_t *buf, size_t len)
{
	struct import_src *src = &g->src[s];
	enum totp_import_format f = g->o->format;
	char prompt[TOTP_LABEL_MAX + 80];
	struct ask a = {g->o, src->name, prompt, false, false, false, NULL};
	struct totp_import_opts opts = {g->o->format, import_password_cb, &a};
	int rc = TOTP_OK;

	/* When detection fails, the read below fails too and explains why. */
	if (f == TOTP_IMPORT_AUTO && totp_import_detect(&f, buf, len) != TOTP_OK)
		f = TOTP_IMPORT_AUTO;
	snprintf(prompt, sizeof(prompt), "Password for backup %s (%s, encrypted): ", src->name,
	         app_name(f));
	for (int attempt = 0; rc == TOTP_OK && attempt < 3; attempt++) {
		totp_import_clear(&src->im);
		a.reported = false;
		rc = totp_import_read(&src->im, buf, len, &opts);
		if (rc != TOTP_E_PASSWORD || !a.from_tty)
			break;
		warnx_("%s: wrong password; try again", src->name);
		rc = TOTP_OK;
	}
	snprintf(src->format, sizeof(src->format), "%s",
	         *src->im.format ? src->im.format : totp_import_format_name(f));
	if (rc != TOTP_OK && !a.reported)
		whole_file_error(src, rc);
	return rc;
}

/* Is buf text whose first line that counts is a URI of ours? */
static bool is_uri_text(const uint8_t *buf, size_t len)
{
	size_t i = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	if (memchr(buf, '\0', len))
		return false;
	while (i < len) {
		size_t end = i;

		while (end < len && buf[end] != '\n')
			end++;
		while (i < end && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r'))
			i++;
		if (i < end && buf[i] != '#')
			return starts_ci(buf + i, end - i, "otpauth://") ||
			       starts_ci(buf + i, end - i, "steam://") ||
			       starts_ci(buf + i, end - i, "otpauth-migration://") ||
			       totp_backup_is_payload(buf + i, end - i);
		i = end + 1;
	}
	return false;
}

static bool has_codedisplay(const uint8_t *buf, size_t len)
{
	static const char key[] = "codedisplay=";

	for (size_t i = 0; i + sizeof(key) - 1 <= len; i++)
		if (starts_ci(buf + i, len - i, key))
			return true;
	return false;
}

static int read_source(struct gather *g, size_t s)
{
	struct import_src *src = &g->src[s];
	enum totp_import_format f = g->o->format;
	uint8_t *buf = NULL;
	size_t len = 0;
	bool vault = false;
	int rc = import_slurp(src->path, &buf, &len, &vault);

	if (rc != TOTP_OK) {
		if (rc == TOTP_E_TOOBIG)
			warnx_("%s: larger than %u bytes: not an image or a backup", src->name,
			       (unsigned)READ_MAX);
		else
			fail(rc, "%s", src->name);
		return rc;
	}
	if (!vault && len >= VAULT_MAGIC_LEN && memcmp(buf, VAULT_MAGIC, VAULT_MAGIC_LEN) == 0) {
		warnx_("%s: a totp vault cannot be merged from standard input; give its path",
		       src->name);
		rc = TOTP_E_INVAL;
	} else if (vault && f != TOTP_IMPORT_AUTO) {
		warnx_("%s: a totp vault, not %s", src->name, totp_import_format_name(f));
		rc = TOTP_E_IMPORT_FORMAT;
	} else if (vault) {
		rc = read_vault(g, s);
	} else if (f == TOTP_IMPORT_AUTO &&
	           ((len >= 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0) ||
	            (len >= 3 && memcmp(buf, "\xff\xd8\xff", 3) == 0))) {
		rc = read_image(g, s, buf, len);
	} else if (f == TOTP_IMPORT_OTPAUTH ||
	           (f == TOTP_IMPORT_AUTO && is_uri_text(buf, len) && !has_codedisplay(buf, len))) {
		rc = read_uri_text(g, s, (const char *)buf, len);
	} else {
		rc = read_backup(g, s, buf, len);
	}
	if (buf) {
		totp_wipe(buf, len);
		totp_secure_free(buf);
	}
	return rc;
}

int import_gather(struct import_src *src, size_t nsrc, const struct import_opts *o,
                  struct totp_import *qr, struct totp_import *bk)
{
	struct gather g = {src, nsrc, o, {0}, NULL, 0};
	int rc = TOTP_OK;

	totp_qr_list_init(&g.list);
	for (size_t s = 0; s < nsrc && rc == TOTP_OK; s++)
		rc = read_source(&g, s);
	if (rc == TOTP_OK && g.list.count)
		rc = import_decode(&g, qr, bk);
	totp_qr_list_free(&g.list);
	free(g.payload_src);
	return rc;
}
