/*
 * import.h - declarations shared by the reading half of 'totp import':
 * import_read.c (the inputs), import_pass.c (whole-file reads and
 * passwords), import_qr.c (QR payloads) and import_backup.c (encrypted
 * backup codes).
 */
#ifndef TOTP_IMPORT_H
#define TOTP_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define VAULT_MAGIC "\x89TOTP\r\n\n"
#define VAULT_MAGIC_LEN 8
/* The largest input read: an image may be larger than a backup. */
#define READ_MAX                                                                                   \
	(TOTP_IMAGE_FILE_MAX > TOTP_IMPORT_MAX_BYTES ? TOTP_IMAGE_FILE_MAX : TOTP_IMPORT_MAX_BYTES)

/* The inputs being read and the QR payloads gathered from them. */
struct gather {
	struct import_src *src;
	size_t nsrc;
	const struct import_opts *o;
	struct totp_qr_list list; /* QR payloads of every source */
	size_t *payload_src;      /* source of each payload */
	size_t payload_cap;
};

/* Read a whole file (or stdin for "-") into guarded memory (*buf, *len;
 * wipe and totp_secure_free it).  A regular file that starts with the
 * vault magic is not read: *is_vault is set. */
int import_slurp(const char *path, uint8_t **buf, size_t *len, bool *is_vault);

/* Asking for the password of one encrypted input. */
struct ask {
	const struct import_opts *o;
	const char *name; /* the input, for messages */
	const char *prompt;
	bool from_tty;           /* the answer came from the terminal (worth asking again) */
	bool reported;           /* a message was printed already */
	bool named_encrypted;    /* name says it is encrypted ("encrypted backup ...") */
	const char *secret_word; /* "password" or "passphrase", for messages */
};

/* A password for one input, into buf (at least PASS_MAX + 1 bytes): the
 * line of --file-passphrase-fd (read once, then used for every input),
 * else the terminal.  Without either, a message and TOTP_E_PASSWORD. */
int import_ask(struct ask *a, char *buf, size_t bufsz, size_t *len);

/* The password callback of totp_import_read; ctx is a struct ask. */
int import_password_cb(void *ctx, char *buf, size_t bufsz, size_t *len);

/* import_qr.c: decode g->list (the payloads of every source): accounts to
 * the source each came from, problems of payloads decoded together to *qr,
 * those of encrypted backups to *bk.  An error is reported. */
int import_decode(struct gather *g, struct totp_import *qr, struct totp_import *bk);

/* import_backup.c: restore the encrypted backups among list's payloads
 * (psrc[i]: the source of payload i), each backup's accounts to the
 * source of its first payload, with a note for the dry run; their
 * problems go to *bk.  An error is reported before it is returned. */
int import_backups(struct gather *g, const struct totp_qr_list *list, const size_t *psrc,
                   struct totp_import *bk);

#endif
