/*
 * import_misc.c - the simpler backup formats (FORMATS.md sections 2, 4 and
 * 7.3-7.5): FreeOTP+ JSON, Bitwarden JSON and CSV, Steam Desktop
 * Authenticator maFiles, text files of otpauth:// URIs (any app's, and Ente
 * Auth's plain export), and Ente Auth's encrypted export (Argon2id key,
 * one XChaCha20-Poly1305 secretstream message holding the URI lines).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "import_int.h"
#include "json_util.h"

#define LINE_MAX_BYTES (64u << 10)

static int starts_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int nonempty(const char *s)
{
	return s && *s;
}

/* ---- FreeOTP+ ---------------------------------------------------------- */

/* "secret": Java's signed bytes, -128..127 (0..255 accepted too). */
static int byte_secret(struct totp_imp *c, const json_t *arr)
{
	size_t n = json_array_size(arr);

	if (!json_is_array(arr) || n == 0)
		return totp_imp_why(c, TOTP_E_SECRET_EMPTY, "empty secret");
	if (n > TOTP_SECRET_MAX)
		return totp_imp_why(c, TOTP_E_SECRET_LONG, "secret longer than %d bytes",
		                    TOTP_SECRET_MAX);
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_array_get(arr, i);
		json_int_t b = json_is_integer(v) ? json_integer_value(v) : 1000;

		if (b < -128 || b > 255) {
			c->e->secret_len = 0;
			return totp_imp_why(c, TOTP_E_BASE32, "secret byte %zu is not a byte",
			                    i + 1);
		}
		c->e->secret[i] = (uint8_t)(b & 0xff);
	}
	c->e->secret_len = n;
	return TOTP_OK;
}

static int freeotp_token(struct totp_imp *c, size_t index, const json_t *t)
{
	const char *issuer, *label;
	int rc;

	totp_imp_begin(c);
	if (!json_is_object(t))
		return totp_imp_skip(c, index, totp_imp_why(c, TOTP_E_JSON, "not an object"));
	issuer = totp_json_str(t, "issuerAlt");
	if (!nonempty(issuer))
		issuer = totp_json_str(t, "issuerExt");
	if (!nonempty(issuer))
		issuer = totp_json_str(t, "issuerInt");
	label = totp_json_str(t, "labelAlt");
	if (!nonempty(label))
		label = totp_json_str(t, "label");
	rc = totp_imp_label(c, c->e->issuer, issuer, "issuer");
	if (rc == TOTP_OK)
		rc = totp_imp_label(c, c->e->account, label, "label");
	if (rc == TOTP_OK)
		rc = totp_imp_type(c, totp_json_str(t, "type"));
	if (rc == TOTP_OK && c->e->type == TOTP_TYPE_STEAM)
		rc = totp_imp_why(c, TOTP_E_ENTRY, "type steam is not a FreeOTP+ type");
	if (rc == TOTP_OK)
		rc = byte_secret(c, json_object_get(t, "secret"));
	/* FreeOTP+ stores the counter of the last code: the next is one more. */
	if (rc == TOTP_OK)
		rc = totp_imp_otp_params(c, t, "algo", 1);
	/* FreeOTP(+) shows Steam codes for TOTP tokens issued by "Steam". */
	if (rc == TOTP_OK && c->e->type == TOTP_TYPE_TOTP && strcmp(c->e->issuer, "Steam") == 0)
		c->e->type = TOTP_TYPE_STEAM;
	if (rc != TOTP_OK)
		return totp_imp_skip(c, index, rc);
	return totp_imp_commit(c, index);
}

int totp_imp_freeotp(struct totp_imp *c, const json_t *root)
{
	const json_t *tokens = json_object_get(root, "tokens");

	if (!json_is_array(tokens))
		return totp_imp_fail(c, TOTP_E_JSON, "FreeOTP+ file has no tokens list");
	return totp_imp_each(c, tokens, freeotp_token);
}

/* ---- Bitwarden ---------------------------------------------------------- */

/* An item's labels: the login's issuer (Authenticator exports), else the
 * item name when there is a user name; the account is the user name, else
 * the item name. */
static int bw_labels(struct totp_imp *c, const char *name, const char *user, const char *issuer)
{
	int rc;

	if (!nonempty(issuer))
		issuer = nonempty(user) ? name : NULL;
	rc = totp_imp_label(c, c->e->issuer, issuer, "name");
	if (rc == TOTP_OK)
		rc = totp_imp_label(c, c->e->account, nonempty(user) ? user : name, "username");
	return rc;
}

/* One login_totp value: an otpauth:// URI, steam://SECRET, or a bare
 * base32 secret (TOTP, SHA1, 6 digits, 30 s unless the login says). */
static int bw_value(struct totp_imp *c, size_t index, const char *value, const char *name,
                    const char *user, const json_t *login)
{
	const char *issuer = totp_json_str(login, "issuer");
	size_t len;
	int rc, lrc;

	totp_imp_begin(c);
	while (isspace((unsigned char)*value))
		value++;
	len = strlen(value);
	while (len > 0 && isspace((unsigned char)value[len - 1]))
		len--;
	if (starts_ci(value, "otpauth://")) {
		/* The URI names the account; the item only labels a failure. */
		rc = totp_imp_uri(c, value, len);
		if (rc != TOTP_OK)
			(void)bw_labels(c, name, user, issuer);
	} else if (starts_ci(value, "steam://")) {
		/* No label in the URI: the item's, issuer "Steam" by default. */
		rc = totp_imp_uri(c, value, len);
		memset(c->e->issuer, 0, sizeof(c->e->issuer));
		memset(c->e->account, 0, sizeof(c->e->account));
		lrc = bw_labels(c, name, user,
		                nonempty(issuer) || nonempty(user) ? issuer : "Steam");
		if (rc == TOTP_OK)
			rc = lrc;
		if (rc == TOTP_OK && !c->e->issuer[0] && c->e->account[0])
			memcpy(c->e->issuer, "Steam", sizeof("Steam"));
	} else {
		rc = bw_labels(c, name, user, issuer);
		if (rc == TOTP_OK)
			rc = totp_imp_secret_b32(c, value);
		if (rc == TOTP_OK)
			rc = totp_imp_digits(c, login, "digits", 6);
		if (rc == TOTP_OK)
			rc = totp_imp_period(c, login, "period", 30);
	}
	if (rc != TOTP_OK)
		return totp_imp_skip(c, index, rc);
	return totp_imp_commit(c, index);
}

int totp_imp_bitwarden_json(struct totp_imp *c, const json_t *root)
{
	const json_t *items = json_object_get(root, "items");
	size_t n = json_array_size(items);
	int rc;

	if (json_is_true(json_object_get(root, "encrypted")) ||
	    json_is_true(json_object_get(root, "passwordProtected")))
		return totp_imp_fail(c, TOTP_E_UNSUPPORTED,
		                     "encrypted Bitwarden exports are not supported; export "
		                     "unencrypted JSON or CSV");
	if (!json_is_array(items))
		return totp_imp_fail(c, TOTP_E_JSON, "Bitwarden file has no items list");
	if (n > TOTP_IMPORT_MAX_ENTRIES)
		return totp_imp_fail(c, TOTP_E_TOOBIG, "more than %d items",
		                     TOTP_IMPORT_MAX_ENTRIES);
	for (size_t i = 0; i < n; i++) {
		const json_t *item = json_array_get(items, i);
		const json_t *login = json_object_get(item, "login");
		const char *totp = totp_json_str(login, "totp");

		if (!nonempty(totp))
			continue; /* a login without an authenticator key */
		rc = bw_value(c, i + 1, totp, totp_json_str(item, "name"),
		              totp_json_str(login, "username"), login);
		if (rc != TOTP_OK)
			return rc;
	}
	return TOTP_OK;
}

/*
 * One CSV field (RFC 4180: quoted fields may hold commas, newlines and ""
 * for a quote) starting at *pos.  The unquoted text goes to out (when not
 * NULL; it has room for the field's raw length plus a NUL).  *eor is set at
 * the end of a record.  -1 for an unterminated quote or text after one.
 */
static int csv_field(const uint8_t *buf, size_t len, size_t *pos, char *out, size_t *outlen,
                     int *eor)
{
	size_t i = *pos, n = 0;

	*eor = 0;
	if (i < len && buf[i] == '"') {
		for (i++;; i++) {
			if (i >= len)
				return -1;
			if (buf[i] == '"') {
				if (i + 1 < len && buf[i + 1] == '"') {
					if (out)
						out[n] = '"';
					n++;
					i++;
					continue;
				}
				i++;
				break;
			}
			if (out)
				out[n] = (char)buf[i];
			n++;
		}
		if (i < len && buf[i] == '\r')
			i++;
		if (i < len && buf[i] != ',' && buf[i] != '\n')
			return -1;
	} else {
		for (; i < len && buf[i] != ',' && buf[i] != '\n'; i++) {
			if (out)
				out[n] = (char)buf[i];
			n++;
		}
		if (n && out && out[n - 1] == '\r')
			n--;
		else if (n && !out && buf[i - 1] == '\r')
			n--;
	}
	if (i >= len || buf[i] == '\n')
		*eor = 1;
	*pos = i < len ? i + 1 : len;
	if (out)
		out[n] = '\0';
	*outlen = n;
	return 0;
}

enum { COL_NAME, COL_USER, COL_TOTP, COL_COUNT };

int totp_imp_bitwarden_csv(struct totp_imp *c, const uint8_t *buf, size_t len)
{
	static const char *const names[COL_COUNT] = {"name", "login_username", "login_totp"};
	long col[COL_COUNT] = {-1, -1, -1};
	char *scratch = NULL, *field[COL_COUNT];
	size_t pos = 0, n, row = 0;
	int eor = 0, rc = TOTP_OK;
	long k;

	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		pos = 3;
	/* Header row: find the columns by name. */
	scratch = sodium_malloc(len + 3 * COL_COUNT);
	if (!scratch)
		return TOTP_E_NOMEM;
	for (k = 0; !eor; k++) {
		if (csv_field(buf, len, &pos, scratch, &n, &eor)) {
			rc = totp_imp_fail(c, TOTP_E_IMPORT_FORMAT, "malformed CSV header");
			goto out;
		}
		for (int j = 0; j < COL_COUNT; j++)
			if (strcmp(scratch, names[j]) == 0 && col[j] < 0)
				col[j] = k;
	}
	if (col[COL_TOTP] < 0) {
		rc = totp_imp_fail(c, TOTP_E_IMPORT_FORMAT, "CSV has no login_totp column");
		goto out;
	}
	while (pos < len) {
		char *p = scratch;

		row++;
		for (int j = 0; j < COL_COUNT; j++)
			field[j] = NULL;
		eor = 0;
		for (k = 0; !eor; k++) {
			int want = -1;

			for (int j = 0; j < COL_COUNT; j++)
				if (col[j] == k)
					want = j;
			if (csv_field(buf, len, &pos, want >= 0 ? p : NULL, &n, &eor)) {
				rc = totp_imp_fail(c, TOTP_E_IMPORT_FORMAT,
				                   "malformed CSV record %zu", row);
				goto out;
			}
			if (want >= 0) {
				field[want] = p;
				p += n + 1;
			}
		}
		if (!nonempty(field[COL_TOTP]))
			continue;
		rc = bw_value(c, row, field[COL_TOTP], field[COL_NAME], field[COL_USER], NULL);
		if (rc != TOTP_OK)
			goto out;
	}
out:
	sodium_memzero(scratch, len + 3 * COL_COUNT);
	sodium_free(scratch);
	return rc;
}

/* ---- Steam Desktop Authenticator ------------------------------------------ */

static int steam_account(struct totp_imp *c, size_t index, const json_t *obj)
{
	const char *b64 = totp_json_str(obj, "shared_secret");
	int rc;

	totp_imp_begin(c);
	c->e->type = TOTP_TYPE_STEAM;
	rc = totp_imp_label(c, c->e->issuer, "Steam", "issuer");
	if (rc == TOTP_OK)
		rc = totp_imp_label(c, c->e->account, totp_json_str(obj, "account_name"),
		                    "account_name");
	if (rc == TOTP_OK && !nonempty(b64))
		rc = totp_imp_why(c, TOTP_E_SECRET_EMPTY, "empty shared_secret");
	if (rc == TOTP_OK && totp_imp_base64(c->e->secret, sizeof(c->e->secret), &c->e->secret_len,
	                                     b64, strlen(b64))) {
		c->e->secret_len = 0;
		rc = totp_imp_why(c, TOTP_E_BASE32, "shared_secret is not base64");
	}
	if (rc != TOTP_OK)
		return totp_imp_skip(c, index, rc);
	return totp_imp_commit(c, index);
}

int totp_imp_steam(struct totp_imp *c, const json_t *root)
{
	const json_t *accounts = json_object_get(root, "accounts"), *acct;
	const char *key;
	size_t i = 0;
	int rc;

	if (!json_is_object(accounts))
		return steam_account(c, 1, root);
	if (json_object_size(accounts) > TOTP_IMPORT_MAX_ENTRIES)
		return totp_imp_fail(c, TOTP_E_TOOBIG, "more than %d accounts",
		                     TOTP_IMPORT_MAX_ENTRIES);
	json_object_foreach((json_t *)accounts, key, acct)
	{
		(void)key;
		rc = steam_account(c, ++i, acct);
		if (rc != TOTP_OK)
			return rc;
	}
	return TOTP_OK;
}

/* ---- URI lines (otpauth list, Ente plain) ---------------------------------- */

int totp_imp_lines(struct totp_imp *c, const uint8_t *buf, size_t len)
{
	size_t i = 0, lineno = 0;
	int rc;

	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		i = 3;
	while (i < len) {
		size_t end = i, s = i, e;

		while (end < len && buf[end] != '\n')
			end++;
		lineno++;
		e = end;
		while (s < e && isspace(buf[s]))
			s++;
		while (e > s && isspace(buf[e - 1]))
			e--;
		i = end + 1;
		if (s == e || buf[s] == '#')
			continue;
		totp_imp_begin(c);
		if (e - s > LINE_MAX_BYTES)
			rc = totp_imp_why(c, TOTP_E_TOOBIG, "line longer than %u bytes",
			                  LINE_MAX_BYTES);
		else if (memchr(buf + s, '\0', e - s))
			rc = totp_imp_why(c, TOTP_E_URI_SYNTAX, "line holds a NUL byte");
		else
			rc = totp_imp_uri(c, (const char *)buf + s, e - s);
		rc = rc == TOTP_OK ? totp_imp_commit(c, lineno) : totp_imp_skip(c, lineno, rc);
		if (rc != TOTP_OK)
			return rc;
	}
	return TOTP_OK;
}

/* ---- Ente Auth encrypted export ---------------------------------------- */

#define ENTE_WORK_MAX (16ULL << 30) /* memLimit * opsLimit; Ente uses 4 GiB */

/* Ente's salt, stream header and Argon2id cost, bounded before any work. */
struct ente_kdf {
	uint8_t salt[crypto_pwhash_SALTBYTES];
	uint8_t header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	long long mem, ops;
};

static int ente_params(struct totp_imp *c, struct ente_kdf *k, const json_t *root)
{
	const json_t *kdf = json_object_get(root, "kdfParams");
	const char *hdr = totp_json_str(root, "encryptionNonce");
	const char *salt64 = totp_json_str(kdf, "salt");
	long long v;
	size_t n;

	if (totp_json_int(root, "version", &v) <= 0 || v != 1)
		return totp_imp_fail(c, TOTP_E_VERSION, "Ente export version is not 1");
	if (!totp_json_str(root, "encryptedData") || !hdr || !salt64 ||
	    totp_json_int(kdf, "memLimit", &k->mem) <= 0 ||
	    totp_json_int(kdf, "opsLimit", &k->ops) <= 0)
		return totp_imp_fail(c, TOTP_E_JSON, "Ente export lacks KDF parameters or data");
	if (totp_imp_base64(k->salt, sizeof(k->salt), &n, salt64, strlen(salt64)) ||
	    n != sizeof(k->salt) ||
	    totp_imp_base64(k->header, sizeof(k->header), &n, hdr, strlen(hdr)) ||
	    n != sizeof(k->header))
		return totp_imp_fail(c, TOTP_E_JSON, "Ente salt or nonce has the wrong size");
	if (k->mem < (long long)crypto_pwhash_argon2id_MEMLIMIT_MIN ||
	    (unsigned long long)k->mem > TOTP_KDF_MEM_MAX ||
	    (unsigned long long)k->mem > SIZE_MAX || k->ops < 1 || k->ops > TOTP_KDF_OPS_MAX ||
	    (unsigned long long)k->mem * (unsigned long long)k->ops > ENTE_WORK_MAX)
		return totp_imp_fail(c, TOTP_E_KDF,
		                     "Argon2id memLimit %lld opsLimit %lld out of bounds", k->mem,
		                     k->ops);
	return TOTP_OK;
}

int totp_imp_ente_enc(struct totp_imp *c, const json_t *root)
{
	const char *data = totp_json_str(root, "encryptedData");
	crypto_secretstream_xchacha20poly1305_state *st = NULL;
	struct ente_kdf k;
	uint8_t *ct = NULL, *key = NULL, *plain = NULL, tag = 0;
	unsigned long long plainlen = 0;
	size_t ctlen = 0, datalen = data ? strlen(data) : 0;
	const uint8_t *pass;
	size_t passlen;
	int rc = ente_params(c, &k, root);

	if (rc != TOTP_OK)
		return rc;
	ct = malloc(datalen / 4 * 3 + 3);
	if (!ct)
		return TOTP_E_NOMEM;
	if (totp_imp_base64(ct, datalen / 4 * 3 + 3, &ctlen, data, datalen)) {
		rc = totp_imp_fail(c, TOTP_E_JSON, "Ente encryptedData is not base64");
		goto out;
	}
	rc = totp_imp_password(c, &pass, &passlen);
	if (rc != TOTP_OK)
		goto out;
	key = sodium_malloc(crypto_secretstream_xchacha20poly1305_KEYBYTES);
	st = sodium_malloc(sizeof(*st));
	plain = sodium_malloc(ctlen + 1);
	if (!key || !st || !plain) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	if (crypto_pwhash(key, crypto_secretstream_xchacha20poly1305_KEYBYTES, (const char *)pass,
	                  passlen, k.salt, (unsigned long long)k.ops, (size_t)k.mem,
	                  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		rc = totp_imp_fail(c, TOTP_E_NOMEM, "Argon2id could not allocate %lld bytes",
		                   k.mem);
		goto out;
	}
	if (ctlen < crypto_secretstream_xchacha20poly1305_ABYTES ||
	    crypto_secretstream_xchacha20poly1305_init_pull(st, k.header, key) != 0 ||
	    crypto_secretstream_xchacha20poly1305_pull(st, plain, &plainlen, &tag, ct, ctlen, NULL,
	                                               0) != 0) {
		rc = totp_imp_fail(c, TOTP_E_PASSWORD, "wrong password or damaged file");
		goto out;
	}
	if (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		rc = totp_imp_fail(c, TOTP_E_CORRUPT, "Ente data is truncated");
		goto out;
	}
	rc = totp_imp_lines(c, plain, (size_t)plainlen);
out:
	if (st) {
		sodium_memzero(st, sizeof(*st));
		sodium_free(st);
	}
	if (key) {
		sodium_memzero(key, crypto_secretstream_xchacha20poly1305_KEYBYTES);
		sodium_free(key);
	}
	if (plain) {
		sodium_memzero(plain, ctlen + 1);
		sodium_free(plain);
	}
	free(ct);
	return rc;
}
