/*
 * import_qr.c - the QR payloads gathered from every input of 'totp import'
 * (images, and migration URIs or backup codes in text), decoded together
 * so that an export or a backup split over several inputs reassembles
 * whatever their order: encrypted backup codes through import_backup.c,
 * the others through totp_qr_import, each account given back to the input
 * it came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

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
static int decode_payloads(struct gather *g, const struct totp_qr_list *list, const size_t *psrc,
                           struct totp_import *qr)
{
	struct totp_import *one = NULL;
	size_t n = list->count;
	bool **claimed = NULL;
	int rc;

	rc = totp_qr_import(qr, list);
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
		r = totp_qr_list_add(&l1, list->items[i].data, list->items[i].len, NULL);
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
		size_t s = psrc[0];
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			for (size_t j = 0; j < one[i].count && !found; j++)
				if (!claimed[i][j] && same_entry(&one[i].entries[j], e)) {
					claimed[i][j] = found = true;
					s = psrc[i];
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

/* Name what a source holding backup codes held: "encrypted backup", or
 * e.g. "QR image and encrypted backup" when it held other things too. */
static void name_formats(struct gather *g, const size_t *bsrc, size_t nb, const size_t *osrc,
                         size_t no)
{
	for (size_t s = 0; s < g->nsrc; s++) {
		struct import_src *src = &g->src[s];
		bool backup = false, other = src->im.count || src->im.nproblems;
		char was[sizeof(src->format)];

		for (size_t i = 0; i < nb; i++)
			backup |= bsrc[i] == s;
		for (size_t i = 0; i < no; i++)
			other |= osrc[i] == s;
		if (!backup)
			continue;
		memcpy(was, src->format, sizeof(was));
		if (other)
			snprintf(src->format, sizeof(src->format), "%.18s and encrypted backup",
			         was);
		else
			snprintf(src->format, sizeof(src->format), "encrypted backup");
	}
}

/* Encrypted backup codes go to import_backups, the other payloads to
 * decode_payloads, each list with the source of each payload (the
 * gathered list holds no payload twice, so the split keeps them all). */
int import_decode(struct gather *g, struct totp_import *qr, struct totp_import *bk)
{
	struct totp_qr_list backups, others;
	size_t n = g->list.count, nb = 0, no = 0;
	size_t *bsrc = calloc(n, sizeof(*bsrc)), *osrc = calloc(n, sizeof(*osrc));
	int rc;

	totp_qr_list_init(&backups);
	totp_qr_list_init(&others);
	rc = bsrc && osrc ? totp_backup_split(&backups, &others, &g->list) : TOTP_E_NOMEM;
	for (size_t i = 0; i < n && rc == TOTP_OK; i++) {
		const struct totp_qr_payload *q = &g->list.items[i];

		if (totp_backup_is_payload(q->data, q->len))
			bsrc[nb++] = g->payload_src[i];
		else
			osrc[no++] = g->payload_src[i];
	}
	if (rc == TOTP_OK && (nb != backups.count || no != others.count))
		rc = TOTP_E_INVAL;
	if (rc != TOTP_OK) {
		fail(rc, "decoding QR payloads");
	} else {
		name_formats(g, bsrc, nb, osrc, no);
		if (no)
			rc = decode_payloads(g, &others, osrc, qr);
		if (rc == TOTP_OK && nb)
			rc = import_backups(g, &backups, bsrc, bk);
	}
	totp_qr_list_free(&backups);
	totp_qr_list_free(&others);
	free(bsrc);
	free(osrc);
	return rc;
}
