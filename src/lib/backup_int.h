/*
 * backup_int.h - encrypted backup payloads (backup.c: text encoding,
 * header, keys and the writer; backup_import.c: the reader).  Private to
 * libtotp.  The layout is described byte by byte in totp-backup(5).
 */
#ifndef TOTP_BACKUP_INT_H
#define TOTP_BACKUP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define BK_VERSION 1
#define BK_KDF_ARGON2ID13 1
#define BK_ID_BYTES 8
#define BK_SALT_BYTES 16
#define BK_CHECK_BYTES 4
#define BK_TAG_BYTES 16
#define BK_NONCE_BYTES 24
#define BK_HEADER_BYTES 40
#define BK_PREFIX_LEN 12 /* strlen(TOTP_BACKUP_PREFIX) */
/* Header offsets. */
#define BK_OFF_VERSION 0
#define BK_OFF_KDF 1
#define BK_OFF_ID 2
#define BK_OFF_PART 10
#define BK_OFF_COUNT 11
#define BK_OFF_OPS 12
#define BK_OFF_MEM 16
#define BK_OFF_SALT 20
#define BK_OFF_CHECK 36

/* Entry record flags (first byte of a record). */
#define BK_F_TYPE 0x03
#define BK_F_ALGO_SHIFT 2
#define BK_F_ALGO 0x0c
#define BK_F_DIGITS 0x10     /* a digits byte follows (else 6) */
#define BK_F_PERIOD 0x20     /* a 2-byte period follows (else 30) */
#define BK_F_COUNTER 0x40    /* an 8-byte counter follows (else 0) */
#define BK_F_ISSUER_REF 0x80 /* issuer: index of an earlier record */

/* A part's header, decoded. */
struct bk_header {
	unsigned version;
	uint8_t id[BK_ID_BYTES];
	unsigned part, count; /* 1-based part number, part count */
	struct totp_kdf kdf;  /* memlimit in bytes (stored in KiB) */
	uint8_t salt[BK_SALT_BYTES];
	uint8_t check[BK_CHECK_BYTES];
};

/* The backup's own Base41 (alphabet 0-9 A-Z + - . / :): two bytes to three
 * characters, a last odd byte to two.  Encoded size of n bytes. */
size_t totp_bk_text_len(size_t n);
void totp_bk_text_encode(char *out, const uint8_t *in, size_t n);
/* Decode exactly n characters (lower-case letters are folded): at most
 * outsz bytes.  TOTP_E_BACKUP for a bad character, length or value. */
int totp_bk_text_decode(uint8_t *out, size_t outsz, size_t *outlen, const char *in,
                        size_t n) TOTP_WUR;

void totp_bk_header_encode(uint8_t h[BK_HEADER_BYTES], const struct bk_header *in);
/* Checks in field order, allocating nothing: TOTP_E_VERSION, TOTP_E_KDF
 * (unknown KDF or a cost out of the vault's bounds), TOTP_E_BACKUP (part
 * number or count out of range). */
int totp_bk_header_decode(struct bk_header *out, const uint8_t h[BK_HEADER_BYTES]) TOTP_WUR;

/* The part's nonce: id, part number and count from the header, then 14
 * zero bytes. */
void totp_bk_nonce(uint8_t nonce[BK_NONCE_BYTES], const uint8_t h[BK_HEADER_BYTES]);

/* Argon2id of the passphrase into the AEAD key and the key check value. */
int totp_bk_keys(uint8_t key[TOTP_KEY_BYTES], uint8_t check[BK_CHECK_BYTES], const char *pass,
                 size_t passlen, const uint8_t salt[BK_SALT_BYTES],
                 const struct totp_kdf *kdf) TOTP_WUR;

/* Decode the entry records of one part's plaintext, each into *e (guarded
 * scratch, wiped on return) and then to add(ctx, e); a malformed record
 * makes the whole part TOTP_E_CORRUPT.  add's nonzero return stops the
 * walk and is returned.  With add NULL the records are only checked. */
typedef int (*totp_bk_entry_fn)(void *ctx, const struct totp_entry *e);
int totp_bk_plain_decode(struct totp_entry *e, const uint8_t *p, size_t len, totp_bk_entry_fn add,
                         void *ctx) TOTP_WUR;

#endif
