/*
 * cmd_export.c - export accounts as QR code images, Google Authenticator
 * transfer codes, an otpauth URI list, a printable HTML sheet, or
 * encrypted backup codes (images or a sheet).  Every
 * file is read back and checked against the vault before the export is
 * reported as done (see export_*.c for the formats).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"

#define NAME_BASE_MAX 80 /* bytes of a file name before ".png" */

bool same_account(const struct totp_entry *a, const struct totp_entry *b)
{
	if (strcmp(a->issuer, b->issuer) != 0 || strcmp(a->account, b->account) != 0 ||
	    a->type != b->type || a->algo != b->algo || a->digits != b->digits ||
	    a->secret_len != b->secret_len || !totp_memeq(a->secret, b->secret, a->secret_len))
		return false;
	return a->type == TOTP_TYPE_HOTP ? a->counter == b->counter : a->period == b->period;
}

int uri_new(char **uri, const struct totp_entry *e)
{
	char label[2 * TOTP_LABEL_MAX];
	int rc;

	if (!(*uri = totp_secure_alloc(TOTP_URI_MAX)))
		return fail(TOTP_E_NOMEM, "URI"), TOTP_E_NOMEM;
	rc = totp_uri_format(*uri, TOTP_URI_MAX, e);
	if (rc != TOTP_OK) {
		fail(rc, "%s: formatting the URI", entry_label(e, label));
		uri_free(*uri);
		*uri = NULL;
	}
	return rc;
}

void uri_free(char *uri)
{
	if (uri) {
		totp_wipe(uri, TOTP_URI_MAX);
		totp_secure_free(uri);
	}
}

int scan_one_code(struct totp_qr_list *list, struct totp_image *img, const char *source,
                  unsigned module_px)
{
	struct totp_qr_scan_opts opts = {2, TOTP_QR_SCAN_ONE_PASS,
	                                 module_px >= 4 ? module_px / 2 : 1};
	size_t before = list->count;
	int rc = totp_qr_scan(list, img, source, &opts);

	if (rc == TOTP_OK && list->count != before + 1)
		rc = TOTP_E_NO_QR;
	totp_image_free(img);
	return rc;
}

int verify_png_payload(struct totp_qr_list *list, const uint8_t *png, size_t len,
                       const char *source, unsigned module_px)
{
	struct totp_image img = {NULL, 0, 0};
	int rc = totp_image_load(&img, png, len);

	if (rc != TOTP_OK) {
		totp_image_free(&img);
		return rc;
	}
	return scan_one_code(list, &img, source, module_px);
}

static bool name_taken(const struct stage *s, const char *name)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcasecmp(s->files[i].name, name) == 0)
			return true;
	return false;
}

/* DOS device names, which some filesystems on USB sticks refuse. */
static bool reserved_name(const char *base)
{
	static const char *const dev[] = {"con", "prn", "aux", "nul"};
	size_t n = strcspn(base, ".");

	for (size_t i = 0; i < sizeof(dev) / sizeof(dev[0]); i++)
		if (n == 3 && strncasecmp(base, dev[i], 3) == 0)
			return true;
	return n == 4 && (strncasecmp(base, "com", 3) == 0 || strncasecmp(base, "lpt", 3) == 0) &&
	       base[3] >= '0' && base[3] <= '9';
}

int png_name_for(struct stage *s, const struct totp_entry *e, size_t *i)
{
	char label[2 * TOTP_LABEL_MAX], base[NAME_BASE_MAX + 2], name[NAME_BASE_MAX + 32];
	size_t n = 0;

	entry_label(e, label);
	for (const unsigned char *p = (const unsigned char *)label; *p && n < NAME_BASE_MAX; p++) {
		unsigned char c = *p;
		bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		            (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '@' || c == '+';

		if ((c & 0xc0) == 0x80) /* one '_' per UTF-8 character */
			continue;
		if (keep)
			base[n++] = (char)c;
		else if (n == 0 || base[n - 1] != '_')
			base[n++] = '_';
	}
	base[n] = 0;
	/* No leading dot (hidden), dash (an option to tools) or underscore. */
	n = strspn(base, ".-_");
	memmove(base, base + n, strlen(base + n) + 1);
	n = strlen(base);
	while (n > 0 && (base[n - 1] == '.' || base[n - 1] == '_'))
		base[--n] = 0;
	if (n == 0)
		snprintf(base, sizeof(base), "account");
	else if (reserved_name(base))
		snprintf(base + n, sizeof(base) - n, "_");
	snprintf(name, sizeof(name), "%s.png", base);
	for (unsigned k = 2; name_taken(s, name); k++)
		snprintf(name, sizeof(name), "%s-%u.png", base, k);
	return stage_add_name(s, name, i);
}

/* Check that text holds one otpauth URI per line, giving exactly x's
 * accounts in order. */
static int verify_uri_text(const char *text, size_t len, const struct export_ctx *x)
{
	struct totp_entry *e = totp_entry_new();
	size_t pos = 0, k = 0;
	int rc = TOTP_OK;

	if (!e)
		return TOTP_E_NOMEM;
	while (pos < len && rc == TOTP_OK) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += n + 1;
		if (!nl || k >= x->count)
			rc = TOTP_E_MISMATCH;
		else if (totp_uri_parse(e, NULL, s, n) != TOTP_OK ||
		         !same_account(e, x->entries[k]))
			rc = TOTP_E_MISMATCH;
		k++;
		totp_entry_wipe(e);
	}
	totp_entry_free(e);
	return rc == TOTP_OK && k == x->count ? TOTP_OK : TOTP_E_MISMATCH;
}

static int export_uri(const struct export_ctx *x)
{
	struct gbuf text;
	struct stage s = {0};
	bool to_stdout = !x->output || strcmp(x->output, "-") == 0;
	const uint8_t *back = NULL;
	char *uri = NULL;
	size_t fi;
	int rc = EXIT_FAIL;

	gb_init(&text);
	s.dirfd = -1;
	for (size_t k = 0; k < x->count; k++) {
		if (uri_new(&uri, x->entries[k]) != TOTP_OK)
			goto out;
		gb_puts(&text, uri);
		gb_puts(&text, "\n");
		uri_free(uri);
		uri = NULL;
	}
	if (text.err) {
		fail(text.err, "URI list");
		goto out;
	}
	if (verify_uri_text(text.p, text.len, x) != TOTP_OK) {
		warnx_("the URI list does not parse back to the same accounts; nothing written");
		goto out;
	}
	if (to_stdout) {
		if (fwrite(text.p, 1, text.len, stdout) != text.len || fflush(stdout) != 0) {
			fail(TOTP_E_IO, "standard output");
			goto out;
		}
		warnx_("wrote %zu otpauth URI%s to standard output", x->count,
		       x->count == 1 ? "" : "s");
		rc = EXIT_OK;
		goto out;
	}
	if (stage_open_file(&s, x->output, x->force, &fi) != TOTP_OK ||
	    stage_check_names(&s) != TOTP_OK ||
	    stage_write(&s, fi, text.p, text.len, &back) != TOTP_OK)
		goto out;
	if (verify_uri_text((const char *)back, text.len, x) != TOTP_OK) {
		warnx_("%s: the file read back does not give the same accounts", x->output);
		goto out;
	}
	if (stage_commit(&s) != TOTP_OK)
		goto out;
	warnx_("wrote %zu otpauth URI%s to %s, verified", x->count, x->count == 1 ? "" : "s",
	       x->output);
	rc = EXIT_OK;
out:
	stage_close(&s);
	uri_free(uri);
	gb_free(&text);
	return rc;
}

enum { F_PNG, F_MIGRATION, F_URI, F_HTML, F_ENC_QR, F_ENC_HTML, F_COUNT };
static const char *const formats[F_COUNT] = {"png",  "migration",    "uri",
                                             "html", "encrypted-qr", "encrypted-html"};
#define FORMAT_LIST "png, migration, uri, html, encrypted-qr or encrypted-html"

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"format", required_argument, NULL, 'f'},
	        {"output", required_argument, NULL, 'o'},
	        {"force", no_argument, NULL, 'F'},
	        {"backup-passphrase-fd", required_argument, NULL, 'B'},
	        {"kdf-memory", required_argument, NULL, 'm'},
	        {"kdf-ops", required_argument, NULL, 'k'},
	        {NULL, 0, NULL, 0},
	};
	const struct command *cmd = command_find("export");
	struct export_ctx x = {NULL, 0, NULL, false, NULL, 0, {0, 0}};
	struct backup_opts bo = {-1, NULL, NULL};
	struct totp_vault *v = NULL;
	const char *format = NULL;
	size_t *idx = NULL, fmt;
	uint64_t fd;
	bool encrypted;
	int c, rc = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "f:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			x.output = optarg;
			break;
		case 'F':
			x.force = true;
			break;
		case 'B':
			if (bo.pass_fd >= 0)
				return usage_error(cmd, "--backup-passphrase-fd given twice");
			if (parse_uint(optarg, 65535, &fd) != 0)
				return usage_error(
				        cmd, "--backup-passphrase-fd: not a file descriptor: %s",
				        optarg);
			bo.pass_fd = (int)fd;
			break;
		case 'm':
			if (bo.mem)
				return usage_error(cmd, "--kdf-memory given twice");
			bo.mem = optarg;
			break;
		case 'k':
			if (bo.ops)
				return usage_error(cmd, "--kdf-ops given twice");
			bo.ops = optarg;
			break;
		default:
			return usage_error(cmd, "unknown option");
		}
	}
	if (argc - optind > 1)
		return usage_error(cmd, "too many arguments");
	if (!format)
		return usage_error(cmd, "missing --format (" FORMAT_LIST ")");
	for (fmt = 0; fmt < F_COUNT; fmt++)
		if (strcmp(format, formats[fmt]) == 0)
			break;
	if (fmt == F_COUNT)
		return usage_error(cmd, "--format: expected " FORMAT_LIST ", got '%s'", format);
	encrypted = fmt == F_ENC_QR || fmt == F_ENC_HTML;
	if (!encrypted && (bo.pass_fd >= 0 || bo.mem || bo.ops))
		return usage_error(cmd, "%s is only for --format encrypted-qr or encrypted-html",
		                   bo.pass_fd >= 0 ? "--backup-passphrase-fd"
		                   : bo.mem        ? "--kdf-memory"
		                                   : "--kdf-ops");
	if (fmt != F_URI && (!x.output || !*x.output))
		return usage_error(cmd, "--format %s needs -o %s", format,
		                   fmt == F_HTML || fmt == F_ENC_HTML ? "FILE" : "DIRECTORY");
	if (encrypted && strcmp(x.output, "-") == 0)
		return usage_error(cmd, "--format %s writes files: -o - is not accepted", format);
	if (encrypted && (rc = backup_opts_check(cmd, &bo)) != EXIT_OK)
		return rc;
	rc = EXIT_FAIL;
	if (fmt == F_URI && (!x.output || strcmp(x.output, "-") == 0) && isatty(STDOUT_FILENO) &&
	    !x.force) {
		warnx_("export: refusing to print secrets on a terminal (use -o FILE, or --force)");
		return EXIT_FAIL;
	}
	if (vault_unlock(&v, 0) != TOTP_OK)
		return EXIT_FAIL;
	if ((c = vault_match(v, argc > optind ? argv[optind] : NULL, &idx, &x.count)) != TOTP_OK) {
		fail(c, "selecting accounts");
		goto out;
	}
	if (x.count == 0) {
		if (argc > optind)
			warnx_("no account matches '%s' (see 'totp list')", argv[optind]);
		else
			warnx_("the vault is empty: nothing to export");
		goto out;
	}
	if (!(x.entries = calloc(x.count, sizeof(*x.entries)))) {
		fail(TOTP_E_NOMEM, "export");
		goto out;
	}
	for (size_t k = 0; k < x.count; k++)
		x.entries[k] = totp_vault_entry(v, idx[k]);
	if (encrypted && backup_secret_get(&x, &bo) != TOTP_OK)
		goto out;
	switch (fmt) {
	case F_PNG:
		rc = export_png(&x);
		break;
	case F_MIGRATION:
		rc = export_migration(&x);
		break;
	case F_URI:
		rc = export_uri(&x);
		break;
	case F_HTML:
		rc = export_html(&x);
		break;
	case F_ENC_QR:
		rc = export_encrypted_qr(&x);
		break;
	default:
		rc = export_encrypted_html(&x);
		break;
	}
out:
	secret_free((char *)x.pass);
	free(x.entries);
	free(idx);
	totp_vault_close(v);
	return rc;
}
