/*
 * internal.h - helpers private to libtotp.  Never included by src/cli.
 */
#ifndef TOTP_INTERNAL_H
#define TOTP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "totp.h"

#define TOTP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static inline void totp_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void totp_store_be64(uint8_t *p, uint64_t v)
{
	totp_store_be32(p, (uint32_t)(v >> 32));
	totp_store_be32(p + 4, (uint32_t)v);
}

static inline uint32_t totp_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t totp_load_be64(const uint8_t *p)
{
	return (uint64_t)totp_load_be32(p) << 32 | totp_load_be32(p + 4);
}

/* 1 when s[0..len) is valid UTF-8 (no overlongs, surrogates or NULs). */
int totp_utf8_valid(const char *s, size_t len);

/* 1 when every byte of s[0..len) is printable ASCII, 0x20..0x7e: nearly
 * every label, judged eight bytes at a time. */
int totp_ascii_printable(const char *s, size_t len);

/* The text of an issuer or account, as totp_entry_check wants it: TOTP_OK,
 * TOTP_E_UTF8, or TOTP_E_LABEL for a control character (entry.c). */
int totp_label_text_check(const char *s, size_t len);

/* An entry's fields as totp_entry_check judges them, the labels given by
 * length (not NUL-terminated, no NUL inside, under TOTP_LABEL_MAX). */
struct totp_entry_view {
	const char *issuer, *account;
	size_t issuer_len, account_len, secret_len;
	enum totp_type type;
	enum totp_algo algo;
	unsigned digits, period;
};

/* totp_entry_check's verdict on those fields, in the same order. */
int totp_entry_view_check(const struct totp_entry_view *e);

#endif
