/*
 * png_dl.h - libpng, loaded with dlopen("libpng16.so.16") the first time
 * an image is read or written (png_dl.c): `totp code` and every other
 * command without images start without libpng, zlib and libm.  Private
 * to libtotp.
 */
#ifndef TOTP_PNG_DL_H
#define TOTP_PNG_DL_H

#include <png.h>
#include <setjmp.h>

/* The libpng functions libtotp calls, resolved by totp_png_load. */
struct totp_png_api {
	__typeof__(&png_create_info_struct) create_info_struct;
	__typeof__(&png_create_read_struct_2) create_read_struct_2;
	__typeof__(&png_create_write_struct_2) create_write_struct_2;
	__typeof__(&png_destroy_read_struct) destroy_read_struct;
	__typeof__(&png_destroy_write_struct) destroy_write_struct;
	__typeof__(&png_error) error;
	__typeof__(&png_get_bit_depth) get_bit_depth;
	__typeof__(&png_get_channels) get_channels;
	__typeof__(&png_get_color_type) get_color_type;
	__typeof__(&png_get_image_height) get_image_height;
	__typeof__(&png_get_image_width) get_image_width;
	__typeof__(&png_get_interlace_type) get_interlace_type;
	__typeof__(&png_get_io_ptr) get_io_ptr;
	__typeof__(&png_get_mem_ptr) get_mem_ptr;
	__typeof__(&png_get_progressive_ptr) get_progressive_ptr;
	__typeof__(&png_get_rowbytes) get_rowbytes;
	__typeof__(&png_get_valid) get_valid;
	__typeof__(&png_longjmp) long_jump;
	__typeof__(&png_process_data) process_data;
	__typeof__(&png_progressive_combine_row) progressive_combine_row;
	__typeof__(&png_read_update_info) read_update_info;
	__typeof__(&png_set_IHDR) set_IHDR;
	__typeof__(&png_set_background_fixed) set_background_fixed;
	__typeof__(&png_set_chunk_cache_max) set_chunk_cache_max;
	__typeof__(&png_set_chunk_malloc_max) set_chunk_malloc_max;
	__typeof__(&png_set_expand_gray_1_2_4_to_8) set_expand_gray_1_2_4_to_8;
	__typeof__(&png_set_interlace_handling) set_interlace_handling;
	__typeof__(&png_set_keep_unknown_chunks) set_keep_unknown_chunks;
	__typeof__(&png_set_palette_to_rgb) set_palette_to_rgb;
	__typeof__(&png_set_progressive_read_fn) set_progressive_read_fn;
	__typeof__(&png_set_rgb_to_gray_fixed) set_rgb_to_gray_fixed;
	__typeof__(&png_set_scale_16) set_scale_16;
	__typeof__(&png_set_tRNS_to_alpha) set_tRNS_to_alpha;
	__typeof__(&png_set_user_limits) set_user_limits;
	__typeof__(&png_set_write_fn) set_write_fn;
	__typeof__(&png_write_end) write_end;
	__typeof__(&png_write_info) write_info;
	__typeof__(&png_write_row) write_row;
	__typeof__(&png_set_longjmp_fn) set_longjmp_fn;
};

extern struct totp_png_api totp_png;

/* Load libpng, the first time only: TOTP_OK, or TOTP_E_LIBRARY when it or
 * one of its functions is missing. */
int totp_png_load(void);

/* png_jmpbuf through the loaded library. */
#define TOTP_PNG_JMPBUF(png) (*totp_png.set_longjmp_fn((png), longjmp, sizeof(jmp_buf)))

#endif
