/*
 * t_vault_lazy.c - entries decoded on first use: labels and verdicts from
 * the index built at open, pointers that stay put, and entries removed,
 * changed or saved without ever having been decoded.
 */
#include "vault_test.h"

#define N 40

static void expect_entry(struct totp_entry *e, size_t i)
{
	char acct[32];

	snprintf(acct, sizeof(acct), "user%zu@example.org", i);
	mk_entry(e, i % 4 ? "Issuér" : "", acct, 10 + i % 30, (enum totp_type)(i % 3),
	         (enum totp_algo)(i % 3), i % 3 == 2 ? 5 : 6 + i % 3, i * 7);
}

/* A saved vault of N entries, entry 9 holding digits 11 (kept, judged). */
/* The labels read without decoding are exactly these strings. */
static int labels_are(const struct totp_labels *l, const char *issuer, const char *account)
{
	return l->issuer_len == strlen(issuer) && memcmp(l->issuer, issuer, l->issuer_len) == 0 &&
	       l->account_len == strlen(account) &&
	       memcmp(l->account, account, l->account_len) == 0;
}

static int make_vault(void)
{
	struct totp_vault *v = NULL;
	struct totp_entry *e = totp_entry_new();
	int bad = 0;

	remove(vpath);
	if (!e || totp_vault_create(&v, vpath, pass, PASSLEN, &tiny) != TOTP_OK) {
		totp_entry_free(e);
		return -1;
	}
	for (size_t i = 0; i < N; i++) {
		expect_entry(e, i);
		bad |= totp_vault_add(v, e) != TOTP_OK;
	}
	if (!bad)
		totp_vault_entry(v, 9)->digits = 11;
	bad |= totp_vault_save(v) != TOTP_OK;
	totp_vault_close(v);
	totp_entry_free(e);
	return bad ? -1 : 0;
}

static void test_index(void)
{
	struct totp_vault *v = NULL;
	struct totp_entry *e = totp_entry_new();
	struct totp_labels l;
	size_t bad = 0;

	if (!CHECK(e && make_vault() == 0, "a vault of %d entries", N) ||
	    !CHECK(totp_vault_open(&v, vpath, pass, PASSLEN, 0) == TOTP_OK, "it opens")) {
		totp_entry_free(e);
		return;
	}
	for (size_t i = 0; i < N; i++) {
		expect_entry(e, i);
		bad += totp_vault_labels(v, i, &l) != TOTP_OK ||
		       !labels_are(&l, e->issuer, e->account);
	}
	CHECK(bad == 0, "every label read from the index, before any entry is decoded");
	CHECK_RC(totp_vault_check(v, 9), TOTP_E_DIGITS, "the odd entry is judged at open");
	CHECK_RC(totp_vault_check(v, 8), TOTP_OK, "its neighbour is fine");
	CHECK_RC(totp_vault_check(v, N), TOTP_E_INVAL, "verdict past the end");
	CHECK_RC(totp_vault_labels(v, N, &l), TOTP_E_INVAL, "labels past the end");
	CHECK_RC(totp_vault_labels(v, 0, NULL), TOTP_E_INVAL, "labels with nowhere to put them");
	CHECK_RC(totp_vault_labels(NULL, 0, &l), TOTP_E_INVAL, "labels of no vault");
	CHECK_RC(totp_vault_check(NULL, 0), TOTP_E_INVAL, "verdict of no vault");
	bad = 0;
	for (size_t i = N; i-- > 0;) {
		expect_entry(e, i);
		if (i == 9)
			e->digits = 11;
		bad += !same_entry(totp_vault_entry(v, i), e);
	}
	CHECK(bad == 0, "entries decoded last to first are the ones saved");
	CHECK(totp_vault_entry(v, 3) == totp_vault_entry(v, 3), "decoded once, same pointer");
	CHECK_RC(totp_entry_check(totp_vault_entry(v, 9)), totp_vault_check(v, 9),
	         "the verdict at open is totp_entry_check's");
	totp_vault_close(v);
	totp_entry_free(e);
}

static void test_changes(void)
{
	struct totp_vault *v = NULL;
	struct totp_entry *e = totp_entry_new(), *p20, *p30;
	struct totp_labels l;
	unsigned digits;
	size_t bad = 0;

	if (!CHECK(e && make_vault() == 0, "a fresh vault of %d entries", N) ||
	    !CHECK(totp_vault_open(&v, vpath, pass, PASSLEN, TOTP_VAULT_WRITE) == TOTP_OK,
	           "it opens for writing")) {
		totp_entry_free(e);
		return;
	}
	p20 = totp_vault_entry(v, 20);
	p30 = totp_vault_entry(v, 30);
	/* Entries 0 and 5 were never decoded; 30 was. */
	CHECK(totp_vault_remove(v, 30) == TOTP_OK && totp_vault_remove(v, 5) == TOTP_OK &&
	              totp_vault_remove(v, 0) == TOTP_OK && totp_vault_count(v) == N - 3,
	      "remove decoded and undecoded entries");
	(void)p30;
	expect_entry(e, 20);
	CHECK(totp_vault_entry(v, 18) == p20 && same_entry(p20, e),
	      "a decoded entry keeps its address as others go");
	expect_entry(e, 100);
	CHECK(totp_vault_add(v, e) == TOTP_OK && totp_vault_entry(v, 18) == p20,
	      "and as others come");
	snprintf(p20->account, sizeof(p20->account), "renamed");
	CHECK(totp_vault_labels(v, 18, &l) == TOTP_OK && labels_are(&l, p20->issuer, "renamed"),
	      "labels of a decoded entry follow changes to it");
	digits = p20->digits;
	p20->digits = 12;
	CHECK_RC(totp_vault_check(v, 18), TOTP_E_DIGITS, "so does its verdict");
	p20->digits = digits;
	CHECK_RC(totp_vault_save(v), TOTP_OK, "save: most entries never decoded");
	totp_vault_close(v);
	if (!CHECK(totp_vault_open(&v, vpath, pass, PASSLEN, 0) == TOTP_OK, "reopen")) {
		totp_entry_free(e);
		return;
	}
	CHECK(totp_vault_count(v) == N - 2, "%d entries after three removed, one added", N - 2);
	for (size_t i = 1, k = 0; i < N; i++) {
		if (i == 5 || i == 30)
			continue;
		expect_entry(e, i);
		if (i == 9)
			e->digits = 11;
		if (i == 20)
			snprintf(e->account, sizeof(e->account), "renamed");
		bad += !same_entry(totp_vault_entry(v, k++), e);
	}
	expect_entry(e, 100);
	bad += !same_entry(totp_vault_entry(v, N - 3), e);
	CHECK(bad == 0, "every entry as it was left, in order");
	CHECK_RC(totp_vault_check(v, 7), TOTP_E_DIGITS, "the odd entry kept, still odd");
	totp_vault_close(v);
	totp_entry_free(e);
}

/* An empty vault grows from nothing; entries added past several stores
 * keep their addresses. */
static void test_growth(void)
{
	struct totp_vault *v = NULL;
	struct totp_entry *e = totp_entry_new(), *first;
	size_t bad = 0;

	remove(vpath);
	if (!CHECK(e && totp_vault_create(&v, vpath, pass, PASSLEN, &tiny) == TOTP_OK,
	           "create an empty vault")) {
		totp_entry_free(e);
		return;
	}
	CHECK(totp_vault_entry(v, 0) == NULL && totp_vault_check(v, 0) == TOTP_E_INVAL,
	      "nothing in it");
	expect_entry(e, 0);
	bad += totp_vault_add(v, e) != TOTP_OK;
	first = totp_vault_entry(v, 0);
	for (size_t i = 1; i < 1000; i++) {
		expect_entry(e, i);
		bad += totp_vault_add(v, e) != TOTP_OK;
	}
	expect_entry(e, 0);
	CHECK(bad == 0 && totp_vault_count(v) == 1000 && totp_vault_entry(v, 0) == first &&
	              same_entry(first, e),
	      "1000 adds; the first entry never moved");
	totp_vault_close(v);
	totp_entry_free(e);
}

int main(void)
{
	if (vt_setup("t_vault_lazy") != 0)
		return 1;
	test_index();
	test_changes();
	test_growth();
	vt_done();
	TEST_EXIT();
}
