/*
 * vault_codec.c - the vault's byte layouts: the 72-byte header and the
 * plaintext encoding of the entry list (totp-vault(5)), and the index of
 * the entries that lets them be decoded one by one when first used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "vault_internal.h"
/* Plaintext field tags (u8 tag, u16 length, value). */
enum {
	TAG_ISSUER = 1,
	TAG_ACCOUNT = 2,
	TAG_SECRET = 3,
	TAG_TYPE = 4,
	TAG_ALGO = 5,
	TAG_DIGITS = 6,
	TAG_PERIOD = 7,
	TAG_COUNTER = 8,
};

#define FIELD_HEAD 3 /* tag and length */

_Static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == VAULT_NONCE_BYTES, "nonce size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == VAULT_TAG_BYTES, "tag size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == TOTP_KEY_BYTES, "key size");
_Static_assert(crypto_pwhash_argon2id_SALTBYTES == VAULT_SALT_BYTES, "salt size");

/* -- header ---------------------------------------------------------------- */

void vault_header_encode(uint8_t h[VAULT_HEADER_BYTES], const struct totp_vault_info *in,
                         const uint8_t nonce[VAULT_NONCE_BYTES])
{
	memcpy(h, VAULT_MAGIC, VAULT_MAGIC_LEN);
	h[8] = (uint8_t)(VAULT_VERSION >> 8);
	h[9] = (uint8_t)VAULT_VERSION;
	h[10] = VAULT_KDF_ARGON2ID13;
	h[11] = 0;
	totp_store_be32(h + 12, in->kdf.opslimit);
	totp_store_be64(h + 16, in->kdf.memlimit);
	memcpy(h + 24, in->salt, VAULT_SALT_BYTES);
	totp_store_be64(h + 40, in->generation);
	memcpy(h + VAULT_NONCE_OFF, nonce, VAULT_NONCE_BYTES);
}

/* Fills *out as far as the header can be read; checks in file order, and
 * nothing is allocated or derived before they all pass. */
int vault_header_decode(struct totp_vault_info *out, uint8_t nonce[VAULT_NONCE_BYTES],
                        const uint8_t h[VAULT_HEADER_BYTES])
{
	if (memcmp(h, VAULT_MAGIC, VAULT_MAGIC_LEN) != 0)
		return TOTP_E_FORMAT;
	out->version = (unsigned)h[8] << 8 | h[9];
	out->kdf.opslimit = totp_load_be32(h + 12);
	out->kdf.memlimit = totp_load_be64(h + 16);
	memcpy(out->salt, h + 24, VAULT_SALT_BYTES);
	out->generation = totp_load_be64(h + 40);
	memcpy(nonce, h + VAULT_NONCE_OFF, VAULT_NONCE_BYTES);
	if (out->version != VAULT_VERSION)
		return TOTP_E_VERSION;
	if (h[10] != VAULT_KDF_ARGON2ID13 || h[11] != 0)
		return TOTP_E_KDF;
	return totp_kdf_check(&out->kdf);
}

/* -- plaintext ------------------------------------------------------------- */

/* Bytes of one entry's record after its length; 0 if it cannot be stored
 * (labels not terminated, secret too long, a value wider than its field). */
static size_t entry_size(const struct totp_entry *e)
{
	size_t il = strnlen(e->issuer, TOTP_LABEL_MAX), al = strnlen(e->account, TOTP_LABEL_MAX);

	if (il == TOTP_LABEL_MAX || al == TOTP_LABEL_MAX || e->secret_len > TOTP_SECRET_MAX)
		return 0;
	if ((unsigned)e->type > 0xff || (unsigned)e->algo > 0xff || e->digits > 0xff)
		return 0;
	return 8 * FIELD_HEAD + il + al + e->secret_len + 1 + 1 + 1 + 4 + 8;
}

static uint8_t *put_field(uint8_t *p, unsigned tag, const void *val, size_t len)
{
	p[0] = (uint8_t)tag;
	p[1] = (uint8_t)(len >> 8);
	p[2] = (uint8_t)len;
	if (len)
		memcpy(p + FIELD_HEAD, val, len);
	return p + FIELD_HEAD + len;
}

static uint8_t *put_u8(uint8_t *p, unsigned tag, unsigned v)
{
	uint8_t b = (uint8_t)v;

	return put_field(p, tag, &b, 1);
}

static uint8_t *entry_encode(uint8_t *p, const struct totp_entry *e, size_t size)
{
	uint8_t b[8];

	totp_store_be32(p, (uint32_t)size);
	p += VAULT_RECORD_HEAD;
	p = put_field(p, TAG_ISSUER, e->issuer, strlen(e->issuer));
	p = put_field(p, TAG_ACCOUNT, e->account, strlen(e->account));
	p = put_field(p, TAG_SECRET, e->secret, e->secret_len);
	p = put_u8(p, TAG_TYPE, (unsigned)e->type);
	p = put_u8(p, TAG_ALGO, (unsigned)e->algo);
	p = put_u8(p, TAG_DIGITS, e->digits);
	totp_store_be32(b, e->period);
	p = put_field(p, TAG_PERIOD, b, 4);
	totp_store_be64(b, e->counter);
	return put_field(p, TAG_COUNTER, b, 8);
}

/* Slot i as an entry: the decoded one, or its record decoded into tmp. */
static const struct totp_entry *slot_entry(const struct totp_vault *v, size_t i,
                                           struct totp_entry *tmp)
{
	const struct vault_slot *s = &v->slots[i];
	struct vault_record r;

	if (s->e)
		return s->e;
	if (vault_record_parse(&r, v->plain.base + s->rec, s->reclen) != TOTP_OK)
		return NULL;
	vault_record_decode(tmp, &r);
	return tmp;
}

/* Encode the entries into a new guarded buffer padded to VAULT_PAD.
 * Entries never decoded are decoded one at a time into a scratch entry,
 * so a save writes every field of every record as a writer must. */
int vault_plain_encode(const struct totp_vault *v, uint8_t **out, size_t *outlen)
{
	const size_t limit = VAULT_FILE_MAX - VAULT_FILE_MIN;
	const struct totp_entry *e;
	struct totp_entry *tmp;
	size_t total = VAULT_COUNT_HEAD, sz;
	uint8_t *buf = NULL, *p;
	int rc = TOTP_OK;

	*out = NULL;
	*outlen = 0;
	tmp = sodium_malloc(sizeof(*tmp));
	if (!tmp)
		return TOTP_E_NOMEM;
	for (size_t i = 0; i < v->count && rc == TOTP_OK; i++) {
		if (!(e = slot_entry(v, i, tmp)) || !(sz = entry_size(e)))
			rc = TOTP_E_INVAL;
		else if ((total += VAULT_RECORD_HEAD + sz) > limit)
			rc = TOTP_E_TOOBIG;
	}
	total = (total + VAULT_PAD - 1) / VAULT_PAD * VAULT_PAD;
	if (rc == TOTP_OK && total > limit)
		rc = TOTP_E_TOOBIG;
	if (rc == TOTP_OK && !(buf = sodium_malloc(total)))
		rc = TOTP_E_NOMEM;
	if (rc == TOTP_OK) {
		memset(buf, 0, total);
		totp_store_be32(buf, (uint32_t)v->count);
		p = buf + VAULT_COUNT_HEAD;
		for (size_t i = 0; i < v->count; i++) {
			e = slot_entry(v, i, tmp);
			p = entry_encode(p, e, entry_size(e));
		}
		*out = buf;
		*outlen = total;
	}
	sodium_memzero(tmp, sizeof(*tmp));
	sodium_free(tmp);
	return rc;
}

int vault_record_parse(struct vault_record *r, const uint8_t *p, size_t len)
{
	unsigned seen = 0;

	/* Values of fields a record leaves out. */
	*r = (struct vault_record){
	        .view = {.issuer = "",
	                 .account = "",
	                 .type = TOTP_TYPE_TOTP,
	                 .algo = TOTP_ALGO_SHA1,
	                 .digits = 6,
	                 .period = 30},
	        .secret = p,
	};
	while (len) {
		unsigned tag;
		size_t fl;
		const uint8_t *val;

		if (len < FIELD_HEAD)
			return TOTP_E_CORRUPT;
		tag = p[0];
		fl = (size_t)p[1] << 8 | p[2];
		if (fl > len - FIELD_HEAD)
			return TOTP_E_CORRUPT;
		val = p + FIELD_HEAD;
		p += FIELD_HEAD + fl;
		len -= FIELD_HEAD + fl;
		if (tag - TAG_ISSUER > TAG_COUNTER - TAG_ISSUER)
			continue; /* unknown: skipped */
		if (seen & 1u << tag)
			return TOTP_E_CORRUPT;
		seen |= 1u << tag;
		switch (tag) {
		case TAG_ISSUER:
		case TAG_ACCOUNT:
			if (fl >= TOTP_LABEL_MAX)
				return TOTP_E_CORRUPT;
			if (tag == TAG_ISSUER) {
				r->view.issuer = (const char *)val;
				r->view.issuer_len = fl;
			} else {
				r->view.account = (const char *)val;
				r->view.account_len = fl;
			}
			break;
		case TAG_SECRET:
			if (fl > TOTP_SECRET_MAX)
				return TOTP_E_CORRUPT;
			r->secret = val;
			r->view.secret_len = fl;
			break;
		case TAG_TYPE:
		case TAG_ALGO:
		case TAG_DIGITS:
			if (fl != 1)
				return TOTP_E_CORRUPT;
			if (tag == TAG_TYPE)
				r->view.type = (enum totp_type)val[0];
			else if (tag == TAG_ALGO)
				r->view.algo = (enum totp_algo)val[0];
			else
				r->view.digits = val[0];
			break;
		case TAG_PERIOD:
			if (fl != 4)
				return TOTP_E_CORRUPT;
			r->view.period = totp_load_be32(val);
			break;
		default: /* TAG_COUNTER */
			if (fl != 8)
				return TOTP_E_CORRUPT;
			r->counter = totp_load_be64(val);
			break;
		}
	}
	return TOTP_OK;
}

/* A label with a NUL fails the check, so only then are labels searched. */
int vault_record_judge(const struct vault_record *r)
{
	int rc = totp_entry_view_check(&r->view);

	if (rc != TOTP_OK && (memchr(r->view.issuer, 0, r->view.issuer_len) ||
	                      memchr(r->view.account, 0, r->view.account_len)))
		return TOTP_E_CORRUPT;
	return rc;
}

void vault_record_decode(struct totp_entry *e, const struct vault_record *r)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->issuer, r->view.issuer, r->view.issuer_len);
	memcpy(e->account, r->view.account, r->view.account_len);
	memcpy(e->secret, r->secret, r->view.secret_len);
	e->secret_len = r->view.secret_len;
	e->type = r->view.type;
	e->algo = r->view.algo;
	e->digits = r->view.digits;
	e->period = r->view.period;
	e->counter = r->counter;
}

/* -- slots ------------------------------------------------------------------ */

int vault_slots_grow(struct totp_vault *v)
{
	struct vault_slot *n;
	size_t cap;

	if (v->count < v->cap)
		return TOTP_OK;
	if (v->count >= VAULT_ENTRIES_MAX)
		return TOTP_E_TOOBIG;
	cap = v->cap ? v->cap * 2 : VAULT_ENTRIES_MIN_CAP;
	if (cap > VAULT_ENTRIES_MAX)
		cap = VAULT_ENTRIES_MAX;
	n = realloc(v->slots, cap * sizeof(*n));
	if (!n)
		return TOTP_E_NOMEM;
	v->slots = n;
	v->cap = cap;
	return TOTP_OK;
}

struct totp_entry *vault_slot_load(struct totp_vault *v, struct vault_slot *s)
{
	struct vault_record r;
	struct totp_entry *e;

	if (s->e)
		return s->e;
	if (vault_record_parse(&r, v->plain.base + s->rec, s->reclen) != TOTP_OK)
		return NULL;
	e = secmem_take(&v->index, sizeof(*e));
	if (!e)
		return NULL;
	vault_record_decode(e, &r);
	s->e = e;
	return e;
}

/*
 * One pass over the plaintext: every record's structure is checked (so a
 * record that would not decode later is refused now), its fields judged
 * as totp_entry_check would, and its labels indexed where they lie in the
 * plaintext.  The entries themselves are decoded when first used, into a
 * guarded region reserved now with room for each (mapped as it is used).
 */
int vault_plain_index(struct totp_vault *v)
{
	const uint8_t *p = v->plain.base;
	size_t len = v->plainlen, n, off = VAULT_COUNT_HEAD;
	int rc;

	if (len < VAULT_COUNT_HEAD)
		return TOTP_E_CORRUPT;
	n = totp_load_be32(p);
	if (n > VAULT_ENTRIES_MAX || n > (len - VAULT_COUNT_HEAD) / VAULT_RECORD_HEAD)
		return TOTP_E_CORRUPT;
	v->count = v->cap = 0;
	if (n && !(v->slots = calloc(n, sizeof(*v->slots))))
		return TOTP_E_NOMEM;
	populate_pages(v->slots, n * sizeof(*v->slots));
	v->cap = n;
	rc = secmem_reserve(&v->index, n * sizeof(struct totp_entry));
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct vault_slot *s = &v->slots[i];
		struct vault_record r;
		size_t rl;
		int check;

		rc = TOTP_E_CORRUPT;
		if (len - off < VAULT_RECORD_HEAD)
			break;
		rl = totp_load_be32(p + off);
		off += VAULT_RECORD_HEAD;
		if (rl > len - off || vault_record_parse(&r, p + off, rl) != TOTP_OK ||
		    (check = vault_record_judge(&r)) == TOTP_E_CORRUPT)
			break;
		s->rec = (uint32_t)off;
		s->reclen = (uint32_t)rl;
		/* Offsets into the plaintext, or of "" for a missing label. */
		s->issuer = r.view.issuer_len ? (uint32_t)((const uint8_t *)r.view.issuer - p) : 0;
		s->account =
		        r.view.account_len ? (uint32_t)((const uint8_t *)r.view.account - p) : 0;
		s->issuer_len = (uint8_t)r.view.issuer_len;
		s->account_len = (uint8_t)r.view.account_len;
		s->check = check;
		off += rl;
		v->count = i + 1;
		rc = TOTP_OK;
	}
	if (rc)
		return rc;
	/* Whatever follows the entries is padding: zero bytes only. */
	for (; off < len; off++)
		if (p[off])
			return TOTP_E_CORRUPT;
	return TOTP_OK;
}
