/*
 * json_util.h - bounded JSON loading (jansson) for the backup importers.
 * Private to libtotp.
 */
#ifndef TOTP_JSON_UTIL_H
#define TOTP_JSON_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "totp.h"

#define TOTP_JSON_MAX_DEPTH 32

/* Wipe every string value of j (secrets included), then release it.
 * Accepts NULL.  Use instead of json_decref for trees this module loaded. */
void totp_json_free(json_t *j);

/* 1 when buf nests arrays/objects at most TOTP_JSON_MAX_DEPTH deep (strings
 * are skipped), 0 otherwise.  Checked before parsing, so a hostile file
 * cannot make the parser recurse deeply. */
int totp_json_depth_ok(const uint8_t *buf, size_t len);

/*
 * Parse buf (an object or array; a UTF-8 byte order mark is skipped).
 * Duplicate keys are rejected: two parsers could pick different values.
 * TOTP_E_TOOBIG above TOTP_IMPORT_MAX_BYTES, TOTP_E_JSON for malformed or
 * too deeply nested input.  *out is released with totp_json_free.
 */
int totp_json_load(json_t **out, const uint8_t *buf, size_t len);

/* The string value of obj[key], or NULL when absent, null or not a string. */
const char *totp_json_str(const json_t *obj, const char *key);

/*
 * An integer field: 1 and *out when obj[key] is an integer, a real with an
 * integral value or a decimal string (some apps quote numbers); 0 when
 * absent or null; -1 for any other value.
 */
int totp_json_int(const json_t *obj, const char *key, long long *out);

/* Decoders into caller buffers: base64 (standard or URL-safe, padding
 * optional, no other characters) and hex of exactly `want` bytes.  -1 on
 * any malformation or overflow. */
int totp_imp_base64(uint8_t *out, size_t outsz, size_t *outlen, const char *in, size_t inlen);
int totp_imp_hex(uint8_t *out, size_t want, const char *hex);

#endif
