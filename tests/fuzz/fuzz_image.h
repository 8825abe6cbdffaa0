/*
 * fuzz_image.h - shared by fuzz_png.c and fuzz_jpeg.c: decode with
 * totp_image_load and check the result.  Each target writes its format's
 * signature over the first bytes, so that mutations stay in its decoder.
 */
#ifndef TOTP_FUZZ_IMAGE_H
#define TOTP_FUZZ_IMAGE_H

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return totp_init() == TOTP_OK ? 0 : 1;
}

static void fuzz_image(const uint8_t *data, size_t size, const uint8_t *magic, size_t magiclen)
{
	struct totp_image img;
	uint8_t *buf;
	int rc;

	if (size < magiclen)
		return;
	buf = malloc(size);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	memcpy(buf, magic, magiclen);
	memset(&img, 0xa5, sizeof(img));
	rc = totp_image_load(&img, buf, size);
	if (rc == TOTP_OK) {
		uint64_t sum = 0;

		FUZZ_ASSERT(img.pixels != NULL && img.width > 0 && img.height > 0);
		FUZZ_ASSERT(img.width <= TOTP_IMAGE_SIDE_MAX && img.height <= TOTP_IMAGE_SIDE_MAX);
		FUZZ_ASSERT((uint64_t)img.width * img.height <= TOTP_IMAGE_PIXELS_MAX);
		/* Every pixel is inside the allocation (ASan) and initialised
		 * (MSan, valgrind on the replay). */
		for (size_t i = 0; i < (size_t)img.width * img.height; i++)
			sum += img.pixels[i];
		FUZZ_ASSERT(sum <= 255ull * img.width * img.height);
	} else {
		FUZZ_ASSERT(rc == TOTP_E_IMAGE || rc == TOTP_E_TOOBIG || rc == TOTP_E_NOMEM ||
		            rc == TOTP_E_LIBRARY);
		FUZZ_ASSERT(img.pixels == NULL);
	}
	totp_image_free(&img);
	free(buf);
	fuzz_guarded_check();
}

#endif
