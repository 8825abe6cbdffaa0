/*
 * export_html.c - a printable backup sheet: for each account its label,
 * its QR code as inline SVG and its base32 secret.  The file written is
 * read back and parsed: each SVG is drawn to pixels and decoded (zbar),
 * each secret decoded, and both compared with the vault.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export.h"

#define SVG_VERIFY_PX 4     /* pixels per module when an SVG is checked */
#define SVG_MODULES_MAX 400 /* far above any QR code (177 + quiet zone) */

static const char *const page_head =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"robots\" content=\"noindex\">\n<title>totp backup</title>\n<style>\n"
        "body { font-family: sans-serif; margin: 2em; color: #000; background: #fff; }\n"
        "header { border-bottom: 2px solid #000; margin-bottom: 0.5em; }\n"
        "h1 { font-size: 1.6em; margin: 0 0 0.3em; }\n"
        ".acct { display: flex; align-items: center; gap: 6mm; padding: 4mm 0;\n"
        "  border-bottom: 1px solid #888; break-inside: avoid; page-break-inside: avoid; }\n"
        ".qr { flex: none; }\n.qr svg { display: block; width: 100%; height: auto; }\n"
        ".text { min-width: 0; }\n"
        ".label { font-size: 1.25em; margin: 0 0 0.4em; overflow-wrap: anywhere; }\n"
        ".params { margin: 0 0 0.4em; }\n"
        ".secret { font-family: monospace; font-size: 1.2em; word-spacing: 0.4em; margin: 0;\n"
        "  overflow-wrap: anywhere; }\n"
        "@page { margin: 12mm; }\n"
        "@media print { body { margin: 0; } .acct { break-inside: avoid; } }\n"
        "</style>\n</head>\n<body>\n";

static void put_escaped(struct gbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			gb_puts(b, "&amp;");
			break;
		case '<':
			gb_puts(b, "&lt;");
			break;
		case '>':
			gb_puts(b, "&gt;");
			break;
		case '"':
			gb_puts(b, "&quot;");
			break;
		case '\'':
			gb_puts(b, "&#39;");
			break;
		default:
			gb_put(b, s, 1);
			break;
		}
	}
}

static void put_params(struct gbuf *b, const struct totp_entry *e)
{
	if (e->type == TOTP_TYPE_STEAM)
		gb_printf(b, "Steam Guard: 5 characters, every %u s", e->period);
	else if (e->type == TOTP_TYPE_HOTP)
		gb_printf(b, "HOTP (counter based), %s, %u digits, next counter %llu",
		          totp_algo_name(e->algo), e->digits, (unsigned long long)e->counter);
	else
		gb_printf(b, "TOTP (time based), %s, %u digits, every %u s",
		          totp_algo_name(e->algo), e->digits, e->period);
}

/* The base32 secret in groups of four. */
static int put_secret(struct gbuf *b, const struct totp_entry *e)
{
	size_t n = totp_base32_encoded_size(e->secret_len);
	char *s = totp_secure_alloc(n);
	int rc;

	if (!s)
		return TOTP_E_NOMEM;
	rc = totp_base32_encode(s, n, e->secret, e->secret_len);
	for (size_t i = 0, len = rc == TOTP_OK ? strlen(s) : 0; i < len; i += 4) {
		if (i)
			gb_puts(b, " ");
		gb_put(b, s + i, len - i < 4 ? len - i : 4);
	}
	totp_wipe(s, n);
	totp_secure_free(s);
	return rc;
}

/* The modules across of an SVG from totp_qr_svg (its viewBox). */
static unsigned svg_modules(const char *svg)
{
	const char *v = strstr(svg, "viewBox=\"0 0 ");
	unsigned long n;

	if (!v)
		return 0;
	n = strtoul(v + 13, NULL, 10);
	return n > 0 && n <= SVG_MODULES_MAX ? (unsigned)n : 0;
}

static int put_account(struct gbuf *b, const struct totp_entry *e)
{
	char label[2 * TOTP_LABEL_MAX], *uri = NULL, *svg = NULL;
	size_t svglen = 0;
	unsigned modules;
	int rc;

	if ((rc = uri_new(&uri, e)) != TOTP_OK)
		return rc;
	rc = totp_qr_svg(&svg, &svglen, (const uint8_t *)uri, strlen(uri), NULL);
	uri_free(uri);
	if (rc != TOTP_OK)
		return fail(rc, "%s: encoding the QR code", entry_label(e, label)), rc;
	/* About 0.8 mm per module, at least 40 mm across. */
	modules = svg_modules(svg);
	gb_printf(b, "<section class=\"acct\">\n<div class=\"qr\" style=\"width: %umm\">",
	          modules * 8 / 10 < 40 ? 40 : modules * 8 / 10);
	gb_put(b, svg, svglen);
	totp_qr_free(svg);
	gb_puts(b, "</div>\n<div class=\"text\">\n<h2 class=\"label\">");
	put_escaped(b, entry_label(e, label));
	gb_puts(b, "</h2>\n<p class=\"params\">");
	put_params(b, e);
	gb_puts(b, "; secret key (base32):</p>\n<p class=\"secret\">");
	if ((rc = put_secret(b, e)) != TOTP_OK)
		return fail(rc, "%s: encoding the secret", label), rc;
	gb_puts(b, "</p>\n</div>\n</section>\n");
	return TOTP_OK;
}

static void put_header(struct gbuf *b, size_t count)
{
	char date[64];

	utc_now(date, sizeof(date));
	gb_puts(b, page_head);
	gb_printf(b,
	          "<header>\n<h1>totp backup: %zu account%s</h1>\n"
	          "<p>Written %s by totp %s. This sheet holds the secret keys of your two-factor "
	          "accounts: anyone who sees it can make your codes. Keep it somewhere safe.</p>\n"
	          "<p>To restore, scan each code with an authenticator app, or photograph or scan "
	          "the "
	          "page and run <code>totp import photo.jpg</code>, or type a secret with "
	          "<code>totp add</code> and the settings shown next to it.</p>\n</header>\n",
	          count, count == 1 ? "" : "s", date, TOTP_VERSION);
}

/* ---- Reading the sheet back --------------------------------------------- */

static const char *between(const char *s, const char *end, const char *open, const char *close,
                           const char **inner, size_t *len)
{
	const char *a = strstr(s, open), *z;

	if (!a || a >= end)
		return NULL;
	a += strlen(open);
	z = strstr(a, close);
	if (!z || z >= end)
		return NULL;
	*inner = a;
	*len = (size_t)(z - a);
	return z + strlen(close);
}

static int read_uint(const char **p, const char *end, unsigned max, unsigned *out)
{
	unsigned v = 0;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned)(*s++ - '0');
		if (v > max)
			return -1;
	}
	*p = s;
	*out = v;
	return 0;
}

static int expect(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return -1;
	*p += n;
	return 0;
}

/* Draw an SVG of totp_qr_svg's shape (runs "M x yhNv1h-Nz" of dark
 * modules on a white square) into img. */
static int svg_draw(struct totp_image *img, const char *svg, size_t len)
{
	const char *end = svg + len, *d, *p;
	unsigned n = 0, x, y, run, back;
	size_t dlen;

	if (!strstr(svg, "viewBox=\"0 0 ") || !(n = svg_modules(svg)) ||
	    !between(svg, end, " d=\"", "\"", &d, &dlen))
		return TOTP_E_IMAGE;
	img->width = img->height = n * SVG_VERIFY_PX;
	if (!(img->pixels = malloc((size_t)img->width * img->height)))
		return TOTP_E_NOMEM;
	memset(img->pixels, 255, (size_t)img->width * img->height);
	for (p = d; p < d + dlen;) {
		if (expect(&p, end, "M") || read_uint(&p, end, n, &x) || expect(&p, end, " ") ||
		    read_uint(&p, end, n - 1, &y) || expect(&p, end, "h") ||
		    read_uint(&p, end, n - x, &run) || expect(&p, end, "v1h-") ||
		    read_uint(&p, end, n, &back) || back != run || expect(&p, end, "z"))
			return TOTP_E_IMAGE;
		for (unsigned r = y * SVG_VERIFY_PX; r < (y + 1) * SVG_VERIFY_PX; r++)
			memset(img->pixels + (size_t)r * img->width + x * SVG_VERIFY_PX, 0,
			       (size_t)run * SVG_VERIFY_PX);
	}
	return TOTP_OK;
}

int svg_scan(struct totp_qr_list *list, const char *svg, size_t len, const char *source)
{
	struct totp_image img = {NULL, 0, 0};
	int rc = svg_draw(&img, svg, len);

	if (rc != TOTP_OK) {
		totp_image_free(&img);
		return rc;
	}
	return scan_one_code(list, &img, source, SVG_VERIFY_PX);
}

/* The account of one <svg> element, decoded from its drawing. */
static int svg_account(struct totp_import *im, const char *svg, size_t len, char **uri_out)
{
	struct totp_qr_list list;
	int rc;

	totp_qr_list_init(&list);
	rc = svg_scan(&list, svg, len, "sheet");
	if (rc == TOTP_OK && !(*uri_out = totp_secure_alloc(list.items[0].len + 1)))
		rc = TOTP_E_NOMEM;
	if (rc == TOTP_OK) {
		memcpy(*uri_out, list.items[0].data, list.items[0].len);
		(*uri_out)[list.items[0].len] = 0;
		rc = totp_qr_import(im, &list);
	}
	if (rc == TOTP_OK && (im->count != 1 || im->nproblems))
		rc = TOTP_E_MISMATCH;
	totp_qr_list_free(&list);
	return rc;
}

/* Check one account's section: label, QR code (decoded to the very URI
 * the vault gives) and secret. */
static int check_section(const char *sec, const char *end, const struct totp_entry *e)
{
	char label[2 * TOTP_LABEL_MAX], *uri = NULL, *want = NULL, *text = NULL;
	struct totp_import im;
	struct gbuf esc;
	const char *p;
	size_t len, slen = 0;
	uint8_t secret[TOTP_SECRET_MAX];
	int rc = TOTP_E_MISMATCH;

	totp_import_init(&im);
	gb_init(&esc);
	put_escaped(&esc, entry_label(e, label));
	if (!between(sec, end, "<h2 class=\"label\">", "</h2>", &p, &len) || esc.err ||
	    len != esc.len || memcmp(p, esc.p, len) != 0)
		goto out;
	if (!between(sec, end, "<svg", "</svg>", &p, &len))
		goto out;
	if ((rc = svg_account(&im, p, len, &uri)) != TOTP_OK)
		goto out;
	rc = TOTP_E_MISMATCH;
	if (uri_new(&want, e) != TOTP_OK || strcmp(uri, want) != 0 ||
	    !same_account(&im.entries[0], e))
		goto out;
	if (!between(sec, end, "<p class=\"secret\">", "</p>", &p, &len) ||
	    !(text = totp_secure_alloc(len + 1)))
		goto out;
	memcpy(text, p, len);
	if (totp_base32_decode(secret, sizeof(secret), &slen, text, len) != TOTP_OK ||
	    slen != e->secret_len || !totp_memeq(secret, e->secret, slen))
		goto out;
	rc = TOTP_OK;
out:
	if (text) {
		totp_wipe(text, len + 1);
		totp_secure_free(text);
	}
	totp_wipe(secret, sizeof(secret));
	uri_free(want);
	if (uri) {
		totp_wipe(uri, strlen(uri));
		totp_secure_free(uri);
	}
	totp_import_clear(&im);
	gb_free(&esc);
	return rc;
}

static int check_sheet(const char *html, size_t len, const struct export_ctx *x)
{
	static const char mark[] = "<section class=\"acct\">";
	const char *end = html + len, *p = strstr(html, mark);
	char label[2 * TOTP_LABEL_MAX];

	for (size_t k = 0; k < x->count; k++) {
		const char *next;
		int rc;

		if (!p) {
			warnx_("%s: account %zu is missing from the sheet read back", x->output,
			       k + 1);
			return TOTP_E_MISMATCH;
		}
		next = strstr(p + 1, mark);
		if ((rc = check_section(p, next ? next : end, x->entries[k])) != TOTP_OK) {
			warnx_("%s: the sheet read back does not give %s (%s); nothing written",
			       x->output, entry_label(x->entries[k], label),
			       rc == TOTP_E_MISMATCH ? "different account" : totp_strerror(rc));
			return rc;
		}
		p = next;
	}
	if (p) {
		warnx_("%s: the sheet read back holds more accounts than exported", x->output);
		return TOTP_E_MISMATCH;
	}
	return TOTP_OK;
}

int export_html(const struct export_ctx *x)
{
	struct gbuf html;
	struct stage s;
	const uint8_t *back = NULL;
	size_t fi;
	int rc = EXIT_FAIL;

	gb_init(&html);
	put_header(&html, x->count);
	for (size_t k = 0; k < x->count; k++)
		if (put_account(&html, x->entries[k]) != TOTP_OK)
			goto out_buf;
	gb_puts(&html, "</body>\n</html>\n");
	if (html.err) {
		fail(html.err, "%s", x->output);
		goto out_buf;
	}
	if (stage_open_file(&s, x->output, x->force, &fi) != TOTP_OK ||
	    stage_check_names(&s) != TOTP_OK ||
	    stage_write(&s, fi, html.p, html.len, &back) != TOTP_OK ||
	    check_sheet((const char *)back, html.len, x) != TOTP_OK || stage_commit(&s) != TOTP_OK)
		goto out;
	warnx_("wrote a backup sheet of %zu account%s to %s, verified", x->count,
	       x->count == 1 ? "" : "s", x->output);
	rc = EXIT_OK;
out:
	stage_close(&s);
out_buf:
	gb_free(&html);
	return rc;
}
