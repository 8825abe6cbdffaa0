/*
 * qr_decode.c - QR payloads from grey images with zbar, loaded with
 * dlopen("libzbar.so.0") at the first scan, and the payload list.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zbar.h>

#include "dl.h"
#include "internal.h"
#include "qr.h"

/* ---- zbar, resolved at first use --------------------------------------- */

static zbar_image_scanner_t *(*z_scanner_create)(void);
static void (*z_scanner_destroy)(zbar_image_scanner_t *);
static int (*z_scanner_set_config)(zbar_image_scanner_t *, zbar_symbol_type_t, zbar_config_t, int);
static zbar_image_t *(*z_image_create)(void);
static void (*z_image_destroy)(zbar_image_t *);
static void (*z_image_set_format)(zbar_image_t *, unsigned long);
static void (*z_image_set_size)(zbar_image_t *, unsigned, unsigned);
static void (*z_image_set_data)(zbar_image_t *, const void *, unsigned long,
                                zbar_image_cleanup_handler_t *);
static int (*z_scan_image)(zbar_image_scanner_t *, zbar_image_t *);
static const zbar_symbol_t *(*z_first_symbol)(const zbar_image_t *);
static const zbar_symbol_t *(*z_symbol_next)(const zbar_symbol_t *);
static zbar_symbol_type_t (*z_symbol_type)(const zbar_symbol_t *);
static const char *(*z_symbol_data)(const zbar_symbol_t *);
static unsigned (*z_symbol_len)(const zbar_symbol_t *);
static unsigned (*z_loc_size)(const zbar_symbol_t *);
static int (*z_loc_x)(const zbar_symbol_t *, unsigned);
static int (*z_loc_y)(const zbar_symbol_t *, unsigned);

static const struct totp_dl_sym zbar_syms[] = {
        {"zbar_image_scanner_create", &z_scanner_create},
        {"zbar_image_scanner_destroy", &z_scanner_destroy},
        {"zbar_image_scanner_set_config", &z_scanner_set_config},
        {"zbar_image_create", &z_image_create},
        {"zbar_image_destroy", &z_image_destroy},
        {"zbar_image_set_format", &z_image_set_format},
        {"zbar_image_set_size", &z_image_set_size},
        {"zbar_image_set_data", &z_image_set_data},
        {"zbar_scan_image", &z_scan_image},
        {"zbar_image_first_symbol", &z_first_symbol},
        {"zbar_symbol_next", &z_symbol_next},
        {"zbar_symbol_get_type", &z_symbol_type},
        {"zbar_symbol_get_data", &z_symbol_data},
        {"zbar_symbol_get_data_length", &z_symbol_len},
        {"zbar_symbol_get_loc_size", &z_loc_size},
        {"zbar_symbol_get_loc_x", &z_loc_x},
        {"zbar_symbol_get_loc_y", &z_loc_y},
};

static struct totp_dl_lib zbar_lib = {"libzbar.so.0", zbar_syms, TOTP_ARRAY_LEN(zbar_syms), 0};

/* ---- Payload list ------------------------------------------------------- */

void totp_qr_payload_name(char *out, size_t outsz, const struct totp_qr_list *list, size_t i)
{
	const char *src = list->items[i].source;

	if (*src)
		snprintf(out, outsz, "%s", src);
	else
		snprintf(out, outsz, "payload %zu", i + 1);
}

int totp_worse_error(int have, int err, const int *rank, size_t n)
{
	int h = -1, w = -1;

	for (size_t i = 0; i < n; i++) {
		if (rank[i] == have)
			h = (int)i;
		if (rank[i] == err)
			w = (int)i;
	}
	return w > h ? err : have;
}

void totp_qr_list_init(struct totp_qr_list *l)
{
	memset(l, 0, sizeof(*l));
}

void totp_qr_list_free(struct totp_qr_list *l)
{
	if (!l)
		return;
	if (l->arena_)
		sodium_free(l->arena_); /* wipes */
	free(l->items);
	totp_qr_list_init(l);
}

/* Room for `need` more arena bytes; the arena moves, pointers follow. */
static int arena_reserve(struct totp_qr_list *l, size_t need)
{
	size_t cap = l->arena_cap_ ? l->arena_cap_ : 4096;
	uint8_t *n;

	if (need <= l->arena_cap_ - l->arena_len_)
		return TOTP_OK;
	while (cap - l->arena_len_ < need) {
		if (cap > SIZE_MAX / 2)
			return TOTP_E_NOMEM;
		cap *= 2;
	}
	n = sodium_malloc(cap);
	if (!n)
		return TOTP_E_NOMEM;
	if (l->arena_len_)
		memcpy(n, l->arena_, l->arena_len_);
	for (size_t i = 0; i < l->count; i++)
		l->items[i].data = n + (l->items[i].data - l->arena_);
	if (l->arena_)
		sodium_free(l->arena_);
	l->arena_ = n;
	l->arena_cap_ = cap;
	return TOTP_OK;
}

int totp_qr_list_add(struct totp_qr_list *l, const uint8_t *data, size_t len, const char *source)
{
	struct totp_qr_payload *it;
	int rc;

	if (!l || (!data && len))
		return TOTP_E_INVAL;
	if (len > TOTP_QR_PAYLOAD_MAX)
		return TOTP_E_TOOBIG;
	if (sodium_init() < 0)
		return TOTP_E_UNSUPPORTED;
	for (size_t i = 0; i < l->count; i++)
		if (l->items[i].len == len &&
		    (len == 0 || memcmp(l->items[i].data, data, len) == 0))
			return TOTP_OK;
	if (l->count == l->cap_) {
		size_t cap = l->cap_ ? l->cap_ * 2 : 8;

		if (cap > SIZE_MAX / sizeof(*it))
			return TOTP_E_NOMEM;
		it = realloc(l->items, cap * sizeof(*it));
		if (!it)
			return TOTP_E_NOMEM;
		l->items = it;
		l->cap_ = cap;
	}
	rc = arena_reserve(l, len + 1);
	if (rc != TOTP_OK)
		return rc;
	it = &l->items[l->count++];
	memset(it, 0, sizeof(*it));
	if (len)
		memcpy(l->arena_ + l->arena_len_, data, len);
	l->arena_[l->arena_len_ + len] = 0;
	it->data = l->arena_ + l->arena_len_;
	it->len = len;
	l->arena_len_ += len + 1;
	snprintf(it->source, sizeof(it->source), "%s", source ? source : "");
	return TOTP_OK;
}

/* ---- Scanning ----------------------------------------------------------- */

struct found {
	const zbar_symbol_t *sym;
	long y, x; /* top-left corner, for reading order */
};

static int found_cmp(const void *a, const void *b)
{
	const struct found *p = a, *q = b;

	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return 0;
}

/* zbar's scan of w x h pixels at a line density (1: every line), into a
 * new image *out that holds its symbols. */
static int zscan(zbar_image_scanner_t *sc, const uint8_t *px, unsigned w, unsigned h, int density,
                 zbar_image_t **out)
{
	zbar_image_t *zi = z_image_create();

	*out = NULL;
	if (!zi)
		return TOTP_E_NOMEM;
	(void)z_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_X_DENSITY, density);
	(void)z_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_Y_DENSITY, density);
	z_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	z_image_set_size(zi, w, h);
	z_image_set_data(zi, px, (unsigned long)w * h, NULL);
	*out = zi;
	return z_scan_image(sc, zi) < 0 ? TOTP_E_IMAGE : TOTP_OK;
}

/* zbar's copies of the payloads are wiped before zbar frees them. */
static void zrelease(zbar_image_t *zi)
{
	if (!zi)
		return;
	for (const zbar_symbol_t *s = z_first_symbol(zi); s; s = z_symbol_next(s))
		if (z_symbol_data(s))
			sodium_memzero((char *)z_symbol_data(s), z_symbol_len(s));
	z_image_destroy(zi);
}

/* A QR code of zi[k], not one an earlier image already has. */
static bool new_code(zbar_image_t *const *zi, size_t k, const zbar_symbol_t *s)
{
	if (z_symbol_type(s) != ZBAR_QRCODE)
		return false;
	for (size_t j = 0; j < k; j++)
		for (const zbar_symbol_t *t = z_first_symbol(zi[j]); t; t = z_symbol_next(t))
			if (z_symbol_type(t) == ZBAR_QRCODE && z_symbol_len(t) == z_symbol_len(s) &&
			    memcmp(z_symbol_data(t), z_symbol_data(s), z_symbol_len(s)) == 0)
				return false;
	return true;
}

/* The QR codes of nz scans of one image, each payload counted once. */
static size_t count_codes(zbar_image_t *const *zi, size_t nz)
{
	size_t n = 0;

	for (size_t k = 0; k < nz; k++)
		for (const zbar_symbol_t *s = z_first_symbol(zi[k]); s; s = z_symbol_next(s))
			n += new_code(zi, k, s);
	return n;
}

/*
 * The QR payloads of nz scans of one w x h image, added in reading order.
 * Returns the number of codes' payloads found (0 when none), or an error;
 * nothing is added on error.
 */
static int add_found(struct totp_qr_list *list, zbar_image_t *const *zi, size_t nz, unsigned w,
                     unsigned h, const char *source, unsigned max_codes)
{
	struct found *f = NULL;
	size_t n = count_codes(zi, nz), before = list->count;
	int rc = TOTP_OK;

	if (n == 0)
		return 0;
	if (n > max_codes)
		return TOTP_E_TOOBIG;
	f = calloc(n, sizeof(*f));
	if (!f)
		return TOTP_E_NOMEM;
	n = 0;
	for (size_t k = 0; k < nz; k++) {
		for (const zbar_symbol_t *s = z_first_symbol(zi[k]); s; s = z_symbol_next(s)) {
			if (!new_code(zi, k, s))
				continue;
			if (z_symbol_len(s) > TOTP_QR_PAYLOAD_MAX) {
				rc = TOTP_E_TOOBIG;
				goto out;
			}
			f[n].sym = s;
			f[n].y = f[n].x = (long)w + h;
			for (unsigned c = 0; c < z_loc_size(s); c++) {
				if (z_loc_y(s, c) < f[n].y)
					f[n].y = z_loc_y(s, c);
				if (z_loc_x(s, c) < f[n].x)
					f[n].x = z_loc_x(s, c);
			}
			n++;
		}
	}
	qsort(f, n, sizeof(*f), found_cmp);
	for (size_t i = 0; i < n; i++) {
		rc = totp_qr_list_add(list, (const uint8_t *)z_symbol_data(f[i].sym),
		                      z_symbol_len(f[i].sym), source);
		if (rc != TOTP_OK)
			goto out;
	}
out:
	if (rc != TOTP_OK && list->count > before) {
		/* Take back what this pass added: the list is as before. */
		for (size_t i = before; i < list->count; i++)
			sodium_memzero((void *)list->items[i].data, list->items[i].len);
		list->arena_len_ = list->items[before].data - list->arena_;
		list->count = before;
	}
	free(f);
	if (rc != TOTP_OK)
		return rc;
	return n > 0 ? 1 : 0;
}

/*
 * One zbar pass over w x h pixels, every `step`-th line.  Returns the
 * number of payloads added (0 when none), or an error; nothing is added on
 * error.
 */
static int scan_pass(zbar_image_scanner_t *sc, struct totp_qr_list *list, const uint8_t *px,
                     unsigned w, unsigned h, int step, const char *source, unsigned max_codes)
{
	zbar_image_t *zi;
	int rc = zscan(sc, px, w, h, step, &zi);

	if (rc == TOTP_OK)
		rc = add_found(list, &zi, 1, w, h, source, max_codes);
	zrelease(zi);
	return rc;
}

/*
 * Paints white the quadrilateral of a code's four corners, moved away from
 * its centre by 4% and 2 pixels so that no edge of the code is left; the
 * quiet zone around a code (4 modules) keeps any other code out of it.  A
 * symbol without four corners is left alone: found again, it is dropped as
 * a duplicate.
 */
static void blank_code(uint8_t *px, unsigned w, unsigned h, const zbar_symbol_t *s)
{
	double x[4], y[4], cx = 0, cy = 0, top = h, bottom = -1;

	if (z_loc_size(s) != 4)
		return;
	for (unsigned c = 0; c < 4; c++) {
		cx += z_loc_x(s, c) / 4.0;
		cy += z_loc_y(s, c) / 4.0;
	}
	for (unsigned c = 0; c < 4; c++) {
		double dx = z_loc_x(s, c) - cx, dy = z_loc_y(s, c) - cy;

		x[c] = cx + dx * 1.04 + (dx < 0 ? -2 : 2);
		y[c] = cy + dy * 1.04 + (dy < 0 ? -2 : 2);
		top = y[c] < top ? y[c] : top;
		bottom = y[c] > bottom ? y[c] : bottom;
	}
	for (long row = top < 0 ? 0 : (long)top; row <= (long)bottom && row < (long)h; row++) {
		double lo = w, hi = -1;

		/* The row's span across the (convex) quadrilateral. */
		for (unsigned c = 0; c < 4; c++) {
			unsigned d = (c + 1) % 4;
			double ya = y[c], yb = y[d], xr;

			if ((row < ya && row < yb) || (row > ya && row > yb))
				continue;
			xr = ya == yb ? x[c] : x[c] + (x[d] - x[c]) * (row - ya) / (yb - ya);
			lo = xr < lo ? xr : lo;
			hi = xr > hi ? xr : hi;
			if (ya == yb) {
				lo = x[d] < lo ? x[d] : lo;
				hi = x[d] > hi ? x[d] : hi;
			}
		}
		lo = lo < 0 ? 0 : lo;
		hi = hi > w - 1.0 ? w - 1.0 : hi;
		if (hi >= lo)
			memset(px + (size_t)row * w + (size_t)lo, 255, (size_t)hi - (size_t)lo + 1);
	}
}

/*
 * The first try for a small image, which is usually one code filling it:
 * zbar then spends most of its time in that code's own modules, among
 * which it finds many false finder patterns, and scanning every second
 * line finds the code for a fraction of that.  The codes found are blanked
 * out in a copy and the copy scanned line by line, which finds any code
 * too fine for the sparse scan, cheaply now.  0 when the sparse scan finds
 * nothing (the usual passes follow), else as scan_pass.
 */
static int scan_sparse(zbar_image_scanner_t *sc, struct totp_qr_list *list,
                       const struct totp_image *img, const char *source, unsigned max_codes)
{
	size_t npx = (size_t)img->width * img->height;
	zbar_image_t *zi[2] = {NULL, NULL};
	uint8_t *copy = NULL;
	int rc = zscan(sc, img->pixels, img->width, img->height, 2, &zi[0]);

	if (rc != TOTP_OK || count_codes(zi, 1) == 0)
		goto out;
	if (!(copy = malloc(npx))) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	memcpy(copy, img->pixels, npx);
	for (const zbar_symbol_t *s = z_first_symbol(zi[0]); s; s = z_symbol_next(s))
		if (z_symbol_type(s) == ZBAR_QRCODE)
			blank_code(copy, img->width, img->height, s);
	rc = zscan(sc, copy, img->width, img->height, 1, &zi[1]);
	if (rc == TOTP_OK)
		rc = add_found(list, zi, 2, img->width, img->height, source, max_codes);
out:
	zrelease(zi[0]);
	zrelease(zi[1]);
	if (copy) {
		sodium_memzero(copy, npx);
		free(copy);
	}
	return rc;
}

/* Largest image tried sparse first (scan_sparse): a screenshot of a whole
 * screen is larger, and zbar's cost there is its line scan, which the
 * second pass would repeat. */
#define SPARSE_MAX_PIXELS (1024u * 1024)

/* Largest opts->line_step: a 16-pixel module is already large. */
#define LINE_STEP_MAX 16

/* Smallest side worth a reduced retry: a QR code needs 21 + 8 modules. */
#define HALVE_MIN_SIDE 120

int totp_qr_scan(struct totp_qr_list *list, struct totp_image *img, const char *source,
                 const struct totp_qr_scan_opts *opts)
{
	zbar_image_scanner_t *sc = NULL;
	unsigned max_codes = opts && opts->max_codes ? opts->max_codes : TOTP_QR_CODES_MAX;
	unsigned flags = opts ? opts->flags : 0, step = opts ? opts->line_step : 0;
	uint8_t *half = NULL;
	unsigned hw = 0, hh = 0, r;
	size_t npx;
	int rc;

	if (!list || !img || !img->pixels || !img->width || !img->height || step > LINE_STEP_MAX)
		return TOTP_E_INVAL;
	if (totp_image_check_size(img->width, img->height) != TOTP_OK)
		return TOTP_E_TOOBIG;
	npx = (size_t)img->width * img->height;
	rc = totp_dl_load(&zbar_lib);
	if (rc != TOTP_OK)
		return rc;
	sc = z_scanner_create();
	if (!sc)
		return TOTP_E_NOMEM;
	/* Every symbology off, then QR on, with payloads left as raw bytes
	 * (no character set conversion). */
	if (z_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0) != 0 ||
	    z_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1) != 0 ||
	    z_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1) != 0) {
		/* A zbar without ZBAR_CFG_BINARY would re-encode bytes. */
		z_scanner_destroy(sc);
		return TOTP_E_LIBRARY;
	}

	/* Passes, until one finds something: (for a small image, sparse and
	 * then the rest;) as is; inverted; halved; halved and inverted;
	 * thresholded; thresholded and inverted. */
	if (step == 0 && npx <= SPARSE_MAX_PIXELS && !(flags & TOTP_QR_SCAN_ONE_PASS)) {
		rc = scan_sparse(sc, list, img, source, max_codes);
		if (rc != 0)
			goto out;
	}
	rc = scan_pass(sc, list, img->pixels, img->width, img->height, step ? (int)step : 1, source,
	               max_codes);
	if (rc != 0 || (flags & TOTP_QR_SCAN_ONE_PASS))
		goto out;
	totp_qr_invert(img->pixels, npx);
	rc = scan_pass(sc, list, img->pixels, img->width, img->height, 1, source, max_codes);
	totp_qr_invert(img->pixels, npx);
	if (rc != 0)
		goto out;
	if (img->width >= HALVE_MIN_SIDE && img->height >= HALVE_MIN_SIDE) {
		half = totp_qr_halve(img->pixels, img->width, img->height, &hw, &hh);
		if (!half) {
			rc = TOTP_E_NOMEM;
			goto out;
		}
		rc = scan_pass(sc, list, half, hw, hh, 1, source, max_codes);
		if (rc != 0)
			goto out;
		totp_qr_invert(half, (size_t)hw * hh);
		rc = scan_pass(sc, list, half, hw, hh, 1, source, max_codes);
		if (rc != 0)
			goto out;
		sodium_memzero(half, (size_t)hw * hh);
		free(half);
		half = NULL;
	}
	/* The last passes overwrite the caller's pixels (see totp.h). */
	r = (img->width < img->height ? img->width : img->height) / 48;
	rc = totp_qr_binarize(img->pixels, img->width, img->height, r < 6 ? 6 : r > 64 ? 64 : r);
	if (rc != TOTP_OK)
		goto out;
	rc = scan_pass(sc, list, img->pixels, img->width, img->height, 1, source, max_codes);
	if (rc != 0)
		goto out;
	totp_qr_invert(img->pixels, npx);
	rc = scan_pass(sc, list, img->pixels, img->width, img->height, 1, source, max_codes);
out:
	if (half) {
		sodium_memzero(half, (size_t)hw * hh);
		free(half);
	}
	z_scanner_destroy(sc);
	if (rc == 0)
		return TOTP_E_NO_QR;
	return rc < 0 ? rc : TOTP_OK;
}
