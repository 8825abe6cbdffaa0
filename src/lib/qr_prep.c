/*
 * qr_prep.c - the images the QR scanner retries on: inverted, halved, and
 * thresholded against the local mean (see totp_qr_scan).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "qr.h"

void totp_qr_invert(uint8_t *px, size_t n)
{
	for (size_t i = 0; i < n; i++)
		px[i] = (uint8_t)~px[i];
}

/* Average 2x2 blocks into a new (w/2) x (h/2) image. */
uint8_t *totp_qr_halve(const uint8_t *px, unsigned w, unsigned h, unsigned *ow, unsigned *oh)
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

int totp_qr_binarize(uint8_t *px, unsigned w, unsigned h, unsigned r)
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
