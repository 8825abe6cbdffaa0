/*
 * import_2fas.c - 2FAS Authenticator backups, schema 1 to 4 (FORMATS.md
 * section 7.2), plain or encrypted.  Encrypted: "servicesEncrypted" and
 * "reference" are base64(ciphertext||tag):base64(salt):base64(iv), the key
 * PBKDF2-HMAC-SHA256(password, salt, 10000, 32), the cipher AES-256-GCM.
 * The reference decrypts to a fixed string, which tells a wrong password
 * from a damaged services blob.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "import_int.h"
#include "json_util.h"

#define SCHEMA_MAX 4
#define PBKDF2_ITER 10000
#define SALT_MAX 1024
#define IV_BYTES 12
#define TAG_BYTES 16

static const char reference_text[] =
        "tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfggogbBJhtYgpK6fMl1D6mtsy92"
        "R3HkdGfwuXbzLebqVFJsR7IZ2w58t938iymwG4824igYy1wi6n2WDpO1Q1P69zwJGs2F5a1qP4MyIiDSD7NCV2Ov"
        "idXQCBnDlGfmz0f1BQySRkkt4ryiJeCjD2o4QsveJ9uDBUn8ELyOrESv5R5DMDkD4iAF8TXU7KyoJujd";
_Static_assert(sizeof(reference_text) == 257, "the 2FAS reference is 256 characters");

/* One "data:salt:iv" blob, decoded. */
struct blob {
	uint8_t *data; /* ciphertext || tag */
	size_t len;
	uint8_t salt[SALT_MAX];
	size_t saltlen;
	uint8_t iv[IV_BYTES];
};

/* TOTP_OK, TOTP_E_JSON when malformed, or TOTP_E_NOMEM. */
static int blob_parse(struct blob *b, const char *s)
{
	const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	size_t n, ivlen;

	memset(b, 0, sizeof(*b));
	if (!c1 || !c2 || strchr(c2 + 1, ':'))
		return TOTP_E_JSON;
	n = (size_t)(c1 - s);
	b->data = malloc(n / 4 * 3 + 3);
	if (!b->data)
		return TOTP_E_NOMEM;
	if (totp_imp_base64(b->data, n / 4 * 3 + 3, &b->len, s, n) || b->len < TAG_BYTES ||
	    totp_imp_base64(b->salt, sizeof(b->salt), &b->saltlen, c1 + 1, (size_t)(c2 - c1 - 1)) ||
	    b->saltlen == 0 ||
	    totp_imp_base64(b->iv, sizeof(b->iv), &ivlen, c2 + 1, strlen(c2 + 1)) ||
	    ivlen != IV_BYTES) {
		free(b->data);
		b->data = NULL;
		return TOTP_E_JSON;
	}
	return TOTP_OK;
}

static int blob_open(struct totp_imp *c, uint8_t *plain, const struct blob *b, const uint8_t *key)
{
	size_t ctlen = b->len - TAG_BYTES;

	return totp_imp_aesgcm(c, plain, b->data, ctlen, b->data + ctlen, b->iv, key);
}

static int derive(uint8_t key[32], struct totp_imp *c, const struct blob *b)
{
	const uint8_t *pass;
	size_t passlen;
	int rc = totp_imp_password(c, &pass, &passlen);

	if (rc != TOTP_OK)
		return rc;
	return totp_pbkdf2(key, 32, TOTP_ALGO_SHA256, pass, passlen, b->salt, b->saltlen,
	                   PBKDF2_ITER);
}

/* Check the password against "reference" before touching the services. */
static int check_reference(struct totp_imp *c, const char *ref, const struct blob *svc,
                           const uint8_t *key)
{
	struct blob rb;
	uint8_t *k2 = NULL, *plain = NULL;
	int rc;

	rc = blob_parse(&rb, ref);
	if (rc != TOTP_OK)
		return rc == TOTP_E_NOMEM ? rc
		                          : totp_imp_fail(c, rc, "2FAS reference is malformed");
	plain = sodium_malloc(rb.len);
	k2 = sodium_malloc(32);
	if (!plain || !k2) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	if (rb.saltlen == svc->saltlen && memcmp(rb.salt, svc->salt, rb.saltlen) == 0)
		memcpy(k2, key, 32);
	else if ((rc = derive(k2, c, &rb)) != TOTP_OK)
		goto out;
	rc = blob_open(c, plain, &rb, k2);
	if (rc == TOTP_E_AUTH)
		rc = totp_imp_fail(c, TOTP_E_PASSWORD, "wrong password or damaged file");
	else if (rc == TOTP_OK && (rb.len - TAG_BYTES != sizeof(reference_text) - 1 ||
	                           memcmp(plain, reference_text, sizeof(reference_text) - 1) != 0))
		rc = totp_imp_fail(c, TOTP_E_CORRUPT, "2FAS reference has unexpected content");
out:
	if (plain) {
		sodium_memzero(plain, rb.len);
		sodium_free(plain);
	}
	if (k2) {
		sodium_memzero(k2, 32);
		sodium_free(k2);
	}
	free(rb.data);
	return rc;
}

static int service(struct totp_imp *c, size_t index, const json_t *obj)
{
	const json_t *otp;
	const char *issuer, *account, *type;
	int rc;

	totp_imp_begin(c);
	if (!json_is_object(obj))
		return totp_imp_skip(c, index, totp_imp_why(c, TOTP_E_JSON, "not an object"));
	otp = json_object_get(obj, "otp");
	issuer = totp_json_str(obj, "name");
	if (!issuer || !*issuer)
		issuer = totp_json_str(otp, "issuer");
	account = totp_json_str(otp, "account");
	if (!account || !*account) {
		/* "label" may be "Issuer:account" (schema 1) or the account. */
		size_t ilen = issuer ? strlen(issuer) : 0;

		account = totp_json_str(otp, "label");
		if (account && ilen && strncmp(account, issuer, ilen) == 0 && account[ilen] == ':')
			account += ilen + 1;
	}
	rc = totp_imp_label(c, c->e->issuer, issuer, "name");
	if (rc == TOTP_OK)
		rc = totp_imp_label(c, c->e->account, account, "account");
	type = totp_json_str(otp, "tokenType");
	if (rc == TOTP_OK)
		rc = totp_imp_type(c, type ? type : "TOTP");
	if (rc == TOTP_OK)
		rc = totp_imp_secret_b32(c, totp_json_str(obj, "secret"));
	if (rc == TOTP_OK)
		rc = totp_imp_otp_params(c, otp, "algorithm", 0);
	if (rc != TOTP_OK)
		return totp_imp_skip(c, index, rc);
	return totp_imp_commit(c, index);
}

static int services(struct totp_imp *c, const json_t *arr, int bad)
{
	if (!json_is_array(arr))
		return totp_imp_fail(c, bad, "2FAS services is not a list");
	return totp_imp_each(c, arr, service);
}

static int encrypted(struct totp_imp *c, const char *enc, const char *ref)
{
	struct blob b;
	uint8_t *key = NULL, *plain = NULL;
	json_t *arr = NULL;
	int rc, checked = 0;

	rc = blob_parse(&b, enc);
	if (rc != TOTP_OK)
		return rc == TOTP_E_NOMEM ? rc
		                          : totp_imp_fail(c, rc,
		                                          "2FAS servicesEncrypted is not base64 "
		                                          "data:salt:iv");
	key = sodium_malloc(32);
	plain = sodium_malloc(b.len);
	if (!key || !plain) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	rc = derive(key, c, &b);
	if (rc == TOTP_OK && ref && *ref) {
		rc = check_reference(c, ref, &b, key);
		checked = 1;
	}
	if (rc != TOTP_OK)
		goto out;
	rc = blob_open(c, plain, &b, key);
	if (rc == TOTP_E_AUTH)
		rc = checked ? totp_imp_fail(c, TOTP_E_CORRUPT,
		                             "the services do not authenticate (damaged file)")
		             : totp_imp_fail(c, TOTP_E_PASSWORD, "wrong password or damaged file");
	if (rc != TOTP_OK)
		goto out;
	rc = totp_json_load(&arr, plain, b.len - TAG_BYTES);
	if (rc != TOTP_OK) {
		rc = totp_imp_fail(c, rc == TOTP_E_NOMEM ? rc : TOTP_E_CORRUPT,
		                   "decrypted 2FAS services are not valid JSON");
		goto out;
	}
	rc = services(c, arr, TOTP_E_CORRUPT);
out:
	totp_json_free(arr);
	if (key) {
		sodium_memzero(key, 32);
		sodium_free(key);
	}
	if (plain) {
		sodium_memzero(plain, b.len);
		sodium_free(plain);
	}
	free(b.data);
	return rc;
}

int totp_imp_2fas(struct totp_imp *c, const json_t *root)
{
	const char *enc = totp_json_str(root, "servicesEncrypted");
	long long schema;
	int r = totp_json_int(root, "schemaVersion", &schema);

	if (r <= 0)
		return totp_imp_fail(c, TOTP_E_JSON, "2FAS file has no schemaVersion");
	if (schema < 1 || schema > SCHEMA_MAX)
		return totp_imp_fail(c, TOTP_E_VERSION,
		                     "2FAS schema version %lld is not supported (1 to %d are)",
		                     schema, SCHEMA_MAX);
	if (enc && *enc) {
		totp_imp_format(c, TOTP_IMPORT_2FAS_ENCRYPTED);
		return encrypted(c, enc, totp_json_str(root, "reference"));
	}
	totp_imp_format(c, TOTP_IMPORT_2FAS);
	return services(c, json_object_get(root, "services"), TOTP_E_JSON);
}
