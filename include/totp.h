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

/* Guarded memory for secrets: guard pages, locked against swap where the
 * limits allow, excluded from core dumps, wiped on free (libsodium's
 * sodium_malloc).  totp_secure_free accepts NULL. */
void *totp_secure_alloc(size_t n);
void totp_secure_free(void *p);
/* Wipe memory in a way the compiler cannot optimise away. */
void totp_wipe(void *p, size_t n);
/* Compare n bytes in constant time: 1 when equal. */
int totp_memeq(const void *a, const void *b, size_t n);

/* The library's version string (may differ from TOTP_VERSION when a
 * program runs against a newer shared library). */
const char *totp_version(void);

/* -- Library information ------------------------------------------------- */

/* One library libtotp uses. */
struct totp_library {
	const char *name;   /* "libsodium", "libqrencode", "libpng", "jansson",
	                     * "zbar", "libjpeg" */
	const char *soname; /* the file opened with dlopen() on first use, or
	                     * NULL for a library linked at build time */
	unsigned flags;     /* TOTP_LIBRARY_* */
	char version[32];   /* e.g. "1.0.18"; "" when unknown (a library loaded
	                     * on demand that is not loaded yet) */
};
#define TOTP_LIBRARY_ON_DEMAND 0x01 /* opened with dlopen() by the code that needs it */
#define TOTP_LIBRARY_LOADED 0x02    /* in this process now */
#define TOTP_LIBRARY_BUILT                                                                         \
	0x04 /* version is the one built against: the                                              \
	      * library cannot report its own */

/* The libraries libtotp uses, for i = 0, 1, ...: fills *out and returns
 * TOTP_OK, or TOTP_E_INVAL past the last.  Versions are the ones running,
 * asked of each library.  Never loads a library: one loaded on demand
 * reports its version only once some call has loaded it (zbar after a
 * scan; libjpeg's soname carries no version and shows the one built
 * against). */
int totp_library_info(size_t i, struct totp_library *out) TOTP_WUR;

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
	TOTP_E_BACKUP = -42,        /* malformed encrypted backup code */
	/* Append new codes here, then move TOTP_E_LAST_ and extend error.c. */
	TOTP_E_LAST_ = -42
};

/* A static, non-NULL English description of an error code. */
const char *totp_strerror(int err);

/* ---------------------------------------------------------------------- */
/* Entries                                                                */
/* ---------------------------------------------------------------------- */

enum totp_type { TOTP_TYPE_TOTP = 0, TOTP_TYPE_HOTP = 1, TOTP_TYPE_STEAM = 2 };
enum totp_algo { TOTP_ALGO_SHA1 = 0, TOTP_ALGO_SHA256 = 1, TOTP_ALGO_SHA512 = 2 };

#define TOTP_SECRET_MAX 128 /* bytes of raw secret */
#define TOTP_LABEL_MAX 256  /* bytes of issuer or account, with the NUL */
#define TOTP_CODE_MAX 16    /* a buffer that holds any code with its NUL */
#define TOTP_URI_MAX 4096   /* a buffer that holds any formatted URI */
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
	char issuer[TOTP_LABEL_MAX];  /* UTF-8, may be empty */
	char account[TOTP_LABEL_MAX]; /* UTF-8, never empty in a valid entry */
	uint8_t secret[TOTP_SECRET_MAX];
	size_t secret_len;
	enum totp_type type;
	enum totp_algo algo;
	unsigned digits;  /* 4..10; 5 for Steam */
	unsigned period;  /* seconds, 1..3600 (TOTP and Steam) */
	uint64_t counter; /* HOTP: the counter the next code uses */
};

/* Fill *e with defaults: TOTP, SHA1, 6 digits, 30 s, counter 0, empty
 * labels and secret. */
void totp_entry_init(struct totp_entry *e);

/* Allocate an entry in guarded memory (libsodium), initialised as above.
 * NULL when out of memory.  totp_entry_free wipes and accepts NULL. */
struct totp_entry *totp_entry_new(void);
void totp_entry_free(struct totp_entry *e);

/* Wipe an entry in place (secret and labels), e.g. one on the stack; it
 * is left as totp_entry_init leaves it. */
void totp_entry_wipe(struct totp_entry *e);

/* Check that an entry is complete and in range: labels valid UTF-8 and
 * NUL-terminated, account non-empty, secret 1..TOTP_SECRET_MAX bytes,
 * digits TOTP_DIGITS_MIN..MAX (5 for Steam), period 1..TOTP_PERIOD_MAX. */
int totp_entry_check(const struct totp_entry *e) TOTP_WUR;

/* Set issuer/account from a label "Issuer:account" or "account": split on
 * the first colon, white space around it and around the whole label
 * trimmed.  An empty issuer part leaves the issuer unchanged.  Nothing
 * changes on error (TOTP_E_LABEL: empty account or a part of
 * TOTP_LABEL_MAX bytes or more; TOTP_E_UTF8). */
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
	uint64_t len; /* bytes processed */
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
	size_t len; /* digest bytes: 20, 32 or 64 */
	_Alignas(16) unsigned char state[448];
};
int totp_hmac_init(struct totp_hmac *h, enum totp_algo algo, const uint8_t *key,
                   size_t keylen) TOTP_WUR;
/* out must hold h->len bytes. */
void totp_hmac_mac(const struct totp_hmac *h, uint8_t *out, const uint8_t *msg, size_t msglen);
void totp_hmac_wipe(struct totp_hmac *h);

/* ---------------------------------------------------------------------- */
/* HOTP, TOTP, Steam                                                      */
/* ---------------------------------------------------------------------- */

/* RFC 4226 dynamic truncation of HMAC(K, counter): a 31-bit value. */
uint32_t totp_hotp_value(const struct totp_hmac *h, uint64_t counter);

/* Render a truncated value: `digits` decimal digits, zero-padded, or for
 * TOTP_TYPE_STEAM five characters of Steam's alphabet (digits ignored). */
int totp_code_format(char *out, size_t outsz, uint32_t value, unsigned digits, enum totp_type type);

/* The RFC 6238 time step floor((t - t0) / period); negative t - t0 floors
 * toward minus infinity.  Exact for all t, t0; a step beyond int64_t
 * saturates.  period 0 gives 0 (as does totp_time_remaining). */
int64_t totp_time_step(int64_t t, int64_t t0, unsigned period);

/* Seconds until the step containing t ends: period - ((t - t0) mod period). */
unsigned totp_time_remaining(int64_t t, int64_t t0, unsigned period);

/* The code of e at HOTP counter `counter` (any type; Steam renders in its
 * alphabet). */
int totp_hotp(char *out, size_t outsz, const struct totp_entry *e, uint64_t counter) TOTP_WUR;

/* The time-based code of e at time t with epoch t0 (RFC 6238 T0).
 * TOTP_E_TIME when t < t0 (a negative step has no counter). */
int totp_totp(char *out, size_t outsz, const struct totp_entry *e, int64_t t, int64_t t0) TOTP_WUR;

/* The current code of e: TOTP/Steam at time `now` (T0 = 0), HOTP at
 * e->counter (the caller advances and saves the counter). */
int totp_code(char *out, size_t outsz, const struct totp_entry *e, int64_t now) TOTP_WUR;

/* The widest windows totp_verify accepts (wider is TOTP_E_INVAL). */
#define TOTP_WINDOW_MAX_TOTP 1000000ULL   /* steps either side */
#define TOTP_WINDOW_MAX_HOTP 100000000ULL /* counters ahead */

/*
 * Verify `code` against e.  TOTP/Steam: every step from -window to +window
 * around `now` is computed and compared in constant time, without an early
 * exit; on a match *offset is the step offset (0 = current; of two matches
 * the one nearer now).  HOTP: the counters e->counter .. e->counter + window
 * (never past UINT64_MAX) are searched; *offset is the first matching
 * counter minus e->counter (the caller stores counter+offset+1).  offset may
 * be NULL.  A code of the wrong length or with other characters is a
 * mismatch.  Returns TOTP_OK on a match, TOTP_E_MISMATCH otherwise.
 */
int totp_verify(int64_t *offset, const struct totp_entry *e, const char *code, int64_t now,
                uint64_t window) TOTP_WUR;

/* ---------------------------------------------------------------------- */
/* Base32 (RFC 4648 section 6)                                            */
/* ---------------------------------------------------------------------- */

/* Bytes needed to encode n bytes unpadded, with the NUL. */
size_t totp_base32_encoded_size(size_t n);

/* Canonical encoding: upper case, no padding, NUL-terminated. */
int totp_base32_encode(char *out, size_t outsz, const uint8_t *in, size_t inlen) TOTP_WUR;

/*
 * Lenient decoding, as authenticator apps accept secrets: ASCII white
 * space and '-' are ignored, trailing '=' are optional, case is folded.
 * Anything else outside the alphabet (including '=' before the end) is
 * TOTP_E_BASE32, a length that cannot come from whole bytes is
 * TOTP_E_BASE32_LENGTH and nothing left is TOTP_E_SECRET_EMPTY.
 */
int totp_base32_decode(uint8_t *out, size_t outsz, size_t *outlen, const char *in,
                       size_t inlen) TOTP_WUR;

/* ---------------------------------------------------------------------- */
/* otpauth:// key URIs                                                    */
/* ---------------------------------------------------------------------- */

/* Warnings a parse may raise (the entry is still usable). */
#define TOTP_W_ISSUER_MISMATCH 0x01 /* label prefix differs from issuer= */
#define TOTP_W_SHORT_SECRET 0x02    /* secret shorter than 128 bits */
#define TOTP_W_DIGITS 0x04          /* digits outside 6..8 */

/*
 * Parse an otpauth:// URI (totp, hotp, steam; encoder=steam; issuer Steam
 * without digits or with digits=5) or a steam://SECRET URI into *e.
 * steam:// carries no label: issuer and account become "Steam".
 * `warnings` may be NULL.  The URI holds a secret: callers wipe it.  On
 * error *e is wiped and left initialised, except that issuer and account
 * are kept once both were parsed and valid, to name the failing item.
 */
int totp_uri_parse(struct totp_entry *e, unsigned *warnings, const char *uri, size_t len) TOTP_WUR;

/* Format e as otpauth://TYPE/Issuer:account?secret=...&issuer=...; the
 * output holds the secret.  TOTP_URI_MAX bytes always suffice.  Parsing
 * the result gives back e, except that HOTP entries come back with period
 * 30, TOTP/Steam entries with counter 0, and a TOTP entry of issuer
 * "Steam" with 5 SHA1 digits comes back as Steam. */
int totp_uri_format(char *out, size_t outsz, const struct totp_entry *e) TOTP_WUR;

/* ---------------------------------------------------------------------- */
/* Vault                                                                  */
/* ---------------------------------------------------------------------- */

#define TOTP_KEY_BYTES 32

/* Argon2id cost, stored in the vault header. */
struct totp_kdf {
	uint32_t opslimit; /* passes, >= 1 */
	uint64_t memlimit; /* bytes, >= 8192 */
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

struct totp_vault; /* opaque: decrypted entries, key, lock */

/* Flags for open. */
#define TOTP_VAULT_WRITE 0x01 /* take the lock: the vault will be saved */

/* Create a new empty vault file at path (its directory is created 0700);
 * TOTP_E_EXISTS if one is there.  The returned vault holds the lock. */
int totp_vault_create(struct totp_vault **out, const char *path, const char *pass, size_t passlen,
                      const struct totp_kdf *kdf) TOTP_WUR;

/* Open with a passphrase, or with a key from totp_vault_key (a cached
 * unlock).  TOTP_E_AUTH for a wrong passphrase/key or a damaged file. */
int totp_vault_open(struct totp_vault **out, const char *path, const char *pass, size_t passlen,
                    unsigned flags) TOTP_WUR;
int totp_vault_open_key(struct totp_vault **out, const char *path,
                        const uint8_t key[TOTP_KEY_BYTES], unsigned flags) TOTP_WUR;

/* Wipe everything and release the lock.  Accepts NULL. */
void totp_vault_close(struct totp_vault *v);

/* The derived key, for caching an unlock. */
void totp_vault_key(const struct totp_vault *v, uint8_t key[TOTP_KEY_BYTES]);

const struct totp_vault_info *totp_vault_header(const struct totp_vault *v);

size_t totp_vault_count(const struct totp_vault *v);
/* Entry i (0-based), or NULL when out of range.  Entries are decoded from
 * the vault on first use, into guarded memory; the pointer stays valid
 * until that entry is removed or the vault is closed: adding entries or
 * removing others never moves it (removing renumbers those after). */
struct totp_entry *totp_vault_entry(struct totp_vault *v, size_t i);

/* An entry's labels by length: the bytes are NOT NUL-terminated. */
struct totp_labels {
	const char *issuer; /* issuer_len bytes, no NUL among them */
	size_t issuer_len;
	const char *account; /* account_len bytes, no NUL among them */
	size_t account_len;
};

/* Entry i's issuer and account without decoding the entry, read where
 * they lie in the decrypted vault: the cheap way to search a large vault.
 * The bytes stay valid until the entry is changed or removed or the vault
 * is closed.  TOTP_E_INVAL out of range. */
int totp_vault_labels(const struct totp_vault *v, size_t i, struct totp_labels *out) TOTP_WUR;

/* totp_entry_check's verdict on entry i, without decoding it (the vault
 * judged every entry when it was opened); TOTP_E_INVAL out of range. */
int totp_vault_check(const struct totp_vault *v, size_t i);

/* Whether totp_vault_open_key_where keeps the entry at position pos of the
 * file, given its labels and totp_entry_check's verdict: nonzero keeps it.
 * It sees entries before the file is authenticated, so it must only
 * decide: if the file then fails, the open fails and nothing is kept. */
typedef int (*totp_keep_fn)(void *ctx, size_t pos, const struct totp_labels *labels, int check);

/* Open with a key to use a few entries, such as the one `code NAME` wants:
 * the file is read once through a small buffer and authenticated and
 * checked whole, with the errors of totp_vault_open_key, but only the
 * entries keep() accepts are decoded and held, in file order.  The vault
 * is read-only: add, remove, rekey and save return TOTP_E_INVAL. */
int totp_vault_open_key_where(struct totp_vault **out, const char *path,
                              const uint8_t key[TOTP_KEY_BYTES], totp_keep_fn keep,
                              void *ctx) TOTP_WUR;

/* Entry i's position in the vault file: i itself, except in a vault opened
 * with totp_vault_open_key_where.  SIZE_MAX out of range. */
size_t totp_vault_position(const struct totp_vault *v, size_t i);

/* Append a copy of e (checked with totp_entry_check). */
int totp_vault_add(struct totp_vault *v, const struct totp_entry *e) TOTP_WUR;
int totp_vault_remove(struct totp_vault *v, size_t i) TOTP_WUR;

/* Write the vault atomically and durably (temp file, fsync, read-back,
 * backup of the previous file as PATH.bak, rename, directory fsync).  An
 * error before the rename leaves the previous file untouched; an error of
 * the final directory fsync means the new file is in place but may not
 * survive a crash (the vault's generation has then advanced).  Requires
 * TOTP_VAULT_WRITE. */
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
/*
 * Reading: image file -> grey pixels (totp_image_*) -> QR payloads
 * (totp_qr_scan, into a totp_qr_list) -> entries (totp_qr_import).  None of
 * it needs the vault, so a program decodes before it unlocks.  libjpeg and
 * zbar are loaded with dlopen() at first use; without them JPEG decoding or
 * scanning fails with TOTP_E_LIBRARY and nothing else is affected.
 * Writing: entries -> otpauth-migration URIs (totp_migration_*), any text
 * -> QR code as PNG, SVG or terminal text (totp_qr_png/svg/text).
 */

/* Image limits, checked before pixels are allocated. */
#define TOTP_IMAGE_FILE_MAX (32u << 20)   /* bytes of an encoded image */
#define TOTP_IMAGE_SIDE_MAX 16384u        /* pixels in either direction */
#define TOTP_IMAGE_PIXELS_MAX (64u << 20) /* width * height */

/* An 8-bit grey image: 0 black, 255 white, rows `width` bytes apart. */
struct totp_image {
	uint8_t *pixels;
	unsigned width, height;
};

/*
 * Decode a PNG or JPEG, told apart by their magic bytes, to grey.  PNG: any
 * colour type and bit depth, palette, interlace; transparency is composited
 * over white; ancillary chunks (gamma, colour profiles, text) are ignored.
 * JPEG: baseline or progressive, grey, YCbCr or CMYK.  Errors:
 * TOTP_E_TOOBIG (file or dimensions over the limits above), TOTP_E_IMAGE
 * (not PNG/JPEG, malformed or truncated), TOTP_E_LIBRARY (libjpeg.so.62
 * missing), TOTP_E_NOMEM.  *out is empty after an error.
 */
int totp_image_load(struct totp_image *out, const uint8_t *buf, size_t len) TOTP_WUR;

/* Read an open file descriptor to its end (at most TOTP_IMAGE_FILE_MAX
 * bytes, else TOTP_E_TOOBIG) and decode it; the descriptor stays open.
 * TOTP_E_IO for read errors. */
int totp_image_load_fd(struct totp_image *out, int fd) TOTP_WUR;

/* Open `path` (a regular file; TOTP_E_NOENT, TOTP_E_UNSAFE for a directory
 * or device) and decode it as above. */
int totp_image_load_file(struct totp_image *out, const char *path) TOTP_WUR;

/* Wipe and free the pixels; accepts an empty or zeroed image. */
void totp_image_free(struct totp_image *img);

#define TOTP_QR_CODES_MAX 64     /* QR codes taken from one image */
#define TOTP_QR_PAYLOAD_MAX 8192 /* bytes of one payload (more than any QR holds) */

/* One QR payload: raw bytes, NUL-terminated after `len` for convenience
 * (the bytes themselves may hold NULs), and a name for messages. */
struct totp_qr_payload {
	const uint8_t *data; /* guarded memory owned by the list */
	size_t len;
	char source[128]; /* e.g. "shot.png"; never part of the payload */
};

/* Payloads gathered from any number of images or texts.  Payload bytes
 * live in guarded memory and are wiped by totp_qr_list_free. */
struct totp_qr_list {
	struct totp_qr_payload *items;
	size_t count;
	size_t cap_;                   /* private */
	uint8_t *arena_;               /* private: payload bytes */
	size_t arena_len_, arena_cap_; /* private */
};

void totp_qr_list_init(struct totp_qr_list *l);
/* Wipe and free everything; the list is re-initialised.  Accepts NULL. */
void totp_qr_list_free(struct totp_qr_list *l);

/* Append a copy of one payload (e.g. a URI given as text).  A payload
 * identical to one already in the list is not added again.  `source` may
 * be NULL.  TOTP_E_TOOBIG over TOTP_QR_PAYLOAD_MAX. */
int totp_qr_list_add(struct totp_qr_list *l, const uint8_t *data, size_t len,
                     const char *source) TOTP_WUR;

/* totp_qr_scan options; a zeroed struct (or NULL) means the defaults. */
struct totp_qr_scan_opts {
	unsigned max_codes; /* 0: TOTP_QR_CODES_MAX */
	unsigned flags;     /* TOTP_QR_SCAN_* */
	unsigned line_step; /* 0: automatic; 1 to 16: the first pass scans every
	                     * line_step-th row and column (see totp_qr_scan) */
};
#define TOTP_QR_SCAN_ONE_PASS 0x01 /* one pass, no retries */

/*
 * Find every QR code in img (zbar, QR symbology only, payloads as raw
 * bytes) and append its payload to `list` under the name `source`, codes
 * in reading order.  An image of up to 1024 x 1024 pixels is first scanned
 * every second line, which finds a code filling it several times faster,
 * and then fully on a copy with the codes found blanked out, which finds
 * any code too fine for that.  With opts->line_step N, one pass over every
 * Nth row and column replaces those two: for a clean drawing whose modules
 * are at least 2N pixels across, such as a QR image just written and read
 * back, where N = 4 costs a fraction of a full scan.  When a pass finds
 * nothing, the scan is retried (unless TOTP_QR_SCAN_ONE_PASS) on the image
 * as it is, on the inverted image (light codes on dark), on a copy reduced
 * 2x by averaging (large photos, noisy codes) and that copy inverted, and
 * last on the image thresholded against its local mean (blurred or
 * unevenly lit codes) and that inverted.  The retries use img's pixels as
 * scratch: when it comes to thresholding they are left altered.  Peak
 * memory is about twice the image (zbar keeps a thresholded copy), three
 * times for a small image.  Errors: TOTP_E_NO_QR (nothing decodable),
 * TOTP_E_TOOBIG (more than max_codes codes, or one larger than
 * TOTP_QR_PAYLOAD_MAX: nothing is added), TOTP_E_INVAL (line_step over 16),
 * TOTP_E_LIBRARY (libzbar.so.0 missing), TOTP_E_NOMEM.
 */
int totp_qr_scan(struct totp_qr_list *list, struct totp_image *img, const char *source,
                 const struct totp_qr_scan_opts *opts) TOTP_WUR;

/*
 * Turn payloads into entries (appended to im; im->format becomes
 * "otpauth", "otpauth-migration" or "otpauth+migration"): otpauth:// and
 * steam:// URIs through totp_uri_parse, and Google Authenticator exports
 * (otpauth-migration://offline?data=..., FORMATS.md section 5).  Payloads
 * may come in any order and from several images.  Export parts are
 * grouped by batch_id (several exports may be mixed); a part seen twice
 * counts once; entries come out export by export (in order of first
 * appearance), each in part order, and URIs in list order among them.
 * A payload whose batch_size is 0 or 1 stands alone.  Rejected items
 * become problems in im, never quoting a secret or the payload text:
 *   - an entry (MD5, unknown enum, empty secret, bad label, a bad otpauth
 *     URI): err from the check, index = 1-based entry number over the
 *     whole call, label "Issuer:account" (the source for a URI), detail
 *     "<source>, part 2 of 3, entry 7: algorithm MD5 is not supported";
 *     these do not change the return value;
 *   - a payload that is neither kind (TOTP_E_PAYLOAD) or a malformed
 *     migration payload (TOTP_E_MIGRATION): index = payload number in the
 *     list, label = its source;
 *   - a missing part (TOTP_E_BATCH, "part 2 of 3 missing", index = part
 *     number), two different parts with the same number, or parts that
 *     disagree about the export's size; the parts present are still
 *     imported.
 * Returns TOTP_E_BATCH if any export is incomplete or inconsistent, else
 * TOTP_E_MIGRATION, else TOTP_E_PAYLOAD, else TOTP_OK; TOTP_E_NOMEM at
 * once.  A caller importing all-or-nothing checks im->nproblems too.
 */
int totp_qr_import(struct totp_import *im, const struct totp_qr_list *list) TOTP_WUR;

/* Whether e fits an otpauth-migration payload: TOTP (period 30) or HOTP,
 * SHA1/SHA256/SHA512, 6 or 8 digits, a valid entry.  TOTP_OK, or
 * TOTP_E_ENTRY (e.g. Steam), TOTP_E_PERIOD, TOTP_E_DIGITS, or the error of
 * totp_entry_check. */
int totp_migration_check(const struct totp_entry *e) TOTP_WUR;

#define TOTP_MIGRATION_PER_CODE 10 /* accounts per QR code, as Google's app */
#define TOTP_QR_CAPACITY_M 2331    /* bytes a QR code holds at ECC level M */

/* totp_migration_format options; zeroed (or NULL) means the defaults. */
struct totp_migration_opts {
	unsigned per_code;  /* accounts per payload; 0: TOTP_MIGRATION_PER_CODE */
	size_t max_len;     /* longest URI; 0: TOTP_QR_CAPACITY_M */
	int fixed_batch_id; /* use batch_id below instead of a random one */
	int32_t batch_id;
};

/* URIs in guarded memory, each NUL-terminated. */
struct totp_migration_export {
	char **uris;
	size_t count;
	size_t size_; /* private */
};

/*
 * Format entries as otpauth-migration://offline?data=... URIs: version 1,
 * one random batch_id, batch_size = count, batch_index 0..count-1, at most
 * per_code accounts and max_len bytes per URI (entries keep their order).
 * The name written is "Issuer:account" (the account alone without an
 * issuer), as Google's app does.  Every entry must pass
 * totp_migration_check (else its error; filter first).  TOTP_E_TOOBIG when
 * one entry alone exceeds max_len.  n == 0 gives count 0.
 */
int totp_migration_format(struct totp_migration_export *out, const struct totp_entry *entries,
                          size_t n, const struct totp_migration_opts *opts) TOTP_WUR;
/* Wipe and free; accepts NULL and a zeroed struct. */
void totp_migration_export_free(struct totp_migration_export *x);

enum totp_qr_ecc { TOTP_QR_ECC_M = 0, TOTP_QR_ECC_L, TOTP_QR_ECC_Q, TOTP_QR_ECC_H };

/* Rendering options; zeroed (or NULL) means the defaults. */
struct totp_qr_render_opts {
	enum totp_qr_ecc ecc; /* default M */
	unsigned module_px;   /* PNG/SVG pixels per module; 0: at least 8 and
	                       * at least 300 px in all */
	unsigned margin;      /* quiet zone in modules; 0: 4 (less is not offered) */
	unsigned flags;       /* TOTP_QR_TEXT_* for totp_qr_text */
};
/* Text rendering: the default wraps every line in explicit colours (black
 * on white, ANSI SGR 30;47;107) so the code is dark-on-light on any terminal
 * theme.  PLAIN: no escape sequences, dark modules drawn as blocks (right
 * on light backgrounds).  INVERT with PLAIN: light modules drawn as blocks
 * (right on dark backgrounds). */
#define TOTP_QR_TEXT_PLAIN 0x01
#define TOTP_QR_TEXT_INVERT 0x02

/*
 * Encode `len` bytes (8-bit mode, any bytes) as a QR code and render it.
 * Each output is allocated in guarded memory and NUL-terminated after
 * *outlen bytes; release it with totp_qr_free, which wipes it.
 * totp_qr_png: a 1-bit greyscale PNG.  totp_qr_svg: a standalone <svg>
 * element (no XML declaration, embeddable in HTML) with one white
 * background rectangle and one black path.  totp_qr_text: UTF-8 lines ending
 * in '\n', two module rows per line using the half blocks U+2580/U+2584/
 * U+2588, quiet zone included.  TOTP_E_TOOBIG when the data exceeds the
 * QR capacity at the chosen level.
 */
int totp_qr_png(uint8_t **out, size_t *outlen, const uint8_t *data, size_t len,
                const struct totp_qr_render_opts *opts) TOTP_WUR;
int totp_qr_svg(char **out, size_t *outlen, const uint8_t *data, size_t len,
                const struct totp_qr_render_opts *opts) TOTP_WUR;
int totp_qr_text(char **out, size_t *outlen, const uint8_t *data, size_t len,
                 const struct totp_qr_render_opts *opts) TOTP_WUR;
/* Wipe and free an output of the three functions above; accepts NULL. */
void totp_qr_free(void *buf);

/* -- Other apps' backups -------------------------------------------------- */
/*
 * Backups and exports of other authenticator apps (FORMATS.md sections 6
 * and 7).  The format is told from the content, never the file name.
 * Limits: input TOTP_IMPORT_MAX_BYTES, JSON nested at most 32 deep,
 * TOTP_IMPORT_MAX_ENTRIES accounts; KDF costs read from a file are bounded
 * (andOTP iterations <= 10,000,000; scrypt and Argon2id memory <=
 * TOTP_KDF_MEM_MAX) before any work.  Decrypted data and derived keys live
 * in guarded memory and are wiped.
 */
enum totp_import_format {
	TOTP_IMPORT_AUTO = 0,             /* opts: detect from the content */
	TOTP_IMPORT_AEGIS,                /* Aegis vault/export, plain JSON */
	TOTP_IMPORT_AEGIS_ENCRYPTED,      /* Aegis, scrypt + AES-256-GCM */
	TOTP_IMPORT_ANDOTP,               /* andOTP JSON array */
	TOTP_IMPORT_ANDOTP_ENCRYPTED,     /* andOTP .json.aes, PBKDF2-SHA1 + AES-GCM */
	TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD, /* andOTP, key = SHA-256(password) */
	TOTP_IMPORT_2FAS,                 /* 2FAS .2fas, schema 1-4 */
	TOTP_IMPORT_2FAS_ENCRYPTED,       /* 2FAS, PBKDF2-SHA256 + AES-GCM */
	TOTP_IMPORT_FREEOTP_PLUS,         /* FreeOTP+ JSON */
	TOTP_IMPORT_BITWARDEN_JSON,       /* Bitwarden (or its Authenticator) JSON */
	TOTP_IMPORT_BITWARDEN_CSV,        /* Bitwarden CSV (login_totp column) */
	TOTP_IMPORT_ENTE,                 /* Ente Auth plain text (URIs, codeDisplay) */
	TOTP_IMPORT_ENTE_ENCRYPTED,       /* Ente Auth, Argon2id + XChaCha20-Poly1305 */
	TOTP_IMPORT_STEAM,                /* Steam Desktop Authenticator .maFile */
	TOTP_IMPORT_OTPAUTH,              /* text: otpauth:// URIs, one a line */
	TOTP_IMPORT_FORMAT_END_           /* not a format */
};

#define TOTP_IMPORT_MAX_BYTES (16u << 20)
#define TOTP_IMPORT_MAX_ENTRIES 10000
#define TOTP_IMPORT_PASSWORD_MAX 1024 /* bytes offered to the password callback */

/* Short stable names: "aegis", "aegis-encrypted", "andotp",
 * "andotp-encrypted", "andotp-encrypted-old", "2fas", "2fas-encrypted",
 * "freeotp+", "bitwarden-json", "bitwarden-csv", "ente", "ente-encrypted",
 * "steam", "otpauth" ("auto" for TOTP_IMPORT_AUTO; NULL out of range).
 * The parser also takes "auto"; TOTP_E_IMPORT_FORMAT for anything else. */
const char *totp_import_format_name(enum totp_import_format f);
int totp_import_format_parse(enum totp_import_format *out, const char *name) TOTP_WUR;
/* 1 when reading the format needs a password. */
int totp_import_format_encrypted(enum totp_import_format f);

/* Options of totp_import_read; NULL means all defaults. */
struct totp_import_opts {
	enum totp_import_format format; /* TOTP_IMPORT_AUTO: detect */
	/*
	 * Asked at most once per read, and only when the file is encrypted:
	 * store the password's UTF-8 bytes (no NUL needed, no newline) in buf
	 * (bufsz = TOTP_IMPORT_PASSWORD_MAX bytes of guarded memory, wiped
	 * afterwards) and its length in *len, and return TOTP_OK, or a negative
	 * code (e.g. the user cancelled) that totp_import_read returns as is.
	 * A wrong password is not asked again: the read returns
	 * TOTP_E_PASSWORD and the caller may call again.  NULL: an encrypted
	 * file fails with TOTP_E_PASSWORD.
	 */
	int (*password)(void *ctx, char *buf, size_t bufsz, size_t *len);
	void *password_ctx;
};

/*
 * Name the format of buf from its content.  JSON is recognised by its keys
 * (Aegis "header"+"db"; 2FAS "schemaVersion"; FreeOTP+ "tokens"; Bitwarden
 * "items"/"encrypted"; Ente "kdfParams"+"encryptedData"; Steam
 * "shared_secret"/"accounts"; an array is andOTP), text by its first line
 * that is not blank or a '#' comment (otpauth:// or steam:// URIs; Ente when
 * a line carries codeDisplay=; a CSV header with login_totp is Bitwarden),
 * and other data (not UTF-8 text) of andOTP's minimum size as
 * andOTP-encrypted, which has no magic: unless it is mostly printable or
 * starts with a common image/archive signature, the new layout when its
 * first four bytes are a plausible PBKDF2 iteration count (1..10,000,000),
 * else the old one.  Errors:
 * TOTP_E_IMPORT_FORMAT (nothing known; *fmt = TOTP_IMPORT_AUTO),
 * TOTP_E_JSON (text that starts as JSON but does not parse, or nests too
 * deep), TOTP_E_TOOBIG, TOTP_E_NOMEM.
 */
int totp_import_detect(enum totp_import_format *fmt, const uint8_t *buf, size_t len) TOTP_WUR;

/*
 * Read a backup into out, which must be initialised and empty.  Each
 * account that cannot be imported becomes a problem (1-based index, label,
 * reason such as "type yandex is not supported"; never the secret) and the
 * others are still read: TOTP_OK means the file as a whole was read, and
 * out->nproblems says whether anything was left out.  Every app's
 * documented defaults apply to missing fields (e.g. 2FAS: TOTP, SHA1, 6
 * digits, 30 s), Steam entries are SHA1/5 digits/30 s, and an entry with no
 * account name takes its issuer as the name.  out->format is set as soon
 * as the format is known.
 * Whole-file errors return a negative code with no entries in out and,
 * usually, one problem with index 0 that explains it: TOTP_E_IMPORT_FORMAT,
 * TOTP_E_JSON (malformed or missing structure), TOTP_E_PASSWORD (wrong
 * password, no password callback, or a damaged encrypted file: AEAD cannot
 * tell them apart), TOTP_E_CORRUPT (decrypted data malformed, or data that
 * fails to authenticate after the password was proven right: Aegis content
 * once a slot opened, 2FAS services once the reference decrypted),
 * TOTP_E_VERSION (e.g. 2FAS schema newer than 4), TOTP_E_KDF (KDF cost
 * out of bounds; checked before the password is asked for),
 * TOTP_E_UNSUPPORTED (e.g. no AES-256-GCM here, encrypted Bitwarden
 * exports), TOTP_E_TOOBIG (input size, or more than TOTP_IMPORT_MAX_ENTRIES
 * accounts and rejected items), TOTP_E_NOMEM, or the callback's code.
 */
int totp_import_read(struct totp_import *out, const uint8_t *buf, size_t len,
                     const struct totp_import_opts *opts) TOTP_WUR;

/* ---------------------------------------------------------------------- */
/* Encrypted backups                                                      */
/* ---------------------------------------------------------------------- */
/*
 * Accounts encrypted under a backup passphrase, as one or more text
 * payloads of one QR code each (layout in totp-backup(5)): the prefix
 * TOTP_BACKUP_PREFIX, then in Base41 (0-9 A-Z + - . / :, all in the QR
 * alphanumeric mode) a 40-byte header -- format version, random backup id,
 * part number and count, Argon2id cost and salt, a key check value -- and
 * the part's accounts encrypted with XChaCha20-Poly1305, the header being
 * the associated data.  The key is derived once per backup (one salt for
 * all parts); every part is authenticated on its own.  Reading needs
 * neither the vault nor a terminal: a callback supplies the passphrase.
 */
#define TOTP_BACKUP_PREFIX "TOTPBACKUP1:"
/* Bytes of one part before text encoding: header, records, tag.  The
 * default's text (at most 1437 characters) fits a version 25 QR code (117
 * modules) at ECC level M in alphanumeric mode; MAX's text (2322) fits a
 * QR code at level M in any mode. */
#define TOTP_BACKUP_PART_DEFAULT 950
#define TOTP_BACKUP_PART_MIN 128
#define TOTP_BACKUP_PART_MAX 1540
#define TOTP_BACKUP_PARTS_MAX 255
#define TOTP_BACKUP_TEXT_MAX 2323 /* one payload's text with its NUL */

/* totp_backup_format options; zeroed (or NULL) means the defaults. */
struct totp_backup_opts {
	size_t part_bytes; /* 0: TOTP_BACKUP_PART_DEFAULT, else PART_MIN..PART_MAX */
};

/* The payloads of one backup. */
struct totp_backup_export {
	char **parts; /* part i + 1 of count: NUL-terminated text, guarded memory */
	size_t count;
	char id[17]; /* the backup id: 16 upper-case hex digits */
};

/*
 * Encrypt entries into count >= 1 payloads (parts 1..count) of at most
 * part_bytes bytes before encoding, entries kept in order and never split
 * across parts; n == 0 gives one part holding no account.  A new random
 * salt and backup id every call.  pass: 1..TOTP_IMPORT_PASSWORD_MAX bytes,
 * used as given; kdf within the vault's bounds (TOTP_E_KDF).  Every entry
 * must pass totp_entry_check (else its error).  TOTP_E_TOOBIG when one
 * entry does not fit a part or more than TOTP_BACKUP_PARTS_MAX parts would
 * be needed.  On error *out is empty.
 */
int totp_backup_format(struct totp_backup_export *out, const struct totp_entry *entries, size_t n,
                       const char *pass, size_t passlen, const struct totp_kdf *kdf,
                       const struct totp_backup_opts *opts) TOTP_WUR;
/* Wipe and free; accepts NULL and a zeroed struct. */
void totp_backup_export_free(struct totp_backup_export *x);

/* 1 when data looks like a backup payload: after optional white space,
 * "TOTPBACKUP", a version number and ':' (any case).  Cheap; decodes
 * nothing. */
int totp_backup_is_payload(const uint8_t *data, size_t len);

/* Copy the backup payloads of `in` to `backups` and the others to `others`
 * (either may be NULL), sources kept: backups go to totp_backup_import,
 * the rest to totp_qr_import. */
int totp_backup_split(struct totp_qr_list *backups, struct totp_qr_list *others,
                      const struct totp_qr_list *in) TOTP_WUR;

/* What the passphrase callback is told about the backup it is asked for. */
struct totp_backup_info {
	char id[17];    /* 16 upper-case hex digits */
	unsigned parts; /* parts the backup has, as its payloads say */
	unsigned found; /* distinct parts among the payloads */
	struct totp_kdf kdf;
	const char *source; /* source of its first payload, never NULL */
};

/* totp_backup_import options. */
struct totp_backup_read_opts {
	/*
	 * Asked once per backup, after its payloads were checked: store the
	 * passphrase's bytes in buf (bufsz = TOTP_IMPORT_PASSWORD_MAX bytes of
	 * guarded memory, wiped afterwards), its length in *len, and return
	 * TOTP_OK, or a negative code that totp_backup_import returns at once.
	 * NULL: every backup fails with TOTP_E_PASSWORD.
	 */
	int (*passphrase)(void *ctx, const struct totp_backup_info *info, char *buf, size_t bufsz,
	                  size_t *len);
	void *passphrase_ctx;
};

/*
 * Restore the backups among list's payloads (others are ignored) into im
 * (im->format becomes "totp-backup").  Payloads may come in any order and
 * from several images; they are grouped by backup id, and each backup is
 * handled on its own: its accounts are appended, in part order, only when
 * every part is present and authentic, else none of them.  A part given
 * twice counts once.  Problems (index, label = the payload's source, or
 * "backup ID"; never a secret):
 *   - TOTP_E_BACKUP (malformed text or sizes), TOTP_E_VERSION, TOTP_E_KDF
 *     (unknown KDF or cost beyond the vault's limits, rejected before
 *     anything is allocated or asked): index = payload number in list;
 *   - TOTP_E_PASSWORD: the passphrase does not match the backup's key check
 *     (a wrong passphrase, or damaged salt or cost), index 0;
 *   - TOTP_E_AUTH: a part that fails authentication although the
 *     passphrase is right -- the code was damaged or altered -- index = part;
 *   - TOTP_E_BATCH: "part 2 of 3 missing" (index = part number), or two
 *     different parts with the same number;
 *   - TOTP_E_CORRUPT: authentic plaintext that is malformed;
 *   - an account that fails totp_entry_check: err from the check, label
 *     "Issuer:account"; the other accounts of the backup are still added.
 * Returns the gravest problem's code in the order TOTP_E_PASSWORD,
 * TOTP_E_AUTH, TOTP_E_BATCH, TOTP_E_CORRUPT, TOTP_E_KDF, TOTP_E_VERSION,
 * TOTP_E_BACKUP, else TOTP_OK (an account-level problem alone leaves
 * TOTP_OK: check im->nproblems); TOTP_E_NOMEM or the callback's code at
 * once.
 */
int totp_backup_import(struct totp_import *im, const struct totp_qr_list *list,
                       const struct totp_backup_read_opts *opts) TOTP_WUR;

#ifdef __cplusplus
}
#endif

#endif /* TOTP_H */
