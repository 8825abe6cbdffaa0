/*
 * qr.h - declarations shared by the QR module's files (image decoders, QR
 * scanning and rendering, otpauth-migration payloads).  Private to libtotp.
 */
#ifndef TOTP_QR_H
#define TOTP_QR_H

#include <stddef.h>
#include <stdint.h>

#include <png.h>

#include "totp.h"

/* Bytes libpng and zlib may hold at once while one image is read or
 * written (row buffers, inflate window, one ancillary chunk). */
#define TOTP_PNG_HEAP_MAX (24u << 20)

/*
 * Memory for libpng that is counted against a budget and wiped on free: a
 * QR picture is as secret as the account it encodes.  Pass &budget as the
 * mem_ptr of png_create_*_struct_2 with these two functions.
 */
struct totp_png_heap {
	size_t used, limit;
	int exhausted; /* an allocation was refused */
};
png_voidp totp_png_heap_alloc(png_structp png, png_alloc_size_t n);
void totp_png_heap_free(png_structp png, png_voidp p);

/* Check width and height against the TOTP_IMAGE_* limits:
 * TOTP_OK, TOTP_E_IMAGE (zero) or TOTP_E_TOOBIG. */
int totp_image_check_size(uint64_t width, uint64_t height);

/* Decoders behind totp_image_load; buf starts with the format's magic. */
int totp_image_decode_png(struct totp_image *out, const uint8_t *buf, size_t len);
int totp_image_decode_jpeg(struct totp_image *out, const uint8_t *buf, size_t len);

/* ---- images for the scanner's retries (qr_prep.c) ------------------------ */

/* Light for dark, in place. */
void totp_qr_invert(uint8_t *px, size_t n);

/* 2x2 blocks averaged into a new (w/2) x (h/2) image; NULL without memory. */
uint8_t *totp_qr_halve(const uint8_t *px, unsigned w, unsigned h, unsigned *ow, unsigned *oh);

/* Adaptive threshold in place against the mean of the (2r+1)-square around
 * each pixel; TOTP_E_NOMEM. */
int totp_qr_binarize(uint8_t *px, unsigned w, unsigned h, unsigned r);

/* ---- otpauth-migration payloads (migration*.c) --------------------------- */

#define TOTP_MIG_BATCH_MAX 1000 /* QR codes in one export */

/* One decoded MigrationPayload: header fields, and the protobuf kept for
 * totp_mig_entries. */
struct totp_mig {
	const uint8_t *pb;
	size_t pblen;
	size_t nentries;
	uint64_t version;
	int32_t batch_size; /* 1 when absent */
	int32_t batch_index;
	int32_t batch_id;
	int has_size; /* batch_size was present */
};

/* 1 when s starts (after white space) with the otpauth-migration: scheme. */
int totp_mig_is_uri(const uint8_t *s, size_t n);

/* The protobuf inside otpauth-migration://offline?data=...: at most
 * outsz bytes (n bytes of URI always suffice).  TOTP_E_MIGRATION. */
int totp_mig_decode(uint8_t *out, size_t outsz, size_t *outlen, const uint8_t *s, size_t n);

/* Check the whole protobuf and read the header.  The entries are checked
 * for structure only.  TOTP_E_MIGRATION when malformed or the batch fields
 * are out of range. */
int totp_mig_parse(struct totp_mig *m, const uint8_t *pb, size_t len);

/* Add the entries of m to im; an entry that cannot be used becomes a
 * problem numbered by ++*item and described with `where`. */
int totp_mig_entries(struct totp_import *im, const struct totp_mig *m, size_t *item,
                     const char *where);

/* Encode one MigrationPayload into out (NULL: measure only); returns the
 * byte count.  Entries must have passed totp_migration_check. */
size_t totp_mig_encode(uint8_t *out, const struct totp_entry *e, size_t n, int32_t batch_size,
                       int32_t batch_index, int32_t batch_id);

/* The name of payload i of list for messages: its source, else
 * "payload N". */
void totp_qr_payload_name(char *out, size_t outsz, const struct totp_qr_list *list, size_t i);

/* Of have and err, the one ranked later in rank[0..n) (the more serious);
 * an error not in rank never wins over one that is. */
int totp_worse_error(int have, int err, const int *rank, size_t n);

#endif
