/*
 * export_encrypted.c - encrypted backup codes (totp-backup(5)): the
 * accounts encrypted under a backup passphrase as one or more QR codes,
 * written as part-K-of-N.png files with a README.txt, or as a printable
 * sheet.  Every code is decoded again from the file written, and all of
 * them are decrypted with the same passphrase and compared with the vault
 * before anything is renamed into place.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"

#define CALIBRATE_SECONDS 0.5 /* as 'totp init' */
#define PASS_SHORT 12         /* bytes under which a passphrase is warned about */
#define SHEET_MM_PER_MODULE 7 /* tenths of a millimetre per module on paper */

/* ---- Passphrase and key derivation cost --------------------------------- */

static int kdf_parse(const struct command *cmd, const struct backup_opts *o, struct totp_kdf *kdf)
{
	uint64_t v;

	kdf->memlimit = 256ULL << 20;
	kdf->opslimit = 3;
	if (o->mem) {
		if (parse_size(o->mem, &v) != 0 || v < TOTP_KDF_MEM_MIN || v > TOTP_KDF_MEM_MAX) {
			usage_error(cmd, "--kdf-memory: expected a size from 8K to 4G, got '%s'",
			            o->mem);
			return EXIT_USAGE;
		}
		kdf->memlimit = v;
	}
	if (o->ops) {
		if (parse_uint(o->ops, TOTP_KDF_OPS_MAX, &v) != 0 || v < 1) {
			usage_error(cmd, "--kdf-ops: expected a number from 1 to %u, got '%s'",
			            TOTP_KDF_OPS_MAX, o->ops);
			return EXIT_USAGE;
		}
		kdf->opslimit = (uint32_t)v;
	}
	return EXIT_OK;
}

int backup_opts_check(const struct command *cmd, const struct backup_opts *o)
{
	struct totp_kdf kdf;

	if (o->pass_fd >= 0 && o->pass_fd == cli.passphrase_fd)
		return usage_error(cmd, "--backup-passphrase-fd and --passphrase-fd name the same "
		                        "descriptor; give the backup passphrase on its own");
	return kdf_parse(cmd, o, &kdf);
}

static int kdf_choose(struct totp_kdf *kdf, const struct backup_opts *o)
{
	char mem[32];
	int rc;

	if (!o->mem && !o->ops) {
		rc = totp_kdf_calibrate(kdf, CALIBRATE_SECONDS, TOTP_KDF_MEM_RECOMMENDED_MIN);
		if (rc != TOTP_OK)
			fail(rc, "calibrating the key derivation");
		return rc;
	}
	if (kdf_parse(command_find("export"), o, kdf) != EXIT_OK)
		return TOTP_E_INVAL; /* checked by backup_opts_check already */
	if (kdf->memlimit < TOTP_KDF_MEM_RECOMMENDED_MIN) {
		format_size(mem, sizeof(mem), kdf->memlimit);
		warnx_("warning: key derivation memory %s is below the recommended 64 MiB; "
		       "a lost backup is easier to brute-force",
		       mem);
	}
	return TOTP_OK;
}

static bool have_tty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int backup_secret_get(struct export_ctx *x, const struct backup_opts *o)
{
	char *pass = secret_alloc();
	size_t len = 0;
	int rc;

	if (!pass)
		return fail(TOTP_E_NOMEM, "passphrase"), TOTP_E_NOMEM;
	if (o->pass_fd < 0 && cli.no_prompt) {
		warnx_("the backup passphrase is needed and --no-prompt forbids asking (use "
		       "--backup-passphrase-fd)");
		rc = TOTP_E_INVAL;
	} else if (o->pass_fd < 0 && !have_tty()) {
		warnx_("cannot ask for the backup passphrase: no terminal (use "
		       "--backup-passphrase-fd)");
		rc = TOTP_E_IO;
	} else {
		rc = get_secret_from(o->pass_fd,
		                     "Backup passphrase (for the encrypted QR codes): ", true, pass,
		                     &len);
	}
	if (rc == TOTP_OK && len == 0) {
		warnx_("the backup passphrase is empty; refusing to write an unprotected backup");
		rc = TOTP_E_INVAL;
	}
	if (rc == TOTP_OK && len < PASS_SHORT)
		warnx_("warning: a backup passphrase shorter than %d characters is easy to guess; "
		       "a lost backup is protected by nothing else",
		       PASS_SHORT);
	if (rc == TOTP_OK)
		rc = kdf_choose(&x->kdf, o);
	if (rc != TOTP_OK) {
		secret_free(pass);
		return rc;
	}
	x->pass = pass;
	x->passlen = len;
	return TOTP_OK;
}

/* ---- Making and checking the codes -------------------------------------- */

/* The selection encrypted into payloads (copied to guarded memory, as
 * totp_backup_format takes an array of entries). */
static int backup_make(struct totp_backup_export *bx, const struct export_ctx *x)
{
	size_t size = x->count * sizeof(struct totp_entry);
	struct totp_entry *all = totp_secure_alloc(size ? size : 1);
	int rc;

	memset(bx, 0, sizeof(*bx));
	if (!all)
		return fail(TOTP_E_NOMEM, "export"), TOTP_E_NOMEM;
	for (size_t k = 0; k < x->count; k++)
		all[k] = *x->entries[k];
	rc = totp_backup_format(bx, all, x->count, x->pass, x->passlen, &x->kdf, NULL);
	totp_wipe(all, size);
	totp_secure_free(all);
	if (rc == TOTP_E_TOOBIG)
		warnx_("the accounts do not fit %u encrypted QR codes; select fewer with PATTERN",
		       TOTP_BACKUP_PARTS_MAX);
	else if (rc != TOTP_OK)
		fail(rc, "encrypting the backup");
	return rc;
}

static int give_pass(void *ctx, const struct totp_backup_info *info, char *buf, size_t bufsz,
                     size_t *len)
{
	const struct export_ctx *x = ctx;

	(void)info;
	if (x->passlen > bufsz)
		return TOTP_E_TOOBIG;
	memcpy(buf, x->pass, x->passlen);
	*len = x->passlen;
	return TOTP_OK;
}

/* The payloads read back are exactly the backup's parts, in order. */
static bool same_parts(const struct totp_qr_list *list, const struct totp_backup_export *bx)
{
	if (list->count != bx->count)
		return false;
	for (size_t k = 0; k < bx->count; k++) {
		size_t n = strlen(bx->parts[k]);

		if (list->items[k].len != n || memcmp(list->items[k].data, bx->parts[k], n) != 0)
			return false;
	}
	return true;
}

/* All payloads read back, decrypted with the passphrase, give the
 * selection in order. */
static int backup_check(const struct totp_qr_list *list, const struct export_ctx *x,
                        const struct totp_backup_export *bx)
{
	struct totp_backup_read_opts ro = {give_pass, (void *)x};
	struct totp_import im;
	int rc = TOTP_E_MISMATCH;

	if (!same_parts(list, bx)) {
		warnx_("%s: the codes read back differ from the ones written; nothing written",
		       x->output);
		return TOTP_E_MISMATCH;
	}
	totp_import_init(&im);
	rc = totp_backup_import(&im, list, &ro);
	if (rc == TOTP_OK && (im.nproblems || im.count != x->count))
		rc = TOTP_E_MISMATCH;
	for (size_t k = 0; rc == TOTP_OK && k < x->count; k++)
		if (!same_account(&im.entries[k], x->entries[k]))
			rc = TOTP_E_MISMATCH;
	if (rc != TOTP_OK)
		warnx_("%s: the codes read back do not decrypt to the accounts (%s); nothing "
		       "written",
		       x->output, rc == TOTP_E_MISMATCH ? "different accounts" : totp_strerror(rc));
	totp_import_clear(&im);
	return rc;
}

static void describe_kdf(char *buf, size_t bufsz, const struct totp_kdf *kdf)
{
	char mem[32];

	format_size(mem, sizeof(mem), kdf->memlimit);
	snprintf(buf, bufsz, "Argon2id (%s, %u pass%s) and XChaCha20-Poly1305", mem, kdf->opslimit,
	         kdf->opslimit == 1 ? "" : "es");
}

/* ---- QR code images ------------------------------------------------------ */

static bool part_name(const char *name)
{
	unsigned k, n;
	int end = 0;

	return sscanf(name, "part-%u-of-%u.png%n", &k, &n, &end) == 2 && end > 0 && name[end] == 0;
}

/* Parts of another backup left in the directory would be read with these
 * by an import of every PNG of the directory: refused, even with --force. */
static int check_stale_parts(const struct stage *s)
{
	int fd = dup(s->dirfd), rc = TOTP_OK;
	struct dirent *d;
	DIR *dir;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return fail(TOTP_E_IO, "%s", s->dir), TOTP_E_IO;
	}
	while ((d = readdir(dir)) != NULL) {
		bool ours = false;

		if (!part_name(d->d_name))
			continue;
		for (size_t i = 0; i < s->count && !ours; i++)
			ours = strcmp(s->files[i].name, d->d_name) == 0;
		if (!ours) {
			warnx_("%s/%s is part of another backup; nothing written (use an empty "
			       "directory, or remove the old parts)",
			       s->dir, d->d_name);
			rc = TOTP_E_EXISTS;
			break;
		}
	}
	closedir(dir);
	return rc;
}

static void write_readme(struct gbuf *b, const struct export_ctx *x,
                         const struct totp_backup_export *bx)
{
	char date[64], kdf[128];

	utc_now(date, sizeof(date));
	describe_kdf(kdf, sizeof(kdf), &x->kdf);
	gb_printf(b,
	          "totp encrypted backup\n=====================\n\n"
	          "Written:    %s by totp %s\n"
	          "Backup id:  %s\n"
	          "Accounts:   %zu\n"
	          "Parts:      %zu QR code%s, part-1-of-%zu.png",
	          date, TOTP_VERSION, bx->id, x->count, bx->count, bx->count == 1 ? "" : "s",
	          bx->count);
	if (bx->count > 1)
		gb_printf(b, " to part-%zu-of-%zu.png", bx->count, bx->count);
	gb_printf(b,
	          "\nEncryption: %s\n\n"
	          "The QR codes in this directory hold two-factor accounts (their secret keys,\n"
	          "names and settings) encrypted with a backup passphrase.  Without the\n"
	          "passphrase they reveal nothing but roughly how many accounts there are.\n"
	          "Keep the passphrase apart from the codes: whoever has both has every account.\n"
	          "\n"
	          "To restore, with every part at hand (in any order), run\n\n"
	          "    totp import DIR/part-*.png\n\n"
	          "where DIR is this directory, and enter the backup passphrase.  Printed\n"
	          "codes work too: photograph or scan them and run 'totp import photo.jpg ...'.\n"
	          "The format is described in totp-backup(5).\n",
	          kdf);
}

int export_encrypted_qr(const struct export_ctx *x)
{
	struct totp_backup_export bx = {NULL, 0, {0}};
	struct totp_qr_list list;
	struct stage s;
	struct gbuf readme;
	size_t *fi = NULL, readme_fi;
	int rc = EXIT_FAIL;

	totp_qr_list_init(&list);
	gb_init(&readme);
	memset(&s, 0, sizeof(s));
	s.dirfd = -1;
	if (backup_make(&bx, x) != TOTP_OK)
		goto out;
	if (!(fi = calloc(bx.count, sizeof(*fi))))
		goto nomem;
	if (stage_open(&s, x->output, true, x->force) != TOTP_OK)
		goto out;
	for (size_t k = 0; k < bx.count; k++) {
		char name[64];

		snprintf(name, sizeof(name), "part-%zu-of-%zu.png", k + 1, bx.count);
		if (stage_add_name(&s, name, &fi[k]) != TOTP_OK)
			goto nomem;
	}
	if (stage_add_name(&s, "README.txt", &readme_fi) != TOTP_OK)
		goto nomem;
	if (check_stale_parts(&s) != TOTP_OK || stage_check_names(&s) != TOTP_OK)
		goto out;
	for (size_t k = 0; k < bx.count; k++)
		if (write_qr_png(&s, fi[k], bx.parts[k], &list) != TOTP_OK)
			goto out;
	if (backup_check(&list, x, &bx) != TOTP_OK)
		goto out;
	write_readme(&readme, x, &bx);
	if (write_text(&s, readme_fi, &readme) != TOTP_OK || stage_commit(&s) != TOTP_OK)
		goto out;
	warnx_("wrote an encrypted backup of %zu account%s (backup id %s) as %zu QR code%s and "
	       "README.txt to %s, verified",
	       x->count, x->count == 1 ? "" : "s", bx.id, bx.count, bx.count == 1 ? "" : "s",
	       x->output);
	rc = EXIT_OK;
	goto out;
nomem:
	fail(TOTP_E_NOMEM, "export");
out:
	stage_close(&s);
	totp_backup_export_free(&bx);
	totp_qr_list_free(&list);
	gb_free(&readme);
	free(fi);
	return rc;
}

/* ---- Printable sheet ----------------------------------------------------- */

static const char *const sheet_head =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"robots\" content=\"noindex\">\n<title>totp encrypted backup</title>\n"
        "<style>\n"
        "body { font-family: sans-serif; margin: 2em; color: #000; background: #fff; }\n"
        "header { border-bottom: 2px solid #000; margin-bottom: 4mm; }\n"
        "h1 { font-size: 1.6em; margin: 0 0 0.3em; }\n"
        "dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }\n"
        "dt { font-weight: bold; }\ndd { margin: 0; }\n"
        ".parts { display: flex; flex-wrap: wrap; gap: 6mm; }\n"
        ".part { margin: 0; break-inside: avoid; page-break-inside: avoid; }\n"
        ".part svg { display: block; width: 100%; height: auto; }\n"
        ".part figcaption { text-align: center; font-size: 1.1em; margin-top: 1mm; }\n"
        "@page { margin: 12mm; }\n"
        "@media print { body { margin: 0; } }\n"
        "</style>\n</head>\n<body>\n";

static void sheet_header(struct gbuf *b, const struct export_ctx *x,
                         const struct totp_backup_export *bx)
{
	char date[64], kdf[128];

	utc_now(date, sizeof(date));
	describe_kdf(kdf, sizeof(kdf), &x->kdf);
	gb_puts(b, sheet_head);
	gb_printf(b,
	          "<header>\n<h1>totp encrypted backup: %zu account%s in %zu QR code%s</h1>\n"
	          "<dl>\n<dt>Written</dt><dd>%s by totp %s</dd>\n"
	          "<dt>Backup id</dt><dd><code>%s</code></dd>\n"
	          "<dt>Parts</dt><dd>%zu (every one is needed to restore)</dd>\n"
	          "<dt>Encryption</dt><dd>%s</dd>\n</dl>\n"
	          "<p>These codes hold two-factor accounts encrypted with a backup passphrase. "
	          "Without the passphrase they reveal nothing but roughly how many accounts "
	          "there are. Keep the passphrase apart from this sheet: whoever has both has "
	          "every account.</p>\n"
	          "<p>To restore, photograph or scan every code (in any order; one picture may "
	          "hold several) and run <code>totp import photo.jpg ...</code>, or the PNG "
	          "files of <code>totp export --format encrypted-qr</code> with "
	          "<code>totp import DIR/part-*.png</code>, then enter the backup passphrase. "
	          "The format is described in totp-backup(5).</p>\n</header>\n",
	          x->count, x->count == 1 ? "" : "s", bx->count, bx->count == 1 ? "" : "s", date,
	          TOTP_VERSION, bx->id, bx->count, kdf);
}

static int sheet_part(struct gbuf *b, const struct totp_backup_export *bx, size_t k)
{
	char *svg = NULL;
	size_t svglen = 0;
	const char *v;
	unsigned long modules;
	int rc = totp_qr_svg(&svg, &svglen, (const uint8_t *)bx->parts[k], strlen(bx->parts[k]),
	                     NULL);

	if (rc != TOTP_OK)
		return fail(rc, "part %zu: encoding the QR code", k + 1), rc;
	v = strstr(svg, "viewBox=\"0 0 ");
	modules = v ? strtoul(v + 13, NULL, 10) : 0;
	if (modules < 21 || modules > 400)
		modules = 125;
	/* 0.7 mm per module: two codes of the largest size side by side on A4
	 * or Letter; never under 40 mm across. */
	gb_printf(b, "<figure class=\"part\" style=\"width: %lumm\">",
	          modules * SHEET_MM_PER_MODULE / 10 < 40 ? 40
	                                                  : modules * SHEET_MM_PER_MODULE / 10);
	gb_put(b, svg, svglen);
	gb_printf(b, "<figcaption>Part %zu of %zu &middot; backup %s</figcaption></figure>\n",
	          k + 1, bx->count, bx->id);
	totp_qr_free(svg);
	return TOTP_OK;
}

/* Decode every <svg> of the sheet read back, in order. */
static int sheet_scan(struct totp_qr_list *list, const char *html, size_t len, const char *where)
{
	const char *p = html, *end = html + len;

	while ((p = strstr(p, "<svg")) != NULL && p < end) {
		const char *z = strstr(p, "</svg>");
		int rc;

		if (!z || z >= end)
			break;
		if ((rc = svg_scan(list, p + 4, (size_t)(z - p - 4), "sheet")) != TOTP_OK) {
			warnx_("%s: QR code %zu of the sheet read back cannot be decoded (%s); "
			       "nothing written",
			       where, list->count + 1, totp_strerror(rc));
			return rc;
		}
		p = z + 6;
	}
	return TOTP_OK;
}

int export_encrypted_html(const struct export_ctx *x)
{
	struct totp_backup_export bx = {NULL, 0, {0}};
	struct totp_qr_list list;
	struct gbuf html;
	struct stage s;
	const uint8_t *back = NULL;
	size_t fi;
	int rc = EXIT_FAIL;

	totp_qr_list_init(&list);
	gb_init(&html);
	memset(&s, 0, sizeof(s));
	s.dirfd = -1;
	if (backup_make(&bx, x) != TOTP_OK)
		goto out;
	sheet_header(&html, x, &bx);
	gb_puts(&html, "<main class=\"parts\">\n");
	for (size_t k = 0; k < bx.count; k++)
		if (sheet_part(&html, &bx, k) != TOTP_OK)
			goto out;
	gb_puts(&html, "</main>\n</body>\n</html>\n");
	if (html.err) {
		fail(html.err, "%s", x->output);
		goto out;
	}
	if (stage_open_file(&s, x->output, x->force, &fi) != TOTP_OK ||
	    stage_check_names(&s) != TOTP_OK ||
	    stage_write(&s, fi, html.p, html.len, &back) != TOTP_OK ||
	    sheet_scan(&list, (const char *)back, html.len, x->output) != TOTP_OK ||
	    backup_check(&list, x, &bx) != TOTP_OK || stage_commit(&s) != TOTP_OK)
		goto out;
	warnx_("wrote an encrypted backup sheet of %zu account%s (backup id %s, %zu QR code%s) "
	       "to %s, verified",
	       x->count, x->count == 1 ? "" : "s", bx.id, bx.count, bx.count == 1 ? "" : "s",
	       x->output);
	rc = EXIT_OK;
out:
	stage_close(&s);
	totp_backup_export_free(&bx);
	totp_qr_list_free(&list);
	gb_free(&html);
	return rc;
}
