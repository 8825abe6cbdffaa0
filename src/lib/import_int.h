/*
 * import_int.h - private interface between the backup importers, their
 * crypto helpers and the format dispatcher.  Never included by src/cli.
 */
#ifndef TOTP_IMPORT_INT_H
#define TOTP_IMPORT_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

struct json_t; /* jansson's value type */

/* ---- PBKDF2 (pbkdf2.c) ---------------------------------------------- */

#define TOTP_PBKDF2_SALT_MAX 4096
#define TOTP_PBKDF2_OUT_MAX 1024

/* PBKDF2-HMAC-<algo> (RFC 8018 section 5.2): outlen bytes of key from the
 * password and salt.  TOTP_E_INVAL for 0 iterations or oversized
 * arguments; callers bound iterations from input before calling. */
int totp_pbkdf2(uint8_t *out, size_t outlen, enum totp_algo algo, const uint8_t *pass,
                size_t passlen, const uint8_t *salt, size_t saltlen, uint32_t iterations) TOTP_WUR;

/* ---- AES-256-GCM (aesgcm.c) ----------------------------------------- */

#define TOTP_AESGCM_KEY_BYTES 32
#define TOTP_AESGCM_NONCE_BYTES 12
#define TOTP_AESGCM_TAG_BYTES 16

enum totp_aesgcm_backend {
	TOTP_AESGCM_AUTO = 0, /* libsodium when the CPU allows, else OpenSSL */
	TOTP_AESGCM_SODIUM,
	TOTP_AESGCM_OPENSSL /* libcrypto loaded with dlopen() */
};

/* The message shown when no implementation is usable. */
#define TOTP_AESGCM_MISSING "AES-256-GCM needs a CPU with AES-NI or OpenSSL's libcrypto (libssl3)"

/* 1 when backend b can run here. */
int totp_aesgcm_available(enum totp_aesgcm_backend b);

/*
 * Decrypt ctlen bytes with a detached tag and no associated data into out
 * (ctlen bytes; may be NULL when ctlen is 0).  TOTP_E_AUTH when the tag
 * does not verify (out is wiped), TOTP_E_UNSUPPORTED when no backend can
 * run, TOTP_E_LIBRARY when the OpenSSL backend was asked for and cannot
 * be loaded.
 */
int totp_aesgcm_decrypt(uint8_t *out, const uint8_t *ct, size_t ctlen,
                        const uint8_t tag[TOTP_AESGCM_TAG_BYTES],
                        const uint8_t nonce[TOTP_AESGCM_NONCE_BYTES],
                        const uint8_t key[TOTP_AESGCM_KEY_BYTES]) TOTP_WUR;
int totp_aesgcm_decrypt_with(enum totp_aesgcm_backend b, uint8_t *out, const uint8_t *ct,
                             size_t ctlen, const uint8_t tag[TOTP_AESGCM_TAG_BYTES],
                             const uint8_t nonce[TOTP_AESGCM_NONCE_BYTES],
                             const uint8_t key[TOTP_AESGCM_KEY_BYTES]) TOTP_WUR;

/* ---- Shared reader state and helpers (import_detect.c; the numeric
 * field parsers and list walking in json_util.c) ------------------------- */

/*
 * One totp_import_read call.  Readers parse each item into `e` (guarded
 * memory), then totp_imp_commit() checks and appends it or records why
 * not.  Helpers that reject a value write the reason into `why`.
 */
struct totp_imp {
	struct totp_import *im;
	const struct totp_import_opts *opts;
	struct totp_entry *e;
	char *pass; /* guarded, asked for at most once */
	size_t passlen;
	int asked;
	char why[160];
};

/* The password, asked for on first use.  TOTP_E_PASSWORD when no callback
 * was given; a callback's own error is passed through. */
int totp_imp_password(struct totp_imp *c, const uint8_t **pass, size_t *len) TOTP_WUR;

/* Record a whole-file failure (problem index 0) and return err. */
int totp_imp_fail(struct totp_imp *c, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Set c->why (printf-style) and return err. */
int totp_imp_why(struct totp_imp *c, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Record item `index` (1-based) as rejected with err and c->why (or the
 * error's own text when why is empty), labelled from c->e.  Returns
 * TOTP_OK, TOTP_E_NOMEM, or TOTP_E_TOOBIG when accounts and problems
 * together pass TOTP_IMPORT_MAX_ENTRIES. */
int totp_imp_skip(struct totp_imp *c, size_t index, int err);

/* Name the format in the result (a reader may refine the detected one). */
void totp_imp_format(struct totp_imp *c, enum totp_import_format f);

/* Start a new item: c->e reset to defaults, c->why cleared. */
void totp_imp_begin(struct totp_imp *c);

/* Finish item `index`: Steam entries get SHA1/5 digits/30 s, an empty
 * account takes the issuer, then totp_entry_check; the entry is appended,
 * or recorded as a problem.  TOTP_E_TOOBIG past TOTP_IMPORT_MAX_ENTRIES. */
int totp_imp_commit(struct totp_imp *c, size_t index) TOTP_WUR;

/* Copy a label into a TOTP_LABEL_MAX field: TOTP_E_LABEL (with why) when
 * too long.  NULL copies "". */
int totp_imp_label(struct totp_imp *c, char *dst, const char *src, const char *what) TOTP_WUR;

/* Field parsers that fill c->e and explain failures in c->why. */
int totp_imp_secret_b32(struct totp_imp *c, const char *s) TOTP_WUR;
int totp_imp_type(struct totp_imp *c, const char *name) TOTP_WUR;
int totp_imp_algo(struct totp_imp *c, const char *name) TOTP_WUR;
/* obj[key] as an integer in [min, max]; def when absent.  err on failure. */
int totp_imp_num(struct totp_imp *c, const struct json_t *obj, const char *key, long long min,
                 long long max, long long def, long long *out, int err) TOTP_WUR;
/* digits/period/counter of c->e from obj, with defaults. */
int totp_imp_digits(struct totp_imp *c, const struct json_t *obj, const char *key,
                    unsigned def) TOTP_WUR;
int totp_imp_period(struct totp_imp *c, const struct json_t *obj, const char *key,
                    unsigned def) TOTP_WUR;
int totp_imp_counter(struct totp_imp *c, const struct json_t *obj, const char *key, uint64_t def,
                     uint64_t add) TOTP_WUR;
/* The OTP parameters of c->e that most JSON backups spell alike, from obj:
 * algorithm (key algo_key; SHA1 when absent), "digits" (6), then for HOTP
 * "counter" (0; counter_add added) else "period" (30).  A Steam entry is
 * left as it is (totp_imp_commit sets its parameters). */
int totp_imp_otp_params(struct totp_imp *c, const struct json_t *obj, const char *algo_key,
                        uint64_t counter_add) TOTP_WUR;
/* item(c, i + 1, arr[i]) for every element of the JSON array arr, stopping
 * at the first error; more than TOTP_IMPORT_MAX_ENTRIES elements is a
 * whole-file TOTP_E_TOOBIG.  The caller checks that arr is an array. */
int totp_imp_each(struct totp_imp *c, const struct json_t *arr,
                  int (*item)(struct totp_imp *c, size_t index, const struct json_t *obj)) TOTP_WUR;

/* Parse one otpauth:// or steam:// URI into c->e (labels included). */
int totp_imp_uri(struct totp_imp *c, const char *uri, size_t len) TOTP_WUR;

/* Decrypt with AES-256-GCM, reporting an unusable backend as a whole-file
 * failure.  TOTP_E_AUTH is returned without a record. */
int totp_imp_aesgcm(struct totp_imp *c, uint8_t *out, const uint8_t *ct, size_t ctlen,
                    const uint8_t *tag, const uint8_t *nonce, const uint8_t *key) TOTP_WUR;

/* ---- Readers --------------------------------------------------------- */

int totp_imp_aegis(struct totp_imp *c, const struct json_t *root) TOTP_WUR;
int totp_imp_andotp_json(struct totp_imp *c, const struct json_t *root) TOTP_WUR;
/* fmt: TOTP_IMPORT_ANDOTP_ENCRYPTED (falls back to the old layout when the
 * new one does not authenticate and `fallback` is set) or _OLD. */
int totp_imp_andotp_enc(struct totp_imp *c, const uint8_t *buf, size_t len,
                        enum totp_import_format fmt, int fallback) TOTP_WUR;
int totp_imp_2fas(struct totp_imp *c, const struct json_t *root) TOTP_WUR;
int totp_imp_freeotp(struct totp_imp *c, const struct json_t *root) TOTP_WUR;
int totp_imp_bitwarden_json(struct totp_imp *c, const struct json_t *root) TOTP_WUR;
int totp_imp_bitwarden_csv(struct totp_imp *c, const uint8_t *buf, size_t len) TOTP_WUR;
int totp_imp_ente_enc(struct totp_imp *c, const struct json_t *root) TOTP_WUR;
int totp_imp_steam(struct totp_imp *c, const struct json_t *root) TOTP_WUR;
/* Text with one URI a line; blank lines and '#' comments skipped. */
int totp_imp_lines(struct totp_imp *c, const uint8_t *buf, size_t len) TOTP_WUR;

#endif
