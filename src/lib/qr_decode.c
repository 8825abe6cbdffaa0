/*
 * qr_decode.c - QR payloads from grey images with zbar, loaded with
 * dlopen("libzbar.so.0") at the first scan, and the payload list.
 */
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

static void invert(uint8_t *px, size_t n)
{
	for (size_t i = 0; i < n; i++)
		px[i] = (uint8_t)~px[i];
}

/*
 * One zbar pass over w x h pixels.  Returns the number of payloads added
 * (0 when none), or an error; nothing is added on error.
 */
static int scan_pass(zbar_image_scanner_t *sc, struct totp_qr_list *list, const uint8_t *px,
                     unsigned w, unsigned h, const char *source, unsigned max_codes)
{
	zbar_image_t *zi = z_image_create();
	struct found *f = NULL;
	size_t n = 0, before = list->count;
	int rc = TOTP_OK;

	if (!zi)
		return TOTP_E_NOMEM;
	z_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	z_image_set_size(zi, w, h);
	z_image_set_data(zi, px, (unsigned long)w * h, NULL);
	if (z_scan_image(sc, zi) < 0) {
		rc = TOTP_E_IMAGE;
		goto out;
	}
	for (const zbar_symbol_t *s = z_first_symbol(zi); s; s = z_symbol_next(s))
		if (z_symbol_type(s) == ZBAR_QRCODE)
			n++;
	if (n == 0)
		goto out;
	if (n > max_codes) {
		rc = TOTP_E_TOOBIG;
		goto out;
	}
	f = calloc(n, sizeof(*f));
	if (!f) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	n = 0;
	for (const zbar_symbol_t *s = z_first_symbol(zi); s; s = z_symbol_next(s)) {
		unsigned k;

		if (z_symbol_type(s) != ZBAR_QRCODE)
			continue;
		if (z_symbol_len(s) > TOTP_QR_PAYLOAD_MAX) {
			rc = TOTP_E_TOOBIG;
			goto out;
		}
		f[n].sym = s;
		f[n].y = f[n].x = (long)w + h;
		for (k = 0; k < z_loc_size(s); k++) {
			if (z_loc_y(s, k) < f[n].y)
				f[n].y = z_loc_y(s, k);
			if (z_loc_x(s, k) < f[n].x)
				f[n].x = z_loc_x(s, k);
		}
		n++;
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
	/* zbar's copies of the payloads are wiped before zbar frees them. */
	for (const zbar_symbol_t *s = z_first_symbol(zi); s; s = z_symbol_next(s))
		if (z_symbol_data(s))
			sodium_memzero((char *)z_symbol_data(s), z_symbol_len(s));
	z_image_destroy(zi);
	free(f);
	if (rc != TOTP_OK)
		return rc;
	return n > 0 ? 1 : 0;
}

/* Average 2x2 blocks into a new (w/2) x (h/2) image. */
static uint8_t *halve(const uint8_t *px, unsigned w, unsigned h, unsigned *ow, unsigned *oh)
{
	unsigned hw = w / 2, hh = h / 2;
	uint8_t *o = malloc((size_t)hw * hh);

	if (!o)
		return NULL;
	for (unsigned y = 0; y < hh; y++) {
		const uint8_t *r0 = px + (size_t)(2 * y) * w, *r1 = r0 + w;
		uint8_t *d = o + (size_t)y * hw;

		for (unsigned x = 0; x < hw; x++)
			d[x] = (uint8_t)((r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] +
			                  2) >>
			                 2);
	}
	*ow = hw;
	*oh = hh;
	return o;
}

/*
 * Adaptive threshold in place: a pixel darker than the mean of the square
 * around it (side 2r+1) by more than BIN_OFFSET becomes black, others white.
 * Soft edges (blur, scaling, JPEG) become sharp again and uneven lighting
 * is evened out.  Column sums and a ring of the last 2r+1 original rows
 * keep the extra memory to O(width * r).
 */
#define BIN_OFFSET 4

static int binarize(uint8_t *px, unsigned w, unsigned h, unsigned r)
{
	size_t win = 2 * (size_t)r + 1;
	uint32_t *col = calloc(w, sizeof(*col));
	uint8_t *ring = malloc(win * w);
	unsigned rows = 0; /* rows now summed in col */

	if (!col || !ring) {
		free(col);
		free(ring);
		return TOTP_E_NOMEM;
	}
	for (unsigned y = 0; y < r && y < h; y++) {
		memcpy(ring + (y % win) * w, px + (size_t)y * w, w);
		for (unsigned x = 0; x < w; x++)
			col[x] += px[(size_t)y * w + x];
		rows++;
	}
	for (unsigned y = 0; y < h; y++) {
		const uint8_t *orig;
		uint8_t *out = px + (size_t)y * w;
		uint32_t sum = 0;
		unsigned cols = 0;

		/* Slide the window down: drop row y-r-1, add row y+r. */
		if (y >= r + 1) {
			const uint8_t *old = ring + ((y - r - 1) % win) * w;

			for (unsigned x = 0; x < w; x++)
				col[x] -= old[x];
			rows--;
		}
		if (y + r < h) {
			memcpy(ring + ((y + r) % win) * w, px + (size_t)(y + r) * w, w);
			for (unsigned x = 0; x < w; x++)
				col[x] += px[(size_t)(y + r) * w + x];
			rows++;
		}
		orig = ring + (y % win) * w;
		for (unsigned x = 0; x < r && x < w; x++, cols++)
			sum += col[x];
		for (unsigned x = 0; x < w; x++) {
			if (x + r < w) {
				sum += col[x + r];
				cols++;
			}
			if (x >= r + 1) {
				sum -= col[x - r - 1];
				cols--;
			}
			out[x] = (uint64_t)(orig[x] + BIN_OFFSET) * rows * cols < sum ? 0 : 255;
		}
	}
	sodium_memzero(ring, win * w);
	free(ring);
	free(col);
	return TOTP_OK;
}

/* Smallest side worth a reduced retry: a QR code needs 21 + 8 modules. */
#define HALVE_MIN_SIDE 120

int totp_qr_scan(struct totp_qr_list *list, struct totp_image *img, const char *source,
                 const struct totp_qr_scan_opts *opts)
{
	zbar_image_scanner_t *sc = NULL;
	unsigned max_codes = opts && opts->max_codes ? opts->max_codes : TOTP_QR_CODES_MAX;
	unsigned flags = opts ? opts->flags : 0;
	uint8_t *half = NULL;
	unsigned hw = 0, hh = 0, r;
	size_t npx;
	int rc;

	if (!list || !img || !img->pixels || !img->width || !img->height)
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

	/* Passes, until one finds something: as is; inverted; halved;
	 * halved and inverted; thresholded; thresholded and inverted. */
	rc = scan_pass(sc, list, img->pixels, img->width, img->height, source, max_codes);
	if (rc != 0 || (flags & TOTP_QR_SCAN_ONE_PASS))
		goto out;
	invert(img->pixels, npx);
	rc = scan_pass(sc, list, img->pixels, img->width, img->height, source, max_codes);
	invert(img->pixels, npx);
	if (rc != 0)
		goto out;
	if (img->width >= HALVE_MIN_SIDE && img->height >= HALVE_MIN_SIDE) {
		half = halve(img->pixels, img->width, img->height, &hw, &hh);
		if (!half) {
			rc = TOTP_E_NOMEM;
			goto out;
		}
		rc = scan_pass(sc, list, half, hw, hh, source, max_codes);
		if (rc != 0)
			goto out;
		invert(half, (size_t)hw * hh);
		rc = scan_pass(sc, list, half, hw, hh, source, max_codes);
		if (rc != 0)
			goto out;
		sodium_memzero(half, (size_t)hw * hh);
		free(half);
		half = NULL;
	}
	/* The last passes overwrite the caller's pixels (see totp.h). */
	r = (img->width < img->height ? img->width : img->height) / 48;
	rc = binarize(img->pixels, img->width, img->height, r < 6 ? 6 : r > 64 ? 64 : r);
	if (rc != TOTP_OK)
		goto out;
	rc = scan_pass(sc, list, img->pixels, img->width, img->height, source, max_codes);
	if (rc != 0)
		goto out;
	invert(img->pixels, npx);
	rc = scan_pass(sc, list, img->pixels, img->width, img->height, source, max_codes);
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
