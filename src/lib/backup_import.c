/*
 * backup_import.c - encrypted backup payloads back to entries: parse every
 * part, group the parts by backup id, derive each backup's key once,
 * authenticate every part, and add a backup's accounts only when all its
 * parts are there and authentic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backup_int.h"
#include "qr.h"

enum pstate { P_BAD, P_OK, P_DUP };

struct part {
	enum pstate state;
	struct bk_header h;
	const uint8_t *wire; /* header + ciphertext, in the wire arena */
	size_t len;
	uint8_t *plain; /* in the guarded arena once authenticated, else NULL */
	size_t plen;
	size_t group;
};

/* A key derived for a (salt, cost, check) and proven by its check value. */
struct known_key {
	uint8_t salt[BK_SALT_BYTES];
	struct totp_kdf kdf;
	uint8_t check[BK_CHECK_BYTES];
	uint8_t key[TOTP_KEY_BYTES];
};

/* Everything secret, in one guarded allocation: scratch, keys, plaintexts. */
struct secrets {
	struct totp_entry entry;
	char pass[TOTP_IMPORT_PASSWORD_MAX];
	struct known_key keys[]; /* one per group at most; the plaintexts follow */
};

struct ctx {
	struct totp_import *im;
	const struct totp_qr_list *list;
	const struct totp_backup_read_opts *opts;
	struct part *parts;
	struct secrets *sec;
	struct known_key *keys; /* sec->keys */
	size_t nkeys;
	uint8_t *plain_arena; /* after the keys */
	size_t plain_used;
	size_t item; /* accounts seen, for problem numbers */
	int worst;
	char id[17]; /* the current group's id, for messages */
};

static void note(struct ctx *c, int err)
{
	static const int rank[] = {TOTP_E_BACKUP, TOTP_E_VERSION, TOTP_E_KDF,     TOTP_E_CORRUPT,
	                           TOTP_E_BATCH,  TOTP_E_AUTH,    TOTP_E_PASSWORD};

	c->worst = totp_worse_error(c->worst, err, rank, TOTP_ARRAY_LEN(rank));
}

/* The name of payload i for messages: its source, else its number. */
static void where(char *out, size_t outsz, const struct ctx *c, size_t i)
{
	totp_qr_payload_name(out, outsz, c->list, i);
}

static const uint8_t *skip_space(const uint8_t *s, size_t *n)
{
	while (*n > 0 && (*s == ' ' || (*s >= '\t' && *s <= '\r'))) {
		s++;
		(*n)--;
	}
	return s;
}

/* Length of "TOTPBACKUPnnn:" at s (any case), or 0. */
static size_t prefix_len(const uint8_t *s, size_t n)
{
	static const char word[] = "TOTPBACKUP";
	size_t k = sizeof(word) - 1, d = 0;

	if (n < k + 2)
		return 0;
	for (size_t i = 0; i < k; i++) {
		uint8_t ch = s[i] >= 'a' && s[i] <= 'z' ? (uint8_t)(s[i] - 'a' + 'A') : s[i];

		if (ch != (uint8_t)word[i])
			return 0;
	}
	while (k + d < n && d < 4 && s[k + d] >= '0' && s[k + d] <= '9')
		d++;
	if (d == 0 || k + d >= n || s[k + d] != ':')
		return 0;
	return k + d + 1;
}

int totp_backup_is_payload(const uint8_t *data, size_t len)
{
	if (!data)
		return 0;
	data = skip_space(data, &len);
	return prefix_len(data, len) != 0;
}

int totp_backup_split(struct totp_qr_list *backups, struct totp_qr_list *others,
                      const struct totp_qr_list *in)
{
	if (!in)
		return TOTP_E_INVAL;
	for (size_t i = 0; i < in->count; i++) {
		const struct totp_qr_payload *p = &in->items[i];
		struct totp_qr_list *to =
		        totp_backup_is_payload(p->data, p->len) ? backups : others;
		int rc;

		if (!to)
			continue;
		rc = totp_qr_list_add(to, p->data, p->len, p->source);
		if (rc)
			return rc;
	}
	return TOTP_OK;
}

/* Decode payload i into the wire arena and read its header. */
static int parse_one(struct ctx *c, size_t i, uint8_t *arena, size_t *used, size_t cap)
{
	const struct totp_qr_payload *q = &c->list->items[i];
	struct part *p = &c->parts[i];
	size_t n = q->len, k, len;
	const uint8_t *s = skip_space(q->data, &n);
	char w[160];
	int rc;

	while (n > 0 && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
		n--;
	k = prefix_len(s, n);
	if (k != BK_PREFIX_LEN || s[BK_PREFIX_LEN - 2] != TOTP_BACKUP_PREFIX[BK_PREFIX_LEN - 2]) {
		rc = TOTP_E_VERSION;
	} else {
		rc = totp_bk_text_decode(arena + *used, cap - *used, &len, (const char *)s + k,
		                         n - k);
		if (rc == TOTP_OK && len < BK_HEADER_BYTES + BK_TAG_BYTES)
			rc = TOTP_E_BACKUP;
		if (rc == TOTP_OK)
			rc = totp_bk_header_decode(&p->h, arena + *used);
	}
	if (rc == TOTP_OK) {
		p->state = P_OK;
		p->wire = arena + *used;
		p->len = len;
		*used += len;
		return TOTP_OK;
	}
	if (rc == TOTP_E_TOOBIG)
		rc = TOTP_E_BACKUP;
	note(c, rc);
	where(w, sizeof(w), c, i);
	return totp_import_problem(c->im, i + 1, w, rc, "%s: %s", w,
	                           rc == TOTP_E_VERSION ? "backup format version not supported"
	                           : rc == TOTP_E_KDF
	                                   ? "unknown key derivation or cost out of bounds"
	                                   : "malformed encrypted backup code");
}

static int same_params(const struct bk_header *a, const struct bk_header *b)
{
	return memcmp(a->salt, b->salt, BK_SALT_BYTES) == 0 && a->kdf.opslimit == b->kdf.opslimit &&
	       a->kdf.memlimit == b->kdf.memlimit &&
	       memcmp(a->check, b->check, BK_CHECK_BYTES) == 0;
}

/* The part of group g whose salt, cost and check most parts share. */
static size_t choose_params(const struct ctx *c, size_t g)
{
	size_t n = c->list->count, best = g, best_votes = 0;

	for (size_t i = g; i < n; i++) {
		size_t votes = 0;

		if (c->parts[i].state != P_OK || c->parts[i].group != g)
			continue;
		for (size_t j = g; j < n; j++)
			if (c->parts[j].state == P_OK && c->parts[j].group == g &&
			    same_params(&c->parts[i].h, &c->parts[j].h))
				votes++;
		if (votes > best_votes) {
			best = i;
			best_votes = votes;
		}
	}
	return best;
}

/* The key of the backup whose parameters part `ref` holds: a key already
 * proven for the same parameters, else one from the passphrase.  *key is
 * NULL when the passphrase does not match (a problem is recorded). */
static int get_key(struct ctx *c, size_t g, size_t ref, const uint8_t **key)
{
	const struct bk_header *h = &c->parts[ref].h;
	struct totp_backup_info info;
	struct known_key *k = &c->keys[c->nkeys];
	uint8_t check[BK_CHECK_BYTES];
	char *pass = NULL, label[32];
	size_t passlen = 0, n = c->list->count;
	int rc;

	*key = NULL;
	for (size_t i = 0; i < c->nkeys; i++)
		if (memcmp(c->keys[i].salt, h->salt, BK_SALT_BYTES) == 0 &&
		    c->keys[i].kdf.opslimit == h->kdf.opslimit &&
		    c->keys[i].kdf.memlimit == h->kdf.memlimit &&
		    memcmp(c->keys[i].check, h->check, BK_CHECK_BYTES) == 0) {
			*key = c->keys[i].key;
			return TOTP_OK;
		}

	memset(&info, 0, sizeof(info));
	memcpy(info.id, c->id, sizeof(info.id));
	info.parts = h->count;
	info.kdf = h->kdf;
	info.source = c->list->items[g].source;
	for (unsigned pn = 1; pn <= h->count; pn++)
		for (size_t i = g; i < n; i++)
			if (c->parts[i].state == P_OK && c->parts[i].group == g &&
			    c->parts[i].h.part == pn) {
				info.found++;
				break;
			}
	snprintf(label, sizeof(label), "backup %s", c->id);
	if (!c->opts || !c->opts->passphrase) {
		rc = TOTP_E_PASSWORD;
		goto out;
	}
	pass = c->sec->pass;
	rc = c->opts->passphrase(c->opts->passphrase_ctx, &info, pass, TOTP_IMPORT_PASSWORD_MAX,
	                         &passlen);
	if (rc > 0 || (rc == TOTP_OK && passlen > TOTP_IMPORT_PASSWORD_MAX))
		rc = TOTP_E_INVAL;
	if (rc)
		goto out;
	rc = totp_bk_keys(k->key, check, pass, passlen, h->salt, &h->kdf);
	if (rc)
		goto out;
	if (sodium_memcmp(check, h->check, BK_CHECK_BYTES) != 0) {
		rc = TOTP_E_PASSWORD;
		goto out;
	}
	memcpy(k->salt, h->salt, BK_SALT_BYTES);
	k->kdf = h->kdf;
	memcpy(k->check, h->check, BK_CHECK_BYTES);
	*key = k->key;
	c->nkeys++;
out:
	if (pass)
		sodium_memzero(pass, TOTP_IMPORT_PASSWORD_MAX);
	sodium_memzero(check, sizeof(check));
	if (rc == TOTP_E_PASSWORD) {
		sodium_memzero(k->key, TOTP_KEY_BYTES);
		note(c, rc);
		return totp_import_problem(
		        c->im, 0, label, rc,
		        c->opts && c->opts->passphrase
		                ? "%s: wrong passphrase (or damaged salt or cost)"
		                : "%s: no passphrase given",
		        label);
	}
	return rc;
}

/* Authenticate and decrypt every part of group g; 1 in *bad when one fails. */
static int decrypt_group(struct ctx *c, size_t g, size_t ref, const uint8_t *key, int *bad)
{
	uint8_t nonce[BK_NONCE_BYTES];
	char w[160];
	int rc;

	for (size_t i = g; i < c->list->count; i++) {
		struct part *p = &c->parts[i];
		unsigned long long plen = 0;

		if (p->state != P_OK || p->group != g)
			continue;
		totp_bk_nonce(nonce, p->wire);
		if (same_params(&p->h, &c->parts[ref].h) &&
		    crypto_aead_xchacha20poly1305_ietf_decrypt(
		            c->plain_arena + c->plain_used, &plen, NULL, p->wire + BK_HEADER_BYTES,
		            p->len - BK_HEADER_BYTES, p->wire, BK_HEADER_BYTES, nonce, key) == 0) {
			p->plain = c->plain_arena + c->plain_used;
			p->plen = (size_t)plen;
			c->plain_used += p->plen;
			continue;
		}
		*bad = 1;
		note(c, TOTP_E_AUTH);
		where(w, sizeof(w), c, i);
		rc = totp_import_problem(c->im, p->h.part, w, TOTP_E_AUTH,
		                         "%s: backup %s, part %u of %u is damaged or was altered",
		                         w, c->id, p->h.part, p->h.count);
		if (rc)
			return rc;
	}
	return TOTP_OK;
}

/* Every part 1..count present once among the authentic parts of group g. */
static int check_complete(struct ctx *c, size_t g, size_t ref, int *bad)
{
	unsigned count = c->parts[ref].h.count;
	char label[32];
	int rc;

	snprintf(label, sizeof(label), "backup %s", c->id);
	for (size_t i = g; i < c->list->count; i++) {
		const struct part *p = &c->parts[i];

		if (p->plain && p->group == g && p->h.count != count) {
			*bad = 1;
			note(c, TOTP_E_BATCH);
			rc = totp_import_problem(c->im, p->h.part, label, TOTP_E_BATCH,
			                         "%s: part %u says the backup has %u parts, not %u",
			                         label, p->h.part, p->h.count, count);
			if (rc)
				return rc;
		}
	}
	for (unsigned pn = 1; pn <= count; pn++) {
		const struct part *first = NULL;

		for (size_t i = g; i < c->list->count; i++) {
			const struct part *p = &c->parts[i];

			if (!p->plain || p->group != g || p->h.part != pn || p->h.count != count)
				continue;
			if (!first) {
				first = p;
				continue;
			}
			if (p->plen == first->plen && memcmp(p->plain, first->plain, p->plen) == 0)
				continue;
			*bad = 1;
			note(c, TOTP_E_BATCH);
			rc = totp_import_problem(c->im, pn, label, TOTP_E_BATCH,
			                         "%s: part %u of %u appears twice with different "
			                         "contents",
			                         label, pn, count);
			if (rc)
				return rc;
		}
		if (!first) {
			*bad = 1;
			note(c, TOTP_E_BATCH);
			rc = totp_import_problem(c->im, pn, label, TOTP_E_BATCH,
			                         "%s: part %u of %u missing", label, pn, count);
			if (rc)
				return rc;
		}
	}
	return TOTP_OK;
}

static int add_entry(void *ctx, const struct totp_entry *e)
{
	struct ctx *c = ctx;
	char label[2 * TOTP_LABEL_MAX];
	int rc;

	c->item++;
	rc = totp_entry_check(e);
	if (rc == TOTP_OK)
		return totp_import_add(c->im, e);
	if (totp_entry_label(label, sizeof(label), e) != TOTP_OK)
		snprintf(label, sizeof(label), "entry %zu", c->item);
	return totp_import_problem(c->im, c->item, label, rc, "backup %s, entry %zu: %s", c->id,
	                           c->item, totp_strerror(rc));
}

/* The accounts of a complete group, parts in order; none when one part's
 * plaintext is malformed. */
static int add_group(struct ctx *c, size_t g, unsigned count)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned pn = 1; pn <= count; pn++) {
			for (size_t i = g; i < c->list->count; i++) {
				const struct part *p = &c->parts[i];
				int rc;

				if (!p->plain || p->group != g || p->h.part != pn)
					continue;
				rc = totp_bk_plain_decode(&c->sec->entry, p->plain, p->plen,
				                          pass ? add_entry : NULL, c);
				if (rc == TOTP_E_CORRUPT) {
					char label[32];

					snprintf(label, sizeof(label), "backup %s", c->id);
					note(c, rc);
					return totp_import_problem(
					        c->im, pn, label, rc,
					        "%s: part %u of %u holds malformed data", label, pn,
					        count);
				}
				if (rc)
					return rc;
				break;
			}
		}
	}
	return TOTP_OK;
}

static int import_group(struct ctx *c, size_t g)
{
	size_t ref = choose_params(c, g);
	const uint8_t *key = NULL;
	int rc, bad = 0;

	for (size_t i = 0; i < BK_ID_BYTES; i++)
		snprintf(c->id + 2 * i, 3, "%02X", c->parts[g].h.id[i]);
	rc = get_key(c, g, ref, &key);
	if (rc || !key)
		return rc;
	rc = decrypt_group(c, g, ref, key, &bad);
	if (rc == TOTP_OK)
		rc = check_complete(c, g, ref, &bad);
	if (rc == TOTP_OK && !bad)
		rc = add_group(c, g, c->parts[ref].h.count);
	return rc;
}

int totp_backup_import(struct totp_import *im, const struct totp_qr_list *list,
                       const struct totp_backup_read_opts *opts)
{
	struct ctx c;
	uint8_t *wire = NULL;
	size_t total = 0, used = 0, n, found = 0, seclen;
	int rc = TOTP_OK;

	if (!im || !list)
		return TOTP_E_INVAL;
	memset(&c, 0, sizeof(c));
	c.im = im;
	c.list = list;
	c.opts = opts;
	n = list->count;
	for (size_t i = 0; i < n; i++)
		if (totp_backup_is_payload(list->items[i].data, list->items[i].len)) {
			found++;
			total += list->items[i].len;
		}
	if (found == 0)
		return TOTP_OK;
	snprintf(im->format, sizeof(im->format), "totp-backup");
	if (sodium_init() < 0)
		return TOTP_E_UNSUPPORTED;
	/* sodium_malloc aligns only sizes that are multiples of the alignment. */
	seclen = (sizeof(*c.sec) + found * sizeof(*c.keys) + total + 63) & ~(size_t)63;
	c.parts = calloc(n, sizeof(*c.parts));
	wire = malloc(total);
	c.sec = sodium_malloc(seclen);
	if (!c.parts || !wire || !c.sec) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	totp_entry_init(&c.sec->entry);
	c.keys = c.sec->keys;
	c.plain_arena = (uint8_t *)(c.keys + found);
	for (size_t i = 0; i < n && rc == TOTP_OK; i++)
		if (totp_backup_is_payload(list->items[i].data, list->items[i].len))
			rc = parse_one(&c, i, wire, &used, total);
	if (rc)
		goto out;

	/* Repeats of a part count once; the others are grouped by backup id,
	 * a group being named by its first part. */
	for (size_t i = 0; i < n; i++) {
		struct part *p = &c.parts[i];

		if (p->state != P_OK)
			continue;
		p->group = i;
		for (size_t j = 0; j < i && p->state == P_OK; j++) {
			const struct part *q = &c.parts[j];

			if (q->state == P_OK && q->len == p->len &&
			    memcmp(q->wire, p->wire, p->len) == 0)
				p->state = P_DUP;
		}
		for (size_t j = 0; j < i && p->state == P_OK; j++) {
			const struct part *q = &c.parts[j];

			if (q->state == P_OK && memcmp(q->h.id, p->h.id, BK_ID_BYTES) == 0) {
				p->group = q->group;
				break;
			}
		}
	}
	for (size_t g = 0; g < n && rc == TOTP_OK; g++)
		if (c.parts[g].state == P_OK && c.parts[g].group == g)
			rc = import_group(&c, g);
out:
	sodium_free(c.sec); /* wipes */
	free(wire);
	free(c.parts);
	return rc ? rc : c.worst;
}
