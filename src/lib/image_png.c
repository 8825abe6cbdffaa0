/*
 * image_png.c - image files to 8-bit grey: format detection, bounded file
 * reading, and the PNG decoder (libpng, with hard limits and wiped memory).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "internal.h"
#include "png_dl.h"
#include "qr.h"

static const uint8_t png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
static const uint8_t jpeg_magic[3] = {0xff, 0xd8, 0xff};

/* Bytes in front of each libpng allocation, holding its size. */
#define HEAP_HDR 16

png_voidp totp_png_heap_alloc(png_structp png, png_alloc_size_t n)
{
	struct totp_png_heap *h = totp_png.get_mem_ptr(png);
	unsigned char *p;

	if (n > h->limit - h->used || n > SIZE_MAX - HEAP_HDR) {
		h->exhausted = 1;
		return NULL;
	}
	p = malloc(n + HEAP_HDR);
	if (!p) {
		h->exhausted = 1;
		return NULL;
	}
	memcpy(p, &n, sizeof(n));
	h->used += n;
	return p + HEAP_HDR;
}

void totp_png_heap_free(png_structp png, png_voidp ptr)
{
	struct totp_png_heap *h = totp_png.get_mem_ptr(png);
	unsigned char *p = ptr;
	size_t n;

	if (!p)
		return;
	p -= HEAP_HDR;
	memcpy(&n, p, sizeof(n));
	sodium_memzero(p, n + HEAP_HDR);
	h->used -= n;
	free(p);
}

int totp_image_check_size(uint64_t width, uint64_t height)
{
	if (width == 0 || height == 0)
		return TOTP_E_IMAGE;
	if (width > TOTP_IMAGE_SIDE_MAX || height > TOTP_IMAGE_SIDE_MAX ||
	    width * height > TOTP_IMAGE_PIXELS_MAX)
		return TOTP_E_TOOBIG;
	return TOTP_OK;
}

/* ---- PNG --------------------------------------------------------------- */

struct png_dec {
	png_structp png;
	png_infop info;
	struct totp_png_heap heap;
	uint8_t *pixels;
	png_uint_32 width, height;
	int final_pass; /* the pass that ends the image */
	int complete;   /* its last row was delivered */
	int ended;      /* IEND reached */
	int err;
};

static void png_dec_error(png_structp png, png_const_charp msg)
{
	(void)msg;
	totp_png.long_jump(png, 1);
}

static void png_dec_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* The header is in: check it, choose transformations to 8-bit grey, and
 * allocate the image. */
static void png_dec_info(png_structp png, png_infop info)
{
	struct png_dec *d = totp_png.get_progressive_ptr(png);
	int depth, ctype, interlace, rc;

	d->width = totp_png.get_image_width(png, info);
	d->height = totp_png.get_image_height(png, info);
	rc = totp_image_check_size(d->width, d->height);
	if (rc != TOTP_OK) {
		d->err = rc;
		totp_png.error(png, "size");
	}
	depth = totp_png.get_bit_depth(png, info);
	ctype = totp_png.get_color_type(png, info);
	interlace = totp_png.get_interlace_type(png, info);

	if (ctype == PNG_COLOR_TYPE_PALETTE)
		totp_png.set_palette_to_rgb(png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		totp_png.set_expand_gray_1_2_4_to_8(png);
	if (totp_png.get_valid(png, info, PNG_INFO_tRNS))
		totp_png.set_tRNS_to_alpha(png);
	if (depth == 16)
		totp_png.set_scale_16(png);
	if (ctype & PNG_COLOR_MASK_COLOR)
		totp_png.set_rgb_to_gray_fixed(png, PNG_ERROR_ACTION_NONE, -1, -1);
	if ((ctype & PNG_COLOR_MASK_ALPHA) || totp_png.get_valid(png, info, PNG_INFO_tRNS)) {
		png_color_16 white = {0, 255, 255, 255, 255};

		totp_png.set_background_fixed(png, &white, PNG_BACKGROUND_GAMMA_SCREEN, 0,
		                              PNG_FP_1);
	}
	if (interlace != PNG_INTERLACE_NONE)
		(void)totp_png.set_interlace_handling(png);
	totp_png.read_update_info(png, info);
	if (totp_png.get_channels(png, info) != 1 || totp_png.get_bit_depth(png, info) != 8 ||
	    totp_png.get_rowbytes(png, info) != d->width) {
		d->err = TOTP_E_IMAGE;
		totp_png.error(png, "unexpected output format");
	}
	/* With interlace handling, every pass calls back for every row. */
	d->final_pass = interlace != PNG_INTERLACE_NONE ? 6 : 0;
	/* White, so rows a damaged file never delivers cannot look dark. */
	d->pixels = malloc((size_t)d->width * d->height);
	if (!d->pixels) {
		d->err = TOTP_E_NOMEM;
		totp_png.error(png, "out of memory");
	}
	memset(d->pixels, 0xff, (size_t)d->width * d->height);
}

static void png_dec_row(png_structp png, png_bytep row, png_uint_32 y, int pass)
{
	struct png_dec *d = totp_png.get_progressive_ptr(png);

	if (y >= d->height)
		return;
	if (pass == d->final_pass && y == d->height - 1)
		d->complete = 1;
	/* Merges an interlace pass into the row; copies otherwise. */
	if (row)
		totp_png.progressive_combine_row(png, d->pixels + (size_t)y * d->width, row);
}

static void png_dec_end(png_structp png, png_infop info)
{
	struct png_dec *d = totp_png.get_progressive_ptr(png);

	(void)info;
	d->ended = 1;
}

/* The IHDR dimensions, read before libpng is involved, so a hostile header
 * costs nothing. */
static int png_precheck(const uint8_t *buf, size_t len)
{
	static const uint8_t ihdr[8] = {0, 0, 0, 13, 'I', 'H', 'D', 'R'};

	if (len < 8 + 8 + 13 + 4 || memcmp(buf + 8, ihdr, sizeof(ihdr)) != 0)
		return TOTP_E_IMAGE;
	return totp_image_check_size(totp_load_be32(buf + 16), totp_load_be32(buf + 20));
}

/*
 * Everything that calls into libpng; a libpng error jumps back here.  The
 * progressive reader is used because it stops inflating once the image is
 * complete, where the sequential one inflates any surplus IDAT data.
 */
static int png_dec_run(struct png_dec *d, const uint8_t *buf, size_t len)
{
	png_structp png = d->png;

	if (setjmp(TOTP_PNG_JMPBUF(png)))
		return d->err ? d->err : d->heap.exhausted ? TOTP_E_NOMEM : TOTP_E_IMAGE;

	totp_png.set_user_limits(png, TOTP_IMAGE_SIDE_MAX, TOTP_IMAGE_SIDE_MAX);
	totp_png.set_chunk_malloc_max(png, 1u << 20);
	totp_png.set_chunk_cache_max(png, 128);
	/* Only IHDR, PLTE, tRNS, IDAT and IEND are interpreted: no gamma or
	 * colour management, no text chunks to inflate. */
	totp_png.set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
	totp_png.set_progressive_read_fn(png, d, png_dec_info, png_dec_row, png_dec_end);
	/* libpng only reads the buffer it is given. */
	totp_png.process_data(png, d->info, (png_bytep)(uintptr_t)buf, len);
	if (!d->ended || !d->pixels || !d->complete)
		return TOTP_E_IMAGE;
	return TOTP_OK;
}

int totp_image_decode_png(struct totp_image *out, const uint8_t *buf, size_t len)
{
	struct png_dec d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.heap.limit = TOTP_PNG_HEAP_MAX;
	rc = png_precheck(buf, len);
	if (rc == TOTP_OK)
		rc = totp_png_load();
	if (rc != TOTP_OK)
		return rc;
	d.png = totp_png.create_read_struct_2(PNG_LIBPNG_VER_STRING, &d, png_dec_error,
	                                      png_dec_warning, &d.heap, totp_png_heap_alloc,
	                                      totp_png_heap_free);
	if (!d.png)
		return TOTP_E_NOMEM;
	d.info = totp_png.create_info_struct(d.png);
	rc = d.info ? png_dec_run(&d, buf, len) : TOTP_E_NOMEM;
	totp_png.destroy_read_struct(&d.png, &d.info, NULL);
	if (rc == TOTP_OK) {
		out->pixels = d.pixels;
		out->width = d.width;
		out->height = d.height;
	} else if (d.pixels) {
		sodium_memzero(d.pixels, (size_t)d.width * d.height);
		free(d.pixels);
	}
	return rc;
}

/* ---- Format detection and files ---------------------------------------- */

int totp_image_load(struct totp_image *out, const uint8_t *buf, size_t len)
{
	if (!out)
		return TOTP_E_INVAL;
	memset(out, 0, sizeof(*out));
	if (!buf && len)
		return TOTP_E_INVAL;
	if (len > TOTP_IMAGE_FILE_MAX)
		return TOTP_E_TOOBIG;
	if (len >= sizeof(png_magic) && memcmp(buf, png_magic, sizeof(png_magic)) == 0)
		return totp_image_decode_png(out, buf, len);
	if (len >= sizeof(jpeg_magic) && memcmp(buf, jpeg_magic, sizeof(jpeg_magic)) == 0)
		return totp_image_decode_jpeg(out, buf, len);
	return TOTP_E_IMAGE;
}

int totp_image_load_fd(struct totp_image *out, int fd)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0, cap;
	int rc;

	if (!out)
		return TOTP_E_INVAL;
	memset(out, 0, sizeof(*out));
	if (fstat(fd, &st) != 0)
		return TOTP_E_IO;
	/* A regular file's size is known; pipes grow up to the limit. */
	if (S_ISREG(st.st_mode) && st.st_size > (off_t)TOTP_IMAGE_FILE_MAX)
		return TOTP_E_TOOBIG;
	cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 1u << 16;
	buf = malloc(cap);
	if (!buf)
		return TOTP_E_NOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			uint8_t *nb;

			if (cap > TOTP_IMAGE_FILE_MAX) {
				rc = TOTP_E_TOOBIG;
				goto out;
			}
			cap = cap * 2 > TOTP_IMAGE_FILE_MAX + 1 ? TOTP_IMAGE_FILE_MAX + 1 : cap * 2;
			/* Copy, never realloc: the old buffer is wiped. */
			nb = malloc(cap);
			if (!nb) {
				rc = TOTP_E_NOMEM;
				goto out;
			}
			memcpy(nb, buf, len);
			sodium_memzero(buf, len);
			free(buf);
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = TOTP_E_IO;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = len > TOTP_IMAGE_FILE_MAX ? TOTP_E_TOOBIG : totp_image_load(out, buf, len);
out:
	sodium_memzero(buf, len);
	free(buf);
	return rc;
}

int totp_image_load_file(struct totp_image *out, const char *path)
{
	struct stat st;
	int fd, rc;

	if (!out || !path)
		return TOTP_E_INVAL;
	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? TOTP_E_NOENT : TOTP_E_IO;
	if (fstat(fd, &st) != 0) {
		rc = TOTP_E_IO;
	} else if (!S_ISREG(st.st_mode)) {
		rc = TOTP_E_UNSAFE;
	} else {
		(void)fcntl(fd, F_SETFL, 0);
		rc = totp_image_load_fd(out, fd);
	}
	close(fd);
	return rc;
}

void totp_image_free(struct totp_image *img)
{
	if (!img)
		return;
	if (img->pixels) {
		sodium_memzero(img->pixels, (size_t)img->width * img->height);
		free(img->pixels);
	}
	memset(img, 0, sizeof(*img));
}
