/*
 * import_aegis.c - Aegis vaults and exports (FORMATS.md section 6), plain
 * or encrypted: password slots are scrypt-wrapped master keys, the content
 * is AES-256-GCM with a detached tag.  Biometric and raw slots are skipped.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "import_int.h"
#include "json_util.h"

#define SALT_MAX 64
#define SCRYPT_N_MAX (1ULL << 22)
#define SCRYPT_R_MAX 32
#define SCRYPT_P_MAX 16
#define SCRYPT_WORK_MAX (1ULL << 24) /* N * r * p; Aegis uses 2^18 */

struct keys {
	uint8_t kdf[32];
	uint8_t master[32];
};

static int entry(struct totp_imp *c, size_t index, const json_t *obj)
{
	const json_t *info;
	int rc;

	totp_imp_begin(c);
	if (!json_is_object(obj))
		return totp_imp_skip(c, index, totp_imp_why(c, TOTP_E_JSON, "not an object"));
	rc = totp_imp_label(c, c->e->issuer, totp_json_str(obj, "issuer"), "issuer");
	if (rc == TOTP_OK)
		rc = totp_imp_label(c, c->e->account, totp_json_str(obj, "name"), "name");
	if (rc == TOTP_OK)
		rc = totp_imp_type(c, totp_json_str(obj, "type"));
	info = json_object_get(obj, "info");
	if (rc == TOTP_OK && !json_is_object(info))
		rc = totp_imp_why(c, TOTP_E_JSON, "no info object");
	if (rc == TOTP_OK)
		rc = totp_imp_secret_b32(c, totp_json_str(info, "secret"));
	if (rc == TOTP_OK)
		rc = totp_imp_otp_params(c, info, "algo", 0);
	if (rc != TOTP_OK)
		return totp_imp_skip(c, index, rc);
	return totp_imp_commit(c, index);
}

/* The content object: {"version": 1..3, "entries": [...], "groups": [...]}.
 * Groups (v2 "group", v3 "groups") are not carried over. */
static int content(struct totp_imp *c, const json_t *db, int bad)
{
	const json_t *entries = json_object_get(db, "entries");
	long long v;

	if (!json_is_object(db) || !json_is_array(entries))
		return totp_imp_fail(c, bad, "Aegis content has no entries list");
	if (totp_json_int(db, "version", &v) > 0 && (v < 1 || v > 3))
		return totp_imp_fail(c, TOTP_E_VERSION,
		                     "Aegis content version %lld is not supported", v);
	return totp_imp_each(c, entries, entry);
}

/* AES-GCM parameters {"nonce": hex 12 B, "tag": hex 16 B}. */
static int gcm_params(const json_t *p, uint8_t nonce[12], uint8_t tag[16])
{
	if (!json_is_object(p) || totp_imp_hex(nonce, 12, totp_json_str(p, "nonce")) ||
	    totp_imp_hex(tag, 16, totp_json_str(p, "tag")))
		return -1;
	return 0;
}

#define SLOTS_MAX 16

/* A password slot: scrypt parameters and the wrapped master key. */
struct slot {
	uint8_t salt[SALT_MAX], wrapped[32], nonce[12], tag[16];
	size_t saltlen;
	long long n, r, p;
	int repaired;
};

/* Parse and bound-check a password slot before any password is asked. */
static int parse_slot(struct totp_imp *c, const json_t *j, struct slot *s)
{
	const char *salthex = totp_json_str(j, "salt");

	s->saltlen = salthex ? strlen(salthex) / 2 : 0;
	s->repaired = json_is_true(json_object_get(j, "repaired"));
	if (totp_json_int(j, "n", &s->n) <= 0 || totp_json_int(j, "r", &s->r) <= 0 ||
	    totp_json_int(j, "p", &s->p) <= 0 || s->saltlen == 0 || s->saltlen > SALT_MAX ||
	    totp_imp_hex(s->salt, s->saltlen, salthex) ||
	    totp_imp_hex(s->wrapped, 32, totp_json_str(j, "key")) ||
	    gcm_params(json_object_get(j, "key_params"), s->nonce, s->tag))
		return totp_imp_fail(c, TOTP_E_JSON, "malformed Aegis password slot");
	if (s->n < 2 || (s->n & (s->n - 1)) || (unsigned long long)s->n > SCRYPT_N_MAX ||
	    s->r < 1 || s->r > SCRYPT_R_MAX || s->p < 1 || s->p > SCRYPT_P_MAX ||
	    128ULL * (unsigned long long)s->r * (unsigned long long)s->n > TOTP_KDF_MEM_MAX ||
	    (unsigned long long)s->n * (unsigned long long)s->r * (unsigned long long)s->p >
	            SCRYPT_WORK_MAX)
		return totp_imp_fail(c, TOTP_E_KDF, "scrypt N=%lld r=%lld p=%lld is out of bounds",
		                     s->n, s->r, s->p);
	return TOTP_OK;
}

/* Try one password slot: TOTP_OK with k->master filled, TOTP_E_AUTH when
 * the password does not open it, or a whole-file error. */
static int try_slot(struct totp_imp *c, const struct slot *s, const uint8_t *pass, size_t passlen,
                    struct keys *k)
{
	if (crypto_pwhash_scryptsalsa208sha256_ll(pass, passlen, s->salt, s->saltlen,
	                                          (uint64_t)s->n, (uint32_t)s->r, (uint32_t)s->p,
	                                          k->kdf, sizeof(k->kdf)) != 0)
		return totp_imp_fail(c, TOTP_E_NOMEM, "scrypt could not run (memory)");
	return totp_imp_aesgcm(c, k->master, s->wrapped, sizeof(s->wrapped), s->tag, s->nonce,
	                       k->kdf);
}

static int unlock(struct totp_imp *c, const json_t *slots, struct keys *k)
{
	struct slot s[SLOTS_MAX];
	const uint8_t *pass;
	size_t passlen, npass = 0, i;
	int rc, unrepaired = 0;

	for (i = 0; i < json_array_size(slots); i++) {
		long long type;
		const json_t *slot = json_array_get(slots, i);

		if (totp_json_int(slot, "type", &type) <= 0 || type != 1)
			continue; /* raw (0) and biometric (2) slots need the device */
		if (npass == SLOTS_MAX)
			return totp_imp_fail(c, TOTP_E_JSON, "more than %d password slots",
			                     SLOTS_MAX);
		rc = parse_slot(c, slot, &s[npass]);
		if (rc != TOTP_OK)
			return rc;
		unrepaired |= !s[npass].repaired;
		npass++;
	}
	if (npass == 0)
		return totp_imp_fail(c, TOTP_E_UNSUPPORTED,
		                     "the Aegis vault has no password slot (biometric only)");
	rc = totp_imp_password(c, &pass, &passlen);
	if (rc != TOTP_OK)
		return rc;
	for (i = 0; i < npass; i++) {
		rc = try_slot(c, &s[i], pass, passlen, k);
		if (rc != TOTP_E_AUTH)
			return rc;
	}
	if (passlen > 64 && unrepaired)
		return totp_imp_fail(c, TOTP_E_PASSWORD,
		                     "wrong password, or a password over 64 bytes set by an old "
		                     "Aegis version (not supported)");
	return totp_imp_fail(c, TOTP_E_PASSWORD, "wrong password or damaged file");
}

static int encrypted(struct totp_imp *c, const json_t *header, const char *db)
{
	const json_t *slots = json_object_get(header, "slots");
	struct keys *k = NULL;
	uint8_t *ct = NULL, *plain = NULL, nonce[12], tag[16];
	size_t dblen = strlen(db), ctlen = 0;
	json_t *inner = NULL;
	int rc;

	if (!json_is_array(slots) || gcm_params(json_object_get(header, "params"), nonce, tag))
		return totp_imp_fail(c, TOTP_E_JSON, "Aegis header has no slots or parameters");
	ct = malloc(dblen / 4 * 3 + 3);
	if (!ct)
		return TOTP_E_NOMEM;
	if (totp_imp_base64(ct, dblen / 4 * 3 + 3, &ctlen, db, dblen)) {
		rc = totp_imp_fail(c, TOTP_E_JSON, "Aegis db is not base64");
		goto out;
	}
	k = sodium_malloc(sizeof(*k));
	plain = sodium_malloc(ctlen + 1);
	if (!k || !plain) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	rc = unlock(c, slots, k);
	if (rc != TOTP_OK)
		goto out;
	rc = totp_imp_aesgcm(c, plain, ct, ctlen, tag, nonce, k->master);
	if (rc == TOTP_E_AUTH)
		rc = totp_imp_fail(c, TOTP_E_CORRUPT,
		                   "the vault content does not authenticate (damaged file)");
	if (rc != TOTP_OK)
		goto out;
	rc = totp_json_load(&inner, plain, ctlen);
	if (rc != TOTP_OK) {
		rc = totp_imp_fail(c, rc == TOTP_E_NOMEM ? rc : TOTP_E_CORRUPT,
		                   "decrypted Aegis content is not valid JSON");
		goto out;
	}
	rc = content(c, inner, TOTP_E_CORRUPT);
out:
	totp_json_free(inner);
	if (plain) {
		sodium_memzero(plain, ctlen + 1);
		sodium_free(plain);
	}
	if (k) {
		sodium_memzero(k, sizeof(*k));
		sodium_free(k);
	}
	free(ct);
	return rc;
}

int totp_imp_aegis(struct totp_imp *c, const json_t *root)
{
	const json_t *header = json_object_get(root, "header");
	const json_t *db = json_object_get(root, "db");
	long long v;

	if (totp_json_int(root, "version", &v) <= 0 || v != 1)
		return totp_imp_fail(c, TOTP_E_VERSION, "Aegis file version is not 1");
	if (!json_is_object(header))
		return totp_imp_fail(c, TOTP_E_JSON, "Aegis file has no header");
	if (json_is_string(db)) {
		totp_imp_format(c, TOTP_IMPORT_AEGIS_ENCRYPTED);
		return encrypted(c, header, json_string_value(db));
	}
	totp_imp_format(c, TOTP_IMPORT_AEGIS);
	return content(c, db, TOTP_E_JSON);
}
