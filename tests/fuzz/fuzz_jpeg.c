/*
 * fuzz_jpeg.c - JPEG to grey (libjpeg loaded with dlopen, through
 * totp_image_load): grey, YCbCr, CMYK, progressive; markers and sizes.
 */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t magic[3] = {0xff, 0xd8, 0xff};

	fuzz_image(data, size, magic, sizeof(magic));
	return 0;
}
