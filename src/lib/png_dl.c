/*
 * png_dl.c - libpng resolved at first use (png_dl.h).
 */
#include "png_dl.h"
#include "dl.h"
#include "internal.h"

struct totp_png_api totp_png;

static const struct totp_dl_sym png_syms[] = {
        {"png_create_info_struct", &totp_png.create_info_struct},
        {"png_create_read_struct_2", &totp_png.create_read_struct_2},
        {"png_create_write_struct_2", &totp_png.create_write_struct_2},
        {"png_destroy_read_struct", &totp_png.destroy_read_struct},
        {"png_destroy_write_struct", &totp_png.destroy_write_struct},
        {"png_error", &totp_png.error},
        {"png_get_bit_depth", &totp_png.get_bit_depth},
        {"png_get_channels", &totp_png.get_channels},
        {"png_get_color_type", &totp_png.get_color_type},
        {"png_get_image_height", &totp_png.get_image_height},
        {"png_get_image_width", &totp_png.get_image_width},
        {"png_get_interlace_type", &totp_png.get_interlace_type},
        {"png_get_io_ptr", &totp_png.get_io_ptr},
        {"png_get_mem_ptr", &totp_png.get_mem_ptr},
        {"png_get_progressive_ptr", &totp_png.get_progressive_ptr},
        {"png_get_rowbytes", &totp_png.get_rowbytes},
        {"png_get_valid", &totp_png.get_valid},
        {"png_longjmp", &totp_png.long_jump},
        {"png_process_data", &totp_png.process_data},
        {"png_progressive_combine_row", &totp_png.progressive_combine_row},
        {"png_read_update_info", &totp_png.read_update_info},
        {"png_set_IHDR", &totp_png.set_IHDR},
        {"png_set_background_fixed", &totp_png.set_background_fixed},
        {"png_set_chunk_cache_max", &totp_png.set_chunk_cache_max},
        {"png_set_chunk_malloc_max", &totp_png.set_chunk_malloc_max},
        {"png_set_expand_gray_1_2_4_to_8", &totp_png.set_expand_gray_1_2_4_to_8},
        {"png_set_interlace_handling", &totp_png.set_interlace_handling},
        {"png_set_keep_unknown_chunks", &totp_png.set_keep_unknown_chunks},
        {"png_set_palette_to_rgb", &totp_png.set_palette_to_rgb},
        {"png_set_progressive_read_fn", &totp_png.set_progressive_read_fn},
        {"png_set_rgb_to_gray_fixed", &totp_png.set_rgb_to_gray_fixed},
        {"png_set_scale_16", &totp_png.set_scale_16},
        {"png_set_tRNS_to_alpha", &totp_png.set_tRNS_to_alpha},
        {"png_set_user_limits", &totp_png.set_user_limits},
        {"png_set_write_fn", &totp_png.set_write_fn},
        {"png_write_end", &totp_png.write_end},
        {"png_write_info", &totp_png.write_info},
        {"png_write_row", &totp_png.write_row},
        {"png_set_longjmp_fn", &totp_png.set_longjmp_fn},
};

static struct totp_dl_lib png_lib = {"libpng16.so.16", png_syms, TOTP_ARRAY_LEN(png_syms), 0};

int totp_png_load(void)
{
	return totp_dl_load(&png_lib);
}
