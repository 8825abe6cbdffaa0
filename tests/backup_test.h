/*
 * backup_test.h - helpers shared by the encrypted backup tests: accounts
 * to back up, a scripted passphrase callback, lists of an export's parts,
 * comparing imports, and moving between payload text and wire bytes.
 */
#ifndef TOTP_BACKUP_TEST_H
#define TOTP_BACKUP_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backup_int.h"
#include "test.h"
#include "totp.h"

#define TEST_UNUSED __attribute__((unused))

TEST_UNUSED static const struct totp_kdf tiny = {.opslimit = 1, .memlimit = 8192};

struct pw {
	const char *pass[4]; /* by order of asking, last one repeated */
	int calls;
	struct totp_backup_info last;
	char ids[4][17];
};

static inline int pw_cb(void *ctx, const struct totp_backup_info *info, char *buf, size_t bufsz,
                        size_t *len)
{
	struct pw *p = ctx;
	const char *s = p->pass[p->calls < 4 ? p->calls : 3];

	if (!s)
		return TOTP_E_INVAL; /* as a cancelled prompt */
	if (p->calls < 4)
		memcpy(p->ids[p->calls], info->id, sizeof(p->ids[0]));
	p->calls++;
	p->last = *info;
	*len = strlen(s);
	if (*len > bufsz)
		return TOTP_E_TOOBIG;
	memcpy(buf, s, *len);
	return TOTP_OK;
}

TEST_UNUSED static const char *const issuers[] = {
        "GitHub", "Google", "Amazon",   "Dropbox",  "Mozilla", "Proton", "Cloudflare", "Discord",
        "GitLab", "Reddit", "Fastmail", "Tutanota", "Slack",   "Twitch", "Bitwarden",  "Nextcloud"};

/* n accounts: "Issuer:first.lastNN@example.org"-like labels of about 30
 * characters, 20-byte secrets; with `mixed`, some HOTP, SHA-256, 8-digit,
 * 60 s and Steam entries and repeated issuers. */
static inline struct totp_entry *make_entries(size_t n, unsigned seed, int mixed)
{
	struct totp_entry *e = sodium_malloc(n ? n * sizeof(*e) : 1);
	uint64_t s = 0x9e3779b97f4a7c15ULL ^ seed;

	for (size_t i = 0; i < n; i++) {
		totp_entry_init(&e[i]);
		snprintf(e[i].issuer, sizeof(e[i].issuer), "%s",
		         issuers[(mixed ? i % 5 : i) % TOTP_ARRAY_LEN(issuers)]);
		snprintf(e[i].account, sizeof(e[i].account), "user.%04zu.s%u@example.org", i, seed);
		e[i].secret_len = 20;
		for (size_t k = 0; k < 20; k++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			e[i].secret[k] = (uint8_t)s;
		}
		if (!mixed)
			continue;
		if (i % 7 == 3) {
			e[i].type = TOTP_TYPE_HOTP;
			e[i].counter = 1000000007ULL * i;
		} else if (i % 7 == 5) {
			e[i].algo = TOTP_ALGO_SHA256;
			e[i].digits = 8;
			e[i].period = 60;
		} else if (i % 7 == 6) {
			e[i].type = TOTP_TYPE_STEAM;
			e[i].digits = 5;
		} else if (i % 11 == 1) {
			e[i].algo = TOTP_ALGO_SHA512;
			e[i].issuer[0] = '\0';
		}
	}
	return e;
}

static inline int same_entry(const struct totp_entry *a, const struct totp_entry *b)
{
	return strcmp(a->issuer, b->issuer) == 0 && strcmp(a->account, b->account) == 0 &&
	       a->secret_len == b->secret_len && memcmp(a->secret, b->secret, a->secret_len) == 0 &&
	       a->type == b->type && a->algo == b->algo && a->digits == b->digits &&
	       a->period == b->period && a->counter == b->counter;
}

static inline int same_entries(const struct totp_import *im, const struct totp_entry *e, size_t n)
{
	if (im->count != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!same_entry(&im->entries[i], &e[i]))
			return 0;
	return 1;
}

/* A list of the export's parts in the given order (NULL: 1..count). */
static inline void list_of(struct totp_qr_list *l, const struct totp_backup_export *x,
                           const size_t *order, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = order ? order[i] : i;
		char src[32];

		snprintf(src, sizeof(src), "part-%zu.png", k + 1);
		if (totp_qr_list_add(l, (const uint8_t *)x->parts[k], strlen(x->parts[k]), src))
			abort();
	}
}

/* Import a list with a passphrase callback; *calls gets the number asked. */
static inline int import_list(struct totp_import *im, const struct totp_qr_list *l, struct pw *p)
{
	struct totp_backup_read_opts o = {pw_cb, p};

	totp_import_init(im);
	return totp_backup_import(im, l, &o);
}

static inline int has_problem(const struct totp_import *im, int err, size_t index,
                              const char *needle)
{
	for (size_t i = 0; i < im->nproblems; i++)
		if (im->problems[i].err == err && im->problems[i].index == index &&
		    (!needle || strstr(im->problems[i].detail, needle)))
			return 1;
	return 0;
}

/* The wire bytes of a payload text, and back. */
static inline size_t to_wire(uint8_t *w, size_t wsz, const char *text)
{
	size_t n = 0;

	if (totp_bk_text_decode(w, wsz, &n, text + BK_PREFIX_LEN, strlen(text) - BK_PREFIX_LEN))
		return 0;
	return n;
}

static inline void to_text(char *t, const uint8_t *w, size_t n)
{
	memcpy(t, TOTP_BACKUP_PREFIX, BK_PREFIX_LEN);
	totp_bk_text_encode(t + BK_PREFIX_LEN, w, n);
}

#endif
