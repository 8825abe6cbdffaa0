/*
 * export.h - declarations shared by the export command's files: staged
 * output files, read-back checks, and the formats.
 */
#ifndef TOTP_EXPORT_H
#define TOTP_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <totp.h>

/*
 * Output files staged in one directory: each is written to a temporary
 * file there (".totp-export-XXXXXX", 0600), synced, read back for checking,
 * and renamed to its final name only when every file of the export has
 * been written and checked.  Nothing else is left behind on failure.
 */
struct stage_file {
	char *name; /* final name inside the directory */
	char tmp[40];
	bool staged;
};

struct stage {
	const char *dir; /* as given, for messages */
	char *dir_owned; /* stage_open_file's copy of the directory part */
	int dirfd;
	bool force;
	bool created; /* stage_open made the directory: removed if left empty */
	bool committed;
	struct stage_file *files;
	size_t count, cap;
	uint8_t *back; /* read-back buffer, guarded, reused */
	size_t back_cap;
};

/* Open (creating it 0700 when `create` and missing) the directory. */
int stage_open(struct stage *s, const char *dir, bool create, bool force);
/* Add a file name (copied) to be written later; returns its index in *i. */
int stage_add_name(struct stage *s, const char *name, size_t *i);
/* Check every name: an existing file is an error unless force (a
 * directory always is).  Messages name up to a few of them. */
int stage_check_names(struct stage *s);
/* Write file i under a temporary name and read it back: *back (valid
 * until the next write) holds the bytes read, equal to data, and a NUL.
 * The file is synced here, or by stage_commit when there are many. */
int stage_write(struct stage *s, size_t i, const void *data, size_t len, const uint8_t **back);
/* Stage a single file PATH: its directory must exist. */
int stage_open_file(struct stage *s, const char *path, bool force, size_t *i);
/* Sync the files if not done yet, rename every staged file into place and
 * sync the directory. */
int stage_commit(struct stage *s);
/* Remove temporary files left, close, free.  Safe after commit. */
void stage_close(struct stage *s);

/* A growable text in guarded memory (grown by copying; the old copy is
 * wiped).  err is set once an allocation fails; later appends do nothing. */
struct gbuf {
	char *p;
	size_t len, cap;
	int err;
};
void gb_init(struct gbuf *b);
void gb_put(struct gbuf *b, const char *s, size_t n);
void gb_puts(struct gbuf *b, const char *s);
void gb_printf(struct gbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Label text made safe for a line of index.txt or MANIFEST.txt: control
 * characters as \n, \t or \xHH, backslash doubled. */
void gb_put_line_safe(struct gbuf *b, const char *s);
void gb_free(struct gbuf *b);

/* The selection being exported. */
struct export_ctx {
	const struct totp_entry **entries;
	size_t count;
	const char *output; /* -o, NULL when absent */
	bool force;
	/* Encrypted formats: the backup passphrase (guarded memory) and the
	 * Argon2id cost of its key. */
	const char *pass;
	size_t passlen;
	struct totp_kdf kdf;
};

/* "2026-11-23 12:08 UTC", or "unknown date". */
void utc_now(char *buf, size_t bufsz);

/* 1 when a and b describe the same account: labels, type, algorithm,
 * digits, secret, and the period (TOTP, Steam) or counter (HOTP). */
bool same_account(const struct totp_entry *a, const struct totp_entry *b);

/* The otpauth URI of e in guarded memory (TOTP_URI_MAX bytes); release
 * with uri_free. */
int uri_new(char **uri, const struct totp_entry *e);
void uri_free(char *uri);

/* Scan img (freed after) for exactly one QR code, appended to list.  img
 * is a clean drawing whose modules are at least module_px pixels across:
 * one pass over every (module_px / 2)-th line. */
int scan_one_code(struct totp_qr_list *list, struct totp_image *img, const char *source,
                  unsigned module_px);
/* Decode one QR payload from a PNG drawn with modules of at least
 * module_px pixels (our decoder and zbar, one pass) and append it to list.
 * Exactly one code must be found. */
int verify_png_payload(struct totp_qr_list *list, const uint8_t *png, size_t len,
                       const char *source, unsigned module_px);

/* Encode text as a PNG QR code, stage it as file fi of s, and decode the
 * file read back into list (exactly one code). */
int write_qr_png(struct stage *s, size_t fi, const char *text, struct totp_qr_list *list);
/* Stage a text file; stage_write checks the bytes read back. */
int write_text(struct stage *s, size_t fi, struct gbuf *text);
/* Draw one <svg> element of totp_qr_svg's shape (the text from after
 * "<svg" to before "</svg>") and decode it into list (exactly one code). */
int svg_scan(struct totp_qr_list *list, const char *svg, size_t len, const char *source);

/* A file name for e's QR code ("Issuer_account.png"): ASCII letters,
 * digits and ".-_@+" only, never starting with a dot or dash, unique
 * (ignoring case) among the names already in s. */
int png_name_for(struct stage *s, const struct totp_entry *e, size_t *i);

/* The formats; each reports on stderr and returns an exit status. */
int export_png(const struct export_ctx *x);
int export_migration(const struct export_ctx *x);
int export_html(const struct export_ctx *x);
/* Encrypted backup codes (totp-backup(5)): part-K-of-N.png files with a
 * README.txt, or a printable sheet of the codes. */
int export_encrypted_qr(const struct export_ctx *x);
int export_encrypted_html(const struct export_ctx *x);

/* export_encrypted.c: the options of the encrypted formats. */
struct command;
struct backup_opts {
	int pass_fd;     /* --backup-passphrase-fd, or -1: the terminal */
	const char *mem; /* --kdf-memory, or NULL */
	const char *ops; /* --kdf-ops, or NULL */
};
/* Check --kdf-memory/--kdf-ops (a usage error is reported and EXIT_USAGE
 * returned), before anything else is done. */
int backup_opts_check(const struct command *cmd, const struct backup_opts *o);
/* Read the backup passphrase (guarded memory from secret_alloc, kept in
 * x->pass) and choose the KDF cost (the options, else calibration).
 * Returns TOTP_OK or an error already reported. */
int backup_secret_get(struct export_ctx *x, const struct backup_opts *o);

#endif
