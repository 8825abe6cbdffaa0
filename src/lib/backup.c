/*
 * backup.c - encrypted backup payloads: their Base41 text, header, keys,
 * account records, and the writer that splits accounts into parts.  The
 * reader is backup_import.c; the layout is in totp-backup(5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backup_int.h"
#include "vault_internal.h"

_Static_assert(BK_SALT_BYTES == VAULT_SALT_BYTES, "the vault's KDF helper takes its salt size");
_Static_assert(sizeof(TOTP_BACKUP_PREFIX) - 1 == BK_PREFIX_LEN, "prefix length");
_Static_assert(BK_PREFIX_LEN + TOTP_BACKUP_PART_MAX / 2 * 3 + TOTP_BACKUP_PART_MAX % 2 * 2 <
                       TOTP_BACKUP_TEXT_MAX,
               "text buffer");

static const char b41[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+-./:";

/* Context strings of the two BLAKE2b derivations from the Argon2id output. */
static const char ctx_key[] = "totp backup key";
static const char ctx_check[] = "totp backup check";

/* Largest encoded record: flags, digits, period, counter, issuer and
 * account with their lengths, secret with its length. */
#define REC_MAX (1 + 1 + 2 + 8 + 1 + 255 + 1 + 255 + 1 + TOTP_SECRET_MAX)
#define ISSUER_REFS 256 /* records an issuer reference can name */

size_t totp_bk_text_len(size_t n)
{
	return n / 2 * 3 + (n % 2) * 2;
}

void totp_bk_text_encode(char *out, const uint8_t *in, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		unsigned v = (unsigned)in[i] << 8 | in[i + 1];

		*out++ = b41[v % 41];
		*out++ = b41[v / 41 % 41];
		*out++ = b41[v / (41 * 41)];
	}
	if (i < n) {
		*out++ = b41[in[i] % 41];
		*out++ = b41[in[i] / 41];
	}
	*out = '\0';
}

static int b41_value(unsigned char c)
{
	const char *p;

	if (c >= 'a' && c <= 'z')
		c = (unsigned char)(c - 'a' + 'A');
	if (c == '\0')
		return -1;
	p = strchr(b41, c);
	return p ? (int)(p - b41) : -1;
}

int totp_bk_text_decode(uint8_t *out, size_t outsz, size_t *outlen, const char *in, size_t n)
{
	size_t o = 0;

	*outlen = 0;
	if (n % 3 == 1)
		return TOTP_E_BACKUP;
	if (n / 3 * 2 + (n % 3 ? 1 : 0) > outsz)
		return TOTP_E_TOOBIG;
	for (size_t i = 0; i < n; i += 3) {
		size_t k = n - i < 3 ? n - i : 3;
		unsigned long v = 0, mul = 1;

		for (size_t j = 0; j < k; j++) {
			int d = b41_value((unsigned char)in[i + j]);

			if (d < 0)
				return TOTP_E_BACKUP;
			v += (unsigned long)d * mul;
			mul *= 41;
		}
		if (k == 3) {
			if (v > 0xffff)
				return TOTP_E_BACKUP;
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)v;
		} else {
			if (v > 0xff)
				return TOTP_E_BACKUP;
			out[o++] = (uint8_t)v;
		}
	}
	*outlen = o;
	return TOTP_OK;
}

void totp_bk_header_encode(uint8_t h[BK_HEADER_BYTES], const struct bk_header *in)
{
	h[BK_OFF_VERSION] = BK_VERSION;
	h[BK_OFF_KDF] = BK_KDF_ARGON2ID13;
	memcpy(h + BK_OFF_ID, in->id, BK_ID_BYTES);
	h[BK_OFF_PART] = (uint8_t)in->part;
	h[BK_OFF_COUNT] = (uint8_t)in->count;
	totp_store_be32(h + BK_OFF_OPS, in->kdf.opslimit);
	totp_store_be32(h + BK_OFF_MEM, (uint32_t)(in->kdf.memlimit / 1024));
	memcpy(h + BK_OFF_SALT, in->salt, BK_SALT_BYTES);
	memcpy(h + BK_OFF_CHECK, in->check, BK_CHECK_BYTES);
}

int totp_bk_header_decode(struct bk_header *out, const uint8_t h[BK_HEADER_BYTES])
{
	memset(out, 0, sizeof(*out));
	out->version = h[BK_OFF_VERSION];
	if (out->version != BK_VERSION)
		return TOTP_E_VERSION;
	if (h[BK_OFF_KDF] != BK_KDF_ARGON2ID13)
		return TOTP_E_KDF;
	memcpy(out->id, h + BK_OFF_ID, BK_ID_BYTES);
	out->part = h[BK_OFF_PART];
	out->count = h[BK_OFF_COUNT];
	out->kdf.opslimit = totp_load_be32(h + BK_OFF_OPS);
	out->kdf.memlimit = (uint64_t)totp_load_be32(h + BK_OFF_MEM) * 1024;
	if (totp_kdf_check(&out->kdf) != TOTP_OK)
		return TOTP_E_KDF;
	if (out->count < 1 || out->part < 1 || out->part > out->count)
		return TOTP_E_BACKUP;
	memcpy(out->salt, h + BK_OFF_SALT, BK_SALT_BYTES);
	memcpy(out->check, h + BK_OFF_CHECK, BK_CHECK_BYTES);
	return TOTP_OK;
}

void totp_bk_nonce(uint8_t nonce[BK_NONCE_BYTES], const uint8_t h[BK_HEADER_BYTES])
{
	memset(nonce, 0, BK_NONCE_BYTES);
	memcpy(nonce, h + BK_OFF_ID, BK_ID_BYTES + 2);
}

int totp_bk_keys(uint8_t key[TOTP_KEY_BYTES], uint8_t check[BK_CHECK_BYTES], const char *pass,
                 size_t passlen, const uint8_t salt[BK_SALT_BYTES], const struct totp_kdf *kdf)
{
	/* The Argon2id output, then the check value's hash. */
	uint8_t *master = sodium_malloc(TOTP_KEY_BYTES + crypto_generichash_BYTES_MIN);
	uint8_t *sum = master + TOTP_KEY_BYTES;
	int rc;

	if (!master)
		return TOTP_E_NOMEM;
	rc = totp_kdf_derive(master, pass, passlen, salt, kdf);
	if (rc)
		goto out;
	if (crypto_generichash(key, TOTP_KEY_BYTES, (const uint8_t *)ctx_key, sizeof(ctx_key) - 1,
	                       master, TOTP_KEY_BYTES) != 0 ||
	    crypto_generichash(sum, crypto_generichash_BYTES_MIN, (const uint8_t *)ctx_check,
	                       sizeof(ctx_check) - 1, master, TOTP_KEY_BYTES) != 0) {
		rc = TOTP_E_UNSUPPORTED;
		goto out;
	}
	memcpy(check, sum, BK_CHECK_BYTES);
out:
	if (rc)
		sodium_memzero(key, TOTP_KEY_BYTES);
	sodium_free(master); /* wipes */
	return rc;
}

/* ---- account records ---------------------------------------------------- */

/* The record of entries[i] within a part that starts at entries[first]:
 * written to out (NULL: measured only); returns its length. */
static size_t rec_encode(uint8_t *out, const struct totp_entry *entries, size_t first, size_t i)
{
	const struct totp_entry *e = &entries[i];
	size_t il = strlen(e->issuer), al = strlen(e->account), n = 1, ref = SIZE_MAX;
	uint8_t flags = (uint8_t)((unsigned)e->type | (unsigned)e->algo << BK_F_ALGO_SHIFT);
	uint8_t tmp[REC_MAX];
	uint8_t *p = out ? out : tmp;

	if (il > 0)
		for (size_t j = first; j < i && j - first < ISSUER_REFS; j++)
			if (strcmp(entries[j].issuer, e->issuer) == 0) {
				ref = j - first;
				break;
			}
	if (e->digits != 6) {
		flags |= BK_F_DIGITS;
		p[n++] = (uint8_t)e->digits;
	}
	if (e->period != 30) {
		flags |= BK_F_PERIOD;
		p[n++] = (uint8_t)(e->period >> 8);
		p[n++] = (uint8_t)e->period;
	}
	if (e->counter != 0) {
		flags |= BK_F_COUNTER;
		totp_store_be64(p + n, e->counter);
		n += 8;
	}
	if (ref != SIZE_MAX) {
		flags |= BK_F_ISSUER_REF;
		p[n++] = (uint8_t)ref;
	} else {
		p[n++] = (uint8_t)il;
		memcpy(p + n, e->issuer, il);
		n += il;
	}
	p[n++] = (uint8_t)al;
	memcpy(p + n, e->account, al);
	n += al;
	p[n++] = (uint8_t)e->secret_len;
	memcpy(p + n, e->secret, e->secret_len);
	n += e->secret_len;
	p[0] = flags;
	if (!out)
		sodium_memzero(tmp, n);
	return n;
}

/* Read a length-prefixed text into dst (TOTP_LABEL_MAX bytes). */
static int rec_text(char *dst, const uint8_t *p, size_t len, size_t *pos)
{
	size_t n;

	if (*pos >= len)
		return TOTP_E_CORRUPT;
	n = p[(*pos)++];
	if (n > len - *pos || memchr(p + *pos, 0, n))
		return TOTP_E_CORRUPT;
	memcpy(dst, p + *pos, n);
	dst[n] = '\0';
	*pos += n;
	return TOTP_OK;
}

/* Offsets of the issuers of the first ISSUER_REFS records, for references. */
struct issuers {
	size_t off[ISSUER_REFS];
	uint8_t len[ISSUER_REFS];
	size_t n;
};

static int rec_decode(struct totp_entry *e, struct issuers *iss, const uint8_t *p, size_t len,
                      size_t *pos)
{
	size_t at = *pos;
	unsigned flags;
	int rc;

	totp_entry_init(e);
	flags = p[at++];
	if ((flags & BK_F_TYPE) > TOTP_TYPE_STEAM ||
	    (flags & BK_F_ALGO) >> BK_F_ALGO_SHIFT > TOTP_ALGO_SHA512)
		return TOTP_E_CORRUPT;
	e->type = (enum totp_type)(flags & BK_F_TYPE);
	e->algo = (enum totp_algo)((flags & BK_F_ALGO) >> BK_F_ALGO_SHIFT);
	if (flags & BK_F_DIGITS) {
		if (len - at < 1)
			return TOTP_E_CORRUPT;
		e->digits = p[at++];
	}
	if (flags & BK_F_PERIOD) {
		if (len - at < 2)
			return TOTP_E_CORRUPT;
		e->period = (unsigned)p[at] << 8 | p[at + 1];
		at += 2;
	}
	if (flags & BK_F_COUNTER) {
		if (len - at < 8)
			return TOTP_E_CORRUPT;
		e->counter = totp_load_be64(p + at);
		at += 8;
	}
	if (flags & BK_F_ISSUER_REF) {
		size_t r;

		if (len - at < 1)
			return TOTP_E_CORRUPT;
		r = p[at++];
		if (r >= iss->n)
			return TOTP_E_CORRUPT;
		memcpy(e->issuer, p + iss->off[r], iss->len[r]);
		e->issuer[iss->len[r]] = '\0';
		if (iss->n < ISSUER_REFS) {
			iss->off[iss->n] = iss->off[r];
			iss->len[iss->n++] = iss->len[r];
		}
	} else {
		rc = rec_text(e->issuer, p, len, &at);
		if (rc)
			return rc;
		if (iss->n < ISSUER_REFS) {
			size_t il = strlen(e->issuer);

			iss->len[iss->n] = (uint8_t)il;
			iss->off[iss->n++] = at - il;
		}
	}
	rc = rec_text(e->account, p, len, &at);
	if (rc)
		return rc;
	if (at >= len || p[at] > TOTP_SECRET_MAX || p[at] > len - at - 1)
		return TOTP_E_CORRUPT;
	e->secret_len = p[at++];
	memcpy(e->secret, p + at, e->secret_len);
	at += e->secret_len;
	*pos = at;
	return TOTP_OK;
}

int totp_bk_plain_decode(struct totp_entry *e, const uint8_t *p, size_t len, totp_bk_entry_fn add,
                         void *ctx)
{
	struct issuers *iss = calloc(1, sizeof(*iss));
	size_t pos = 0;
	int rc = TOTP_OK;

	if (!iss) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	while (pos < len) {
		rc = rec_decode(e, iss, p, len, &pos);
		if (rc == TOTP_OK && add)
			rc = add(ctx, e);
		totp_entry_wipe(e);
		if (rc)
			goto out;
	}
out:
	totp_entry_wipe(e);
	free(iss);
	return rc;
}

/* ---- the writer ---------------------------------------------------------- */

void totp_backup_export_free(struct totp_backup_export *x)
{
	if (!x)
		return;
	if (x->parts) {
		for (size_t i = 0; i < x->count; i++)
			sodium_free(x->parts[i]); /* wipes */
		free(x->parts);
	}
	memset(x, 0, sizeof(*x));
}

/* Encrypt records [first, end) of entries as part `h->part`. */
static int write_part(struct totp_backup_export *out, struct bk_header *h, const uint8_t *key,
                      const struct totp_entry *entries, size_t first, size_t end, uint8_t *plain,
                      uint8_t *wire)
{
	uint8_t nonce[BK_NONCE_BYTES];
	size_t plen = 0, wlen, tlen;
	unsigned long long clen;
	char *text;

	for (size_t i = first; i < end; i++)
		plen += rec_encode(plain + plen, entries, first, i);
	totp_bk_header_encode(wire, h);
	totp_bk_nonce(nonce, wire);
	crypto_aead_xchacha20poly1305_ietf_encrypt(wire + BK_HEADER_BYTES, &clen, plain, plen, wire,
	                                           BK_HEADER_BYTES, NULL, nonce, key);
	sodium_memzero(plain, plen);
	wlen = BK_HEADER_BYTES + (size_t)clen;
	tlen = BK_PREFIX_LEN + totp_bk_text_len(wlen);
	text = sodium_malloc(tlen + 1);
	if (!text)
		return TOTP_E_NOMEM;
	memcpy(text, TOTP_BACKUP_PREFIX, BK_PREFIX_LEN);
	totp_bk_text_encode(text + BK_PREFIX_LEN, wire, wlen);
	out->parts[out->count++] = text;
	return TOTP_OK;
}

/* Where each part starts: starts[0..*nparts), entries greedily in order. */
static int plan_parts(size_t *starts, size_t *nparts, const struct totp_entry *entries, size_t n,
                      size_t budget)
{
	size_t first = 0, used = 0, k = 1;

	starts[0] = 0;
	for (size_t i = 0; i < n; i++) {
		size_t r = rec_encode(NULL, entries, first, i);

		if (used + r > budget) {
			if (i == first)
				return TOTP_E_TOOBIG;
			if (k == TOTP_BACKUP_PARTS_MAX)
				return TOTP_E_TOOBIG;
			starts[k++] = first = i;
			used = 0;
			r = rec_encode(NULL, entries, first, i);
			if (r > budget)
				return TOTP_E_TOOBIG;
		}
		used += r;
	}
	*nparts = k;
	return TOTP_OK;
}

int totp_backup_format(struct totp_backup_export *out, const struct totp_entry *entries, size_t n,
                       const char *pass, size_t passlen, const struct totp_kdf *kdf,
                       const struct totp_backup_opts *opts)
{
	size_t part_bytes = TOTP_BACKUP_PART_DEFAULT, budget, nparts = 0;
	size_t starts[TOTP_BACKUP_PARTS_MAX];
	struct bk_header h;
	uint8_t *key = NULL, *plain = NULL, *wire = NULL;
	int rc;

	if (!out)
		return TOTP_E_INVAL;
	memset(out, 0, sizeof(*out));
	memset(&h, 0, sizeof(h));
	if ((!entries && n) || !pass || !kdf)
		return TOTP_E_INVAL;
	if (passlen == 0)
		return TOTP_E_INVAL;
	if (passlen > TOTP_IMPORT_PASSWORD_MAX)
		return TOTP_E_TOOBIG;
	if (opts && opts->part_bytes)
		part_bytes = opts->part_bytes;
	if (part_bytes < TOTP_BACKUP_PART_MIN || part_bytes > TOTP_BACKUP_PART_MAX)
		return TOTP_E_INVAL;
	rc = totp_kdf_check(kdf);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		rc = totp_entry_check(&entries[i]);
		if (rc)
			return rc;
	}
	budget = part_bytes - BK_HEADER_BYTES - BK_TAG_BYTES;
	rc = plan_parts(starts, &nparts, entries, n, budget);
	if (rc)
		return rc;
	rc = totp_sodium_ready();
	if (rc)
		return rc;

	key = sodium_malloc(TOTP_KEY_BYTES);
	plain = sodium_malloc(budget);
	wire = malloc(part_bytes);
	out->parts = calloc(nparts, sizeof(*out->parts));
	if (!key || !plain || !wire || !out->parts) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	randombytes_buf(h.id, sizeof(h.id));
	randombytes_buf(h.salt, sizeof(h.salt));
	h.kdf.opslimit = kdf->opslimit;
	h.kdf.memlimit = kdf->memlimit / 1024 * 1024;
	h.count = (unsigned)nparts;
	rc = totp_bk_keys(key, h.check, pass, passlen, h.salt, &h.kdf);
	if (rc)
		goto out;
	for (size_t k = 0; k < nparts; k++) {
		h.part = (unsigned)k + 1;
		rc = write_part(out, &h, key, entries, starts[k],
		                k + 1 < nparts ? starts[k + 1] : n, plain, wire);
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < BK_ID_BYTES; i++)
		snprintf(out->id + 2 * i, 3, "%02X", h.id[i]);
out:
	if (rc)
		totp_backup_export_free(out);
	sodium_free(key);
	sodium_free(plain);
	free(wire);
	return rc;
}
