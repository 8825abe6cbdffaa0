/*
 * cli.h - declarations shared by the totp program's source files.
 */
#ifndef TOTP_CLI_H
#define TOTP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <totp.h>

/* Exit statuses. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define PASS_MAX 1024 /* bytes of passphrase accepted */

/* Global state set by main's options. */
struct cli {
	const char *vault_path; /* resolved at start */
	int passphrase_fd;      /* -1: ask on the terminal */
	bool color;             /* stdout is a colour terminal and NO_COLOR unset */
	bool stdout_tty;
	bool no_prompt; /* never ask: the cached key or nothing */
	const char *prog;
};
extern struct cli cli;

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;
	const char *summary;
};
const struct command *command_find(const char *name);
void command_usage(const struct command *cmd, int to_stderr);

/* Messages: "totp: fmt" on stderr.  die_usage prints the command's usage. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const struct command *cmd, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Report a library error: "totp: what: strerror(err)" (with errno text for
 * I/O errors).  Returns EXIT_FAIL. */
int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* prompt.c: secrets from the terminal or a file descriptor, into guarded
 * memory.  A passphrase is returned in *out (guarded memory, PASS_MAX+1
 * bytes, NUL-terminated) and must be released with secret_free. */
char *secret_alloc(void);
void secret_free(char *s);
/* Read one line from fd (no echo concerns).  Returns length or a negative
 * TOTP_E_*; strips one trailing newline (and CR). */
int read_line_fd(int fd, char *buf, size_t bufsz, size_t *len);
/* Ask on /dev/tty with echo off; confirm asks twice and compares. */
int prompt_tty(const char *prompt, bool confirm, char *buf, size_t bufsz, size_t *len);
/* Ask a yes/no question on /dev/tty; false when there is no terminal. */
bool prompt_yes(const char *question);
/* The vault passphrase: from --passphrase-fd (read once per process) or
 * the terminal.  *buf must come from secret_alloc. */
int get_passphrase(char *buf, size_t *len, bool confirm);
/* Read a secret from fd (one line) or the terminal. */
int get_secret_from(int fd, const char *prompt, bool confirm, char *buf, size_t *len);

/* keycache.c: the derived key in the kernel keyring. */
int keycache_get(const char *vault_path, uint8_t key[TOTP_KEY_BYTES]);
int keycache_put(const char *vault_path, const uint8_t key[TOTP_KEY_BYTES], unsigned timeout_s);
int keycache_drop(const char *vault_path);
bool keycache_enabled(void);

/* session.c: opening the vault and finding entries. */
const char *default_vault_path(void);
/* Open the vault: the cached key first, else the passphrase. */
int vault_unlock(struct totp_vault **v, unsigned flags);
/* The same, read-only, for the accounts a pattern may match (code NAME):
 * a large vault is not held in memory whole. */
int vault_unlock_matching(struct totp_vault **v, const char *pattern);
/* Open with the passphrase only (unlock, passwd). */
int vault_unlock_passphrase(struct totp_vault **v, unsigned flags);
int vault_save_or_fail(struct totp_vault *v);

/* rollback.c: the highest generation seen of each vault, kept in
 * $XDG_STATE_HOME/totp.  After an open, a lower generation is warned about
 * on stderr (the vault still opens); after a save, the saved generation is
 * recorded.  Best effort: never fails.  rollback_describe says what is
 * recorded for doctor; false when the vault looks rolled back. */
void rollback_opened(const struct totp_vault *v);
void rollback_saved(const struct totp_vault *v);
bool rollback_describe(const struct totp_vault_info *info, char *buf, size_t bufsz);

/* Find entries matching pattern (NULL: all).  Fills idx (malloc'd) and
 * *n.  Exact "Issuer:account" or account matches win over substrings. */
int vault_match(struct totp_vault *v, const char *pattern, size_t **idx, size_t *n);
/* Exactly one match or an error message listing the candidates. */
int vault_match_one(struct totp_vault *v, const char *pattern, size_t *index);
/* Index of an entry with this exact label (case-sensitive), or -1. */
long vault_find_label(struct totp_vault *v, const struct totp_entry *e);

/* util.c */
int parse_time(const char *s, int64_t *out);
int parse_duration(const char *s, unsigned *seconds);
int parse_size(const char *s, uint64_t *bytes);
int parse_uint(const char *s, uint64_t max, uint64_t *out);
int64_t now_seconds(void);
void json_put_string(const char *s);
void format_size(char *buf, size_t bufsz, uint64_t bytes);
/* Create dir and each missing ancestor, 0700 (mkdir -p); -1 and errno. */
int make_dirs(char *dir);
/* The label "Issuer:account" of e in a static-sized buffer. */
const char *entry_label(const struct totp_entry *e, char buf[2 * TOTP_LABEL_MAX]);
/* The same for entry i of v, without decoding the entry. */
const char *vault_label(const struct totp_vault *v, size_t i, char buf[2 * TOTP_LABEL_MAX]);

/* Warn (stderr) about unusual but valid entries: digits, short secrets. */
void entry_warnings(const struct totp_entry *e);

/* clipboard.c: copy a code; cleared after valid_for seconds (at most
 * CLIP_CLEAR_MAX) if unchanged.  On failure, why says what is missing. */
#define CLIP_CLEAR_MAX 45
int clipboard_copy(const char *code, unsigned valid_for, char *why, size_t whysz);

/* clock.c */
bool clock_synchronised(void);
void clock_warn(void); /* on stderr, when the kernel says unsynchronised */

/* import_read.c: reading the inputs of 'totp import', before the vault. */
struct import_src {
	const char *path;      /* as given; "-" is standard input */
	char name[200];        /* for messages */
	char format[40];       /* what it held: "aegis", "QR image", ... */
	bool lines;            /* its items are numbered by line */
	char note[160];        /* for the dry run: the encrypted backups it holds */
	struct totp_import im; /* its accounts and rejected items */
};
struct import_opts {
	enum totp_import_format format; /* --format, or TOTP_IMPORT_AUTO */
	int pass_fd;                    /* --file-passphrase-fd, or -1 */
};
/* Read every source into src[i].im; the problems of QR payloads decoded
 * together (e.g. a missing part of an export) go to *qr, those of
 * encrypted backups (import_backup.c) to *bk.  An error is reported
 * before it is returned. */
int import_gather(struct import_src *src, size_t nsrc, const struct import_opts *o,
                  struct totp_import *qr, struct totp_import *bk);

/* Commands. */
int cmd_init(int argc, char **argv);
int cmd_passwd(int argc, char **argv);
int cmd_unlock(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_code(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

#endif
