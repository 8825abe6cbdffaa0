/*
 * import_backup.c - encrypted backup codes (totp-backup(5)) among the QR
 * payloads of 'totp import'.  The payloads are grouped by backup, and each
 * backup is restored on its own through totp_backup_import: its passphrase
 * is asked once (the line of --file-passphrase-fd, else the terminal, up to
 * three tries there), and its accounts are given to the first input holding
 * one of its parts.  A backup that is incomplete, damaged or opened with a
 * wrong passphrase adds nothing and leaves problems that name it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* What a probe's passphrase callback returns to stop before any work. */
#define PROBE_STOP TOTP_E_BUSY
#define TRIES 3

struct backup {
	char id[17];
	unsigned parts, found;    /* as the payloads say */
	size_t first;             /* source of its first payload */
	struct totp_qr_list list; /* its payloads */
	char files[240];          /* its sources, for messages */
};

/* The id and part count of one payload, without a passphrase: its
 * header is checked and the callback stops the read before the key is
 * derived.  A malformed payload leaves its problem in *bad. */
struct probe {
	char id[17];
	unsigned parts;
};

static int probe_cb(void *ctx, const struct totp_backup_info *info, char *buf, size_t bufsz,
                    size_t *len)
{
	struct probe *p = ctx;

	(void)buf;
	(void)bufsz;
	*len = 0;
	memcpy(p->id, info->id, sizeof(p->id));
	p->parts = info->parts;
	return PROBE_STOP;
}

static int probe(struct probe *p, struct totp_import *bad, const struct totp_qr_payload *q)
{
	struct totp_backup_read_opts opts = {probe_cb, p};
	struct totp_qr_list one;
	int rc;

	totp_qr_list_init(&one);
	rc = totp_qr_list_add(&one, q->data, q->len, q->source);
	if (rc == TOTP_OK)
		rc = totp_backup_import(bad, &one, &opts);
	totp_qr_list_free(&one);
	return rc;
}

/* The errors totp_backup_import reports as problems of the backup. */
static bool backup_problem(int rc)
{
	return rc == TOTP_E_PASSWORD || rc == TOTP_E_AUTH || rc == TOTP_E_BATCH ||
	       rc == TOTP_E_CORRUPT || rc == TOTP_E_KDF || rc == TOTP_E_VERSION ||
	       rc == TOTP_E_BACKUP;
}

/*
 * A problem of backup b, in the words of the command: "encrypted backup
 * ID: part 2 of 3 missing; read from a.png, b.png", "c.png: encrypted
 * backup ID, part 3 of 3 is damaged or was altered".
 */
static int copy_problem(struct totp_import *bk, const struct totp_import_problem *p,
                        const struct backup *b)
{
	char head[32];
	size_t hl;
	const char *at;

	snprintf(head, sizeof(head), "backup %s", b->id);
	hl = strlen(head);
	if (strncmp(p->detail, head, hl) == 0 && p->detail[hl] == ':')
		return totp_import_problem(bk, p->index, p->label, p->err,
		                           "encrypted %s; read from %s", p->detail, b->files);
	at = strstr(p->detail, head);
	if (at && (at == p->detail || at[-1] == ' '))
		return totp_import_problem(bk, p->index, p->label, p->err, "%.*sencrypted %s",
		                           (int)(at - p->detail), p->detail, at);
	return totp_import_problem(bk, p->index, p->label, p->err, "%s", p->detail);
}

struct asker {
	struct ask a;
	struct backup *b;
};

static int passphrase_cb(void *ctx, const struct totp_backup_info *info, char *buf, size_t bufsz,
                         size_t *len)
{
	struct asker *k = ctx;
	int rc;

	k->b->found = info->found;
	k->b->parts = info->parts;
	rc = import_password_cb(&k->a, buf, bufsz, len);
	/* Not a wrong passphrase: none could be asked for (already said). */
	return rc == TOTP_E_PASSWORD ? TOTP_E_INVAL : rc;
}

/* Restore backup b into its first source; its problems go to *bk. */
static int restore(struct gather *g, struct backup *b, struct totp_import *bk)
{
	struct import_src *first = &g->src[b->first];
	char name[48], prompt[sizeof(b->files) + 96];
	struct asker k = {{g->o, name, prompt, false, false, true, "passphrase"}, b};
	struct totp_backup_read_opts opts = {passphrase_cb, &k};
	struct totp_import im;
	int rc = TOTP_OK;

	snprintf(name, sizeof(name), "encrypted backup %s", b->id);
	snprintf(prompt, sizeof(prompt),
	         "Passphrase for encrypted backup %s (%u part%s, from %s): ", b->id, b->parts,
	         b->parts == 1 ? "" : "s", b->files);
	totp_import_init(&im);
	for (int attempt = 0; attempt < TRIES; attempt++) {
		totp_import_clear(&im);
		k.a.reported = false;
		rc = totp_backup_import(&im, &b->list, &opts);
		if (rc != TOTP_E_PASSWORD || !k.a.from_tty || attempt + 1 == TRIES)
			break;
		warnx_("%s: wrong passphrase; try again", name);
	}
	if (rc != TOTP_OK && !backup_problem(rc)) {
		if (!k.a.reported)
			fail(rc, "%s", name);
		goto out;
	}
	rc = TOTP_OK;
	for (size_t i = 0; i < im.count && rc == TOTP_OK; i++)
		rc = totp_import_add(&first->im, &im.entries[i]);
	for (size_t i = 0; i < im.nproblems && rc == TOTP_OK; i++)
		rc = copy_problem(bk, &im.problems[i], b);
	if (rc != TOTP_OK)
		fail(rc, "%s", name);
out:
	totp_import_clear(&im);
	return rc;
}

/* Append to the source's "; "-separated note, cut to fit (on a UTF-8
 * character boundary). */
static void add_note(struct import_src *src, const char *text)
{
	size_t n = strlen(src->note), room = sizeof(src->note) - 1, k = strlen(text);

	if (n && n + 2 < room) {
		memcpy(src->note + n, "; ", 2);
		n += 2;
	}
	if (k > room - n)
		k = room - n;
	while (k && ((unsigned char)text[k] & 0xc0) == 0x80)
		k--;
	memcpy(src->note + n, text, k);
	src->note[n + k] = '\0';
}

/* Group the payloads by backup: grp[i] is payload i's backup, or
 * list->count when the payload is malformed (its problem is in *bk). */
static int group(struct gather *g, const struct totp_qr_list *list, const size_t *psrc,
                 struct backup *bs, size_t *nb, size_t *grp, struct totp_import *bk)
{
	int rc = TOTP_OK;

	for (size_t i = 0; i < list->count && rc == TOTP_OK; i++) {
		struct probe p = {"", 0};
		struct totp_import bad;
		size_t k;

		totp_import_init(&bad);
		rc = probe(&p, &bad, &list->items[i]);
		grp[i] = list->count;
		if (rc == PROBE_STOP) {
			for (k = 0; k < *nb && strcmp(bs[k].id, p.id) != 0; k++)
				;
			if (k == *nb) {
				memcpy(bs[k].id, p.id, sizeof(p.id));
				bs[k].parts = p.parts;
				bs[k].first = psrc[i];
				totp_qr_list_init(&bs[k].list);
				(*nb)++;
			}
			grp[i] = k;
			rc = totp_qr_list_add(&bs[k].list, list->items[i].data, list->items[i].len,
			                      list->items[i].source);
		} else if (backup_problem(rc) || rc == TOTP_OK) {
			rc = TOTP_OK;
			for (size_t j = 0; j < bad.nproblems && rc == TOTP_OK; j++)
				rc = totp_import_problem(bk, i + 1, bad.problems[j].label,
				                         bad.problems[j].err, "%s",
				                         bad.problems[j].detail);
		}
		totp_import_clear(&bad);
	}
	if (rc != TOTP_OK)
		return rc;
	/* Each backup's inputs, once each, in order. */
	for (size_t i = 0; i < list->count; i++) {
		struct backup *b;
		bool seen = false;
		size_t n;

		if (grp[i] == list->count)
			continue;
		b = &bs[grp[i]];
		for (size_t j = 0; j < i; j++)
			seen |= grp[j] == grp[i] && psrc[j] == psrc[i];
		n = strlen(b->files);
		if (!seen && n + 5 < sizeof(b->files))
			snprintf(b->files + n, sizeof(b->files) - n, "%s%s", n ? ", " : "",
			         g->src[psrc[i]].name);
	}
	return TOTP_OK;
}

int import_backups(struct gather *g, const struct totp_qr_list *list, const size_t *psrc,
                   struct totp_import *bk)
{
	struct backup *bs = calloc(list->count + 1, sizeof(*bs));
	size_t *grp = calloc(list->count + 1, sizeof(*grp));
	size_t nb = 0;
	int rc = bs && grp ? group(g, list, psrc, bs, &nb, grp, bk) : TOTP_E_NOMEM;

	if (rc != TOTP_OK)
		fail(rc, "encrypted backups");
	for (size_t k = 0; k < nb && rc == TOTP_OK; k++) {
		char note[sizeof(g->src->note)];

		rc = restore(g, &bs[k], bk);
		for (size_t s = 0; s < g->nsrc && rc == TOTP_OK; s++) {
			bool has = false;
			int w;

			for (size_t i = 0; i < list->count; i++)
				has |= grp[i] == k && psrc[i] == s;
			if (s == bs[k].first)
				w = snprintf(note, sizeof(note),
				             "encrypted backup %s, %u of %u part%s", bs[k].id,
				             bs[k].found, bs[k].parts, bs[k].parts == 1 ? "" : "s");
			else
				w = snprintf(note, sizeof(note),
				             "part of encrypted backup %s, listed under %s",
				             bs[k].id, g->src[bs[k].first].name);
			if (has && w > 0)
				add_note(&g->src[s], note);
		}
	}
	for (size_t k = 0; bs && k < nb; k++)
		totp_qr_list_free(&bs[k].list);
	free(bs);
	free(grp);
	return rc;
}
