/*
 * vault_codec.c - the vault's byte layouts: the 72-byte header and the
 * plaintext encoding of the entry list (totp-vault(5)), and the in-memory
 * entry array they fill.
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
#define ENTRY_HEAD 4 /* record length */
#define COUNT_HEAD 4 /* entry count */

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
	p += ENTRY_HEAD;
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

/* Encode the entries into a new guarded buffer padded to VAULT_PAD. */
int vault_plain_encode(const struct totp_vault *v, uint8_t **out, size_t *outlen)
{
	const size_t limit = VAULT_FILE_MAX - VAULT_FILE_MIN;
	size_t total = COUNT_HEAD, sz;
	uint8_t *buf, *p;

	*out = NULL;
	*outlen = 0;
	for (size_t i = 0; i < v->count; i++) {
		sz = entry_size(&v->entries[i]);
		if (!sz)
			return TOTP_E_INVAL;
		total += ENTRY_HEAD + sz;
		if (total > limit)
			return TOTP_E_TOOBIG;
	}
	total = (total + VAULT_PAD - 1) / VAULT_PAD * VAULT_PAD;
	if (total > limit)
		return TOTP_E_TOOBIG;
	buf = sodium_malloc(total);
	if (!buf)
		return TOTP_E_NOMEM;
	memset(buf, 0, total);
	totp_store_be32(buf, (uint32_t)v->count);
	p = buf + COUNT_HEAD;
	for (size_t i = 0; i < v->count; i++)
		p = entry_encode(p, &v->entries[i], entry_size(&v->entries[i]));
	*out = buf;
	*outlen = total;
	return TOTP_OK;
}

static int get_label(char dst[TOTP_LABEL_MAX], const uint8_t *val, size_t len)
{
	if (len >= TOTP_LABEL_MAX || memchr(val, 0, len))
		return TOTP_E_CORRUPT;
	memcpy(dst, val, len);
	dst[len] = '\0';
	return TOTP_OK;
}

/*
 * One record into *e.  Only the structure is checked: values that
 * totp_entry_check rejects are kept as they are, so one odd entry never
 * makes a vault unreadable.  Unknown tags are skipped.
 */
static int entry_decode(struct totp_entry *e, const uint8_t *p, size_t len)
{
	static const uint8_t want_len[] = {
	        [TAG_TYPE] = 1,   [TAG_ALGO] = 1,    [TAG_DIGITS] = 1,
	        [TAG_PERIOD] = 4, [TAG_COUNTER] = 8,
	};
	unsigned seen = 0;

	/* Values of fields a record leaves out. */
	memset(e, 0, sizeof(*e));
	e->type = TOTP_TYPE_TOTP;
	e->algo = TOTP_ALGO_SHA1;
	e->digits = 6;
	e->period = 30;
	while (len) {
		unsigned tag;
		size_t fl;
		const uint8_t *val;
		int rc = TOTP_OK;

		if (len < FIELD_HEAD)
			return TOTP_E_CORRUPT;
		tag = p[0];
		fl = (size_t)p[1] << 8 | p[2];
		val = p + FIELD_HEAD;
		if (fl > len - FIELD_HEAD)
			return TOTP_E_CORRUPT;
		p += FIELD_HEAD + fl;
		len -= FIELD_HEAD + fl;
		if (tag < TAG_ISSUER || tag > TAG_COUNTER)
			continue;
		if (seen & 1u << tag)
			return TOTP_E_CORRUPT;
		seen |= 1u << tag;
		if (tag < TOTP_ARRAY_LEN(want_len) && want_len[tag] && fl != want_len[tag])
			return TOTP_E_CORRUPT;
		switch (tag) {
		case TAG_ISSUER:
			rc = get_label(e->issuer, val, fl);
			break;
		case TAG_ACCOUNT:
			rc = get_label(e->account, val, fl);
			break;
		case TAG_SECRET:
			if (fl > TOTP_SECRET_MAX)
				return TOTP_E_CORRUPT;
			memcpy(e->secret, val, fl);
			e->secret_len = fl;
			break;
		case TAG_TYPE:
			e->type = (enum totp_type)val[0];
			break;
		case TAG_ALGO:
			e->algo = (enum totp_algo)val[0];
			break;
		case TAG_DIGITS:
			e->digits = val[0];
			break;
		case TAG_PERIOD:
			e->period = totp_load_be32(val);
			break;
		default:
			e->counter = totp_load_be64(val);
			break;
		}
		if (rc)
			return rc;
	}
	return TOTP_OK;
}

void vault_entries_free(struct totp_entry *e, size_t cap)
{
	/* sodium_free zeroes the whole region (sodium_munlock) before it
	 * unmaps it: a second wipe here would double the cost of closing a
	 * large vault. */
	(void)cap;
	sodium_free(e);
}

/* A new guarded array of cap entries holding the first count of old. */
int vault_entries_resize(struct totp_vault *v, size_t cap)
{
	struct totp_entry *n;

	if (cap < VAULT_ENTRIES_MIN_CAP)
		cap = VAULT_ENTRIES_MIN_CAP;
	if (cap > SIZE_MAX / sizeof(*n))
		return TOTP_E_NOMEM;
	n = sodium_malloc(cap * sizeof(*n));
	if (!n)
		return TOTP_E_NOMEM;
	if (v->count)
		memcpy(n, v->entries, v->count * sizeof(*n));
	memset(n + v->count, 0, (cap - v->count) * sizeof(*n));
	vault_entries_free(v->entries, v->cap);
	v->entries = n;
	v->cap = cap;
	return TOTP_OK;
}

/* The whole plaintext into v's entries: one allocation, one pass. */
int vault_plain_decode(struct totp_vault *v, const uint8_t *p, size_t len)
{
	size_t n, off = COUNT_HEAD;
	int rc;

	if (len < COUNT_HEAD)
		return TOTP_E_CORRUPT;
	n = totp_load_be32(p);
	if (n > VAULT_ENTRIES_MAX || n > (len - COUNT_HEAD) / ENTRY_HEAD)
		return TOTP_E_CORRUPT;
	v->count = 0;
	rc = vault_entries_resize(v, n + n / 8);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		size_t rl;

		if (len - off < ENTRY_HEAD)
			return TOTP_E_CORRUPT;
		rl = totp_load_be32(p + off);
		off += ENTRY_HEAD;
		if (rl > len - off)
			return TOTP_E_CORRUPT;
		rc = entry_decode(&v->entries[i], p + off, rl);
		if (rc)
			return rc;
		off += rl;
		v->count = i + 1;
	}
	/* Whatever follows the entries is padding: zero bytes only. */
	for (; off < len; off++)
		if (p[off])
			return TOTP_E_CORRUPT;
	return TOTP_OK;
}
