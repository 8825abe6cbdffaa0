/*
 * totp.h - the public interface of libtotp.
 *
 * libtotp implements HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard codes,
 * base32 (RFC 4648), otpauth:// key URIs and an encrypted vault.  Every
 * symbol is prefixed totp_ or TOTP_.  Functions return TOTP_OK (0) or a
 * negative enum totp_err; totp_strerror() describes a code.  The library
 * never prints, never exits and never reads a terminal.
 */
#ifndef TOTP_H
#define TOTP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define TOTP_WUR __attribute__((warn_unused_result))
#else
#define TOTP_WUR
#endif

#define TOTP_VERSION "0.1.0"

/* Initialise the library (libsodium's random generator and CPU
 * detection).  Call once before anything else; calling again is harmless.
 * Returns TOTP_OK or TOTP_E_UNSUPPORTED. */
int totp_init(void);

/* The library's version string (may differ from TOTP_VERSION when a
 * program runs against a newer shared library). */
const char *totp_version(void);

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */
/* ---------------------------------------------------------------------- */

enum totp_err {
	TOTP_OK = 0,
	TOTP_E_INVAL = -1,          /* invalid argument */
	TOTP_E_NOMEM = -2,          /* out of memory */
	TOTP_E_NOSPACE = -3,        /* output buffer too small */
	TOTP_E_BASE32 = -4,         /* invalid character in base32 secret */
	TOTP_E_BASE32_LENGTH = -5,  /* base32 secret has an impossible length */
	TOTP_E_SECRET_EMPTY = -6,   /* secret is empty */
	TOTP_E_SECRET_LONG = -7,    /* secret longer than TOTP_SECRET_MAX */
	TOTP_E_URI_SCHEME = -8,     /* not an otpauth:// URI */
	TOTP_E_URI_TYPE = -9,       /* unknown OTP type in URI */
	TOTP_E_URI_SYNTAX = -10,    /* malformed URI */
	TOTP_E_URI_SECRET = -11,    /* URI has no secret parameter */
	TOTP_E_ALGO = -12,          /* unknown or unsupported algorithm */
	TOTP_E_DIGITS = -13,        /* digits out of range */
	TOTP_E_PERIOD = -14,        /* period out of range */
	TOTP_E_COUNTER = -15,       /* counter out of range */
	TOTP_E_LABEL = -16,         /* empty, too long or invalid label */
	TOTP_E_UTF8 = -17,          /* text is not valid UTF-8 */
	TOTP_E_TIME = -18,          /* time out of range */
	TOTP_E_MISMATCH = -19,      /* code does not match */
	TOTP_E_IO = -20,            /* input/output error (see errno) */
	TOTP_E_AUTH = -21,          /* wrong passphrase or damaged vault */
	TOTP_E_FORMAT = -22,        /* not a totp vault */
	TOTP_E_VERSION = -23,       /* vault format version not supported */
	TOTP_E_KDF = -24,           /* key derivation parameters out of range */
	TOTP_E_BUSY = -25,          /* vault is locked by another process */
	TOTP_E_EXISTS = -26,        /* file already exists */
	TOTP_E_NOENT = -27,         /* file does not exist */
	TOTP_E_UNSAFE = -28,        /* unsafe file: symlink, not regular, wrong owner */
	TOTP_E_TOOBIG = -29,        /* input exceeds a size limit */
	TOTP_E_CORRUPT = -30,       /* decrypted data is malformed */
	TOTP_E_UNSUPPORTED = -31,   /* feature not supported here */
	TOTP_E_IMAGE = -32,         /* image cannot be decoded */
	TOTP_E_NO_QR = -33,         /* no QR code found in image */
	TOTP_E_PAYLOAD = -34,       /* QR code is not an authenticator payload */
	TOTP_E_MIGRATION = -35,     /* malformed otpauth-migration payload */
	TOTP_E_BATCH = -36,         /* migration export incomplete or mixed */
	TOTP_E_JSON = -37,          /* malformed JSON */
	TOTP_E_PASSWORD = -38,      /* wrong password for an encrypted backup */
	TOTP_E_IMPORT_FORMAT = -39, /* unrecognised import format */
	TOTP_E_LIBRARY = -40,       /* a shared library could not be loaded */
	TOTP_E_ENTRY = -41,         /* entry of an unsupported kind */
	/* Append new codes here, then move TOTP_E_LAST_ and extend error.c. */
	TOTP_E_LAST_ = -41
};

/* A static, non-NULL English description of an error code. */
const char *totp_strerror(int err);

/* ---------------------------------------------------------------------- */
/* Entries                                                                */
/* ---------------------------------------------------------------------- */

enum totp_type { TOTP_TYPE_TOTP = 0, TOTP_TYPE_HOTP = 1, TOTP_TYPE_STEAM = 2 };
enum totp_algo { TOTP_ALGO_SHA1 = 0, TOTP_ALGO_SHA256 = 1, TOTP_ALGO_SHA512 = 2 };

#define TOTP_SECRET_MAX 128  /* bytes of raw secret */
#define TOTP_LABEL_MAX 256   /* bytes of issuer or account, with the NUL */
#define TOTP_CODE_MAX 16     /* a buffer that holds any code with its NUL */
#define TOTP_URI_MAX 4096    /* a buffer that holds any formatted URI */
#define TOTP_DIGITS_MIN 4
#define TOTP_DIGITS_MAX 10
#define TOTP_PERIOD_MAX 3600

/*
 * One account.  Plain data with fixed-size storage, so an array of entries
 * can live in one guarded allocation and be wiped in one call.  Entries
 * that hold a secret should be allocated with totp_entry_new() (or live in
 * a vault) and never copied to ordinary heap or left on the stack unwiped.
 */
struct totp_entry {
	char issuer[TOTP_LABEL_MAX];   /* UTF-8, may be empty */
	char account[TOTP_LABEL_MAX];  /* UTF-8, never empty in a valid entry */
	uint8_t secret[TOTP_SECRET_MAX];
	size_t secret_len;
	enum totp_type type;
	enum totp_algo algo;
	unsigned digits;   /* 4..10; 5 for Steam */
	unsigned period;   /* seconds, 1..3600 (TOTP and Steam) */
	uint64_t counter;  /* HOTP: the counter the next code uses */
};

/* Fill *e with defaults: TOTP, SHA1, 6 digits, 30 s, counter 0, empty
 * labels and secret. */
void totp_entry_init(struct totp_entry *e);

/* Allocate an entry in guarded memory (libsodium), initialised as above.
 * NULL when out of memory.  totp_entry_free wipes and accepts NULL. */
struct totp_entry *totp_entry_new(void);
void totp_entry_free(struct totp_entry *e);

/* Wipe an entry in place (secret and labels), e.g. one on the stack. */
void totp_entry_wipe(struct totp_entry *e);

/* Check that an entry is complete and in range: labels valid UTF-8 and
 * NUL-terminated, account non-empty, secret 1..TOTP_SECRET_MAX bytes,
 * digits TOTP_DIGITS_MIN..MAX (5 for Steam), period 1..TOTP_PERIOD_MAX. */
int totp_entry_check(const struct totp_entry *e) TOTP_WUR;

/* Set issuer/account from a label "Issuer:account" or "account": split on
 * the first colon, spaces after it trimmed.  An empty issuer part leaves
 * the issuer unchanged. */
int totp_entry_set_label(struct totp_entry *e, const char *label) TOTP_WUR;

/* Write "Issuer:account" (or "account" when the issuer is empty). */
int totp_entry_label(char *out, size_t outsz, const struct totp_entry *e);

/* Lower-case names: "totp", "hotp", "steam"; "SHA1", "SHA256", "SHA512".
 * The parsers accept any case and "SHA-1" style spellings. */
const char *totp_type_name(enum totp_type t);
const char *totp_algo_name(enum totp_algo a);
int totp_algo_parse(enum totp_algo *out, const char *name) TOTP_WUR;
int totp_type_parse(enum totp_type *out, const char *name) TOTP_WUR;

/* ---------------------------------------------------------------------- */
/* Hashes and HMAC                                                        */
/* ---------------------------------------------------------------------- */

#define TOTP_SHA1_BYTES 20
#define TOTP_HMAC_MAX_BYTES 64

/* SHA-1 (FIPS 180-4), for the HMAC below and for PBKDF2. */
struct totp_sha1 {
	uint32_t h[5];
	uint64_t len;      /* bytes processed */
	uint8_t buf[64];
	size_t buflen;
};
void totp_sha1_init(struct totp_sha1 *c);
void totp_sha1_update(struct totp_sha1 *c, const uint8_t *data, size_t len);
void totp_sha1_final(struct totp_sha1 *c, uint8_t out[TOTP_SHA1_BYTES]);
void totp_sha1(uint8_t out[TOTP_SHA1_BYTES], const uint8_t *data, size_t len);

/*
 * A keyed HMAC: the inner and outer pads are absorbed once by
 * totp_hmac_init, so every totp_hmac_mac call costs only the message's
 * compressions.  The state holds key material: totp_hmac_wipe it.
 */
struct totp_hmac {
	enum totp_algo algo;
	size_t len;  /* digest bytes: 20, 32 or 64 */
	_Alignas(16) unsigned char state[448];
};
int totp_hmac_init(struct totp_hmac *h, enum totp_algo algo, const uint8_t *key,
		   size_t keylen) TOTP_WUR;
/* out must hold h->len bytes. */
void totp_hmac_mac(const struct totp_hmac *h, uint8_t *out, const uint8_t *msg,
		   size_t msglen);
void totp_hmac_wipe(struct totp_hmac *h);

/* ---------------------------------------------------------------------- */
/* HOTP, TOTP, Steam                                                      */
/* ---------------------------------------------------------------------- */

/* RFC 4226 dynamic truncation of HMAC(K, counter): a 31-bit value. */
uint32_t totp_hotp_value(const struct totp_hmac *h, uint64_t counter);

/* Render a truncated value: `digits` decimal digits, zero-padded, or for
 * TOTP_TYPE_STEAM five characters of Steam's alphabet. */
int totp_code_format(char *out, size_t outsz, uint32_t value, unsigned digits,
		     enum totp_type type);

/* The RFC 6238 time step floor((t - t0) / period); negative t - t0 floors
 * toward minus infinity. */
int64_t totp_time_step(int64_t t, int64_t t0, unsigned period);

/* Seconds until the step containing t ends: period - ((t - t0) mod period). */
unsigned totp_time_remaining(int64_t t, int64_t t0, unsigned period);

/* The code of e at HOTP counter `counter` (any type; Steam renders in its
 * alphabet). */
int totp_hotp(char *out, size_t outsz, const struct totp_entry *e,
	      uint64_t counter) TOTP_WUR;

/* The time-based code of e at time t with epoch t0 (RFC 6238 T0). */
int totp_totp(char *out, size_t outsz, const struct totp_entry *e, int64_t t,
	      int64_t t0) TOTP_WUR;

/* The current code of e: TOTP/Steam at time `now` (T0 = 0), HOTP at
 * e->counter (the caller advances and saves the counter). */
int totp_code(char *out, size_t outsz, const struct totp_entry *e,
	      int64_t now) TOTP_WUR;

/*
 * Verify `code` against e.  TOTP/Steam: every step from -window to +window
 * around `now` is computed and compared in constant time, without an early
 * exit; on a match *offset is the step offset (0 = current).  HOTP: the
 * counters e->counter .. e->counter + window are searched; *offset is the
 * matching counter minus e->counter (the caller stores counter+offset+1).
 * Returns TOTP_OK on a match, TOTP_E_MISMATCH otherwise.
 */
int totp_verify(int64_t *offset, const struct totp_entry *e, const char *code,
		int64_t now, uint64_t window) TOTP_WUR;

/* ---------------------------------------------------------------------- */
/* Base32 (RFC 4648 section 6)                                            */
/* ---------------------------------------------------------------------- */

/* Bytes needed to encode n bytes unpadded, with the NUL. */
size_t totp_base32_encoded_size(size_t n);

/* Canonical encoding: upper case, no padding, NUL-terminated. */
int totp_base32_encode(char *out, size_t outsz, const uint8_t *in,
		       size_t inlen) TOTP_WUR;

/*
 * Lenient decoding, as authenticator apps accept secrets: ASCII white
 * space and '-' are ignored, trailing '=' are optional, case is folded.
 * Anything else outside the alphabet (including '=' before the end) is
 * TOTP_E_BASE32, a length that cannot come from whole bytes is
 * TOTP_E_BASE32_LENGTH and nothing left is TOTP_E_SECRET_EMPTY.
 */
int totp_base32_decode(uint8_t *out, size_t outsz, size_t *outlen,
		       const char *in, size_t inlen) TOTP_WUR;

/* ---------------------------------------------------------------------- */
/* otpauth:// key URIs                                                    */
/* ---------------------------------------------------------------------- */

/* Warnings a parse may raise (the entry is still usable). */
#define TOTP_W_ISSUER_MISMATCH 0x01  /* label prefix differs from issuer= */
#define TOTP_W_SHORT_SECRET 0x02     /* secret shorter than 128 bits */
#define TOTP_W_DIGITS 0x04           /* digits outside 6..8 */

/*
 * Parse an otpauth:// URI (totp, hotp, steam; encoder=steam; issuer Steam
 * without digits or with digits=5) or a steam://SECRET URI into *e.
 * `warnings` may be NULL.  The URI holds a secret: callers wipe it.
 */
int totp_uri_parse(struct totp_entry *e, unsigned *warnings, const char *uri,
		   size_t len) TOTP_WUR;

/* Format e as otpauth://TYPE/Issuer:account?secret=...&issuer=...; the
 * output holds the secret.  TOTP_URI_MAX bytes always suffice. */
int totp_uri_format(char *out, size_t outsz, const struct totp_entry *e) TOTP_WUR;

/* ---------------------------------------------------------------------- */
/* Vault                                                                  */
/* ---------------------------------------------------------------------- */

#define TOTP_KEY_BYTES 32

/* Argon2id cost, stored in the vault header. */
struct totp_kdf {
	uint32_t opslimit;  /* passes, >= 1 */
	uint64_t memlimit;  /* bytes, >= 8192 */
};

/* Limits checked before any allocation when a vault is opened. */
#define TOTP_KDF_MEM_MIN 8192ULL
#define TOTP_KDF_MEM_MAX (4ULL << 30)
#define TOTP_KDF_OPS_MAX 65536U
#define TOTP_KDF_MEM_RECOMMENDED_MIN (64ULL << 20)

/* Choose Argon2id parameters that take about `seconds` here, with memory
 * at least `min_mem`, at most half the RAM. */
int totp_kdf_calibrate(struct totp_kdf *out, double seconds, uint64_t min_mem) TOTP_WUR;

/* What a vault file says of itself, without a passphrase. */
struct totp_vault_info {
	unsigned version;
	struct totp_kdf kdf;
	uint64_t generation;
	uint8_t salt[16];
	uint64_t file_size;
};
int totp_vault_info(struct totp_vault_info *info, const char *path) TOTP_WUR;

struct totp_vault;  /* opaque: decrypted entries, key, lock */

/* Flags for open. */
#define TOTP_VAULT_WRITE 0x01  /* take the lock: the vault will be saved */

/* Create a new empty vault file at path (its directory is created 0700);
 * TOTP_E_EXISTS if one is there.  The returned vault holds the lock. */
int totp_vault_create(struct totp_vault **out, const char *path, const char *pass,
		      size_t passlen, const struct totp_kdf *kdf) TOTP_WUR;

/* Open with a passphrase, or with a key from totp_vault_key (a cached
 * unlock).  TOTP_E_AUTH for a wrong passphrase/key or a damaged file. */
int totp_vault_open(struct totp_vault **out, const char *path, const char *pass,
		    size_t passlen, unsigned flags) TOTP_WUR;
int totp_vault_open_key(struct totp_vault **out, const char *path,
			const uint8_t key[TOTP_KEY_BYTES], unsigned flags) TOTP_WUR;

/* Wipe everything and release the lock.  Accepts NULL. */
void totp_vault_close(struct totp_vault *v);

/* The derived key, for caching an unlock. */
void totp_vault_key(const struct totp_vault *v, uint8_t key[TOTP_KEY_BYTES]);

const struct totp_vault_info *totp_vault_header(const struct totp_vault *v);

size_t totp_vault_count(const struct totp_vault *v);
/* Entry i (0-based), or NULL when out of range.  The pointer is valid until
 * the next add/remove/close. */
struct totp_entry *totp_vault_entry(struct totp_vault *v, size_t i);

/* Append a copy of e (checked with totp_entry_check). */
int totp_vault_add(struct totp_vault *v, const struct totp_entry *e) TOTP_WUR;
int totp_vault_remove(struct totp_vault *v, size_t i) TOTP_WUR;

/* Write the vault atomically and durably (temp file, fsync, read-back,
 * backup of the previous file as PATH.bak, rename, directory fsync).  On any
 * error the previous file is untouched.  Requires TOTP_VAULT_WRITE. */
int totp_vault_save(struct totp_vault *v) TOTP_WUR;

/* Change passphrase and KDF cost (new salt and key); takes effect at the
 * next save. */
int totp_vault_rekey(struct totp_vault *v, const char *pass, size_t passlen,
		     const struct totp_kdf *kdf) TOTP_WUR;

/* ---------------------------------------------------------------------- */
/* Import results (shared by every reader of backups and QR payloads)     */
/* ---------------------------------------------------------------------- */

/* One item of a source that could not be imported. */
struct totp_import_problem {
	size_t index;                   /* 1-based item number (line, entry) */
	char label[2 * TOTP_LABEL_MAX]; /* "Issuer:account" when known, never a secret */
	int err;                        /* TOTP_E_* */
	char detail[160];               /* e.g. "type yandex is not supported" */
};

/*
 * What a reader found: usable entries (in one guarded allocation) and the
 * items it rejected.  All-or-nothing policy is the caller's: a caller that
 * imports nothing when nproblems > 0 never loses an account silently.
 */
struct totp_import {
	struct totp_entry *entries;
	size_t count, cap;
	struct totp_import_problem *problems;
	size_t nproblems, pcap;
	char format[32]; /* short name of the source format, e.g. "otpauth", "aegis" */
};

void totp_import_init(struct totp_import *im);
/* Wipes and frees entries and problems; the struct is re-initialised. */
void totp_import_clear(struct totp_import *im);
/* Append a copy of e (guarded storage, grown without realloc). */
int totp_import_add(struct totp_import *im, const struct totp_entry *e) TOTP_WUR;
/* Record a rejected item; label may be NULL; detail is printf-style. */
int totp_import_problem(struct totp_import *im, size_t index, const char *label, int err,
			const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));

/* -- QR codes ------------------------------------------------------------ */
/* (section owned by the QR module) */

/* -- Other apps' backups -------------------------------------------------- */
/* (section owned by the importers module) */

#ifdef __cplusplus
}
#endif

#endif /* TOTP_H */
