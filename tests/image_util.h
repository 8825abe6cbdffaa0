/*
 * image_util.h - synthetic images for the image and QR tests: PNG writing
 * in any colour type (libpng), hand-made PNG chunks and DEFLATE bombs,
 * JPEG writing (libjpeg loaded with dlopen, as the library does), QR
 * drawing (libqrencode), scaling, blurring, inversion and "text" noise.
 */
#ifndef TOTP_IMAGE_UTIL_H
#define TOTP_IMAGE_UTIL_H

#include <dlfcn.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jpeglib.h>
#include <png.h>
#include <qrencode.h>

#include "totp.h"

#define IU_UNUSED __attribute__((unused))

IU_UNUSED static double iu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A small deterministic generator (xorshift64*). */
IU_UNUSED static uint32_t iu_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545F4914F6CDD1DULL) >> 32);
}

/* ---- Grey canvases (struct totp_image, freed with totp_image_free) ------ */

IU_UNUSED static struct totp_image iu_new(unsigned w, unsigned h, uint8_t fill)
{
	struct totp_image im = {malloc((size_t)w * h), w, h};

	if (!im.pixels)
		abort();
	memset(im.pixels, fill, (size_t)w * h);
	return im;
}

IU_UNUSED static void iu_rect(struct totp_image *im, unsigned x, unsigned y, unsigned w, unsigned h,
                              uint8_t v)
{
	for (unsigned j = y; j < y + h && j < im->height; j++)
		for (unsigned i = x; i < x + w && i < im->width; i++)
			im->pixels[(size_t)j * im->width + i] = v;
}

/* Draw data as a QR code (ECC M) with a 4-module white quiet zone at
 * (x, y), `mpx` pixels per module.  Returns the side in pixels. */
IU_UNUSED static unsigned iu_draw_qr(struct totp_image *im, const void *data, size_t len,
                                     unsigned x, unsigned y, unsigned mpx)
{
	QRcode *q = QRcode_encodeData((int)len, data, 0, QR_ECLEVEL_M);
	unsigned side;

	if (!q)
		abort();
	side = ((unsigned)q->width + 8) * mpx;
	iu_rect(im, x, y, side, side, 255);
	for (int r = 0; r < q->width; r++)
		for (int c = 0; c < q->width; c++)
			if (q->data[r * q->width + c] & 1)
				iu_rect(im, x + (unsigned)(c + 4) * mpx,
				        y + (unsigned)(r + 4) * mpx, mpx, mpx, 0);
	QRcode_free(q);
	return side;
}

/* Bilinear resampling by factor f. */
IU_UNUSED static struct totp_image iu_scale(const struct totp_image *src, double f)
{
	unsigned w = (unsigned)(src->width * f), h = (unsigned)(src->height * f);
	struct totp_image d = iu_new(w, h, 255);

	for (unsigned y = 0; y < h; y++) {
		double sy = (y + 0.5) / f - 0.5;
		int y0 = sy < 0 ? 0 : (int)sy;
		int y1 = y0 + 1 < (int)src->height ? y0 + 1 : y0;
		double fy = sy - y0 < 0 ? 0 : sy - y0;

		for (unsigned x = 0; x < w; x++) {
			double sx = (x + 0.5) / f - 0.5;
			int x0 = sx < 0 ? 0 : (int)sx;
			int x1 = x0 + 1 < (int)src->width ? x0 + 1 : x0;
			double fx = sx - x0 < 0 ? 0 : sx - x0;
			const uint8_t *p = src->pixels;
			size_t W = src->width;
			double v = p[y0 * W + x0] * (1 - fx) * (1 - fy) +
			           p[y0 * W + x1] * fx * (1 - fy) + p[y1 * W + x0] * (1 - fx) * fy +
			           p[y1 * W + x1] * fx * fy;

			d.pixels[(size_t)y * w + x] = (uint8_t)(v + 0.5);
		}
	}
	return d;
}

/* 3x3 box blur, in place. */
IU_UNUSED static void iu_blur(struct totp_image *im)
{
	unsigned w = im->width, h = im->height;
	uint8_t *o = malloc((size_t)w * h);

	if (!o)
		abort();
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			unsigned s = 0, n = 0;

			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					long yy = (long)y + dy, xx = (long)x + dx;

					if (yy < 0 || xx < 0 || yy >= h || xx >= w)
						continue;
					s += im->pixels[yy * w + xx];
					n++;
				}
			o[(size_t)y * w + x] = (uint8_t)((s + n / 2) / n);
		}
	memcpy(im->pixels, o, (size_t)w * h);
	free(o);
}

IU_UNUSED static void iu_invert(struct totp_image *im)
{
	for (size_t i = 0; i < (size_t)im->width * im->height; i++)
		im->pixels[i] = (uint8_t)(255 - im->pixels[i]);
}

/* Lines of "words": dark glyph-sized blocks, as a chat or settings
 * screen shows, avoiding the rectangle (ax, ay, aw, ah). */
IU_UNUSED static void iu_text_noise(struct totp_image *im, uint64_t seed, unsigned ax, unsigned ay,
                                    unsigned aw, unsigned ah)
{
	uint64_t s = seed | 1;

	for (unsigned y = 40; y + 30 < im->height; y += 48) {
		unsigned x = 30;

		while (x + 40 < im->width) {
			unsigned word = 3 + iu_rand(&s) % 8;

			for (unsigned k = 0; k < word && x + 20 < im->width; k++) {
				unsigned gh = 18 + iu_rand(&s) % 10, gw = 10 + iu_rand(&s) % 6;
				unsigned gy = y + 28 - gh;

				if (!(x + gw > ax && x < ax + aw && gy + gh > ay && gy < ay + ah)) {
					iu_rect(im, x, gy, gw, 3, 30);
					iu_rect(im, x, gy, 3, gh, 30);
					iu_rect(im, x + gw - 3, gy + gh / 2, 3, gh / 2, 30);
				}
				x += gw + 3;
			}
			x += 18;
		}
	}
}

/* ---- PNG writing with libpng -------------------------------------------- */

struct iu_buf {
	uint8_t *p;
	size_t len, cap;
};

IU_UNUSED static void iu_buf_put(struct iu_buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			abort();
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

IU_UNUSED static void iu_png_write_fn(png_structp png, png_bytep d, size_t n)
{
	iu_buf_put(png_get_io_ptr(png), d, n);
}

IU_UNUSED static void iu_png_flush_fn(png_structp png)
{
	(void)png;
}

/* What to write: samples at the file's bit depth, `channels` per pixel,
 * row-major (palette: indices). */
struct iu_png {
	unsigned w, h;
	int color_type, bit_depth, interlace;
	const uint16_t *samples;
	const png_color *palette;
	int npalette;
	const uint8_t *trans_alpha; /* palette tRNS */
	int ntrans;
	const png_color_16 *trans_color; /* grey/RGB tRNS */
};

IU_UNUSED static int iu_channels(int color_type)
{
	switch (color_type) {
	case PNG_COLOR_TYPE_GRAY_ALPHA:
		return 2;
	case PNG_COLOR_TYPE_RGB:
		return 3;
	case PNG_COLOR_TYPE_RGB_ALPHA:
		return 4;
	default:
		return 1;
	}
}

/* A PNG in a malloc'd buffer; 0 on success. */
IU_UNUSED static int iu_png(struct iu_buf *out, const struct iu_png *p)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	int ch = iu_channels(p->color_type);
	size_t rowbytes = ((size_t)p->w * ch * p->bit_depth + 7) / 8;
	uint8_t *row = calloc(1, rowbytes);

	memset(out, 0, sizeof(*out));
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(row);
		return -1;
	}
	png_set_write_fn(png, out, iu_png_write_fn, iu_png_flush_fn);
	png_set_IHDR(png, info, p->w, p->h, p->bit_depth, p->color_type,
	             p->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (p->palette)
		png_set_PLTE(png, info, p->palette, p->npalette);
	if (p->trans_alpha || p->trans_color)
		png_set_tRNS(png, info, p->trans_alpha, p->ntrans, p->trans_color);
	png_write_info(png, info);
	{
		int passes = p->interlace ? png_set_interlace_handling(png) : 1;

		for (int pass = 0; pass < passes; pass++)
			for (unsigned y = 0; y < p->h; y++) {
				const uint16_t *s = p->samples + (size_t)y * p->w * ch;

				memset(row, 0, rowbytes);
				for (size_t i = 0; i < (size_t)p->w * ch; i++) {
					unsigned v = s[i];

					if (p->bit_depth == 16) {
						row[2 * i] = (uint8_t)(v >> 8);
						row[2 * i + 1] = (uint8_t)v;
					} else if (p->bit_depth == 8) {
						row[i] = (uint8_t)v;
					} else {
						size_t bit = i * p->bit_depth;

						row[bit / 8] |= (uint8_t)(v << (8 - p->bit_depth -
						                                bit % 8));
					}
				}
				png_write_row(png, row);
			}
	}
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(row);
	return 0;
}

/* A grey 8-bit PNG of a canvas. */
IU_UNUSED static int iu_png_grey(struct iu_buf *out, const struct totp_image *im)
{
	uint16_t *s = malloc((size_t)im->width * im->height * sizeof(*s));
	struct iu_png p = {im->width, im->height, PNG_COLOR_TYPE_GRAY, 8, 0, s, NULL, 0, NULL,
	                   0,         NULL};
	int rc;

	if (!s)
		abort();
	for (size_t i = 0; i < (size_t)im->width * im->height; i++)
		s[i] = im->pixels[i];
	rc = iu_png(out, &p);
	free(s);
	return rc;
}

/* ---- Hand-made PNG chunks ----------------------------------------------- */

IU_UNUSED static uint32_t iu_crc32(const uint8_t *d, size_t n, uint32_t c)
{
	c = ~c;
	for (size_t i = 0; i < n; i++) {
		c ^= d[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

IU_UNUSED static void iu_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

IU_UNUSED static void iu_chunk(struct iu_buf *b, const char *type, const uint8_t *d, size_t n)
{
	uint8_t hdr[8], crc[4];

	iu_be32(hdr, (uint32_t)n);
	memcpy(hdr + 4, type, 4);
	iu_buf_put(b, hdr, 8);
	if (n)
		iu_buf_put(b, d, n);
	iu_be32(crc, iu_crc32(d, n, iu_crc32((const uint8_t *)type, 4, 0)));
	iu_buf_put(b, crc, 4);
}

IU_UNUSED static void iu_png_start(struct iu_buf *b, uint32_t w, uint32_t h, int depth, int ctype)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	uint8_t ihdr[13] = {0};

	memset(b, 0, sizeof(*b));
	iu_buf_put(b, sig, 8);
	iu_be32(ihdr, w);
	iu_be32(ihdr + 4, h);
	ihdr[8] = (uint8_t)depth;
	ihdr[9] = (uint8_t)ctype;
	iu_chunk(b, "IHDR", ihdr, 13);
}

/* A zlib stream of n zero bytes: one fixed-Huffman block of a literal and
 * 258-byte matches, about 1/160 of n. */
struct iu_bits {
	struct iu_buf b;
	uint32_t acc;
	int nacc;
};

IU_UNUSED static void iu_bits_put(struct iu_bits *w, uint32_t v, int n)
{
	for (int i = 0; i < n; i++) {
		w->acc |= ((v >> i) & 1u) << w->nacc;
		if (++w->nacc == 8) {
			uint8_t c = (uint8_t)w->acc;

			iu_buf_put(&w->b, &c, 1);
			w->acc = 0;
			w->nacc = 0;
		}
	}
}

/* Huffman codes go most significant bit first. */
IU_UNUSED static void iu_bits_code(struct iu_bits *w, uint32_t code, int n)
{
	for (int i = n - 1; i >= 0; i--)
		iu_bits_put(w, (code >> i) & 1u, 1);
}

IU_UNUSED static struct iu_buf iu_zlib_zeros(uint64_t n)
{
	struct iu_bits w;
	uint8_t hdr[2] = {0x78, 0x01}, adler[4];
	uint64_t left = n;

	memset(&w, 0, sizeof(w));
	iu_buf_put(&w.b, hdr, 2);
	iu_bits_put(&w, 1, 1); /* BFINAL */
	iu_bits_put(&w, 1, 2); /* fixed Huffman */
	if (left) {
		iu_bits_code(&w, 0x30, 8); /* literal 0 */
		left--;
	}
	while (left >= 258) {
		iu_bits_code(&w, 0xc5, 8); /* length 258 */
		iu_bits_code(&w, 0, 5);    /* distance 1 */
		left -= 258;
	}
	while (left--)
		iu_bits_code(&w, 0x30, 8);
	iu_bits_code(&w, 0, 7); /* end of block */
	if (w.nacc)
		iu_bits_put(&w, 0, 8 - w.nacc);
	iu_be32(adler, (uint32_t)((n % 65521) << 16 | 1));
	iu_buf_put(&w.b, adler, 4);
	return w.b;
}

/* ---- JPEG writing through dlopen ---------------------------------------- */

struct iu_jpeg_err {
	struct jpeg_error_mgr mgr;
	jmp_buf jmp;
};

IU_UNUSED static void iu_jpeg_exit(j_common_ptr c)
{
	longjmp(((struct iu_jpeg_err *)c->err)->jmp, 1);
}

/* Compress w x h pixels of `comps` components (1 grey, 3 RGB, 4 CMYK) at
 * `quality`; 0 on success, -1 when libjpeg.so.62 is missing. */
IU_UNUSED static int iu_jpeg(struct iu_buf *out, const uint8_t *px, unsigned w, unsigned h,
                             int comps, int quality, int progressive)
{
	static void *lib;
	struct jpeg_error_mgr *(*std_error)(struct jpeg_error_mgr *);
	void (*create)(j_compress_ptr, int, size_t);
	void (*set_defaults)(j_compress_ptr);
	void (*set_quality)(j_compress_ptr, int, boolean);
	void (*set_colorspace)(j_compress_ptr, J_COLOR_SPACE);
	void (*progression)(j_compress_ptr);
	void (*mem_dest)(j_compress_ptr, unsigned char **, unsigned long *);
	void (*start)(j_compress_ptr, boolean);
	JDIMENSION (*write_lines)(j_compress_ptr, JSAMPARRAY, JDIMENSION);
	void (*finish)(j_compress_ptr);
	void (*destroy)(j_compress_ptr);
	struct jpeg_compress_struct ci;
	struct iu_jpeg_err err;
	unsigned char *mem = NULL;
	unsigned long memlen = 0;

	memset(out, 0, sizeof(*out));
	if (!lib)
		lib = dlopen("libjpeg.so.62", RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return -1;
#define IU_SYM(var, name)                                                                          \
	do {                                                                                       \
		void *s_ = dlsym(lib, name);                                                       \
		if (!s_)                                                                           \
			return -1;                                                                 \
		memcpy(&var, &s_, sizeof(s_));                                                     \
	} while (0)
	IU_SYM(std_error, "jpeg_std_error");
	IU_SYM(create, "jpeg_CreateCompress");
	IU_SYM(set_defaults, "jpeg_set_defaults");
	IU_SYM(set_quality, "jpeg_set_quality");
	IU_SYM(set_colorspace, "jpeg_set_colorspace");
	IU_SYM(progression, "jpeg_simple_progression");
	IU_SYM(mem_dest, "jpeg_mem_dest");
	IU_SYM(start, "jpeg_start_compress");
	IU_SYM(write_lines, "jpeg_write_scanlines");
	IU_SYM(finish, "jpeg_finish_compress");
	IU_SYM(destroy, "jpeg_destroy_compress");
#undef IU_SYM
	memset(&ci, 0, sizeof(ci));
	ci.err = std_error(&err.mgr);
	err.mgr.error_exit = iu_jpeg_exit;
	if (setjmp(err.jmp)) {
		destroy(&ci);
		free(mem);
		return -1;
	}
	create(&ci, JPEG_LIB_VERSION, sizeof(ci));
	mem_dest(&ci, &mem, &memlen);
	ci.image_width = w;
	ci.image_height = h;
	ci.input_components = comps;
	ci.in_color_space = comps == 1 ? JCS_GRAYSCALE : comps == 3 ? JCS_RGB : JCS_CMYK;
	set_defaults(&ci);
	if (comps == 4)
		set_colorspace(&ci, JCS_CMYK);
	set_quality(&ci, quality, TRUE);
	if (progressive)
		progression(&ci);
	start(&ci, TRUE);
	while (ci.next_scanline < h) {
		JSAMPROW r = (JSAMPROW)(px + (size_t)ci.next_scanline * w * comps);

		write_lines(&ci, &r, 1);
	}
	finish(&ci);
	destroy(&ci);
	iu_buf_put(out, mem, memlen);
	free(mem);
	return 0;
}

#endif
