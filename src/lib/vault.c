/*
 * vault.c - the encrypted vault: header, plaintext encoding of the entry
 * list, XChaCha20-Poly1305 with the whole header as associated data, and
 * the in-memory list of entries.  The byte layout is documented in
 * totp-vault(5); file handling is in vault_file.c, the KDF in kdf.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#define ENTRIES_MIN_CAP 16
#define NONCE_OFF (VAULT_HEADER_BYTES - VAULT_NONCE_BYTES)

_Static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == VAULT_NONCE_BYTES, "nonce size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == VAULT_TAG_BYTES, "tag size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == TOTP_KEY_BYTES, "key size");
_Static_assert(crypto_pwhash_argon2id_SALTBYTES == VAULT_SALT_BYTES, "salt size");

/* -- header ---------------------------------------------------------------- */

static void header_encode(uint8_t h[VAULT_HEADER_BYTES], const struct totp_vault_info *in,
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
	memcpy(h + NONCE_OFF, nonce, VAULT_NONCE_BYTES);
}

/* Fills *out as far as the header can be read; checks in file order, and
 * nothing is allocated or derived before they all pass. */
static int header_decode(struct totp_vault_info *out, uint8_t nonce[VAULT_NONCE_BYTES],
                         const uint8_t h[VAULT_HEADER_BYTES])
{
	if (memcmp(h, VAULT_MAGIC, VAULT_MAGIC_LEN) != 0)
		return TOTP_E_FORMAT;
	out->version = (unsigned)h[8] << 8 | h[9];
	out->kdf.opslimit = totp_load_be32(h + 12);
	out->kdf.memlimit = totp_load_be64(h + 16);
	memcpy(out->salt, h + 24, VAULT_SALT_BYTES);
	out->generation = totp_load_be64(h + 40);
	memcpy(nonce, h + NONCE_OFF, VAULT_NONCE_BYTES);
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
static int plain_encode(const struct totp_vault *v, uint8_t **out, size_t *outlen)
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

static void entries_free(struct totp_entry *e, size_t cap)
{
	if (e) {
		sodium_memzero(e, cap * sizeof(*e));
		sodium_free(e);
	}
}

/* A new guarded array of cap entries holding the first count of old. */
static int entries_resize(struct totp_vault *v, size_t cap)
{
	struct totp_entry *n;

	if (cap < ENTRIES_MIN_CAP)
		cap = ENTRIES_MIN_CAP;
	if (cap > SIZE_MAX / sizeof(*n))
		return TOTP_E_NOMEM;
	n = sodium_malloc(cap * sizeof(*n));
	if (!n)
		return TOTP_E_NOMEM;
	memset(n, 0, cap * sizeof(*n));
	if (v->count)
		memcpy(n, v->entries, v->count * sizeof(*n));
	entries_free(v->entries, v->cap);
	v->entries = n;
	v->cap = cap;
	return TOTP_OK;
}

/* The whole plaintext into v's entries: one allocation, one pass. */
static int plain_decode(struct totp_vault *v, const uint8_t *p, size_t len)
{
	size_t n, off = COUNT_HEAD;
	int rc;

	if (len < COUNT_HEAD)
		return TOTP_E_CORRUPT;
	n = totp_load_be32(p);
	if (n > VAULT_ENTRIES_MAX || n > (len - COUNT_HEAD) / ENTRY_HEAD)
		return TOTP_E_CORRUPT;
	v->count = 0;
	rc = entries_resize(v, n + n / 8);
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

/* -- open, create, close ----------------------------------------------------- */

void totp_vault_close(struct totp_vault *v)
{
	if (!v)
		return;
	entries_free(v->entries, v->cap);
	if (v->key) {
		sodium_memzero(v->key, TOTP_KEY_BYTES);
		sodium_free(v->key);
	}
	totp_vfile_close(&v->file);
	sodium_memzero(v, sizeof(*v));
	free(v);
}

static int vault_new(struct totp_vault **out)
{
	struct totp_vault *v;
	int rc = totp_sodium_ready();

	*out = NULL;
	if (rc)
		return rc;
	v = calloc(1, sizeof(*v));
	if (!v)
		return TOTP_E_NOMEM;
	totp_vfile_init(&v->file);
	v->key = sodium_malloc(TOTP_KEY_BYTES);
	if (!v->key) {
		free(v);
		return TOTP_E_NOMEM;
	}
	*out = v;
	return TOTP_OK;
}

struct header_ctx {
	struct totp_vault_info *info;
	uint8_t *nonce;
};

static int check_header(void *ctx, const uint8_t *hdr, uint64_t size)
{
	struct header_ctx *c = ctx;

	c->info->file_size = size;
	return header_decode(c->info, c->nonce, hdr);
}

int totp_vault_info(struct totp_vault_info *info, const char *path)
{
	struct totp_vfile f;
	uint8_t nonce[VAULT_NONCE_BYTES], hdr[VAULT_HEADER_BYTES];
	int rc;

	if (!info || !path)
		return TOTP_E_INVAL;
	memset(info, 0, sizeof(*info));
	totp_vfile_init(&f);
	rc = totp_vfile_open_dir(&f, path, 0);
	if (rc == TOTP_OK)
		rc = totp_vfile_read(&f, hdr, check_header, &(struct header_ctx){info, nonce}, NULL,
		                     NULL);
	totp_vfile_close(&f);
	return rc;
}

static int vault_open(struct totp_vault **out, const char *path, const char *pass, size_t passlen,
                      const uint8_t *key, unsigned flags)
{
	struct totp_vault *v = NULL;
	uint8_t nonce[VAULT_NONCE_BYTES], hdr[VAULT_HEADER_BYTES];
	uint8_t *body = NULL, *plain = NULL;
	size_t bodylen = 0, plainlen = 0;
	int rc;

	if (!out)
		return TOTP_E_INVAL;
	*out = NULL;
	if (!path || (flags & ~(unsigned)TOTP_VAULT_WRITE) || (!key && !pass && passlen))
		return TOTP_E_INVAL;
	rc = vault_new(&v);
	if (rc)
		return rc;
	rc = totp_vfile_open_dir(&v->file, path, 0);
	if (rc)
		goto out;
	if (flags & TOTP_VAULT_WRITE) {
		/* No lock file is left next to a vault that is not there. */
		rc = totp_vfile_exists(&v->file);
		if (rc == 0)
			rc = TOTP_E_NOENT;
		if (rc < 0)
			goto out;
		rc = totp_vfile_lock(&v->file);
		if (rc)
			goto out;
		totp_vfile_clean_temps(&v->file);
		v->writable = 1;
	}
	rc = totp_vfile_read(&v->file, hdr, check_header, &(struct header_ctx){&v->info, nonce},
	                     &body, &bodylen);
	if (rc)
		goto out;
	if (key)
		memcpy(v->key, key, TOTP_KEY_BYTES);
	else if ((rc = totp_kdf_derive(v->key, pass, passlen, v->info.salt, &v->info.kdf)) != 0)
		goto out;
	plainlen = bodylen - VAULT_TAG_BYTES;
	plain = sodium_malloc(plainlen ? plainlen : 1);
	if (!plain) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, body, bodylen, hdr,
	                                               VAULT_HEADER_BYTES, nonce, v->key) != 0) {
		rc = TOTP_E_AUTH;
		goto out;
	}
	rc = plain_decode(v, plain, plainlen);
	if (rc)
		goto out;
	if (!v->writable)
		totp_vfile_close(&v->file);
	*out = v;
	v = NULL;
out:
	if (plain) {
		sodium_memzero(plain, plainlen);
		sodium_free(plain);
	}
	free(body);
	totp_vault_close(v);
	return rc;
}

int totp_vault_open(struct totp_vault **out, const char *path, const char *pass, size_t passlen,
                    unsigned flags)
{
	return vault_open(out, path, pass, passlen, NULL, flags);
}

int totp_vault_open_key(struct totp_vault **out, const char *path,
                        const uint8_t key[TOTP_KEY_BYTES], unsigned flags)
{
	if (!key) {
		if (out)
			*out = NULL;
		return TOTP_E_INVAL;
	}
	return vault_open(out, path, NULL, 0, key, flags);
}

static int vault_write(struct totp_vault *v, int noreplace);

int totp_vault_create(struct totp_vault **out, const char *path, const char *pass, size_t passlen,
                      const struct totp_kdf *kdf)
{
	struct totp_vault *v = NULL;
	int rc;

	if (!out)
		return TOTP_E_INVAL;
	*out = NULL;
	if (!path || !kdf || (!pass && passlen))
		return TOTP_E_INVAL;
	rc = totp_kdf_check(kdf);
	if (rc)
		return rc;
	rc = vault_new(&v);
	if (rc)
		return rc;
	rc = totp_vfile_open_dir(&v->file, path, 1);
	if (rc)
		goto out;
	/* Checked before the lock (no lock file next to someone's file) and
	 * again under it. */
	rc = totp_vfile_exists(&v->file);
	if (rc == 0)
		rc = totp_vfile_lock(&v->file);
	if (rc == 0)
		rc = totp_vfile_exists(&v->file);
	if (rc == 1)
		rc = TOTP_E_EXISTS;
	if (rc)
		goto out;
	totp_vfile_clean_temps(&v->file);
	v->writable = 1;
	v->info.version = VAULT_VERSION;
	v->info.kdf = *kdf;
	v->info.generation = 0;
	randombytes_buf(v->info.salt, sizeof(v->info.salt));
	rc = totp_kdf_derive(v->key, pass, passlen, v->info.salt, kdf);
	if (rc == TOTP_OK)
		rc = entries_resize(v, ENTRIES_MIN_CAP);
	if (rc == TOTP_OK)
		rc = vault_write(v, 1);
	if (rc)
		goto out;
	*out = v;
	v = NULL;
out:
	totp_vault_close(v);
	return rc;
}

/* -- save ---------------------------------------------------------------- */

struct verify_ctx {
	const uint8_t *key;
	const uint8_t *plain;
	size_t plainlen;
};

/* The bytes read back from the temporary file decrypt to what was meant. */
static int verify_written(void *ctx, const uint8_t *data, size_t len)
{
	const struct verify_ctx *c = ctx;
	uint8_t *m;
	int rc = TOTP_OK;

	if (len != VAULT_HEADER_BYTES + c->plainlen + VAULT_TAG_BYTES) {
		errno = EIO;
		return TOTP_E_IO;
	}
	m = sodium_malloc(c->plainlen ? c->plainlen : 1);
	if (!m)
		return TOTP_E_NOMEM;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
	            m, NULL, NULL, data + VAULT_HEADER_BYTES, len - VAULT_HEADER_BYTES, data,
	            VAULT_HEADER_BYTES, data + NONCE_OFF, c->key) != 0 ||
	    sodium_memcmp(m, c->plain, c->plainlen) != 0) {
		errno = EIO;
		rc = TOTP_E_IO;
	}
	sodium_memzero(m, c->plainlen);
	sodium_free(m);
	return rc;
}

static int vault_write(struct totp_vault *v, int noreplace)
{
	struct totp_vault_info next = v->info;
	struct verify_ctx ctx;
	uint8_t nonce[VAULT_NONCE_BYTES], *plain = NULL, *buf = NULL;
	size_t plainlen = 0, len;
	int rc, renamed = 0, saved = 0;

	if (next.generation == UINT64_MAX)
		return TOTP_E_TOOBIG;
	next.generation++;
	randombytes_buf(nonce, sizeof(nonce));
	rc = plain_encode(v, &plain, &plainlen);
	if (rc)
		goto out;
	len = VAULT_HEADER_BYTES + plainlen + VAULT_TAG_BYTES;
	buf = malloc(len);
	if (!buf) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	header_encode(buf, &next, nonce);
	(void)crypto_aead_xchacha20poly1305_ietf_encrypt(buf + VAULT_HEADER_BYTES, NULL, plain,
	                                                 plainlen, buf, VAULT_HEADER_BYTES, NULL,
	                                                 nonce, v->key);
	ctx.key = v->key;
	ctx.plain = plain;
	ctx.plainlen = plainlen;
	rc = totp_vfile_replace(&v->file, buf, len, verify_written, &ctx, noreplace, &renamed);
	saved = errno;
	if (renamed) {
		v->info.generation = next.generation;
		v->info.file_size = len;
	}
out:
	if (plain) {
		sodium_memzero(plain, plainlen);
		sodium_free(plain);
	}
	free(buf);
	errno = saved;
	return rc;
}

int totp_vault_save(struct totp_vault *v)
{
	if (!v || !v->writable)
		return TOTP_E_INVAL;
	return vault_write(v, 0);
}

int totp_vault_rekey(struct totp_vault *v, const char *pass, size_t passlen,
                     const struct totp_kdf *kdf)
{
	uint8_t salt[VAULT_SALT_BYTES], *key;
	int rc;

	if (!v || !kdf || (!pass && passlen))
		return TOTP_E_INVAL;
	rc = totp_kdf_check(kdf);
	if (rc)
		return rc;
	key = sodium_malloc(TOTP_KEY_BYTES);
	if (!key)
		return TOTP_E_NOMEM;
	randombytes_buf(salt, sizeof(salt));
	rc = totp_kdf_derive(key, pass, passlen, salt, kdf);
	if (rc == TOTP_OK) {
		memcpy(v->key, key, TOTP_KEY_BYTES);
		memcpy(v->info.salt, salt, sizeof(salt));
		v->info.kdf = *kdf;
	}
	sodium_memzero(key, TOTP_KEY_BYTES);
	sodium_free(key);
	return rc;
}

/* -- accessors and entries ----------------------------------------------------- */

void totp_vault_key(const struct totp_vault *v, uint8_t key[TOTP_KEY_BYTES])
{
	if (v && key)
		memcpy(key, v->key, TOTP_KEY_BYTES);
}

const struct totp_vault_info *totp_vault_header(const struct totp_vault *v)
{
	return v ? &v->info : NULL;
}

size_t totp_vault_count(const struct totp_vault *v)
{
	return v ? v->count : 0;
}

struct totp_entry *totp_vault_entry(struct totp_vault *v, size_t i)
{
	return v && i < v->count ? &v->entries[i] : NULL;
}

int totp_vault_add(struct totp_vault *v, const struct totp_entry *e)
{
	int rc;

	if (!v || !e)
		return TOTP_E_INVAL;
	rc = totp_entry_check(e);
	if (rc)
		return rc;
	if (v->count >= VAULT_ENTRIES_MAX)
		return TOTP_E_TOOBIG;
	if (v->count == v->cap) {
		size_t cap = v->cap * 2;

		rc = entries_resize(v, cap > VAULT_ENTRIES_MAX ? VAULT_ENTRIES_MAX : cap);
		if (rc)
			return rc;
	}
	memcpy(&v->entries[v->count], e, sizeof(*e));
	v->count++;
	return TOTP_OK;
}

int totp_vault_remove(struct totp_vault *v, size_t i)
{
	if (!v || i >= v->count)
		return TOTP_E_INVAL;
	memmove(&v->entries[i], &v->entries[i + 1], (v->count - i - 1) * sizeof(*v->entries));
	v->count--;
	sodium_memzero(&v->entries[v->count], sizeof(*v->entries));
	return TOTP_OK;
}
