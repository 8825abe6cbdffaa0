/*
 * t_vault_where.c - totp_vault_open_key_where, the read for a few entries:
 * whatever the file holds, it must answer exactly as totp_vault_open_key
 * (same error, same entries, same verdicts), for vaults large enough to
 * pass through its buffer in many pieces, records larger than the buffer,
 * malformed plaintexts that authenticate, and every damaged byte; and the
 * vault it returns must refuse every change.
 */
#include "vault_test.h"

/* A plaintext of any size, built by the layout in totp-vault(5). */
struct big {
	uint8_t *b;
	size_t n, cap;
};

static void b_put(struct big *p, const void *v, size_t len)
{
	if (p->n + len > p->cap) {
		p->cap = (p->n + len) * 2;
		p->b = realloc(p->b, p->cap);
		if (!p->b)
			abort();
	}
	memcpy(p->b + p->n, v, len);
	p->n += len;
}

static void b_u32(struct big *p, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	b_put(p, b, 4);
}

static void b_field(struct big *p, unsigned tag, const void *v, size_t len)
{
	uint8_t h[3] = {(uint8_t)tag, (uint8_t)(len >> 8), (uint8_t)len};

	b_put(p, h, 3);
	b_put(p, v, len);
}

static void b_int(struct big *p, unsigned tag, uint64_t v, size_t width)
{
	uint8_t b[8];

	for (size_t i = 0; i < width; i++)
		b[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
	b_field(p, tag, b, width);
}

/* Entry i: labels and settings that vary, every seventh one odd (11 digits). */
static void b_entry(struct big *p, size_t i)
{
	char issuer[32], account[48];
	uint8_t secret[40];
	size_t start;

	snprintf(issuer, sizeof(issuer), i % 5 ? "Issuer%zu" : "", i);
	snprintf(account, sizeof(account), "user%zu@example.org", i);
	for (size_t k = 0; k < sizeof(secret); k++)
		secret[k] = (uint8_t)(i * 31 + k);
	b_u32(p, 0);
	start = p->n;
	b_field(p, 1, issuer, strlen(issuer));
	b_field(p, 2, account, strlen(account));
	b_field(p, 3, secret, 10 + i % 30);
	b_int(p, 4, i % 3, 1);
	b_int(p, 5, i % 3, 1);
	b_int(p, 6, i % 7 == 3 ? 11 : i % 3 == 2 ? 5 : 6 + i % 3, 1);
	b_int(p, 7, 30, 4);
	b_int(p, 8, i * 9, 8);
	put32(p->b + start - 4, (uint32_t)(p->n - start));
}

/* n entries, then zero padding to a multiple of 256. */
static void b_vault(struct big *p, size_t n)
{
	static const uint8_t zero[256];

	p->n = 0;
	b_u32(p, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		b_entry(p, i);
	b_put(p, zero, (256 - p->n % 256) % 256);
}

/* The plaintext sealed under test_key into the vault file. */
static void seal(const struct big *p)
{
	uint8_t *f = malloc(p->n + 88);

	if (!f)
		abort();
	spill(vpath, f, craft(f, &std_hdr, p->b, p->n, test_key));
	free(f);
}

/* What keep() was shown, and which entries it kept. */
struct seen {
	size_t calls, bad_pos, every;
	struct totp_vault *full; /* to compare labels and verdicts with */
	size_t mismatches;
};

static int keep_some(void *ctx, size_t pos, const struct totp_labels *l, int check)
{
	struct seen *s = ctx;
	struct totp_labels want;

	if (pos != s->calls++)
		s->bad_pos++;
	if (s->full && (totp_vault_labels(s->full, pos, &want) != TOTP_OK ||
	                want.issuer_len != l->issuer_len || want.account_len != l->account_len ||
	                memcmp(want.issuer, l->issuer, l->issuer_len) != 0 ||
	                memcmp(want.account, l->account, l->account_len) != 0 ||
	                totp_vault_check(s->full, pos) != check))
		s->mismatches++;
	return s->every && pos % s->every == 0;
}

/*
 * Opens the file both ways and compares everything: the error, and for a
 * vault that opens, each entry, verdict and position (every entry kept).
 * Returns 1 when they agree; why not is printed.
 */
static int agree(const char *what)
{
	struct totp_vault *full = NULL, *part = (struct totp_vault *)1;
	int rf = totp_vault_open_key(&full, vpath, test_key, 0);
	int rp = totp_vault_open_key_where(&part, vpath, test_key, NULL, NULL);
	int ok = rf == rp && (rf == TOTP_OK) == (part != NULL);

	if (ok && rf == TOTP_OK) {
		size_t n = totp_vault_count(full);

		ok = totp_vault_count(part) == n &&
		     totp_vault_header(part)->generation == totp_vault_header(full)->generation;
		for (size_t i = 0; ok && i < n; i++)
			ok = totp_vault_position(part, i) == i &&
			     totp_vault_check(part, i) == totp_vault_check(full, i) &&
			     same_entry(totp_vault_entry(part, i), totp_vault_entry(full, i));
	}
	if (!ok)
		printf("# %s: whole open rc %d, partial open rc %d\n", what, rf, rp);
	totp_vault_close(full);
	totp_vault_close(part);
	return ok;
}

static void test_sizes(void)
{
	static const size_t sizes[] = {0, 1, 2, 7, 300, 1500, 4000};
	struct big p = {0};

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		b_vault(&p, sizes[k]);
		seal(&p);
		CHECK(agree("sizes"),
		      "%zu entries (%zu bytes of plaintext): the same vault both ways", sizes[k],
		      p.n);
	}
	free(p.b);
}

/* A vault the library wrote itself, larger than the buffer several times. */
static void test_written(void)
{
	struct totp_vault *v = NULL;
	struct totp_entry *e = totp_entry_new();
	char acct[32];
	int bad = 0;

	remove(vpath);
	if (!CHECK(e && totp_vault_create(&v, vpath, pass, PASSLEN, &tiny) == TOTP_OK,
	           "a new vault")) {
		totp_entry_free(e);
		return;
	}
	for (size_t i = 0; i < 6000; i++) {
		snprintf(acct, sizeof(acct), "acct%zu@example.com", i);
		mk_entry(e, i % 2 ? "Example" : "", acct, 10 + i % 60, (enum totp_type)(i % 3),
		         (enum totp_algo)(i % 3), i % 3 == 2 ? 5 : 6 + i % 3, i);
		bad |= totp_vault_add(v, e) != TOTP_OK;
	}
	bad |= totp_vault_save(v) != TOTP_OK;
	totp_vault_key(v, test_key);
	totp_vault_close(v);
	totp_entry_free(e);
	CHECK(!bad && agree("written"), "6000 accounts saved by libtotp: the same vault both ways");
}

static void test_keep(void)
{
	struct totp_vault *full = NULL, *part = NULL;
	struct big p = {0};
	struct seen s = {.every = 3};
	size_t n = 2500, wrong = 0;

	b_vault(&p, n);
	seal(&p);
	free(p.b);
	if (!CHECK(totp_vault_open_key(&full, vpath, test_key, 0) == TOTP_OK, "the vault opens"))
		return;
	s.full = full;
	CHECK_RC(totp_vault_open_key_where(&part, vpath, test_key, keep_some, &s), TOTP_OK,
	         "opened keeping every third entry");
	CHECK(s.calls == n && s.bad_pos == 0, "keep() saw each of the %zu entries once, in order",
	      n);
	CHECK(s.mismatches == 0, "with the labels and verdicts of the whole vault");
	CHECK(part && totp_vault_count(part) == (n + 2) / 3, "%zu entries kept",
	      totp_vault_count(part));
	for (size_t i = 0; part && i < totp_vault_count(part); i++) {
		size_t pos = totp_vault_position(part, i);
		struct totp_labels l;

		wrong += pos != 3 * i ||
		         !same_entry(totp_vault_entry(part, i), totp_vault_entry(full, pos)) ||
		         totp_vault_labels(part, i, &l) != TOTP_OK ||
		         l.account_len != strlen(totp_vault_entry(full, pos)->account);
	}
	CHECK(wrong == 0, "each kept entry is the one at its position in the file");
	CHECK(totp_vault_position(part, totp_vault_count(part)) == SIZE_MAX &&
	              totp_vault_position(full, 7) == 7,
	      "positions: SIZE_MAX out of range, i itself in a whole vault");
	totp_vault_close(part);
	s = (struct seen){.every = 0};
	part = NULL;
	CHECK(totp_vault_open_key_where(&part, vpath, test_key, keep_some, &s) == TOTP_OK && part &&
	              totp_vault_count(part) == 0,
	      "keeping nothing: an empty vault");
	totp_vault_close(part);
	totp_vault_close(full);
}

/* Records larger than the buffer: unknown fields of 60,000 bytes. */
static void test_large_records(void)
{
	static uint8_t blob[60000];
	struct big p = {0};
	size_t start;

	memset(blob, 0xa5, sizeof(blob));
	b_u32(&p, 3);
	b_entry(&p, 0);
	b_u32(&p, 0);
	start = p.n;
	b_field(&p, 200, blob, sizeof(blob));
	b_field(&p, 2, "big@example.org", 15);
	for (int k = 0; k < 4; k++)
		b_field(&p, 201 + k, blob, sizeof(blob));
	b_field(&p, 3, "0123456789", 10);
	put32(p.b + start - 4, (uint32_t)(p.n - start));
	b_entry(&p, 2);
	seal(&p);
	free(p.b);
	CHECK(agree("large records"), "a 300 KB record between two small ones: the same vault");
}

/* Plaintexts that authenticate but are malformed, each way the index
 * refuses one. */
static void test_structure(void)
{
	struct big p = {0};
	static const struct {
		const char *what;
		size_t n;    /* entries written */
		uint32_t nc; /* count claimed */
		size_t cut;  /* bytes dropped from the end (before padding) */
		int pad;     /* 0: none, 1: zeros, 2: a nonzero byte in it */
	} cases[] = {
	        {"an empty plaintext", 0, 0, 4, 0},
	        {"a count cut short", 0, 0, 2, 0},
	        {"no entries and no padding", 0, 0, 0, 0},
	        {"more entries claimed than written", 3, 4, 0, 1},
	        {"fewer entries claimed than written", 3, 2, 0, 1},
	        {"a count beyond what the plaintext can hold", 1, 1000000, 0, 1},
	        {"a count beyond the limit", 1, 1000001, 0, 1},
	        {"the last record cut short", 3, 3, 5, 0},
	        {"a record head cut short", 3, 4, 0, 0},
	        {"padding with a nonzero byte", 3, 3, 0, 2},
	        {"well-formed, zero padding", 300, 300, 0, 1},
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		p.n = 0;
		b_u32(&p, cases[k].nc);
		for (size_t i = 0; i < cases[k].n; i++)
			b_entry(&p, i);
		if (k == 8)
			b_put(&p, "\0\0", 2); /* the start of a fourth record's head */
		p.n -= cases[k].cut;
		if (cases[k].pad) {
			static const uint8_t zero[300];

			b_put(&p, zero, (256 - p.n % 256) % 256 + 40);
			if (cases[k].pad == 2)
				p.b[p.n - 17] = 1;
		}
		seal(&p);
		CHECK(agree(cases[k].what), "%s: the same answer both ways", cases[k].what);
	}
	free(p.b);
}

/* One entry more than a vault may hold, each an empty record (an odd
 * entry, but well-formed): refused both ways, even keeping none. */
static void test_too_many(void)
{
	struct totp_vault *part = (struct totp_vault *)1, *full = (struct totp_vault *)1;
	struct seen s = {.every = 0};
	struct big p = {0};
	size_t n = VAULT_ENTRIES_MAX + 1;

	p.cap = 4 * (n + 1);
	p.b = calloc(1, p.cap);
	if (!CHECK(p.b != NULL, "room for %zu records", n))
		return;
	put32(p.b, (uint32_t)n);
	p.n = p.cap;
	seal(&p);
	CHECK_RC(totp_vault_open_key(&full, vpath, test_key, 0), TOTP_E_CORRUPT,
	         "%zu entries: the whole open refuses them", n);
	CHECK_RC(totp_vault_open_key_where(&part, vpath, test_key, keep_some, &s), TOTP_E_CORRUPT,
	         "and so does the partial one");
	CHECK(full == NULL && part == NULL && s.calls == 0, "before looking at any entry");
	free(p.b);
}

/* Records with one field wrong: each is TOTP_E_CORRUPT both ways. */
static void test_bad_records(void)
{
	static const char *const what[] = {
	        "a duplicate tag",   "a type of 2 bytes", "a 9-byte counter",  "a NUL in a label",
	        "a 256-byte issuer", "a 129-byte secret", "a field cut short",
	};
	static uint8_t filler[300];
	struct big p = {0};

	memset(filler, 'x', sizeof(filler));
	for (size_t k = 0; k < sizeof(what) / sizeof(what[0]); k++) {
		size_t start;

		p.n = 0;
		b_u32(&p, 2);
		b_entry(&p, 0);
		b_u32(&p, 0);
		start = p.n;
		b_field(&p, 2, k == 3 ? "a\0b" : "acct", k == 3 ? 3 : 4);
		b_field(&p, 3, filler, k == 5 ? 129 : 10);
		if (k == 0)
			b_field(&p, 3, filler, 10);
		if (k == 1)
			b_field(&p, 4, "\0\0", 2);
		if (k == 2)
			b_field(&p, 8, filler, 9);
		if (k == 4)
			b_field(&p, 1, filler, 256);
		if (k == 6)
			b_put(&p, "\x07\x00\x04\x00", 4);
		put32(p.b + start - 4, (uint32_t)(p.n - start));
		seal(&p);
		CHECK(agree(what[k]), "%s: refused the same way", what[k]);
	}
	free(p.b);
}

/* Random damage to a valid plaintext, sealed again: whatever it becomes,
 * both readers agree. */
static void test_mutations(void)
{
	struct big p = {0}, m = {0};
	size_t disagree = 0;
	uint32_t seed = 12345;

	b_vault(&p, 40);
	for (int round = 0; round < 3000; round++) {
		int changes = 1 + round % 4;

		m.n = 0;
		b_put(&m, p.b, p.n);
		for (int c = 0; c < changes; c++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % m.n;

			seed = seed * 1103515245u + 12345u;
			/* Lengths and tags are where structure lives: aim there too. */
			m.b[at] = (seed >> 16) % 3 == 0 ? 0 : (uint8_t)(seed >> 8);
		}
		seed = seed * 1103515245u + 12345u;
		if (seed % 5 == 0)
			m.n -= (seed >> 8) % m.n;
		seal(&m);
		disagree += !agree("mutation");
	}
	CHECK(disagree == 0, "3000 damaged plaintexts: the same answer both ways (%zu disagree)",
	      disagree);
	free(p.b);
	free(m.b);
}

/* Every bit of a small file flipped, every truncation and extension:
 * refused exactly as the whole open refuses them, nothing returned. */
static void test_damage(void)
{
	struct big p = {0};
	uint8_t *f;
	size_t len, disagree = 0, flips = 0;

	b_vault(&p, 3);
	seal(&p);
	free(p.b);
	f = slurp(vpath, &len);
	if (!CHECK(f != NULL, "the file"))
		return;
	for (size_t i = 0; i < len * 8; i++) {
		f[i / 8] ^= (uint8_t)(1u << i % 8);
		spill(vpath, f, len);
		disagree += !agree("bit flip");
		f[i / 8] ^= (uint8_t)(1u << i % 8);
		flips++;
	}
	CHECK(disagree == 0, "all %zu single-bit flips refused alike", flips);
	disagree = 0;
	for (size_t n = 0; n < len; n++) {
		spill(vpath, f, n);
		disagree += !agree("truncation");
	}
	f = realloc(f, len + 64);
	for (size_t extra = 1; f && extra <= 64; extra++) {
		f[len + extra - 1] = (uint8_t)extra;
		spill(vpath, f, len + extra);
		disagree += !agree("extension");
	}
	CHECK(disagree == 0, "every truncation and 1-64 appended bytes refused alike");
	if (f)
		spill(vpath, f, len);
	free(f);
}

/* A flipped bit deep inside a large vault, where the entry it damages has
 * long been seen: the open fails, and nothing is returned. */
static void test_late_damage(void)
{
	struct totp_vault *part = (struct totp_vault *)1;
	struct seen s = {.every = 1};
	struct big p = {0};
	uint8_t *f;
	size_t len;

	b_vault(&p, 4000);
	seal(&p);
	free(p.b);
	f = slurp(vpath, &len);
	if (!CHECK(f != NULL, "the file"))
		return;
	f[len - 1000] ^= 0x10;
	spill(vpath, f, len);
	CHECK_RC(totp_vault_open_key_where(&part, vpath, test_key, keep_some, &s), TOTP_E_AUTH,
	         "a flip 1000 bytes from the end: TOTP_E_AUTH");
	CHECK(part == NULL && s.calls > 3000, "after keep() saw %zu entries, nothing is returned",
	      s.calls);
	f[len - 1000] ^= 0x10;
	spill(vpath, f, len);
	free(f);
}

static void test_read_only(void)
{
	struct totp_vault *part = NULL;
	struct totp_entry *e = totp_entry_new();
	uint8_t key[TOTP_KEY_BYTES], *before, *after;
	size_t blen, alen;
	struct big p = {0};

	b_vault(&p, 5);
	seal(&p);
	free(p.b);
	before = slurp(vpath, &blen);
	if (!CHECK(e && before &&
	                   totp_vault_open_key_where(&part, vpath, test_key, NULL, NULL) == TOTP_OK,
	           "opened for a few entries")) {
		totp_entry_free(e);
		free(before);
		return;
	}
	mk_entry(e, "New", "new@example.org", 10, TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 0);
	CHECK_RC(totp_vault_add(part, e), TOTP_E_INVAL, "add refused");
	CHECK_RC(totp_vault_remove(part, 0), TOTP_E_INVAL, "remove refused");
	CHECK_RC(totp_vault_rekey(part, pass, PASSLEN, &tiny), TOTP_E_INVAL, "rekey refused");
	CHECK_RC(totp_vault_save(part), TOTP_E_INVAL, "save refused");
	CHECK(totp_vault_count(part) == 5, "nothing changed in memory");
	totp_vault_key(part, key);
	CHECK(memcmp(key, test_key, sizeof(key)) == 0, "its key is the one it was opened with");
	totp_vault_close(part);
	after = slurp(vpath, &alen);
	CHECK(after && alen == blen && memcmp(before, after, blen) == 0, "the file is unchanged");
	free(before);
	free(after);
	totp_entry_free(e);
}

static void test_arguments(void)
{
	struct totp_vault *part = (struct totp_vault *)1;
	uint8_t wrong[TOTP_KEY_BYTES];
	char missing[160];

	CHECK_RC(totp_vault_open_key_where(NULL, vpath, test_key, NULL, NULL), TOTP_E_INVAL,
	         "no place for the vault");
	CHECK_RC(totp_vault_open_key_where(&part, NULL, test_key, NULL, NULL), TOTP_E_INVAL,
	         "no path");
	CHECK(part == NULL, "the result is cleared on failure");
	CHECK_RC(totp_vault_open_key_where(&part, vpath, NULL, NULL, NULL), TOTP_E_INVAL, "no key");
	memcpy(wrong, test_key, sizeof(wrong));
	wrong[5] ^= 1;
	CHECK_RC(totp_vault_open_key_where(&part, vpath, wrong, NULL, NULL), TOTP_E_AUTH,
	         "a wrong key: TOTP_E_AUTH");
	snprintf(missing, sizeof(missing), "%s/none", dir);
	CHECK_RC(totp_vault_open_key_where(&part, missing, test_key, NULL, NULL), TOTP_E_NOENT,
	         "no file: TOTP_E_NOENT");
	CHECK(part == NULL, "and no vault");
}

int main(void)
{
	if (vt_setup("t_vault_where") != 0)
		return 1;
	test_sizes();
	test_written();
	test_keep();
	test_large_records();
	test_structure();
	test_too_many();
	test_bad_records();
	test_mutations();
	test_damage();
	test_late_damage();
	test_read_only();
	test_arguments();
	vt_done();
	TEST_EXIT();
}
