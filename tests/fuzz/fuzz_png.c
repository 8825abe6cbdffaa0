/*
 * fuzz_png.c - PNG to grey (libpng through totp_image_load): every colour
 * type, bit depth, palette, transparency, interlace; chunks and bombs.
 */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

	fuzz_image(data, size, magic, sizeof(magic));
	return 0;
}
