/*
 * vault_internal.h - pieces shared by the vault (vault.c), its file
 * handling (vault_file.c) and key derivation (kdf.c).  Private to libtotp.
 */
#ifndef TOTP_VAULT_INTERNAL_H
#define TOTP_VAULT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "secmem.h"

/* File layout, version 1 (all integers big-endian); see totp-vault(5). */
#define VAULT_MAGIC "\x89TOTP\r\n\n"
#define VAULT_MAGIC_LEN 8
#define VAULT_VERSION 1
#define VAULT_KDF_ARGON2ID13 1
#define VAULT_SALT_BYTES 16
#define VAULT_NONCE_BYTES 24
#define VAULT_TAG_BYTES 16
#define VAULT_HEADER_BYTES 72
#define VAULT_NONCE_OFF (VAULT_HEADER_BYTES - VAULT_NONCE_BYTES)
#define VAULT_FILE_MIN (VAULT_HEADER_BYTES + VAULT_TAG_BYTES)
#define VAULT_FILE_MAX ((uint64_t)256 << 20)

/* Plaintext: an entry count, then each record after its length. */
#define VAULT_COUNT_HEAD 4
#define VAULT_RECORD_HEAD 4

/* Entries one vault may hold, and the plaintext padding granule. */
#define VAULT_ENTRIES_MAX 1000000u
#define VAULT_PAD 256u

/* How long a writer waits for the lock; TOTP_LOCK_TIMEOUT_MS overrides. */
#define VAULT_LOCK_TIMEOUT_MS 10000L

/* The vault's directory, file name and lock. */
struct totp_vfile {
	int dirfd;  /* parent directory (O_DIRECTORY|O_NOFOLLOW), or -1 */
	int lockfd; /* NAME.lock holding an exclusive flock, or -1 */
	char *name; /* last path component */
};

/*
 * One account.  An entry read from the file is decoded only when it is
 * first asked for (vault_slot_load): until then its record in the
 * plaintext, with its labels found in place, stands for it, so opening a
 * large vault to use one account decodes one account.
 */
struct vault_slot {
	struct totp_entry *e; /* the decoded entry, or NULL */
	/* While e is NULL (offsets fit: a file is under 4 GiB): */
	uint32_t rec, reclen;            /* its record's fields in plain */
	uint32_t issuer, account;        /* its labels in plain (not NUL-terminated) */
	uint8_t issuer_len, account_len; /* under TOTP_LABEL_MAX */
	int check;                       /* totp_entry_check of the record */
};
_Static_assert(TOTP_LABEL_MAX - 1 <= UINT8_MAX, "label lengths fit a byte");
_Static_assert(VAULT_FILE_MAX <= UINT32_MAX, "slot offsets are 32-bit");

struct totp_vault {
	struct totp_vault_info info; /* header of the file, or of the next save after a rekey */
	struct totp_vfile file;
	int writable;      /* opened with TOTP_VAULT_WRITE (lock held) */
	int partial;       /* holds only some entries (vault_where.c): read-only */
	size_t *pos, npos; /* when partial, each entry's position in the file */
	uint8_t *key;      /* TOTP_KEY_BYTES in keymem */
	struct secmem keymem;
	struct vault_slot *slots; /* count in use of cap */
	size_t count, cap;
	struct secmem plain;  /* the file after its header, decrypted in place */
	size_t plainlen;      /* bytes of plaintext in it (before the tag) */
	struct secmem index;  /* room to decode each entry read from the file */
	struct secmem *added; /* entries added since: a chain of stores */
	size_t nadded;
};

/* -- vault_codec.c ------------------------------------------------------ */

#define VAULT_ENTRIES_MIN_CAP 16

/* Header bytes from the vault's info and nonce, and back; decoding checks
 * in file order and allocates or derives nothing. */
void vault_header_encode(uint8_t h[VAULT_HEADER_BYTES], const struct totp_vault_info *in,
                         const uint8_t nonce[VAULT_NONCE_BYTES]);
int vault_header_decode(struct totp_vault_info *out, uint8_t nonce[VAULT_NONCE_BYTES],
                        const uint8_t h[VAULT_HEADER_BYTES]) TOTP_WUR;

/*
 * One record's fields, found in place: the structure is checked, values
 * that totp_entry_check rejects are kept as they are (so one odd entry
 * never makes a vault unreadable).  Unknown tags are skipped.  Labels are
 * under TOTP_LABEL_MAX bytes and the secret at most TOTP_SECRET_MAX bytes;
 * vault_record_judge refuses a NUL inside a label.
 */
struct vault_record {
	struct totp_entry_view view; /* labels and settings */
	const uint8_t *secret;
	uint64_t counter;
};
int vault_record_parse(struct vault_record *r, const uint8_t *p, size_t len) TOTP_WUR;

/* The verdict of totp_entry_check on a parsed record, or TOTP_E_CORRUPT
 * for a NUL inside a label (which no entry can hold). */
int vault_record_judge(const struct vault_record *r);

/* A record that vault_record_judge accepted into *e (every byte written). */
void vault_record_decode(struct totp_entry *e, const struct vault_record *r);

/* The entry list as padded plaintext (guarded memory in *out). */
int vault_plain_encode(const struct totp_vault *v, uint8_t **out, size_t *outlen) TOTP_WUR;

/* Index the v->plainlen bytes of plaintext in v->plain: one slot
 * per record, its labels and verdict, after checking the structure of
 * every record (TOTP_E_CORRUPT for malformed plaintext). */
int vault_plain_index(struct totp_vault *v) TOTP_WUR;

/* Decode slot s (read from the file) into guarded memory reserved at
 * open; NULL only if the record no longer decodes, which cannot happen. */
struct totp_entry *vault_slot_load(struct totp_vault *v, struct vault_slot *s);

/* Room for one more slot; TOTP_E_NOMEM or TOTP_E_TOOBIG. */
int vault_slots_grow(struct totp_vault *v) TOTP_WUR;

/* -- vault.c: for vault_where.c ------------------------------------------- */

/* A new, empty vault: no file, its key in guarded memory. */
int vault_alloc(struct totp_vault **out) TOTP_WUR;

/* Checks a file's header into the vault's info and the nonce (a
 * totp_vfile_header_fn over a struct vault_header_ctx). */
struct vault_header_ctx {
	struct totp_vault_info *info;
	uint8_t *nonce;
};
int vault_check_header(void *ctx, const uint8_t *hdr, uint64_t size) TOTP_WUR;

/* Guarded room for one more decoded entry, kept until the vault closes. */
struct totp_entry *vault_entry_store(struct totp_vault *v);

/* -- kdf.c ---------------------------------------------------------------- */

/* sodium_init(), once; TOTP_E_UNSUPPORTED if libsodium cannot start. */
int totp_sodium_ready(void) TOTP_WUR;

/* TOTP_OK when the cost is inside the limits of totp.h (and libsodium's),
 * TOTP_E_KDF otherwise.  Nothing is allocated. */
int totp_kdf_check(const struct totp_kdf *kdf) TOTP_WUR;

/* Argon2id v1.3 of the exact passphrase bytes into key. */
int totp_kdf_derive(uint8_t key[TOTP_KEY_BYTES], const char *pass, size_t passlen,
                    const uint8_t salt[VAULT_SALT_BYTES], const struct totp_kdf *kdf) TOTP_WUR;

/* -- vault_file.c ----------------------------------------------------------- */

void totp_vfile_init(struct totp_vfile *f);

/* Open the parent directory of path; with mkdir_parent, create it (0700)
 * when it is missing, but never more than that one component. */
int totp_vfile_open_dir(struct totp_vfile *f, const char *path, int mkdir_parent) TOTP_WUR;

/* Release the lock and close everything; f is re-initialised. */
void totp_vfile_close(struct totp_vfile *f);

/* 1 when something (of any type) is at NAME, 0 when nothing, or an error. */
int totp_vfile_exists(const struct totp_vfile *f) TOTP_WUR;

/* Take the exclusive lock on NAME.lock, waiting a bounded time. */
int totp_vfile_lock(struct totp_vfile *f) TOTP_WUR;

/* Remove temporary files left by interrupted saves (lock must be held). */
void totp_vfile_clean_temps(const struct totp_vfile *f);

/* Checks a header before anything else is read or allocated. */
typedef int (*totp_vfile_header_fn)(void *ctx, const uint8_t *hdr, uint64_t file_size);

/*
 * Read NAME after the safety checks (a regular file, not a symbolic link,
 * owned by the user, VAULT_FILE_MIN..VAULT_FILE_MAX bytes): the header goes
 * to hdr and check(); when that passes and body is not NULL, the rest of
 * the file (exactly to its end) goes to guarded memory reserved in *body,
 * where it can be decrypted in place.
 */
int totp_vfile_read(const struct totp_vfile *f, uint8_t hdr[VAULT_HEADER_BYTES],
                    totp_vfile_header_fn check, void *ctx, struct secmem *body) TOTP_WUR;

/* Reads len bytes at off, all of them (TOTP_E_IO if the file is shorter). */
int totp_vfile_pread(int fd, uint8_t *buf, size_t len, uint64_t off) TOTP_WUR;

/* Reads the len bytes of the file after its header, from fd. */
typedef int (*totp_vfile_body_fn)(void *ctx, int fd, uint64_t len);

/* Like totp_vfile_read, but the rest of the file is read by body(). */
int totp_vfile_read_with(const struct totp_vfile *f, uint8_t hdr[VAULT_HEADER_BYTES],
                         totp_vfile_header_fn check, void *ctx, totp_vfile_body_fn body,
                         void *body_ctx) TOTP_WUR;

/* Checks the bytes read back from the temporary file before they replace
 * the vault. */
typedef int (*totp_vfile_verify_fn)(void *ctx, const uint8_t *data, size_t len);

/*
 * Replace NAME with data, durably: temporary file, fsync, read-back
 * (byte comparison and verify()), backup of the old file as NAME.bak,
 * rename, directory fsync.  With noreplace, an existing NAME is
 * TOTP_E_EXISTS.  *renamed tells whether NAME now holds data (an error can
 * follow the rename only when the directory fsync fails).  On TOTP_E_IO,
 * errno tells why.
 */
int totp_vfile_replace(const struct totp_vfile *f, const uint8_t *data, size_t len,
                       totp_vfile_verify_fn verify, void *ctx, int noreplace,
                       int *renamed) TOTP_WUR;

#endif
