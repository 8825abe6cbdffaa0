/*
 * vault.c - the encrypted vault: open, create, save and rekey with
 * XChaCha20-Poly1305 over the plaintext and the whole header as associated
 * data, and the entry accessors.  Byte layouts are in vault_codec.c and
 * totp-vault(5); file handling is in vault_file.c, the KDF in kdf.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "vault_internal.h"

/* -- open, create, close ----------------------------------------------------- */

void totp_vault_close(struct totp_vault *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nadded; i++)
		secmem_release(&v->added[i]);
	free(v->added);
	secmem_release(&v->index);
	secmem_release(&v->plain);
	free(v->slots);
	free(v->pos);
	secmem_release(&v->keymem);
	totp_vfile_close(&v->file);
	sodium_memzero(v, sizeof(*v));
	free(v);
}

int vault_alloc(struct totp_vault **out)
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
	if (secmem_reserve(&v->keymem, TOTP_KEY_BYTES) != TOTP_OK) {
		free(v);
		return TOTP_E_NOMEM;
	}
	v->key = secmem_take(&v->keymem, TOTP_KEY_BYTES);
	*out = v;
	return TOTP_OK;
}

int vault_check_header(void *ctx, const uint8_t *hdr, uint64_t size)
{
	struct vault_header_ctx *c = ctx;

	c->info->file_size = size;
	return vault_header_decode(c->info, c->nonce, hdr);
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
		rc = totp_vfile_read(&f, hdr, vault_check_header,
		                     &(struct vault_header_ctx){info, nonce}, NULL);
	totp_vfile_close(&f);
	return rc;
}

static int vault_open(struct totp_vault **out, const char *path, const char *pass, size_t passlen,
                      const uint8_t *key, unsigned flags)
{
	struct totp_vault *v = NULL;
	uint8_t nonce[VAULT_NONCE_BYTES], hdr[VAULT_HEADER_BYTES];
	int rc;

	if (!out)
		return TOTP_E_INVAL;
	*out = NULL;
	if (!path || (flags & ~(unsigned)TOTP_VAULT_WRITE) || (!key && !pass && passlen))
		return TOTP_E_INVAL;
	rc = vault_alloc(&v);
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
	/* The ciphertext is read into guarded memory and decrypted in place
	 * (libsodium checks the tag before it decrypts); the plaintext stays
	 * there while the vault is open, and entries are decoded from it when
	 * first used. */
	rc = totp_vfile_read(&v->file, hdr, vault_check_header,
	                     &(struct vault_header_ctx){&v->info, nonce}, &v->plain);
	if (rc)
		goto out;
	if (key)
		memcpy(v->key, key, TOTP_KEY_BYTES);
	else if ((rc = totp_kdf_derive(v->key, pass, passlen, v->info.salt, &v->info.kdf)) != 0)
		goto out;
	v->plainlen = v->plain.used - VAULT_TAG_BYTES;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(v->plain.base, NULL, NULL, v->plain.base,
	                                               v->plain.used, hdr, VAULT_HEADER_BYTES,
	                                               nonce, v->key) != 0) {
		rc = TOTP_E_AUTH;
		goto out;
	}
	rc = vault_plain_index(v);
	if (rc)
		goto out;
	if (!v->writable)
		totp_vfile_close(&v->file);
	*out = v;
	v = NULL;
out:
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
	rc = vault_alloc(&v);
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
	            VAULT_HEADER_BYTES, data + VAULT_NONCE_OFF, c->key) != 0 ||
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
	rc = vault_plain_encode(v, &plain, &plainlen);
	if (rc)
		goto out;
	len = VAULT_HEADER_BYTES + plainlen + VAULT_TAG_BYTES;
	buf = malloc(len);
	if (!buf) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	vault_header_encode(buf, &next, nonce);
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
	/* A partial vault is never writable: saving it would drop the rest. */
	if (!v || !v->writable || v->partial)
		return TOTP_E_INVAL;
	return vault_write(v, 0);
}

int totp_vault_rekey(struct totp_vault *v, const char *pass, size_t passlen,
                     const struct totp_kdf *kdf)
{
	uint8_t salt[VAULT_SALT_BYTES], *key;
	int rc;

	if (!v || !kdf || (!pass && passlen) || v->partial)
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
	return v && i < v->count ? vault_slot_load(v, &v->slots[i]) : NULL;
}

int totp_vault_labels(const struct totp_vault *v, size_t i, struct totp_labels *out)
{
	const struct vault_slot *s;

	if (!v || i >= v->count || !out)
		return TOTP_E_INVAL;
	s = &v->slots[i];
	if (s->e) {
		out->issuer = s->e->issuer;
		out->issuer_len = strnlen(s->e->issuer, TOTP_LABEL_MAX);
		out->account = s->e->account;
		out->account_len = strnlen(s->e->account, TOTP_LABEL_MAX);
	} else {
		out->issuer = (const char *)v->plain.base + s->issuer;
		out->issuer_len = s->issuer_len;
		out->account = (const char *)v->plain.base + s->account;
		out->account_len = s->account_len;
	}
	return TOTP_OK;
}

size_t totp_vault_position(const struct totp_vault *v, size_t i)
{
	if (!v || i >= v->count)
		return SIZE_MAX;
	return v->partial ? v->pos[i] : i;
}

int totp_vault_check(const struct totp_vault *v, size_t i)
{
	if (!v || i >= v->count)
		return TOTP_E_INVAL;
	return v->slots[i].e ? totp_entry_check(v->slots[i].e) : v->slots[i].check;
}

/* The last store of the chain, or a new one as large as all the others. */
struct totp_entry *vault_entry_store(struct totp_vault *v)
{
	struct secmem *chain, *last = v->nadded ? &v->added[v->nadded - 1] : NULL;
	size_t n = VAULT_ENTRIES_MIN_CAP;

	if (last && secmem_free(last) >= sizeof(struct totp_entry))
		return secmem_take(last, sizeof(struct totp_entry));
	if (last)
		n = last->size / sizeof(struct totp_entry) * 2;
	chain = realloc(v->added, (v->nadded + 1) * sizeof(*chain));
	if (!chain)
		return NULL;
	v->added = chain;
	if (secmem_reserve(&chain[v->nadded], n * sizeof(struct totp_entry)) != TOTP_OK)
		return NULL;
	return secmem_take(&chain[v->nadded++], sizeof(struct totp_entry));
}

int totp_vault_add(struct totp_vault *v, const struct totp_entry *e)
{
	struct totp_entry *n;
	int rc;

	if (!v || !e || v->partial)
		return TOTP_E_INVAL;
	rc = totp_entry_check(e);
	if (rc)
		return rc;
	rc = vault_slots_grow(v);
	if (rc)
		return rc;
	if (!(n = vault_entry_store(v)))
		return TOTP_E_NOMEM;
	memcpy(n, e, sizeof(*e));
	v->slots[v->count++] = (struct vault_slot){.e = n};
	return TOTP_OK;
}

int totp_vault_remove(struct totp_vault *v, size_t i)
{
	if (!v || i >= v->count || v->partial)
		return TOTP_E_INVAL;
	if (v->slots[i].e)
		sodium_memzero(v->slots[i].e, sizeof(*v->slots[i].e));
	memmove(&v->slots[i], &v->slots[i + 1], (v->count - i - 1) * sizeof(*v->slots));
	v->count--;
	return TOTP_OK;
}
