/*
 * qr_encode.c - text to QR code (libqrencode) rendered as a PNG (libpng,
 * to memory), an SVG element, or terminal text in half blocks.  Outputs
 * live in guarded memory: they show the secrets they encode.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>
#include <sodium.h>

#include "dl.h"
#include "internal.h"
#include "png_dl.h"
#include "qr.h"

#define QUIET_ZONE 4
#define MARGIN_MAX 64
#define MODULE_PX_MAX 64
#define MODULE_PX_MIN_AUTO 8
#define IMAGE_PX_MIN_AUTO 300

/* ---- libqrencode, resolved at first use -------------------------------- */

static QRcode *(*q_encode_string)(const char *, int, QRecLevel, QRencodeMode, int);
static QRcode *(*q_encode_data)(int, const unsigned char *, int, QRecLevel);
static void (*q_free)(QRcode *);

static const struct totp_dl_sym qrencode_syms[] = {
        {"QRcode_encodeString", &q_encode_string},
        {"QRcode_encodeData", &q_encode_data},
        {"QRcode_free", &q_free},
};

static struct totp_dl_lib qrencode_lib = {"libqrencode.so.4", qrencode_syms,
                                          TOTP_ARRAY_LEN(qrencode_syms), 0};

/* A QR symbol and its layout. */
struct qr {
	QRcode *code;
	unsigned width;  /* modules of the symbol */
	unsigned margin; /* quiet zone in modules */
	unsigned size;   /* width + 2 * margin */
	unsigned px;     /* pixels per module (PNG, SVG) */
};

static void qr_release(struct qr *q)
{
	if (q->code) {
		sodium_memzero(q->code->data, (size_t)q->code->width * q->code->width);
		q_free(q->code);
	}
	memset(q, 0, sizeof(*q));
}

static int qr_make(struct qr *q, const uint8_t *data, size_t len,
                   const struct totp_qr_render_opts *opts)
{
	static const QRecLevel levels[] = {
	        [TOTP_QR_ECC_M] = QR_ECLEVEL_M,
	        [TOTP_QR_ECC_L] = QR_ECLEVEL_L,
	        [TOTP_QR_ECC_Q] = QR_ECLEVEL_Q,
	        [TOTP_QR_ECC_H] = QR_ECLEVEL_H,
	};
	struct totp_qr_render_opts o = {0};

	memset(q, 0, sizeof(*q));
	if (opts)
		o = *opts;
	if (!data || len == 0 || (unsigned)o.ecc >= TOTP_ARRAY_LEN(levels) ||
	    o.margin > MARGIN_MAX || o.module_px > MODULE_PX_MAX)
		return TOTP_E_INVAL;
	if (len > TOTP_QR_PAYLOAD_MAX)
		return TOTP_E_TOOBIG;
	if (sodium_init() < 0)
		return TOTP_E_UNSUPPORTED;
	if (totp_dl_load(&qrencode_lib) != TOTP_OK)
		return TOTP_E_LIBRARY;
	errno = 0;
	if (!memchr(data, 0, len)) {
		/* Text: let libqrencode pick numeric and alphanumeric segments
		 * where they are shorter (upper-case base32, backup codes). */
		char *text = sodium_malloc(len + 1);

		if (!text)
			return TOTP_E_NOMEM;
		memcpy(text, data, len);
		text[len] = '\0';
		int saved;

		q->code = q_encode_string(text, 0, levels[o.ecc], QR_MODE_8, 1);
		saved = errno;
		sodium_free(text);
		errno = saved;
	} else {
		q->code = q_encode_data((int)len, data, 0, levels[o.ecc]);
	}
	if (!q->code)
		return errno == ERANGE   ? TOTP_E_TOOBIG
		       : errno == ENOMEM ? TOTP_E_NOMEM
		                         : TOTP_E_INVAL;
	q->width = (unsigned)q->code->width;
	q->margin = o.margin ? o.margin : QUIET_ZONE;
	if (q->margin < QUIET_ZONE)
		q->margin = QUIET_ZONE;
	q->size = q->width + 2 * q->margin;
	q->px = o.module_px;
	if (!q->px) {
		q->px = (IMAGE_PX_MIN_AUTO + q->size - 1) / q->size;
		if (q->px < MODULE_PX_MIN_AUTO)
			q->px = MODULE_PX_MIN_AUTO;
	}
	return TOTP_OK;
}

/* Dark module at (x, y) of the whole picture, quiet zone included. */
static int qr_dark(const struct qr *q, unsigned x, unsigned y)
{
	if (x < q->margin || y < q->margin || x >= q->margin + q->width ||
	    y >= q->margin + q->width)
		return 0;
	return q->code->data[(size_t)(y - q->margin) * q->width + (x - q->margin)] & 1;
}

void totp_qr_free(void *buf)
{
	if (buf)
		sodium_free(buf);
}

/* ---- PNG ---------------------------------------------------------------- */

struct png_out {
	png_structp png;
	png_infop info;
	struct totp_png_heap heap;
	uint8_t *buf; /* guarded; one byte kept for the NUL */
	size_t len, cap;
	uint8_t *row;
	size_t rowbytes;
	int err;
};

static void png_out_write(png_structp png, png_bytep data, size_t n)
{
	struct png_out *o = totp_png.get_io_ptr(png);

	if (n >= o->cap - o->len) {
		size_t cap = o->cap ? o->cap : 4096;
		uint8_t *nb;

		while (n >= cap - o->len) {
			if (cap > SIZE_MAX / 2) {
				o->err = TOTP_E_NOMEM;
				totp_png.error(png, "out of memory");
			}
			cap *= 2;
		}
		/* Grown by copying: the old copy is wiped by sodium_free. */
		nb = sodium_malloc(cap);
		if (!nb) {
			o->err = TOTP_E_NOMEM;
			totp_png.error(png, "out of memory");
		}
		if (o->len)
			memcpy(nb, o->buf, o->len);
		if (o->buf)
			sodium_free(o->buf);
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, data, n);
	o->len += n;
}

static void png_out_flush(png_structp png)
{
	(void)png;
}

static void png_out_error(png_structp png, png_const_charp msg)
{
	(void)msg;
	totp_png.long_jump(png, 1);
}

static void png_out_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static int png_out_run(struct png_out *o, const struct qr *q)
{
	png_uint_32 side = (png_uint_32)q->size * q->px;

	if (setjmp(TOTP_PNG_JMPBUF(o->png)))
		return o->err ? o->err : o->heap.exhausted ? TOTP_E_NOMEM : TOTP_E_IMAGE;
	totp_png.set_write_fn(o->png, o, png_out_write, png_out_flush);
	totp_png.set_IHDR(o->png, o->info, side, side, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	                  PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	totp_png.write_info(o->png, o->info);
	for (unsigned my = 0; my < q->size; my++) {
		memset(o->row, 0xff, o->rowbytes);
		for (unsigned mx = 0; mx < q->size; mx++) {
			if (!qr_dark(q, mx, my))
				continue;
			for (unsigned x = mx * q->px; x < (mx + 1) * q->px; x++)
				o->row[x >> 3] &= (uint8_t) ~(0x80u >> (x & 7));
		}
		for (unsigned k = 0; k < q->px; k++)
			totp_png.write_row(o->png, o->row);
	}
	totp_png.write_end(o->png, o->info);
	return TOTP_OK;
}

int totp_qr_png(uint8_t **out, size_t *outlen, const uint8_t *data, size_t len,
                const struct totp_qr_render_opts *opts)
{
	struct png_out o;
	struct qr q;
	int rc;

	if (!out || !outlen)
		return TOTP_E_INVAL;
	*out = NULL;
	*outlen = 0;
	memset(&o, 0, sizeof(o));
	rc = totp_png_load();
	if (rc != TOTP_OK)
		return rc;
	rc = qr_make(&q, data, len, opts);
	if (rc != TOTP_OK)
		return rc;
	o.heap.limit = TOTP_PNG_HEAP_MAX;
	o.rowbytes = ((size_t)q.size * q.px + 7) / 8;
	o.row = malloc(o.rowbytes);
	o.png = totp_png.create_write_struct_2(PNG_LIBPNG_VER_STRING, &o, png_out_error,
	                                       png_out_warning, &o.heap, totp_png_heap_alloc,
	                                       totp_png_heap_free);
	if (o.png)
		o.info = totp_png.create_info_struct(o.png);
	rc = o.row && o.png && o.info ? png_out_run(&o, &q) : TOTP_E_NOMEM;
	totp_png.destroy_write_struct(&o.png, &o.info);
	if (o.row) {
		sodium_memzero(o.row, o.rowbytes);
		free(o.row);
	}
	qr_release(&q);
	if (rc != TOTP_OK) {
		if (o.buf)
			sodium_free(o.buf);
		return rc;
	}
	o.buf[o.len] = 0;
	*out = o.buf;
	*outlen = o.len;
	return TOTP_OK;
}

/* ---- Text outputs, written twice: to measure, then to fill -------------- */

struct sbuf {
	char *p; /* NULL while measuring */
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

static void sb_puts(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->p && n < b->cap - b->len)
		memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

typedef void (*render_fn)(struct sbuf *b, const struct qr *q, unsigned flags);

static int render(char **out, size_t *outlen, const uint8_t *data, size_t len,
                  const struct totp_qr_render_opts *opts, render_fn fn)
{
	struct sbuf b = {NULL, 0, 0};
	struct qr q;
	int rc;

	if (!out || !outlen)
		return TOTP_E_INVAL;
	*out = NULL;
	*outlen = 0;
	rc = qr_make(&q, data, len, opts);
	if (rc != TOTP_OK)
		return rc;
	fn(&b, &q, opts ? opts->flags : 0);
	b.cap = b.len + 1;
	b.len = 0;
	b.p = sodium_malloc(b.cap);
	if (!b.p) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	b.p[0] = 0;
	fn(&b, &q, opts ? opts->flags : 0);
	if (b.len + 1 != b.cap) {
		sodium_free(b.p);
		rc = TOTP_E_INVAL;
		goto out;
	}
	*out = b.p;
	*outlen = b.len;
out:
	qr_release(&q);
	return rc;
}

static void render_svg(struct sbuf *b, const struct qr *q, unsigned flags)
{
	unsigned side = q->size * q->px;

	(void)flags;
	sb_printf(b,
	          "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%u\" "
	          "height=\"%u\" viewBox=\"0 0 %u %u\" shape-rendering=\"crispEdges\">"
	          "<rect width=\"%u\" height=\"%u\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	          side, side, q->size, q->size, q->size, q->size);
	for (unsigned y = 0; y < q->size; y++) {
		for (unsigned x = 0; x < q->size;) {
			unsigned run = 0;

			while (x + run < q->size && qr_dark(q, x + run, y))
				run++;
			if (run) {
				sb_printf(b, "M%u %uh%uv1h-%uz", x, y, run, run);
				x += run;
			} else {
				x++;
			}
		}
	}
	sb_puts(b, "\"/></svg>\n");
}

static void render_text(struct sbuf *b, const struct qr *q, unsigned flags)
{
	/* Indexed by (top dark) | (bottom dark) << 1. */
	static const char *const cells[4] = {" ", "\xe2\x96\x80", "\xe2\x96\x84", "\xe2\x96\x88"};
	int plain = (flags & TOTP_QR_TEXT_PLAIN) != 0;
	int invert = plain && (flags & TOTP_QR_TEXT_INVERT);

	for (unsigned y = 0; y < q->size; y += 2) {
		/* Black on white; 107 (bright white) follows 47 for terminals
		 * that know it, and is ignored by those that do not. */
		if (!plain)
			sb_puts(b, "\x1b[30;47;107m");
		for (unsigned x = 0; x < q->size; x++) {
			int top = qr_dark(q, x, y);
			int bottom = y + 1 < q->size && qr_dark(q, x, y + 1);
			int i = top | bottom << 1;

			sb_puts(b, cells[invert ? 3 - i : i]);
		}
		sb_puts(b, plain ? "\n" : "\x1b[0m\n");
	}
}

int totp_qr_svg(char **out, size_t *outlen, const uint8_t *data, size_t len,
                const struct totp_qr_render_opts *opts)
{
	return render(out, outlen, data, len, opts, render_svg);
}

int totp_qr_text(char **out, size_t *outlen, const uint8_t *data, size_t len,
                 const struct totp_qr_render_opts *opts)
{
	return render(out, outlen, data, len, opts, render_text);
}
