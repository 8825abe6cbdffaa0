/*
 * session.c - where the vault is, opening it (cached key first, then the
 * passphrase) and finding accounts by pattern.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *default_vault_path(void)
{
	static char path[4096];
	const char *v = getenv("TOTP_VAULT"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (v && *v)
		return v;
	if (xdg && *xdg == '/')
		n = snprintf(path, sizeof(path), "%s/totp/vault", xdg);
	else if (home && *home)
		n = snprintf(path, sizeof(path), "%s/.local/share/totp/vault", home);
	else
		return NULL;
	return n > 0 && (size_t)n < sizeof(path) ? path : NULL;
}

static int report_open_error(int rc)
{
	if (rc == TOTP_E_NOENT)
		warnx_("%s: no vault here (create one with 'totp init')", cli.vault_path);
	else
		fail(rc, "%s", cli.vault_path);
	return rc;
}

/*
 * After every open: entries that today's checks reject (written by another
 * version, or damaged by hand) are named, and kept exactly as they are;
 * the other accounts work.  Then the generation is compared with the
 * highest seen (rollback.c).
 */
static void opened(struct totp_vault *v)
{
	char label[2 * TOTP_LABEL_MAX];
	size_t n = totp_vault_count(v);
	int rc;

	for (size_t i = 0; i < n; i++) {
		if ((rc = totp_vault_check(v, i)) == TOTP_OK)
			continue;
		vault_label(v, i, label);
		for (char *p = label; *p; p++) /* no terminal escapes from an odd label */
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		warnx_("warning: account %zu (%s) is not valid here: %s; it is kept unchanged",
		       totp_vault_position(v, i) + 1, label, totp_strerror(rc));
	}
	rollback_opened(v);
}

int vault_unlock_passphrase(struct totp_vault **v, unsigned flags)
{
	char *pass = secret_alloc();
	size_t len = 0;
	int rc;

	if (!pass)
		return fail(TOTP_E_NOMEM, "passphrase"), TOTP_E_NOMEM;
	rc = get_passphrase(pass, &len, false);
	if (rc == TOTP_OK) {
		rc = totp_vault_open(v, cli.vault_path, pass, len, flags);
		if (rc != TOTP_OK)
			report_open_error(rc);
		else
			opened(*v);
	} else if (rc == TOTP_E_NOMEM) {
		fail(rc, "passphrase"); /* get_passphrase reports its other errors */
	}
	secret_free(pass);
	return rc;
}

struct pattern {
	const char *text;
	size_t len;
};
static int keep_match(void *ctx, size_t pos, const struct totp_labels *labels, int check);

/* With a pattern, a cached key opens only the accounts it may match (and
 * those opened() names); a passphrase opens everything, as ever. */
static int unlock(struct totp_vault **v, unsigned flags, const char *pattern)
{
	uint8_t *key = totp_secure_alloc(TOTP_KEY_BYTES);
	int rc = TOTP_E_NOENT;

	if (!key)
		return fail(TOTP_E_NOMEM, "key"), TOTP_E_NOMEM;
	if (cli.passphrase_fd < 0 && keycache_get(cli.vault_path, key) == TOTP_OK) {
		struct pattern p = {pattern, pattern ? strlen(pattern) : 0};

		rc = pattern ? totp_vault_open_key_where(v, cli.vault_path, key, keep_match, &p)
		             : totp_vault_open_key(v, cli.vault_path, key, flags);
		if (rc == TOTP_E_AUTH)
			keycache_drop(cli.vault_path); /* stale: passphrase changed */
		else if (rc != TOTP_OK) {
			report_open_error(rc);
			goto out;
		} else
			opened(*v);
	}
	if (rc != TOTP_OK)
		rc = vault_unlock_passphrase(v, flags);
out:
	totp_wipe(key, TOTP_KEY_BYTES);
	totp_secure_free(key);
	return rc;
}

int vault_unlock(struct totp_vault **v, unsigned flags)
{
	return unlock(v, flags, NULL);
}

int vault_unlock_matching(struct totp_vault **v, const char *pattern)
{
	return unlock(v, 0, pattern);
}

int vault_save_or_fail(struct totp_vault *v)
{
	uint64_t gen = totp_vault_header(v)->generation;
	int rc = totp_vault_save(v);

	/* The generation moves only once the new file has replaced the old:
	 * a failure after that (the directory fsync) left the change in place,
	 * but not durably. */
	if (rc != TOTP_OK && totp_vault_header(v)->generation != gen)
		fail(rc, "%s: saved, but not flushed to disk (a crash now may undo the change)",
		     cli.vault_path);
	else if (rc != TOTP_OK)
		fail(rc, "%s: cannot save (the previous vault is unchanged)", cli.vault_path);
	else
		rollback_saved(v);
	return rc;
}

const char *entry_label(const struct totp_entry *e, char buf[2 * TOTP_LABEL_MAX])
{
	if (totp_entry_label(buf, 2 * TOTP_LABEL_MAX, e) != TOTP_OK)
		snprintf(buf, 2 * TOTP_LABEL_MAX, "%s", e->account);
	return buf;
}

/* "issuer:account", or "account" without an issuer; its length in *len
 * (each label is cut to under TOTP_LABEL_MAX bytes, so it fits). */
static const char *join_label(const struct totp_labels *l, char buf[2 * TOTP_LABEL_MAX],
                              size_t *len)
{
	size_t il = l->issuer_len < TOTP_LABEL_MAX ? l->issuer_len : TOTP_LABEL_MAX - 1;
	size_t al = l->account_len < TOTP_LABEL_MAX ? l->account_len : TOTP_LABEL_MAX - 1;
	char *p = buf;

	if (il) {
		memcpy(p, l->issuer, il);
		p += il;
		*p++ = ':';
	}
	memcpy(p, l->account, al);
	p[al] = '\0';
	*len = (size_t)(p + al - buf);
	return buf;
}

const char *vault_label(const struct totp_vault *v, size_t i, char buf[2 * TOTP_LABEL_MAX])
{
	struct totp_labels l = {"", 0, "", 0};
	size_t len;

	(void)!totp_vault_labels(v, i, &l);
	return join_label(&l, buf, &len);
}

/* ASCII case folding, as strcasecmp in the C locale (the program never
 * sets another). */
static inline unsigned char fold(unsigned char c)
{
	return (unsigned)c - 'A' < 26u ? (unsigned char)(c | 0x20) : c;
}

static bool eq_nocase(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
			return false;
	return true;
}

/* Case-insensitive substring test.  Labels are short, so the plain scan
 * beats strcasestr, which prepares the needle anew on every call. */
static bool contains_nocase(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	unsigned char first = fold((unsigned char)needle[0]);

	for (size_t i = 0; i + nlen <= hlen; i++)
		if (fold((unsigned char)hay[i]) == first &&
		    eq_nocase(hay + i + 1, needle + 1, nlen - 1))
			return true;
	return false;
}

/* How exactly an account's labels match a pattern, better kinds last. */
enum match { NONE, ACCOUNT, LABEL };

/* LABEL when the pattern is "issuer:account" (or "account" when there is
 * no issuer), ACCOUNT when it is the account alone, else NONE. */
static enum match exact_match(const struct totp_labels *l, const char *pattern, size_t plen)
{
	size_t il = l->issuer_len, al = l->account_len;

	if (il ? il + 1 + al == plen && pattern[il] == ':' && eq_nocase(l->issuer, pattern, il) &&
	                    eq_nocase(l->account, pattern + il + 1, al)
	       : al == plen && eq_nocase(l->account, pattern, al))
		return LABEL;
	if (al == plen && eq_nocase(l->account, pattern, al))
		return ACCOUNT;
	return NONE;
}

/* The pattern inside "issuer:account".  One without a colon cannot span
 * the colon between the labels, so each label is searched alone. */
static bool substring_match(const struct totp_labels *l, const char *pattern, size_t plen)
{
	char buf[2 * TOTP_LABEL_MAX];
	const char *label;
	size_t len;

	if (plen == 0)
		return true;
	if (!memchr(pattern, ':', plen))
		return contains_nocase(l->account, l->account_len, pattern, plen) ||
		       contains_nocase(l->issuer, l->issuer_len, pattern, plen);
	label = join_label(l, buf, &len);
	return contains_nocase(label, len, pattern, plen);
}

/* Every account vault_match could pick for the pattern matches it as a
 * substring, and every odd one is kept for opened() to name. */
static int keep_match(void *ctx, size_t pos, const struct totp_labels *labels, int check)
{
	const struct pattern *p = ctx;

	(void)pos;
	return check != TOTP_OK || substring_match(labels, p->text, p->len);
}

int vault_match(struct totp_vault *v, const char *pattern, size_t **idx, size_t *n)
{
	size_t count = totp_vault_count(v), nhits = 0, plen = pattern ? strlen(pattern) : 0;
	enum match best = NONE;
	struct totp_labels l;
	size_t *hits;

	*idx = NULL;
	*n = 0;
	/* Written only where there are hits: no pages touched for nothing. */
	hits = malloc((count + 1) * sizeof(size_t));
	if (!hits)
		return TOTP_E_NOMEM;
	/* An exact label or account wins over any substring, so those are
	 * looked for first (a length compared per account, mostly); only the
	 * best kind found is kept. */
	for (size_t i = 0; pattern && i < count; i++) {
		enum match kind;

		if (totp_vault_labels(v, i, &l) != TOTP_OK ||
		    (kind = exact_match(&l, pattern, plen)) < best || kind == NONE)
			continue;
		if (kind > best) {
			best = kind;
			nhits = 0;
		}
		hits[nhits++] = i;
	}
	for (size_t i = 0; best == NONE && i < count; i++)
		if (!pattern ||
		    (totp_vault_labels(v, i, &l) == TOTP_OK && substring_match(&l, pattern, plen)))
			hits[nhits++] = i;
	*idx = hits;
	*n = nhits;
	return TOTP_OK;
}

int vault_match_one(struct totp_vault *v, const char *pattern, size_t *index)
{
	char buf[2 * TOTP_LABEL_MAX];
	size_t *idx, n;
	int rc = vault_match(v, pattern, &idx, &n);

	if (rc != TOTP_OK)
		return fail(rc, "matching accounts"), rc;
	if (n == 1) {
		*index = idx[0];
		free(idx);
		return TOTP_OK;
	}
	if (n == 0) {
		warnx_("no account matches '%s' (see 'totp list')", pattern);
	} else {
		warnx_("'%s' matches %zu accounts; be more specific:", pattern, n);
		for (size_t i = 0; i < n && i < 20; i++)
			fprintf(stderr, "  %s\n", vault_label(v, idx[i], buf));
		if (n > 20)
			fprintf(stderr, "  ... and %zu more\n", n - 20);
	}
	free(idx);
	return TOTP_E_NOENT;
}

long vault_find_label(struct totp_vault *v, const struct totp_entry *e)
{
	size_t count = totp_vault_count(v), il = strlen(e->issuer), al = strlen(e->account);

	for (size_t i = 0; i < count; i++) {
		struct totp_labels l;

		if (totp_vault_labels(v, i, &l) == TOTP_OK && l.issuer_len == il &&
		    l.account_len == al && memcmp(l.issuer, e->issuer, il) == 0 &&
		    memcmp(l.account, e->account, al) == 0)
			return (long)i;
	}
	return -1;
}
