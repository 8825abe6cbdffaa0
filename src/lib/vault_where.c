/*
 * vault_where.c - opening a vault for a few of its entries.
 *
 * `totp code NAME` needs one account of the vault, but the whole file must
 * still be authenticated and checked.  Here the file passes once through a
 * small guarded buffer: each piece is read into it, authenticated, then
 * decrypted in place and its records checked; only the entries the caller
 * keeps are decoded and held.  Nothing is returned until the tag at the
 * end has been verified, and every byte is read from the file once, so the
 * bytes decrypted are the bytes authenticated.  A large vault then costs a
 * pass over the file, not a copy of it in memory.
 *
 * The AEAD is libsodium's crypto_aead_xchacha20poly1305_ietf taken apart:
 * HChaCha20 derives a subkey from the first 16 bytes of the nonce, ChaCha20
 * (IETF, the last 8 bytes of the nonce) block 0 keys Poly1305 over the
 * header, padding, ciphertext, padding and both lengths, and blocks 1 on
 * decrypt.  t_vault_where and fuzz_vault check every answer against
 * totp_vault_open_key, which makes libsodium's one-shot call.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "vault_internal.h"

/* The buffer (or the whole plaintext, when smaller): pieces are read into
 * it in multiples of a ChaCha20 block, and it grows only for a record
 * larger than itself. */
#define WORK_BYTES (128u * 1024)
#define BLOCK 64u

static const uint8_t zeros[16];

/* XChaCha20-Poly1305 decryption, a piece at a time. */
struct aead {
	crypto_onetimeauth_poly1305_state mac;
	uint8_t subkey[crypto_core_hchacha20_OUTPUTBYTES];
	uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES];
	uint64_t done; /* ciphertext bytes so far */
	size_t adlen;
};

static void aead_start(struct aead *a, const uint8_t key[TOTP_KEY_BYTES],
                       const uint8_t nonce[VAULT_NONCE_BYTES], const uint8_t *ad, size_t adlen)
{
	uint8_t block0[64];

	crypto_core_hchacha20(a->subkey, nonce, key, NULL);
	memset(a->nonce, 0, 4);
	memcpy(a->nonce + 4, nonce + crypto_core_hchacha20_INPUTBYTES, 8);
	crypto_stream_chacha20_ietf(block0, sizeof(block0), a->nonce, a->subkey);
	crypto_onetimeauth_poly1305_init(&a->mac, block0);
	sodium_memzero(block0, sizeof(block0));
	crypto_onetimeauth_poly1305_update(&a->mac, ad, adlen);
	crypto_onetimeauth_poly1305_update(&a->mac, zeros, (0x10 - adlen) & 0xf);
	a->done = 0;
	a->adlen = adlen;
}

/* Authenticates len bytes of ciphertext, then decrypts them in place when
 * asked to.  Every call but the last is a whole number of blocks. */
static void aead_piece(struct aead *a, uint8_t *buf, size_t len, int decrypt)
{
	crypto_onetimeauth_poly1305_update(&a->mac, buf, len);
	if (decrypt)
		crypto_stream_chacha20_ietf_xor_ic(buf, buf, len, a->nonce,
		                                   (uint32_t)(1 + a->done / BLOCK), a->subkey);
	a->done += len;
}

/* 0 when tag authenticates everything given; the state is wiped. */
static int aead_finish(struct aead *a, const uint8_t tag[VAULT_TAG_BYTES])
{
	uint8_t lens[16], mac[16];
	int rc;

	crypto_onetimeauth_poly1305_update(&a->mac, zeros, (0x10 - a->done) & 0xf);
	for (int i = 0; i < 8; i++) {
		lens[i] = (uint8_t)((uint64_t)a->adlen >> 8 * i);
		lens[8 + i] = (uint8_t)(a->done >> 8 * i);
	}
	crypto_onetimeauth_poly1305_update(&a->mac, lens, sizeof(lens));
	crypto_onetimeauth_poly1305_final(&a->mac, mac);
	rc = crypto_verify_16(mac, tag);
	sodium_memzero(a, sizeof(*a));
	sodium_memzero(mac, sizeof(mac));
	return rc;
}

/* The plaintext's structure, as vault_plain_index checks it, met a piece
 * at a time. */
enum part { COUNT, RECORDS, PADDING };

struct walk {
	struct totp_vault *v;
	totp_keep_fn keep;
	void *ctx;
	const uint8_t *nonce, *hdr;
	uint64_t len; /* plaintext bytes in the file */
	uint64_t pos; /* plaintext bytes consumed */
	size_t n, i;  /* records announced, records read */
	enum part part;
};

/* Entry i of the file, kept: decoded into the vault, position noted. */
static int keep_entry(struct walk *w, const struct vault_record *r)
{
	struct totp_vault *v = w->v;
	struct totp_entry *e;
	int rc = vault_slots_grow(v);

	if (rc)
		return rc;
	if (v->cap > v->npos) {
		size_t *p = realloc(v->pos, v->cap * sizeof(*p));

		if (!p)
			return TOTP_E_NOMEM;
		v->pos = p;
		v->npos = v->cap;
	}
	if (!(e = vault_entry_store(v)))
		return TOTP_E_NOMEM;
	vault_record_decode(e, r);
	v->pos[v->count] = w->i;
	v->slots[v->count++] = (struct vault_slot){.e = e};
	return TOTP_OK;
}

/*
 * Consumes what it can of the have bytes of plaintext at p into *used;
 * with last set, they are all that is left.  TOTP_E_CORRUPT where
 * vault_plain_index would say so; TOTP_E_NOMEM.
 */
static int walk_plain(struct walk *w, const uint8_t *p, size_t have, int last, size_t *used)
{
	size_t u = 0;
	int rc = TOTP_OK;

	while (rc == TOTP_OK) {
		const uint8_t *q = p + u;
		size_t avail = have - u, rl;
		struct vault_record r;
		struct totp_labels l;
		int check;

		if (w->part == PADDING) {
			/* Whatever follows the entries: zero bytes only. */
			for (; u < have; u++)
				if (p[u])
					rc = TOTP_E_CORRUPT;
			break;
		}
		if (avail < 4)
			break; /* both heads are 4 bytes */
		if (w->part == COUNT) {
			w->n = totp_load_be32(q);
			if (w->n > VAULT_ENTRIES_MAX ||
			    w->n > (w->len - VAULT_COUNT_HEAD) / VAULT_RECORD_HEAD)
				rc = TOTP_E_CORRUPT;
			w->part = w->n ? RECORDS : PADDING;
			u += VAULT_COUNT_HEAD;
			continue;
		}
		rl = totp_load_be32(q);
		if (rl > w->len - (w->pos + u + VAULT_RECORD_HEAD)) {
			rc = TOTP_E_CORRUPT;
			break;
		}
		if (avail - VAULT_RECORD_HEAD < rl)
			break; /* the rest of it is still in the file */
		q += VAULT_RECORD_HEAD;
		if (vault_record_parse(&r, q, rl) != TOTP_OK ||
		    (check = vault_record_judge(&r)) == TOTP_E_CORRUPT) {
			rc = TOTP_E_CORRUPT;
			break;
		}
		l = (struct totp_labels){r.view.issuer, r.view.issuer_len, r.view.account,
		                         r.view.account_len};
		if (w->keep(w->ctx, w->i, &l, check))
			rc = keep_entry(w, &r);
		u += VAULT_RECORD_HEAD + rl;
		if (++w->i == w->n)
			w->part = PADDING;
	}
	if (rc == TOTP_OK && last && (w->part != PADDING || u < have))
		rc = TOTP_E_CORRUPT; /* the plaintext ends inside a head or record */
	w->pos += u;
	*used = u;
	return rc;
}

/* A buffer twice as large (at least need bytes), holding the have bytes. */
static int grow(struct secmem *buf, size_t have, size_t need)
{
	struct secmem bigger;
	size_t size = buf->size * 2;

	if (size < need)
		size = need;
	if (secmem_reserve(&bigger, size) != TOTP_OK)
		return TOTP_E_NOMEM;
	memcpy(secmem_take(&bigger, bigger.size), buf->base, have);
	secmem_release(buf);
	*buf = bigger;
	return TOTP_OK;
}

/* The body of the file (ciphertext, then tag) through the buffer. */
static int read_where(void *ctx, int fd, uint64_t flen)
{
	struct walk *w = ctx;
	struct secmem buf;
	struct aead a;
	uint8_t tag[VAULT_TAG_BYTES];
	uint64_t off = 0;
	size_t have = 0, used;
	int rc, bad = TOTP_OK;

	/* Bounded by the file checks: VAULT_FILE_MIN..VAULT_FILE_MAX bytes. */
	w->len = flen - VAULT_TAG_BYTES;
	if (secmem_reserve(&buf, w->len < WORK_BYTES ? (size_t)w->len + BLOCK : WORK_BYTES) !=
	    TOTP_OK)
		return TOTP_E_NOMEM;
	(void)secmem_take(&buf, buf.size);
	aead_start(&a, w->v->key, w->nonce, w->hdr, VAULT_HEADER_BYTES);
	while (off < w->len) {
		/* Whole blocks, so each piece starts on a block boundary. */
		size_t room = (buf.size - have) / BLOCK * BLOCK, k;

		if (room == 0 && (rc = grow(&buf, have, have + WORK_BYTES)) != TOTP_OK)
			goto out;
		room = (buf.size - have) / BLOCK * BLOCK;
		k = w->len - off < room ? (size_t)(w->len - off) : room;
		if ((rc = totp_vfile_pread(fd, buf.base + have, k, VAULT_HEADER_BYTES + off)) != 0)
			goto out;
		off += k;
		/* Once the structure is found wrong, the rest is only authenticated. */
		aead_piece(&a, buf.base + have, k, bad == TOTP_OK);
		if (bad == TOTP_OK) {
			have += k;
			bad = walk_plain(w, buf.base, have, off == w->len, &used);
			if (bad == TOTP_E_NOMEM) {
				rc = bad;
				goto out;
			}
			/* What is left waits for the rest of its record. */
			have = bad == TOTP_OK ? have - used : 0;
			memmove(buf.base, buf.base + used, have);
		}
	}
	if (w->len == 0 && bad == TOTP_OK)
		bad = walk_plain(w, buf.base, 0, 1, &used);
	rc = totp_vfile_pread(fd, tag, sizeof(tag), VAULT_HEADER_BYTES + w->len);
	if (rc == TOTP_OK)
		rc = aead_finish(&a, tag) != 0 ? TOTP_E_AUTH : bad;
out:
	sodium_memzero(&a, sizeof(a));
	secmem_release(&buf);
	return rc;
}

static int keep_all(void *ctx, size_t pos, const struct totp_labels *labels, int check)
{
	(void)ctx;
	(void)pos;
	(void)labels;
	(void)check;
	return 1;
}

int totp_vault_open_key_where(struct totp_vault **out, const char *path,
                              const uint8_t key[TOTP_KEY_BYTES], totp_keep_fn keep, void *ctx)
{
	struct totp_vault *v = NULL;
	uint8_t nonce[VAULT_NONCE_BYTES], hdr[VAULT_HEADER_BYTES];
	struct walk w;
	int rc;

	if (!out)
		return TOTP_E_INVAL;
	*out = NULL;
	if (!path || !key)
		return TOTP_E_INVAL;
	rc = vault_alloc(&v);
	if (rc)
		return rc;
	v->partial = 1;
	memcpy(v->key, key, TOTP_KEY_BYTES);
	w = (struct walk){.v = v,
	                  .keep = keep ? keep : keep_all,
	                  .ctx = ctx,
	                  .nonce = nonce,
	                  .hdr = hdr,
	                  .part = COUNT};
	rc = totp_vfile_open_dir(&v->file, path, 0);
	if (rc == TOTP_OK)
		rc = totp_vfile_read_with(&v->file, hdr, vault_check_header,
		                          &(struct vault_header_ctx){&v->info, nonce}, read_where,
		                          &w);
	totp_vfile_close(&v->file);
	if (rc == TOTP_OK) {
		*out = v;
		v = NULL;
	}
	totp_vault_close(v);
	return rc;
}
