/*
 * session.c - where the vault is, opening it (cached key first, then the
 * passphrase) and finding accounts by pattern.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
		       i + 1, label, totp_strerror(rc));
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

int vault_unlock(struct totp_vault **v, unsigned flags)
{
	uint8_t *key = totp_secure_alloc(TOTP_KEY_BYTES);
	int rc = TOTP_E_NOENT;

	if (!key)
		return fail(TOTP_E_NOMEM, "key"), TOTP_E_NOMEM;
	if (cli.passphrase_fd < 0 && keycache_get(cli.vault_path, key) == TOTP_OK) {
		rc = totp_vault_open_key(v, cli.vault_path, key, flags);
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

/* "issuer:account", or "account" without an issuer (each label is under
 * TOTP_LABEL_MAX bytes, so it fits). */
static const char *join_label(const char *issuer, const char *account, char buf[2 * TOTP_LABEL_MAX])
{
	size_t il = strnlen(issuer, TOTP_LABEL_MAX - 1), al = strnlen(account, TOTP_LABEL_MAX - 1);
	char *p = buf;

	if (il) {
		memcpy(p, issuer, il);
		p += il;
		*p++ = ':';
	}
	memcpy(p, account, al);
	p[al] = '\0';
	return buf;
}

const char *vault_label(const struct totp_vault *v, size_t i, char buf[2 * TOTP_LABEL_MAX])
{
	const char *issuer = "", *account = "";

	(void)!totp_vault_labels(v, i, &issuer, &account);
	return join_label(issuer, account, buf);
}

/* Case-insensitive (ASCII) substring test.  Labels are short, so the plain
 * scan beats strcasestr, which prepares the needle anew on every call. */
static bool contains_nocase(const char *hay, const char *needle, size_t nlen)
{
	int first = tolower((unsigned char)needle[0]);

	for (; *hay; hay++)
		if (tolower((unsigned char)*hay) == first && strncasecmp(hay, needle, nlen) == 0)
			return true;
	return false;
}

int vault_match(struct totp_vault *v, const char *pattern, size_t **idx, size_t *n)
{
	/* How an account matches; only the best kind found is kept. */
	enum { NONE, SUBSTRING, ACCOUNT, LABEL } best = SUBSTRING;
	size_t count = totp_vault_count(v), nhits = 0, plen = pattern ? strlen(pattern) : 0;
	size_t *hits;
	char buf[2 * TOTP_LABEL_MAX];

	*idx = NULL;
	*n = 0;
	/* Written only where there are hits: no pages touched for nothing. */
	hits = malloc((count + 1) * sizeof(size_t));
	if (!hits)
		return TOTP_E_NOMEM;
	for (size_t i = 0; i < count; i++) {
		const char *issuer = "", *account = "", *label;
		int kind = SUBSTRING;

		if (pattern) {
			(void)!totp_vault_labels(v, i, &issuer, &account);
			label = join_label(issuer, account, buf);
			if (strcasecmp(label, pattern) == 0)
				kind = LABEL;
			else if (strcasecmp(account, pattern) == 0)
				kind = ACCOUNT;
			else if (plen && !contains_nocase(label, pattern, plen))
				kind = NONE;
		}
		if (kind < (int)best)
			continue;
		if (kind > (int)best) {
			best = kind;
			nhits = 0;
		}
		hits[nhits++] = i;
	}
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
	size_t count = totp_vault_count(v);

	for (size_t i = 0; i < count; i++) {
		const char *issuer, *account;

		if (totp_vault_labels(v, i, &issuer, &account) == TOTP_OK &&
		    strcmp(issuer, e->issuer) == 0 && strcmp(account, e->account) == 0)
			return (long)i;
	}
	return -1;
}
