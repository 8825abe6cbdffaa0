/*
 * import_detect.c - naming a backup's format from its content, dispatching
 * to the reader for it, and the helpers every reader shares: password
 * prompting through the caller's callback, field parsing with reasons, and
 * checking and collecting entries.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "import_int.h"
#include "json_util.h"

static const char *const format_names[] = {
        [TOTP_IMPORT_AUTO] = "auto",
        [TOTP_IMPORT_AEGIS] = "aegis",
        [TOTP_IMPORT_AEGIS_ENCRYPTED] = "aegis-encrypted",
        [TOTP_IMPORT_ANDOTP] = "andotp",
        [TOTP_IMPORT_ANDOTP_ENCRYPTED] = "andotp-encrypted",
        [TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD] = "andotp-encrypted-old",
        [TOTP_IMPORT_2FAS] = "2fas",
        [TOTP_IMPORT_2FAS_ENCRYPTED] = "2fas-encrypted",
        [TOTP_IMPORT_FREEOTP_PLUS] = "freeotp+",
        [TOTP_IMPORT_BITWARDEN_JSON] = "bitwarden-json",
        [TOTP_IMPORT_BITWARDEN_CSV] = "bitwarden-csv",
        [TOTP_IMPORT_ENTE] = "ente",
        [TOTP_IMPORT_ENTE_ENCRYPTED] = "ente-encrypted",
        [TOTP_IMPORT_STEAM] = "steam",
        [TOTP_IMPORT_OTPAUTH] = "otpauth",
};
_Static_assert(TOTP_ARRAY_LEN(format_names) == TOTP_IMPORT_FORMAT_END_,
               "every import format has a name");

const char *totp_import_format_name(enum totp_import_format f)
{
	if ((unsigned)f >= TOTP_ARRAY_LEN(format_names))
		return NULL;
	return format_names[f];
}

int totp_import_format_parse(enum totp_import_format *out, const char *name)
{
	if (!out || !name)
		return TOTP_E_INVAL;
	for (size_t i = 0; i < TOTP_ARRAY_LEN(format_names); i++) {
		if (strcasecmp(name, format_names[i]) == 0) {
			*out = (enum totp_import_format)i;
			return TOTP_OK;
		}
	}
	return TOTP_E_IMPORT_FORMAT;
}

int totp_import_format_encrypted(enum totp_import_format f)
{
	return f == TOTP_IMPORT_AEGIS_ENCRYPTED || f == TOTP_IMPORT_ANDOTP_ENCRYPTED ||
	       f == TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD || f == TOTP_IMPORT_2FAS_ENCRYPTED ||
	       f == TOTP_IMPORT_ENTE_ENCRYPTED;
}

/* ---- Messages --------------------------------------------------------- */

/* Copy untrusted text into a message: printable ASCII only, at most 40
 * characters, so a label or value cannot smuggle terminal controls. */
static void clean_copy(char *dst, size_t dstsz, const char *src, size_t max)
{
	size_t n = 0;

	for (; *src && n + 1 < dstsz && n < max; src++)
		dst[n++] = (*src >= 0x20 && *src < 0x7f) ? *src : '?';
	if (*src && n + 4 < dstsz) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

int totp_imp_why(struct totp_imp *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return err;
}

int totp_imp_fail(struct totp_imp *c, int err, const char *fmt, ...)
{
	char msg[sizeof(c->why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)totp_import_problem(c->im, 0, NULL, err, "%s", msg);
	return err;
}

/* "Issuer:account" of the current item, printable and valid UTF-8. */
static void item_label(char *out, size_t outsz, const struct totp_entry *e)
{
	const char *sep = e->issuer[0] && e->account[0] ? ":" : "";
	size_t n;

	snprintf(out, outsz, "%.*s%s%.*s", TOTP_LABEL_MAX - 1, e->issuer, sep, TOTP_LABEL_MAX - 1,
	         e->account);
	n = strlen(out);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
	if (!totp_utf8_valid(out, n))
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)out[i] >= 0x80)
				out[i] = '?';
}

/* Accounts plus rejected items of one file are bounded together, so a
 * file of a million bad lines cannot grow the problem list without end. */
static int over_limit(struct totp_imp *c)
{
	if (c->im->count + c->im->nproblems < TOTP_IMPORT_MAX_ENTRIES)
		return TOTP_OK;
	return totp_imp_fail(c, TOTP_E_TOOBIG, "more than %d accounts", TOTP_IMPORT_MAX_ENTRIES);
}

int totp_imp_skip(struct totp_imp *c, size_t index, int err)
{
	char label[sizeof(((struct totp_import_problem *)0)->label)];
	int rc = over_limit(c);

	if (rc != TOTP_OK)
		return rc;
	item_label(label, sizeof(label), c->e);
	return totp_import_problem(c->im, index, label[0] ? label : NULL, err, "%s",
	                           c->why[0] ? c->why : totp_strerror(err));
}

/* ---- Items ------------------------------------------------------------ */

void totp_imp_begin(struct totp_imp *c)
{
	totp_entry_wipe(c->e);
	totp_entry_init(c->e);
	c->why[0] = '\0';
}

int totp_imp_commit(struct totp_imp *c, size_t index)
{
	struct totp_entry *e = c->e;
	int rc;

	if (e->type == TOTP_TYPE_STEAM) {
		e->algo = TOTP_ALGO_SHA1;
		e->digits = 5;
		e->period = 30;
	}
	if (!e->account[0] && e->issuer[0]) {
		memcpy(e->account, e->issuer, sizeof(e->account));
		memset(e->issuer, 0, sizeof(e->issuer));
	}
	rc = totp_entry_check(e);
	if (rc != TOTP_OK)
		return totp_imp_skip(c, index, rc);
	rc = over_limit(c);
	return rc != TOTP_OK ? rc : totp_import_add(c->im, e);
}

int totp_imp_label(struct totp_imp *c, char *dst, const char *src, const char *what)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= TOTP_LABEL_MAX)
		return totp_imp_why(c, TOTP_E_LABEL, "%s longer than %d bytes", what,
		                    TOTP_LABEL_MAX - 1);
	memcpy(dst, src ? src : "", n);
	memset(dst + n, 0, TOTP_LABEL_MAX - n);
	return TOTP_OK;
}

int totp_imp_secret_b32(struct totp_imp *c, const char *s)
{
	struct totp_entry *e = c->e;
	int rc;

	if (!s || !*s)
		return totp_imp_why(c, TOTP_E_SECRET_EMPTY, "empty secret");
	rc = totp_base32_decode(e->secret, sizeof(e->secret), &e->secret_len, s, strlen(s));
	if (rc == TOTP_E_NOSPACE)
		rc = TOTP_E_SECRET_LONG;
	if (rc != TOTP_OK) {
		e->secret_len = 0;
		return totp_imp_why(c, rc, "secret: %s", totp_strerror(rc));
	}
	return TOTP_OK;
}

int totp_imp_type(struct totp_imp *c, const char *name)
{
	char shown[48];

	if (name && totp_type_parse(&c->e->type, name) == TOTP_OK)
		return TOTP_OK;
	clean_copy(shown, sizeof(shown), name ? name : "(none)", 24);
	for (char *p = shown; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return totp_imp_why(c, TOTP_E_ENTRY, "type %s is not supported", shown);
}

int totp_imp_algo(struct totp_imp *c, const char *name)
{
	char shown[48];

	if (name && totp_algo_parse(&c->e->algo, name) == TOTP_OK)
		return TOTP_OK;
	clean_copy(shown, sizeof(shown), name ? name : "(none)", 24);
	return totp_imp_why(c, TOTP_E_ALGO, "algorithm %s is not supported", shown);
}

int totp_imp_uri(struct totp_imp *c, const char *uri, size_t len)
{
	unsigned warnings = 0;
	int rc = totp_uri_parse(c->e, &warnings, uri, len);

	if (rc != TOTP_OK) {
		c->e->secret_len = 0;
		return totp_imp_why(c, rc, "URI: %s", totp_strerror(rc));
	}
	return TOTP_OK;
}

/* ---- Crypto ----------------------------------------------------------- */

int totp_imp_aesgcm(struct totp_imp *c, uint8_t *out, const uint8_t *ct, size_t ctlen,
                    const uint8_t *tag, const uint8_t *nonce, const uint8_t *key)
{
	int rc = totp_aesgcm_decrypt(out, ct, ctlen, tag, nonce, key);

	if (rc == TOTP_E_UNSUPPORTED || rc == TOTP_E_LIBRARY)
		return totp_imp_fail(c, rc, "%s", TOTP_AESGCM_MISSING);
	return rc;
}

int totp_imp_password(struct totp_imp *c, const uint8_t **pass, size_t *len)
{
	size_t n = 0;
	int rc;

	if (!c->asked) {
		if (!c->opts || !c->opts->password)
			return totp_imp_fail(c, TOTP_E_PASSWORD, "the file is encrypted");
		c->pass = sodium_malloc(TOTP_IMPORT_PASSWORD_MAX);
		if (!c->pass)
			return TOTP_E_NOMEM;
		c->asked = 1;
		rc = c->opts->password(c->opts->password_ctx, c->pass, TOTP_IMPORT_PASSWORD_MAX,
		                       &n);
		if (rc != TOTP_OK || n > TOTP_IMPORT_PASSWORD_MAX) {
			sodium_memzero(c->pass, TOTP_IMPORT_PASSWORD_MAX);
			sodium_free(c->pass);
			c->pass = NULL;
			return rc != TOTP_OK ? rc : TOTP_E_INVAL;
		}
		c->passlen = n;
	}
	if (!c->pass)
		return TOTP_E_PASSWORD;
	*pass = (const uint8_t *)c->pass;
	*len = c->passlen;
	return TOTP_OK;
}

/* ---- Detection -------------------------------------------------------- */

static int has(const json_t *o, const char *key)
{
	return json_object_get(o, key) != NULL;
}

static enum totp_import_format detect_json(const json_t *root)
{
	const json_t *v, *acct;
	const char *key;

	if (json_is_array(root)) {
		v = json_array_get(root, 0);
		return !v || (json_is_object(v) && has(v, "secret")) ? TOTP_IMPORT_ANDOTP
		                                                     : TOTP_IMPORT_AUTO;
	}
	if (!json_is_object(root))
		return TOTP_IMPORT_AUTO;
	if (has(root, "header") && has(root, "db"))
		return json_is_string(json_object_get(root, "db")) ? TOTP_IMPORT_AEGIS_ENCRYPTED
		                                                   : TOTP_IMPORT_AEGIS;
	if (has(root, "schemaVersion") &&
	    (has(root, "services") || has(root, "servicesEncrypted"))) {
		const char *enc = totp_json_str(root, "servicesEncrypted");

		return enc && *enc ? TOTP_IMPORT_2FAS_ENCRYPTED : TOTP_IMPORT_2FAS;
	}
	if (json_is_array(json_object_get(root, "tokens")))
		return TOTP_IMPORT_FREEOTP_PLUS;
	if (has(root, "kdfParams") && has(root, "encryptedData"))
		return TOTP_IMPORT_ENTE_ENCRYPTED;
	if (json_is_array(json_object_get(root, "items")) || has(root, "encrypted") ||
	    has(root, "passwordProtected"))
		return TOTP_IMPORT_BITWARDEN_JSON;
	if (json_is_string(json_object_get(root, "shared_secret")))
		return TOTP_IMPORT_STEAM;
	v = json_object_get(root, "accounts");
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, acct)
		{
			(void)key;
			if (json_is_object(acct) && has(acct, "shared_secret"))
				return TOTP_IMPORT_STEAM;
		}
	}
	return TOTP_IMPORT_AUTO;
}

static size_t skip_bom(const uint8_t *buf, size_t len)
{
	return len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf ? 3 : 0;
}

static int starts_ci(const uint8_t *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp((const char *)p, prefix, k) == 0;
}

static int memmem_ci(const uint8_t *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp((const char *)p + i, needle, k) == 0)
			return 1;
	return 0;
}

static enum totp_import_format detect_text(const uint8_t *buf, size_t len)
{
	size_t i = skip_bom(buf, len);

	while (i < len) {
		size_t end = i, s = i;

		while (end < len && buf[end] != '\n')
			end++;
		while (s < end && isspace(buf[s]))
			s++;
		if (s < end && buf[s] != '#') {
			if (starts_ci(buf + s, end - s, "otpauth://") ||
			    starts_ci(buf + s, end - s, "steam://"))
				return memmem_ci(buf, len, "codeDisplay=") ? TOTP_IMPORT_ENTE
				                                           : TOTP_IMPORT_OTPAUTH;
			if (memmem_ci(buf + s, end - s, "login_totp"))
				return TOTP_IMPORT_BITWARDEN_CSV;
			return TOTP_IMPORT_AUTO;
		}
		i = end + 1;
	}
	return TOTP_IMPORT_AUTO;
}

/* andOTP: [iterations 4][salt 12][nonce 12][ciphertext][tag 16], or the old
 * [nonce 12][ciphertext][tag 16].  Neither has a magic number, so common
 * binary formats that are surely not andOTP are excluded first. */
#define ANDOTP_NEW_MIN (4 + 12 + 12 + 16)
#define ANDOTP_OLD_MIN (12 + 16)

static enum totp_import_format detect_binary(const uint8_t *buf, size_t len)
{
	static const struct {
		const char *magic;
		size_t len;
	} not_andotp[] = {
	        {"\x89PNG", 4},  {"\xff\xd8\xff", 3}, {"GIF8", 4}, {"PK\x03\x04", 4},
	        {"\x1f\x8b", 2}, {"BM", 2},           {"%PDF", 4}, {"SQLite format 3", 15},
	};
	size_t printable = 0;
	uint32_t iter;

	/* Ciphertext is uniformly random, about 38% printable ASCII; text that
	 * merely holds a NUL or a stray byte is not taken for it. */
	for (size_t i = 0; i < len; i++)
		printable += (buf[i] >= 0x20 && buf[i] < 0x7f) || buf[i] == '\n' ||
		             buf[i] == '\r' || buf[i] == '\t';
	if (printable > len / 10 * 9)
		return TOTP_IMPORT_AUTO;
	for (size_t i = 0; i < TOTP_ARRAY_LEN(not_andotp); i++)
		if (len >= not_andotp[i].len &&
		    memcmp(buf, not_andotp[i].magic, not_andotp[i].len) == 0)
			return TOTP_IMPORT_AUTO;
	if (len >= ANDOTP_NEW_MIN) {
		iter = totp_load_be32(buf);
		if (iter >= 1 && iter <= 10000000)
			return TOTP_IMPORT_ANDOTP_ENCRYPTED;
	}
	return len >= ANDOTP_OLD_MIN ? TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD : TOTP_IMPORT_AUTO;
}

static int is_json_format(enum totp_import_format f)
{
	return f != TOTP_IMPORT_ANDOTP_ENCRYPTED && f != TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD &&
	       f != TOTP_IMPORT_BITWARDEN_CSV && f != TOTP_IMPORT_ENTE && f != TOTP_IMPORT_OTPAUTH;
}

/* Detect, keeping the parsed JSON for the reader. */
static int classify(enum totp_import_format *fmt, json_t **root, const uint8_t *buf, size_t len)
{
	size_t i;
	int rc;

	*fmt = TOTP_IMPORT_AUTO;
	*root = NULL;
	if (len > TOTP_IMPORT_MAX_BYTES)
		return TOTP_E_TOOBIG;
	if (len == 0)
		return TOTP_E_IMPORT_FORMAT;
	if (!totp_utf8_valid((const char *)buf, len)) {
		*fmt = detect_binary(buf, len);
		return *fmt == TOTP_IMPORT_AUTO ? TOTP_E_IMPORT_FORMAT : TOTP_OK;
	}
	i = skip_bom(buf, len);
	while (i < len && isspace(buf[i]))
		i++;
	if (i < len && (buf[i] == '{' || buf[i] == '[')) {
		rc = totp_json_load(root, buf, len);
		if (rc != TOTP_OK)
			return rc;
		*fmt = detect_json(*root);
	} else {
		*fmt = detect_text(buf, len);
	}
	if (*fmt == TOTP_IMPORT_AUTO) {
		totp_json_free(*root);
		*root = NULL;
		return TOTP_E_IMPORT_FORMAT;
	}
	return TOTP_OK;
}

int totp_import_detect(enum totp_import_format *fmt, const uint8_t *buf, size_t len)
{
	json_t *root;
	int rc;

	if (!fmt || (!buf && len))
		return TOTP_E_INVAL;
	rc = classify(fmt, &root, buf, len);
	totp_json_free(root);
	return rc;
}

/* ---- Reading ---------------------------------------------------------- */

static int dispatch(struct totp_imp *c, enum totp_import_format fmt, int detected,
                    const json_t *root, const uint8_t *buf, size_t len)
{
	switch (fmt) {
	case TOTP_IMPORT_AEGIS:
	case TOTP_IMPORT_AEGIS_ENCRYPTED:
		return totp_imp_aegis(c, root);
	case TOTP_IMPORT_ANDOTP:
		return totp_imp_andotp_json(c, root);
	case TOTP_IMPORT_ANDOTP_ENCRYPTED:
		return totp_imp_andotp_enc(c, buf, len, fmt, detected);
	case TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD:
		return totp_imp_andotp_enc(c, buf, len, fmt, 0);
	case TOTP_IMPORT_2FAS:
	case TOTP_IMPORT_2FAS_ENCRYPTED:
		return totp_imp_2fas(c, root);
	case TOTP_IMPORT_FREEOTP_PLUS:
		return totp_imp_freeotp(c, root);
	case TOTP_IMPORT_BITWARDEN_JSON:
		return totp_imp_bitwarden_json(c, root);
	case TOTP_IMPORT_BITWARDEN_CSV:
		return totp_imp_bitwarden_csv(c, buf, len);
	case TOTP_IMPORT_ENTE:
	case TOTP_IMPORT_OTPAUTH:
		return totp_imp_lines(c, buf, len);
	case TOTP_IMPORT_ENTE_ENCRYPTED:
		return totp_imp_ente_enc(c, root);
	case TOTP_IMPORT_STEAM:
		return totp_imp_steam(c, root);
	case TOTP_IMPORT_AUTO:
	case TOTP_IMPORT_FORMAT_END_:
	default:
		return TOTP_E_IMPORT_FORMAT;
	}
}

void totp_imp_format(struct totp_imp *c, enum totp_import_format f)
{
	snprintf(c->im->format, sizeof(c->im->format), "%s", totp_import_format_name(f));
}

/* After a whole-file error: no entries, only the problem explaining it. */
static void keep_failure_only(struct totp_import *im)
{
	struct totp_import_problem p;
	char format[sizeof(im->format)];
	int have = 0;

	for (size_t i = im->nproblems; i-- > 0;) {
		if (im->problems[i].index == 0) {
			p = im->problems[i];
			have = 1;
			break;
		}
	}
	memcpy(format, im->format, sizeof(format));
	totp_import_clear(im);
	memcpy(im->format, format, sizeof(format));
	if (have)
		(void)totp_import_problem(im, 0, p.label[0] ? p.label : NULL, p.err, "%s",
		                          p.detail);
}

int totp_import_read(struct totp_import *out, const uint8_t *buf, size_t len,
                     const struct totp_import_opts *opts)
{
	struct totp_imp c;
	enum totp_import_format fmt = opts ? opts->format : TOTP_IMPORT_AUTO;
	int detected = fmt == TOTP_IMPORT_AUTO;
	json_t *root = NULL;
	int rc;

	if (!out || (!buf && len) || out->count || out->nproblems ||
	    (unsigned)fmt >= TOTP_IMPORT_FORMAT_END_)
		return TOTP_E_INVAL;
	memset(&c, 0, sizeof(c));
	c.im = out;
	c.opts = opts;
	out->format[0] = '\0';
	if (detected) {
		rc = classify(&fmt, &root, buf, len);
	} else if (len > TOTP_IMPORT_MAX_BYTES) {
		rc = TOTP_E_TOOBIG;
	} else if (is_json_format(fmt)) {
		rc = totp_json_load(&root, buf, len);
	} else {
		rc = TOTP_OK;
	}
	if (fmt != TOTP_IMPORT_AUTO)
		totp_imp_format(&c, fmt);
	if (rc != TOTP_OK) {
		if (rc == TOTP_E_TOOBIG)
			totp_imp_fail(&c, rc, "larger than %u bytes", TOTP_IMPORT_MAX_BYTES);
		else if (rc == TOTP_E_JSON)
			totp_imp_fail(&c, rc, "not valid JSON, or nested more than %d deep",
			              TOTP_JSON_MAX_DEPTH);
		goto out;
	}
	c.e = totp_entry_new();
	if (!c.e) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	rc = dispatch(&c, fmt, detected, root, buf, len);
out:
	totp_json_free(root);
	totp_entry_free(c.e);
	if (c.pass) {
		sodium_memzero(c.pass, TOTP_IMPORT_PASSWORD_MAX);
		sodium_free(c.pass);
	}
	if (rc != TOTP_OK)
		keep_failure_only(out);
	return rc;
}
