/*
 * image_jpeg.c - JPEG to 8-bit grey with libjpeg(-turbo), loaded with
 * dlopen("libjpeg.so.62") the first time a JPEG is decoded.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <sodium.h>

#include "dl.h"
#include "internal.h"
#include "qr.h"

/* Whole-image buffers libjpeg may allocate (progressive coefficients). */
#define JPEG_MEM_MAX (256L << 20)
#define JPEG_PIXELS_PER_BYTE 1024u /* 512 at one bit per block, with margin */
/* Progressive scans accepted; more is a CPU exhaustion attempt. */
#define JPEG_SCANS_MAX 500

static struct jpeg_error_mgr *(*p_std_error)(struct jpeg_error_mgr *);
static void (*p_create)(j_decompress_ptr, int, size_t);
static void (*p_destroy)(j_decompress_ptr);
static void (*p_mem_src)(j_decompress_ptr, const unsigned char *, unsigned long);
static int (*p_read_header)(j_decompress_ptr, boolean);
static boolean (*p_start)(j_decompress_ptr);
static JDIMENSION (*p_read_scanlines)(j_decompress_ptr, JSAMPARRAY, JDIMENSION);
static boolean (*p_finish)(j_decompress_ptr);

static const struct totp_dl_sym jpeg_syms[] = {
        {"jpeg_std_error", &p_std_error},           {"jpeg_CreateDecompress", &p_create},
        {"jpeg_destroy_decompress", &p_destroy},    {"jpeg_mem_src", &p_mem_src},
        {"jpeg_read_header", &p_read_header},       {"jpeg_start_decompress", &p_start},
        {"jpeg_read_scanlines", &p_read_scanlines}, {"jpeg_finish_decompress", &p_finish},
};

static struct totp_dl_lib jpeg_lib = {"libjpeg.so.62", jpeg_syms, TOTP_ARRAY_LEN(jpeg_syms), 0};

struct jpeg_dec {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_error_mgr jerr;
	struct jpeg_progress_mgr progress;
	jmp_buf jmp;
	int created, truncated, err, cmyk;
	uint8_t *pixels;
	uint8_t *row; /* one CMYK row */
	size_t rowsize;
	unsigned width, height;
};

static void jpeg_dec_error_exit(j_common_ptr c)
{
	struct jpeg_dec *d = c->client_data;

	longjmp(d->jmp, 1);
}

static void jpeg_dec_emit(j_common_ptr c, int level)
{
	struct jpeg_dec *d = c->client_data;

	/* libjpeg pads a truncated file with grey and only warns; stop at
	 * once rather than decode the padding (a few bytes can claim
	 * millions of pixels). */
	if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF) {
		d->truncated = 1;
		d->err = TOTP_E_IMAGE;
		longjmp(d->jmp, 1);
	}
}

static void jpeg_dec_output(j_common_ptr c)
{
	(void)c;
}

static void jpeg_dec_progress(j_common_ptr c)
{
	struct jpeg_dec *d = c->client_data;

	if (d->cinfo.input_scan_number > JPEG_SCANS_MAX) {
		d->err = TOTP_E_IMAGE;
		longjmp(d->jmp, 1);
	}
}

/* Adobe CMYK is stored inverted (255 = no ink); convert one row to grey. */
static void cmyk_to_grey(uint8_t *out, const uint8_t *in, unsigned w, int inverted)
{
	for (unsigned x = 0; x < w; x++, in += 4) {
		unsigned c = in[0], m = in[1], y = in[2], k = in[3];
		unsigned r, g, b;

		if (!inverted) {
			c = 255 - c;
			m = 255 - m;
			y = 255 - y;
			k = 255 - k;
		}
		r = (c * k + 127) / 255;
		g = (m * k + 127) / 255;
		b = (y * k + 127) / 255;
		out[x] = (uint8_t)((77 * r + 150 * g + 29 * b + 128) >> 8);
	}
}

/* Everything that calls into libjpeg; a libjpeg error jumps back here. */
static int jpeg_dec_run(struct jpeg_dec *d, const uint8_t *buf, size_t len)
{
	j_decompress_ptr ci = &d->cinfo;
	int rc;

	if (setjmp(d->jmp))
		return d->err ? d->err : TOTP_E_IMAGE;

	ci->err = p_std_error(&d->jerr);
	d->jerr.error_exit = jpeg_dec_error_exit;
	d->jerr.emit_message = jpeg_dec_emit;
	d->jerr.output_message = jpeg_dec_output;
	/* jpeg_CreateDecompress keeps err and client_data. */
	ci->client_data = d;
	d->created = 1;
	p_create(ci, JPEG_LIB_VERSION, sizeof(*ci));
	ci->mem->max_memory_to_use = JPEG_MEM_MAX;
	d->progress.progress_monitor = jpeg_dec_progress;
	ci->progress = &d->progress;

	p_mem_src(ci, buf, (unsigned long)len);
	if (p_read_header(ci, TRUE) != JPEG_HEADER_OK)
		return TOTP_E_IMAGE;
	rc = totp_image_check_size(ci->image_width, ci->image_height);
	if (rc != TOTP_OK)
		return rc;
	/* Every 8x8 block of a complete Huffman-coded file costs at least one
	 * bit of DC code: a file far smaller than its dimensions is a bomb
	 * (progressive decoding would allocate for every claimed pixel). */
	if ((uint64_t)ci->image_width * ci->image_height >
	    (uint64_t)len * JPEG_PIXELS_PER_BYTE + 65536)
		return TOTP_E_TOOBIG;
	if (ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK) {
		ci->out_color_space = JCS_CMYK;
		d->cmyk = 1;
	} else {
		ci->out_color_space = JCS_GRAYSCALE;
	}
	if (!p_start(ci))
		return TOTP_E_IMAGE;
	if (ci->output_width != ci->image_width || ci->output_height != ci->image_height ||
	    ci->output_components != (d->cmyk ? 4 : 1))
		return TOTP_E_IMAGE;
	d->width = ci->output_width;
	d->height = ci->output_height;
	d->pixels = malloc((size_t)d->width * d->height);
	if (!d->pixels)
		return TOTP_E_NOMEM;
	if (d->cmyk) {
		d->rowsize = (size_t)d->width * 4;
		d->row = malloc(d->rowsize);
		if (!d->row)
			return TOTP_E_NOMEM;
	}
	while (ci->output_scanline < ci->output_height) {
		uint8_t *line = d->pixels + (size_t)ci->output_scanline * d->width;
		JSAMPROW rows[1] = {d->cmyk ? d->row : line};

		if (p_read_scanlines(ci, rows, 1) != 1)
			return TOTP_E_IMAGE;
		if (d->cmyk)
			cmyk_to_grey(line, d->row, d->width, ci->saw_Adobe_marker);
	}
	if (!p_finish(ci) || d->truncated)
		return TOTP_E_IMAGE;
	return TOTP_OK;
}

int totp_image_decode_jpeg(struct totp_image *out, const uint8_t *buf, size_t len)
{
	struct jpeg_dec *d;
	int rc;

	rc = totp_dl_load(&jpeg_lib);
	if (rc != TOTP_OK)
		return rc;
	/* The decoder state is large; keep it off the stack. */
	d = calloc(1, sizeof(*d));
	if (!d)
		return TOTP_E_NOMEM;
	rc = jpeg_dec_run(d, buf, len);
	if (d->created)
		p_destroy(&d->cinfo);
	if (d->row) {
		sodium_memzero(d->row, d->rowsize);
		free(d->row);
	}
	if (rc == TOTP_OK) {
		out->pixels = d->pixels;
		out->width = d->width;
		out->height = d->height;
	} else if (d->pixels) {
		sodium_memzero(d->pixels, (size_t)d->width * d->height);
		free(d->pixels);
	}
	free(d);
	return rc;
}
