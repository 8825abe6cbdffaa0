/*
 * migration_import.c - QR payloads to entries: otpauth:// URIs, and
 * otpauth-migration exports gathered into complete batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "internal.h"
#include "qr.h"

enum kind { K_BAD, K_URI, K_MIG };

struct rec {
	enum kind kind;
	int done;
	struct totp_mig m;
};

struct ctx {
	struct totp_import *im;
	const struct totp_qr_list *list;
	struct rec *recs;
	size_t item; /* entries seen so far, for problem numbers */
	int worst;   /* the error to return */
};

/* TOTP_E_BATCH outranks TOTP_E_MIGRATION, which outranks TOTP_E_PAYLOAD. */
static void note(struct ctx *c, int err)
{
	static const int rank[] = {TOTP_E_PAYLOAD, TOTP_E_MIGRATION, TOTP_E_BATCH};

	c->worst = totp_worse_error(c->worst, err, rank, TOTP_ARRAY_LEN(rank));
}

/* The name of payload i for messages: its source, else its number. */
static void where(char *out, size_t outsz, const struct ctx *c, size_t i)
{
	totp_qr_payload_name(out, outsz, c->list, i);
}

static int has_scheme(const uint8_t *s, size_t n, const char *scheme)
{
	size_t k = strlen(scheme);

	while (n > 0 && (*s == ' ' || (*s >= '\t' && *s <= '\r'))) {
		s++;
		n--;
	}
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		int ch = s[i] >= 'A' && s[i] <= 'Z' ? s[i] + ('a' - 'A') : s[i];

		if (ch != scheme[i])
			return 0;
	}
	return 1;
}

static int import_uri(struct ctx *c, size_t i)
{
	const struct totp_qr_payload *p = &c->list->items[i];
	struct totp_entry e;
	char w[160];
	int rc;

	c->item++;
	rc = totp_uri_parse(&e, NULL, (const char *)p->data, p->len);
	if (rc == TOTP_OK) {
		rc = totp_import_add(c->im, &e);
	} else if (rc != TOTP_E_NOMEM) {
		where(w, sizeof(w), c, i);
		rc = totp_import_problem(c->im, c->item, w, rc, "%s, entry %zu: %s", w, c->item,
		                         totp_strerror(rc));
	}
	sodium_memzero(&e, sizeof(e));
	return rc;
}

static int same_pb(const struct totp_mig *a, const struct totp_mig *b)
{
	return a->pblen == b->pblen && memcmp(a->pb, b->pb, a->pblen) == 0;
}

static int emit(struct ctx *c, size_t i, const char *part)
{
	char w[192];

	where(w, sizeof(w), c, i);
	if (*part) {
		size_t k = strlen(w);

		snprintf(w + k, sizeof(w) - k, ", %s", part);
	}
	return totp_mig_entries(c->im, &c->recs[i].m, &c->item, w);
}

/* A stand-alone payload (batch_size 1 or absent); a repeat of an earlier
 * one is skipped. */
static int import_single(struct ctx *c, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (c->recs[j].kind == K_MIG && c->recs[j].m.batch_size == 1 &&
		    same_pb(&c->recs[j].m, &c->recs[i].m))
			return TOTP_OK;
	return emit(c, i, "");
}

static int in_batch(const struct rec *r, int32_t id)
{
	return r->kind == K_MIG && !r->done && r->m.batch_size > 1 && r->m.batch_id == id;
}

/* Every part of the batch that payload i belongs to, in part order. */
static int import_batch(struct ctx *c, size_t i)
{
	size_t n = c->list->count;
	int32_t id = c->recs[i].m.batch_id, size = c->recs[i].m.batch_size;
	char w[160], part[48];
	int rc;

	where(w, sizeof(w), c, i);
	for (int32_t idx = 0; idx < size; idx++) {
		size_t first = n;

		snprintf(part, sizeof(part), "part %d of %d", (int)idx + 1, (int)size);
		for (size_t j = i; j < n; j++) {
			const struct totp_mig *m = &c->recs[j].m;

			if (!in_batch(&c->recs[j], id) || m->batch_size != size ||
			    m->batch_index != idx)
				continue;
			if (first == n) {
				first = j;
				rc = emit(c, j, part);
			} else if (!same_pb(m, &c->recs[first].m)) {
				note(c, TOTP_E_BATCH);
				rc = totp_import_problem(c->im, (size_t)idx + 1, w, TOTP_E_BATCH,
				                         "%s appears twice with different contents",
				                         part);
			} else {
				rc = TOTP_OK;
			}
			if (rc != TOTP_OK)
				return rc;
		}
		for (size_t j = first; j < n; j++)
			if (in_batch(&c->recs[j], id) && c->recs[j].m.batch_size == size &&
			    c->recs[j].m.batch_index == idx)
				c->recs[j].done = 1;
		if (first == n) {
			note(c, TOTP_E_BATCH);
			rc = totp_import_problem(c->im, (size_t)idx + 1, w, TOTP_E_BATCH,
			                         "%s missing", part);
			if (rc != TOTP_OK)
				return rc;
		}
	}
	/* Parts of the same export that disagree about its size. */
	for (size_t j = i; j < n; j++) {
		if (!in_batch(&c->recs[j], id))
			continue;
		c->recs[j].done = 1;
		note(c, TOTP_E_BATCH);
		where(w, sizeof(w), c, j);
		rc = totp_import_problem(
		        c->im, (size_t)c->recs[j].m.batch_index + 1, w, TOTP_E_BATCH,
		        "part %d says the export has %d parts, not %d",
		        (int)c->recs[j].m.batch_index + 1, (int)c->recs[j].m.batch_size, (int)size);
		if (rc != TOTP_OK)
			return rc;
	}
	return TOTP_OK;
}

/* Decode and check every migration payload into one guarded buffer. */
static int classify(struct ctx *c, uint8_t *arena, size_t cap)
{
	size_t used = 0;
	char w[160];
	int rc;

	for (size_t i = 0; i < c->list->count; i++) {
		const struct totp_qr_payload *p = &c->list->items[i];
		struct rec *r = &c->recs[i];
		size_t n = 0;

		if (totp_mig_is_uri(p->data, p->len)) {
			rc = totp_mig_decode(arena + used, cap - used, &n, p->data, p->len);
			if (rc == TOTP_OK)
				rc = totp_mig_parse(&r->m, arena + used, n);
			if (rc == TOTP_E_NOMEM)
				return rc;
			used += n;
			if (rc == TOTP_OK) {
				r->kind = K_MIG;
				continue;
			}
			note(c, TOTP_E_MIGRATION);
			where(w, sizeof(w), c, i);
			rc = totp_import_problem(c->im, i + 1, w, TOTP_E_MIGRATION,
			                         "%s: malformed otpauth-migration payload", w);
		} else if (has_scheme(p->data, p->len, "otpauth:") ||
		           has_scheme(p->data, p->len, "steam:")) {
			r->kind = K_URI;
			continue;
		} else {
			note(c, TOTP_E_PAYLOAD);
			where(w, sizeof(w), c, i);
			rc = totp_import_problem(c->im, i + 1, w, TOTP_E_PAYLOAD,
			                         "%s: QR code is not an otpauth:// or "
			                         "otpauth-migration:// URI",
			                         w);
		}
		r->kind = K_BAD;
		if (rc != TOTP_OK)
			return rc;
	}
	return TOTP_OK;
}

int totp_qr_import(struct totp_import *im, const struct totp_qr_list *list)
{
	struct ctx c = {im, list, NULL, 0, TOTP_OK};
	uint8_t *arena = NULL;
	size_t cap = 1;
	int rc, uris = 0, migs = 0;

	if (!im || !list)
		return TOTP_E_INVAL;
	if (sodium_init() < 0)
		return TOTP_E_UNSUPPORTED;
	if (list->count == 0)
		return TOTP_OK;
	for (size_t i = 0; i < list->count; i++)
		if (totp_mig_is_uri(list->items[i].data, list->items[i].len))
			cap += list->items[i].len;
	arena = sodium_malloc(cap);
	c.recs = calloc(list->count, sizeof(*c.recs));
	if (!arena || !c.recs) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	rc = classify(&c, arena, cap);
	for (size_t i = 0; rc == TOTP_OK && i < list->count; i++) {
		struct rec *r = &c.recs[i];

		if (r->done || r->kind == K_BAD)
			continue;
		if (r->kind == K_URI) {
			uris = 1;
			rc = import_uri(&c, i);
		} else {
			migs = 1;
			rc = r->m.batch_size > 1 ? import_batch(&c, i) : import_single(&c, i);
		}
		r->done = 1;
	}
	if (rc == TOTP_OK && (uris || migs))
		snprintf(im->format, sizeof(im->format), "%s",
		         uris && migs ? "otpauth+migration"
		         : uris       ? "otpauth"
		                      : "otpauth-migration");
	if (rc == TOTP_OK)
		rc = c.worst;
out:
	if (arena)
		sodium_free(arena);
	free(c.recs);
	return rc;
}
