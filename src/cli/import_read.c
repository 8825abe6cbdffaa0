/*
 * import_read.c - the reading half of 'totp import': every input is told
 * apart by its content (QR image, otpauth URI text, another totp vault,
 * another app's backup) and turned into accounts and rejected items, all
 * before the target vault is opened.  QR payloads of every input are
 * gathered into one list and decoded together, so a Google Authenticator
 * export split over several images reassembles whatever their order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define VAULT_MAGIC "\x89TOTP\r\n\n"
#define VAULT_MAGIC_LEN 8
/* The largest input read: an image may be larger than a backup. */
#define READ_MAX                                                                                   \
	(TOTP_IMAGE_FILE_MAX > TOTP_IMPORT_MAX_BYTES ? TOTP_IMAGE_FILE_MAX : TOTP_IMPORT_MAX_BYTES)

static bool starts_ci(const uint8_t *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp((const char *)s, prefix, k) == 0;
}

/* Read a whole file (or stdin for "-") into guarded memory.  A regular
 * file that starts with the vault magic is not read: *is_vault is set. */
static int slurp(const char *path, uint8_t **buf, size_t *len, bool *is_vault)
{
	bool std = strcmp(path, "-") == 0;
	int fd = std ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = NULL, magic[VAULT_MAGIC_LEN];
	struct stat st;
	int rc = TOTP_E_IO;

	*is_vault = false;
	if (fd < 0)
		return errno == ENOENT ? TOTP_E_NOENT : TOTP_E_IO;
	if (fstat(fd, &st) != 0)
		goto out;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > READ_MAX) {
			rc = TOTP_E_TOOBIG;
			goto out;
		}
		if (!std && pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
		    memcmp(magic, VAULT_MAGIC, VAULT_MAGIC_LEN) == 0) {
			*is_vault = true;
			rc = TOTP_OK;
			goto out;
		}
		cap = (size_t)st.st_size + 1;
	}
	for (;;) {
		ssize_t r;

		if (!b && !(b = totp_secure_alloc(cap))) {
			rc = TOTP_E_NOMEM;
			goto out;
		}
		if (n == cap) {
			uint8_t *nb;

			if (cap > READ_MAX) {
				rc = TOTP_E_TOOBIG;
				goto out;
			}
			if (!(nb = totp_secure_alloc(cap * 2))) {
				rc = TOTP_E_NOMEM;
				goto out;
			}
			memcpy(nb, b, n);
			totp_wipe(b, cap);
			totp_secure_free(b);
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > READ_MAX) {
		rc = TOTP_E_TOOBIG;
		goto out;
	}
	*buf = b;
	*len = n;
	b = NULL;
	rc = TOTP_OK;
out:
	if (b) {
		totp_wipe(b, cap);
		totp_secure_free(b);
	}
	if (!std)
		close(fd);
	return rc;
}

/* ---- Passwords ---------------------------------------------------------- */

/* The line read from --file-passphrase-fd, read once and kept. */
static char *fd_pass;
static size_t fd_pass_len;

static void forget_fd_pass(void)
{
	secret_free(fd_pass);
	fd_pass = NULL;
}

struct ask {
	const struct import_opts *o;
	const char *name; /* the input, for messages */
	const char *prompt;
	bool from_tty; /* the answer came from the terminal (worth asking again) */
	bool reported; /* a message was printed already */
};

/* A password for one input: from --file-passphrase-fd, else the terminal. */
static int ask_password(struct ask *a, char *buf, size_t bufsz, size_t *len)
{
	int rc, tty;

	a->from_tty = false;
	if (a->o->pass_fd >= 0) {
		if (!fd_pass) {
			if (!(fd_pass = secret_alloc()))
				return TOTP_E_NOMEM;
			atexit(forget_fd_pass);
			rc = get_secret_from(a->o->pass_fd, NULL, false, fd_pass, &fd_pass_len);
			if (rc != TOTP_OK) {
				forget_fd_pass();
				a->reported = true;
				return rc;
			}
		}
		if (fd_pass_len > bufsz) {
			a->reported = true;
			warnx_("the password on file descriptor %d is too long", a->o->pass_fd);
			return TOTP_E_TOOBIG;
		}
		memcpy(buf, fd_pass, fd_pass_len);
		*len = fd_pass_len;
		return TOTP_OK;
	}
	a->reported = true;
	if (cli.no_prompt) {
		warnx_("%s is encrypted and --no-prompt forbids asking for its password (use "
		       "--file-passphrase-fd N)",
		       a->name);
		return TOTP_E_PASSWORD;
	}
	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty < 0) {
		warnx_("%s is encrypted: cannot ask for its password without a terminal (use "
		       "--file-passphrase-fd N)",
		       a->name);
		return TOTP_E_PASSWORD;
	}
	close(tty);
	rc = prompt_tty(a->prompt, false, buf, bufsz, len);
	a->from_tty = rc == TOTP_OK;
	a->reported = rc != TOTP_OK;
	return rc;
}

/* The callback of totp_import_read: one password in guarded memory. */
static int backup_password(void *ctx, char *buf, size_t bufsz, size_t *len)
{
	char *tmp = secret_alloc();
	size_t n = 0;
	int rc;

	if (!tmp)
		return TOTP_E_NOMEM;
	rc = ask_password(ctx, tmp, PASS_MAX + 1, &n);
	if (rc == TOTP_OK && n > bufsz)
		rc = TOTP_E_TOOBIG;
	if (rc == TOTP_OK) {
		memcpy(buf, tmp, n);
		*len = n;
	}
	secret_free(tmp);
	return rc;
}

/* ---- Sources ------------------------------------------------------------ */

struct gather {
	struct import_src *src;
	size_t nsrc;
	const struct import_opts *o;
	struct totp_qr_list list; /* QR payloads of every source */
	size_t *payload_src;      /* source of each payload */
	size_t payload_cap;
};

/* Remember which source the payloads added since `before` came from. */
static int note_payloads(struct gather *g, size_t before, size_t s)
{
	if (g->list.count > g->payload_cap) {
		size_t cap = g->list.count * 2;
		size_t *p = realloc(g->payload_src, cap * sizeof(*p));

		if (!p)
			return TOTP_E_NOMEM;
		g->payload_src = p;
		g->payload_cap = cap;
	}
	for (size_t i = before; i < g->list.count; i++)
		g->payload_src[i] = s;
	return TOTP_OK;
}

static int read_image(struct gather *g, size_t s, const uint8_t *buf, size_t len)
{
	struct import_src *src = &g->src[s];
	struct totp_image img = {NULL, 0, 0};
	size_t before = g->list.count;
	int rc;

	snprintf(src->format, sizeof(src->format), "QR image");
	rc = totp_image_load(&img, buf, len);
	if (rc == TOTP_OK) {
		rc = totp_qr_scan(&g->list, &img, src->name, NULL);
		totp_image_free(&img);
		if (rc == TOTP_E_NO_QR)
			return totp_import_problem(&src->im, 0, NULL, rc, "no QR code found");
		if (rc == TOTP_E_TOOBIG)
			return totp_import_problem(&src->im, 0, NULL, rc,
			                           "too many QR codes, or one too large");
	} else if (rc == TOTP_E_IMAGE || rc == TOTP_E_TOOBIG) {
		return totp_import_problem(&src->im, 0, NULL, rc, "cannot decode the image: %s",
		                           totp_strerror(rc));
	}
	if (rc != TOTP_OK)
		return fail(rc, "%s", src->name), rc;
	return note_payloads(g, before, s);
}

/* otpauth://, steam:// and otpauth-migration:// URIs, one a line; blank
 * lines and '#' comments ignored.  Migration payloads join the QR list. */
static int read_uri_text(struct gather *g, size_t s, const char *text, size_t len)
{
	struct import_src *src = &g->src[s];
	struct totp_entry *e = totp_entry_new();
	char label[2 * TOTP_LABEL_MAX], where[TOTP_LABEL_MAX + 32];
	size_t line = 0, pos = 0;
	int rc = TOTP_OK;

	if (!e)
		return fail(TOTP_E_NOMEM, "%s", src->name), TOTP_E_NOMEM;
	snprintf(src->format, sizeof(src->format), "otpauth");
	src->lines = true;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len && rc == TOTP_OK) {
		const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos, before;
		int err;

		pos += n + (nl != NULL);
		line++;
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
			n--;
		if (n == 0 || *p == '#')
			continue;
		if (starts_ci((const uint8_t *)p, n, "otpauth-migration:")) {
			snprintf(where, sizeof(where), "%s line %zu", src->name, line);
			before = g->list.count;
			err = totp_qr_list_add(&g->list, (const uint8_t *)p, n, where);
			if (err == TOTP_OK)
				rc = note_payloads(g, before, s);
			else if (err == TOTP_E_TOOBIG)
				rc = totp_import_problem(&src->im, line, NULL, err,
				                         "otpauth-migration URI too long");
			else
				rc = err;
			continue;
		}
		if (!starts_ci((const uint8_t *)p, n, "otpauth:") &&
		    !starts_ci((const uint8_t *)p, n, "steam:")) {
			rc = totp_import_problem(&src->im, line, NULL, TOTP_E_URI_SCHEME,
			                         "not an otpauth://, steam:// or "
			                         "otpauth-migration:// URI");
			continue;
		}
		err = totp_uri_parse(e, NULL, p, n);
		if (err == TOTP_OK)
			err = totp_entry_check(e);
		if (err == TOTP_OK)
			rc = totp_import_add(&src->im, e);
		else if (err == TOTP_E_NOMEM)
			rc = err;
		else
			rc = totp_import_problem(&src->im, line, entry_label(e, label), err, "%s",
			                         totp_strerror(err));
		totp_entry_wipe(e);
	}
	totp_entry_free(e);
	if (rc != TOTP_OK)
		fail(rc, "%s", src->name);
	return rc;
}

/* Another totp vault: opened read-only with its own passphrase. */
static int read_vault(struct gather *g, size_t s)
{
	struct import_src *src = &g->src[s];
	char prompt[TOTP_LABEL_MAX + 40];
	struct ask a = {g->o, src->name, prompt, false, false};
	struct totp_vault *v = NULL;
	char *pass = secret_alloc();
	size_t len = 0;
	int rc;

	snprintf(src->format, sizeof(src->format), "totp vault");
	if (!pass)
		return fail(TOTP_E_NOMEM, "passphrase"), TOTP_E_NOMEM;
	snprintf(prompt, sizeof(prompt), "Passphrase for vault %s: ", src->name);
	for (int attempt = 0; attempt < 3; attempt++) {
		rc = ask_password(&a, pass, PASS_MAX + 1, &len);
		if (rc != TOTP_OK)
			break;
		rc = totp_vault_open(&v, src->path, pass, len, 0);
		totp_wipe(pass, PASS_MAX + 1);
		if (rc != TOTP_E_AUTH || !a.from_tty)
			break;
		warnx_("%s: %s; try again", src->name, totp_strerror(rc));
	}
	if (rc == TOTP_OK) {
		size_t n = totp_vault_count(v);

		for (size_t i = 0; i < n && rc == TOTP_OK; i++)
			rc = totp_import_add(&src->im, totp_vault_entry(v, i));
		snprintf(src->im.format, sizeof(src->im.format), "totp vault");
	}
	if (rc != TOTP_OK && !a.reported)
		fail(rc, "%s", src->name);
	totp_vault_close(v);
	secret_free(pass);
	return rc;
}

static const char *app_name(enum totp_import_format f)
{
	switch (f) {
	case TOTP_IMPORT_AEGIS_ENCRYPTED:
		return "Aegis";
	case TOTP_IMPORT_ANDOTP_ENCRYPTED:
		return "andOTP";
	case TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD:
		return "andOTP, old format";
	case TOTP_IMPORT_2FAS_ENCRYPTED:
		return "2FAS";
	case TOTP_IMPORT_ENTE_ENCRYPTED:
		return "Ente Auth";
	default:
		return totp_import_format_name(f);
	}
}

/* Print why a whole file could not be read. */
static void whole_file_error(const struct import_src *src, int rc)
{
	const struct totp_import *im = &src->im;
	const char *why = totp_strerror(rc);

	for (size_t i = 0; i < im->nproblems; i++)
		if (im->problems[i].index == 0 && *im->problems[i].detail)
			why = im->problems[i].detail;
	if (rc == TOTP_E_IMPORT_FORMAT && why == totp_strerror(rc))
		why = "not a format totp can import (see 'import' in totp(1))";
	if (rc == TOTP_E_IO)
		fail(rc, "%s", src->name);
	else
		warnx_("%s: %s", src->name, why);
}

/* Another app's backup through libtotp's readers. */
static int read_backup(struct gather *g, size_t s, const uint8_t *buf, size_t len)
{
	struct import_src *src = &g->src[s];
	enum totp_import_format f = g->o->format;
	char prompt[TOTP_LABEL_MAX + 80];
	struct ask a = {g->o, src->name, prompt, false, false};
	struct totp_import_opts opts = {g->o->format, backup_password, &a};
	int rc = TOTP_OK;

	/* When detection fails, the read below fails too and explains why. */
	if (f == TOTP_IMPORT_AUTO && totp_import_detect(&f, buf, len) != TOTP_OK)
		f = TOTP_IMPORT_AUTO;
	snprintf(prompt, sizeof(prompt), "Password for backup %s (%s, encrypted): ", src->name,
	         app_name(f));
	for (int attempt = 0; rc == TOTP_OK && attempt < 3; attempt++) {
		totp_import_clear(&src->im);
		a.reported = false;
		rc = totp_import_read(&src->im, buf, len, &opts);
		if (rc != TOTP_E_PASSWORD || !a.from_tty)
			break;
		warnx_("%s: wrong password; try again", src->name);
		rc = TOTP_OK;
	}
	snprintf(src->format, sizeof(src->format), "%s",
	         *src->im.format ? src->im.format : totp_import_format_name(f));
	if (rc != TOTP_OK && !a.reported)
		whole_file_error(src, rc);
	return rc;
}

/* Is buf text whose first line that counts is a URI of ours? */
static bool is_uri_text(const uint8_t *buf, size_t len)
{
	size_t i = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	if (memchr(buf, '\0', len))
		return false;
	while (i < len) {
		size_t end = i;

		while (end < len && buf[end] != '\n')
			end++;
		while (i < end && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r'))
			i++;
		if (i < end && buf[i] != '#')
			return starts_ci(buf + i, end - i, "otpauth://") ||
			       starts_ci(buf + i, end - i, "steam://") ||
			       starts_ci(buf + i, end - i, "otpauth-migration://");
		i = end + 1;
	}
	return false;
}

static bool has_codedisplay(const uint8_t *buf, size_t len)
{
	static const char key[] = "codedisplay=";

	for (size_t i = 0; i + sizeof(key) - 1 <= len; i++)
		if (starts_ci(buf + i, len - i, key))
			return true;
	return false;
}

static int read_source(struct gather *g, size_t s)
{
	struct import_src *src = &g->src[s];
	enum totp_import_format f = g->o->format;
	uint8_t *buf = NULL;
	size_t len = 0;
	bool vault = false;
	int rc = slurp(src->path, &buf, &len, &vault);

	if (rc != TOTP_OK) {
		if (rc == TOTP_E_TOOBIG)
			warnx_("%s: larger than %u bytes: not an image or a backup", src->name,
			       (unsigned)READ_MAX);
		else
			fail(rc, "%s", src->name);
		return rc;
	}
	if (!vault && len >= VAULT_MAGIC_LEN && memcmp(buf, VAULT_MAGIC, VAULT_MAGIC_LEN) == 0) {
		warnx_("%s: a totp vault cannot be merged from standard input; give its path",
		       src->name);
		rc = TOTP_E_INVAL;
	} else if (vault && f != TOTP_IMPORT_AUTO) {
		warnx_("%s: a totp vault, not %s", src->name, totp_import_format_name(f));
		rc = TOTP_E_IMPORT_FORMAT;
	} else if (vault) {
		rc = read_vault(g, s);
	} else if (f == TOTP_IMPORT_AUTO &&
	           ((len >= 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0) ||
	            (len >= 3 && memcmp(buf, "\xff\xd8\xff", 3) == 0))) {
		rc = read_image(g, s, buf, len);
	} else if (f == TOTP_IMPORT_OTPAUTH ||
	           (f == TOTP_IMPORT_AUTO && is_uri_text(buf, len) && !has_codedisplay(buf, len))) {
		rc = read_uri_text(g, s, (const char *)buf, len);
	} else {
		rc = read_backup(g, s, buf, len);
	}
	if (buf) {
		totp_wipe(buf, len);
		totp_secure_free(buf);
	}
	return rc;
}

/* ---- QR payloads -------------------------------------------------------- */

static bool same_entry(const struct totp_entry *a, const struct totp_entry *b)
{
	return a->type == b->type && a->algo == b->algo && a->digits == b->digits &&
	       a->period == b->period && a->counter == b->counter &&
	       a->secret_len == b->secret_len && strcmp(a->issuer, b->issuer) == 0 &&
	       strcmp(a->account, b->account) == 0 &&
	       totp_memeq(a->secret, b->secret, a->secret_len);
}

/*
 * Decode every payload together (batches reassemble across sources), then
 * give each account to the source its payload came from: each payload is
 * decoded alone as well, and an account belongs to the first payload
 * whose own accounts hold it.
 */
static int decode_payloads(struct gather *g, struct totp_import *qr)
{
	struct totp_import *one = NULL;
	size_t n = g->list.count;
	bool **claimed = NULL;
	int rc;

	rc = totp_qr_import(qr, &g->list);
	if (rc == TOTP_E_NOMEM || rc == TOTP_E_INVAL || rc == TOTP_E_UNSUPPORTED)
		return fail(rc, "decoding QR payloads"), rc;
	rc = TOTP_E_NOMEM;
	one = calloc(n, sizeof(*one));
	claimed = calloc(n, sizeof(*claimed));
	if (!one || !claimed)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct totp_qr_list l1;
		int r;

		totp_import_init(&one[i]);
		totp_qr_list_init(&l1);
		r = totp_qr_list_add(&l1, g->list.items[i].data, g->list.items[i].len, NULL);
		if (r == TOTP_OK)
			r = totp_qr_import(&one[i], &l1);
		totp_qr_list_free(&l1);
		if (r == TOTP_E_NOMEM)
			goto out;
		if (one[i].count && !(claimed[i] = calloc(one[i].count, sizeof(bool))))
			goto out;
	}
	for (size_t k = 0; k < qr->count; k++) {
		const struct totp_entry *e = &qr->entries[k];
		size_t s = g->payload_src[0];
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			for (size_t j = 0; j < one[i].count && !found; j++)
				if (!claimed[i][j] && same_entry(&one[i].entries[j], e)) {
					claimed[i][j] = found = true;
					s = g->payload_src[i];
				}
		if ((rc = totp_import_add(&g->src[s].im, e)) != TOTP_OK)
			goto out;
	}
	rc = TOTP_OK;
out:
	for (size_t i = 0; i < n; i++) {
		if (one)
			totp_import_clear(&one[i]);
		if (claimed)
			free(claimed[i]);
	}
	free(one);
	free(claimed);
	if (rc != TOTP_OK)
		fail(rc, "decoding QR payloads");
	return rc;
}

int import_gather(struct import_src *src, size_t nsrc, const struct import_opts *o,
                  struct totp_import *qr)
{
	struct gather g = {src, nsrc, o, {0}, NULL, 0};
	int rc = TOTP_OK;

	totp_qr_list_init(&g.list);
	for (size_t s = 0; s < nsrc && rc == TOTP_OK; s++)
		rc = read_source(&g, s);
	if (rc == TOTP_OK && g.list.count)
		rc = decode_payloads(&g, qr);
	totp_qr_list_free(&g.list);
	free(g.payload_src);
	return rc;
}
