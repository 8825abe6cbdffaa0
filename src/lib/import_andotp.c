/*
 * import_andotp.c - andOTP backups (FORMATS.md section 7.1): the plain JSON
 * array, the encrypted .json.aes (PBKDF2-HMAC-SHA1 + AES-256-GCM) and the
 * old encrypted layout keyed with SHA-256(password).
 */
#include <string.h>

#include <sodium.h>

#include "import_int.h"
#include "json_util.h"

#define ITER_BYTES 4
#define SALT_BYTES 12
#define NONCE_BYTES 12
#define TAG_BYTES 16
#define ITER_MAX 10000000u /* Aegis's sanity bound */

/* Old andOTP had no issuer field: the label was "Issuer - Name", and the
 * name part often repeated the issuer as "Issuer:Name". */
static int old_label(struct totp_imp *c, const char *label)
{
	const char *sep = label ? strstr(label, " - ") : NULL;
	const char *name = label;
	size_t ilen;
	int rc;

	if (!sep)
		return totp_imp_label(c, c->e->account, label, "label");
	ilen = (size_t)(sep - label);
	if (ilen >= TOTP_LABEL_MAX)
		return totp_imp_why(c, TOTP_E_LABEL, "label longer than %d bytes",
		                    TOTP_LABEL_MAX - 1);
	memcpy(c->e->issuer, label, ilen);
	c->e->issuer[ilen] = '\0';
	name = sep + 3;
	if (ilen && strncmp(name, label, ilen) == 0 && name[ilen] == ':')
		name += ilen + 1;
	rc = totp_imp_label(c, c->e->account, name, "label");
	return rc;
}

static int entry(struct totp_imp *c, size_t index, const json_t *obj)
{
	int rc;

	totp_imp_begin(c);
	if (!json_is_object(obj))
		return totp_imp_skip(c, index, totp_imp_why(c, TOTP_E_JSON, "not an object"));
	if (json_object_get(obj, "issuer")) {
		rc = totp_imp_label(c, c->e->issuer, totp_json_str(obj, "issuer"), "issuer");
		if (rc == TOTP_OK)
			rc = totp_imp_label(c, c->e->account, totp_json_str(obj, "label"), "label");
	} else {
		rc = old_label(c, totp_json_str(obj, "label"));
	}
	if (rc == TOTP_OK)
		rc = totp_imp_type(c, totp_json_str(obj, "type"));
	if (rc == TOTP_OK)
		rc = totp_imp_secret_b32(c, totp_json_str(obj, "secret"));
	if (rc == TOTP_OK)
		rc = totp_imp_otp_params(c, obj, "algorithm", 0);
	if (rc != TOTP_OK)
		return totp_imp_skip(c, index, rc);
	return totp_imp_commit(c, index);
}

int totp_imp_andotp_json(struct totp_imp *c, const json_t *root)
{
	if (!json_is_array(root))
		return totp_imp_fail(c, TOTP_E_JSON, "an andOTP backup is a JSON array");
	return totp_imp_each(c, root, entry);
}

/* Decrypt [nonce][ciphertext][tag] at buf+off with key into plain. */
static int open_box(struct totp_imp *c, uint8_t *plain, const uint8_t *buf, size_t len, size_t off,
                    const uint8_t *key)
{
	size_t ctlen = len - off - NONCE_BYTES - TAG_BYTES;

	return totp_imp_aesgcm(c, plain, buf + off + NONCE_BYTES, ctlen, buf + len - TAG_BYTES,
	                       buf + off, key);
}

int totp_imp_andotp_enc(struct totp_imp *c, const uint8_t *buf, size_t len,
                        enum totp_import_format fmt, int fallback)
{
	const size_t new_min = ITER_BYTES + SALT_BYTES + NONCE_BYTES + TAG_BYTES;
	const size_t old_min = NONCE_BYTES + TAG_BYTES;
	const uint8_t *pass;
	uint8_t *key = NULL, *plain = NULL;
	size_t passlen, plainlen = 0;
	json_t *root = NULL;
	int rc;

	if (len < (fmt == TOTP_IMPORT_ANDOTP_ENCRYPTED ? new_min : old_min))
		return totp_imp_fail(c, TOTP_E_IMPORT_FORMAT, "too short for an andOTP backup");
	if (fmt == TOTP_IMPORT_ANDOTP_ENCRYPTED) {
		uint32_t iter = totp_load_be32(buf);

		if (iter < 1 || iter > ITER_MAX)
			return totp_imp_fail(c, TOTP_E_KDF, "PBKDF2 iterations %u out of bounds",
			                     iter);
	}
	rc = totp_imp_password(c, &pass, &passlen);
	if (rc != TOTP_OK)
		return rc;
	key = sodium_malloc(32);
	plain = sodium_malloc(len);
	if (!key || !plain) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	rc = TOTP_E_AUTH;
	if (fmt == TOTP_IMPORT_ANDOTP_ENCRYPTED) {
		rc = totp_pbkdf2(key, 32, TOTP_ALGO_SHA1, pass, passlen, buf + ITER_BYTES,
		                 SALT_BYTES, totp_load_be32(buf));
		if (rc == TOTP_OK)
			rc = open_box(c, plain, buf, len, ITER_BYTES + SALT_BYTES, key);
		plainlen = len - new_min;
	}
	if (fmt == TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD ||
	    (rc == TOTP_E_AUTH && fallback && fmt == TOTP_IMPORT_ANDOTP_ENCRYPTED)) {
		crypto_hash_sha256(key, pass, passlen);
		rc = open_box(c, plain, buf, len, 0, key);
		plainlen = len - old_min;
		if (rc == TOTP_OK)
			totp_imp_format(c, TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD);
	}
	if (rc == TOTP_E_AUTH)
		rc = totp_imp_fail(c, TOTP_E_PASSWORD, "wrong password or damaged file");
	if (rc != TOTP_OK)
		goto out;
	rc = totp_json_load(&root, plain, plainlen);
	if (rc != TOTP_OK || !json_is_array(root)) {
		rc = totp_imp_fail(c, rc == TOTP_E_NOMEM ? rc : TOTP_E_CORRUPT,
		                   "decrypted andOTP data is not a JSON array");
		goto out;
	}
	rc = totp_imp_andotp_json(c, root);
out:
	totp_json_free(root);
	if (key) {
		sodium_memzero(key, 32);
		sodium_free(key);
	}
	if (plain) {
		sodium_memzero(plain, len);
		sodium_free(plain);
	}
	return rc;
}
