/* t_uri_format.c - formatting otpauth:// key URIs: known answers, the
 * longest URI, and random entries that must parse back identically. */
#include "uri_test.h"

struct fmt_case {
	const char *issuer, *account, *secret;
	enum totp_type type;
	enum totp_algo algo;
	unsigned digits, period;
	uint64_t counter;
	const char *want;
};

static const struct fmt_case fmts[] = {
        {"Example", "alice@google.com", S10, T, SHA1, 6, 30, 0,
         "otpauth://totp/Example:alice%40google.com?secret=" S10
         "&issuer=Example&algorithm=SHA1&digits=6&period=30"},
        {"", "bob", S20, H, SHA256, 8, 30, 42,
         "otpauth://hotp/bob?secret=" S20 "&algorithm=SHA256&digits=8&counter=42"},
        {"Steam", "alice", STEAMS, ST, SHA1, 5, 30, 0,
         "otpauth://steam/Steam:alice?secret=" STEAMS
         "&issuer=Steam&algorithm=SHA1&digits=5&period=30&encoder=steam"},
        {"Air Canada", "Benjamin \xc3\x9c", "KUVJJOM753IHTNDSZVCNKL7GII", T, SHA512, 7, 20, 0,
         "otpauth://totp/Air%20Canada:Benjamin%20%C3%9C?secret=KUVJJOM753IHTNDSZVCNKL7GII"
         "&issuer=Air%20Canada&algorithm=SHA512&digits=7&period=20"},
        {"a:b", "bob", S20, T, SHA1, 6, 30, 0,
         "otpauth://totp/bob?secret=" S20 "&issuer=a%3Ab&algorithm=SHA1&digits=6&period=30"},
        {"", "a:b", S20, T, SHA1, 6, 30, 0,
         "otpauth://totp/:a%3Ab?secret=" S20 "&algorithm=SHA1&digits=6&period=30"},
        {"X", "a:b", S20, T, SHA1, 6, 30, 0,
         "otpauth://totp/X:a%3Ab?secret=" S20 "&issuer=X&algorithm=SHA1&digits=6&period=30"},
        {"X", " bob", S20, T, SHA1, 6, 30, 0,
         "otpauth://totp/%20bob?secret=" S20 "&issuer=X&algorithm=SHA1&digits=6&period=30"},
        {"%+&=?#", "~-._/", S20, H, SHA1, 6, 30, UINT64_MAX,
         "otpauth://hotp/%25%2B%26%3D%3F%23:~-._%2F?secret=" S20
         "&issuer=%25%2B%26%3D%3F%23&algorithm=SHA1&digits=6&counter=18446744073709551615"},
};

static int make_entry(struct totp_entry *e, const struct fmt_case *f)
{
	size_t len;

	totp_entry_init(e);
	strcpy(e->issuer, f->issuer);
	strcpy(e->account, f->account);
	if (totp_base32_decode(e->secret, sizeof(e->secret), &len, f->secret, strlen(f->secret)))
		return -1;
	e->secret_len = len;
	e->type = f->type;
	e->algo = f->algo;
	e->digits = f->digits;
	e->period = f->period;
	e->counter = f->counter;
	return 0;
}

static void test_format(void)
{
	struct totp_entry e, back;
	char out[TOTP_URI_MAX];
	unsigned warn;

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		if (!CHECK(make_entry(&e, &fmts[i]) == 0, "format %zu entry", i))
			continue;
		CHECK_RC(totp_uri_format(out, sizeof(out), &e), TOTP_OK, "format %zu", i);
		CHECK_STR(out, fmts[i].want, "format %zu URI", i);
		CHECK_RC(totp_uri_parse(&back, &warn, out, strlen(out)), TOTP_OK,
		         "format %zu parses", i);
		CHECK(memcmp(&back, &e, sizeof(e)) == 0, "format %zu parses back identical", i);
	}

	/* Too small at every size below the need; the output is wiped. */
	make_entry(&e, &fmts[0]);
	{
		size_t need = strlen(fmts[0].want) + 1;
		int bad = 0;

		for (size_t sz = 0; sz < need; sz++) {
			memset(out, 'x', sizeof(out));
			if (totp_uri_format(out, sz, &e) != TOTP_E_NOSPACE)
				bad++;
			for (size_t k = 0; k < sz; k++)
				if (out[k] != 0)
					bad++;
			if (out[sz] != 'x')
				bad++;
		}
		CHECK(bad == 0, "every size below %zu is TOTP_E_NOSPACE and left zeroed", need);
		CHECK_RC(totp_uri_format(out, need, &e), TOTP_OK, "exactly %zu bytes suffice",
		         need);
	}
	e.account[0] = 0;
	CHECK_RC(totp_uri_format(out, sizeof(out), &e), TOTP_E_LABEL, "invalid entry refused");
	CHECK_RC(totp_uri_format(out, sizeof(out), NULL), TOTP_E_INVAL, "NULL entry");

	/* The longest URI: every byte of both labels escaped, 128-byte secret,
	 * the largest counter. */
	totp_entry_init(&e);
	memset(e.issuer, '#', TOTP_LABEL_MAX - 1);
	memset(e.account, '#', TOTP_LABEL_MAX - 1);
	memset(e.secret, 0xff, TOTP_SECRET_MAX);
	e.secret_len = TOTP_SECRET_MAX;
	e.type = TOTP_TYPE_HOTP;
	e.digits = 10;
	e.counter = UINT64_MAX;
	e.algo = TOTP_ALGO_SHA512;
	CHECK_RC(totp_uri_format(out, sizeof(out), &e), TOTP_OK, "longest URI fits TOTP_URI_MAX");
	CHECK_RC(totp_uri_parse(&back, &warn, out, strlen(out)), TOTP_OK, "longest URI parses");
	CHECK(memcmp(&back, &e, sizeof(e)) == 0, "longest URI round-trips");
}

/* xorshift64*: reproducible random entries. */
static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint32_t rng(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

/* Pieces for random labels, with every character URIs treat specially. */
static const char *const pieces[] = {
        "a",
        "Z",
        "0",
        "9",
        " ",
        ":",
        "%",
        "+",
        "&",
        "=",
        "?",
        "#",
        "/",
        "@",
        ".",
        "-",
        "_",
        "~",
        "!",
        "*",
        "'",
        "(",
        ")",
        ";",
        ",",
        "$",
        "[",
        "]",
        "\"",
        "\\",
        "%3A",
        "%20",
        "\xc3\xa9",
        "\xc3\x9c",
        "\xe2\x82\xac",
        "\xe6\x97\xa5",
        "\xf0\x9f\x94\x91",
        "\xc2\xa0",
        "Steam",
        "steam",
};

static void random_label(char out[TOTP_LABEL_MAX], int allow_empty)
{
	size_t len = 0, want = rng(8) == 0 ? 250 : rng(24);

	memset(out, 0, TOTP_LABEL_MAX);
	if (!allow_empty && want == 0)
		want = 1;
	while (len < want) {
		const char *p = pieces[rng(sizeof(pieces) / sizeof(pieces[0]))];
		size_t n = strlen(p);

		if (len + n >= TOTP_LABEL_MAX)
			break;
		memcpy(out + len, p, n);
		len += n;
	}
	if (len == 0 && !allow_empty)
		out[0] = 'x';
}

static int ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;

		if (x != y)
			return 0;
	}
	return *a == *b;
}

static void test_random_roundtrip(void)
{
	struct totp_entry e, back;
	char out[TOTP_URI_MAX];
	int fmt_bad = 0, parse_bad = 0, diff = 0, warn_bad = 0, tested = 0;

	for (int i = 0; i < 3000; i++) {
		unsigned warn, want_warn = 0;

		totp_entry_init(&e);
		random_label(e.issuer, rng(4) == 0);
		random_label(e.account, 0);
		e.secret_len = 1 + rng(TOTP_SECRET_MAX);
		for (size_t k = 0; k < e.secret_len; k++)
			e.secret[k] = (uint8_t)rng(256);
		e.type = (enum totp_type)rng(3);
		e.algo = (enum totp_algo)rng(3);
		e.digits = TOTP_DIGITS_MIN + rng(TOTP_DIGITS_MAX - TOTP_DIGITS_MIN + 1);
		e.period = 1 + rng(TOTP_PERIOD_MAX);
		if (rng(2))
			e.period = 30;
		if (e.type == TOTP_TYPE_HOTP) {
			/* Only what a URI carries: HOTP has no period. */
			e.period = 30;
			e.counter = rng(2) ? rng(100)
			                   : (uint64_t)rng(UINT32_MAX) << 32 | rng(UINT32_MAX);
		}
		if (e.type == TOTP_TYPE_STEAM) {
			e.digits = 5;
			e.algo = TOTP_ALGO_SHA1;
		}
		/* A TOTP "Steam" entry with 5 SHA1 digits reads back as Steam:
		 * the one deliberate exception, tested below. */
		if (e.type == TOTP_TYPE_TOTP && ascii_caseeq(e.issuer, "steam") && e.digits == 5 &&
		    e.algo == TOTP_ALGO_SHA1)
			continue;
		if (totp_entry_check(&e) != TOTP_OK)
			continue;
		tested++;
		if (e.secret_len < 16)
			want_warn |= TOTP_W_SHORT_SECRET;
		if (e.type != TOTP_TYPE_STEAM && (e.digits < 6 || e.digits > 8))
			want_warn |= TOTP_W_DIGITS;
		if (totp_uri_format(out, sizeof(out), &e) != TOTP_OK) {
			fmt_bad++;
			continue;
		}
		if (totp_uri_parse(&back, &warn, out, strlen(out)) != TOTP_OK) {
			if (parse_bad++ == 0)
				printf("# first failing URI: %s\n", out);
			continue;
		}
		if (memcmp(&back, &e, sizeof(e)) != 0) {
			if (diff++ == 0)
				printf("# first differing URI: %s\n#  issuer \"%s\" -> \"%s\"\n"
				       "#  account \"%s\" -> \"%s\"\n",
				       out, e.issuer, back.issuer, e.account, back.account);
		}
		if (warn != want_warn)
			warn_bad++;
	}
	CHECK(tested > 2500, "%d random entries generated", tested);
	CHECK(fmt_bad == 0, "every random entry formats (%d failed)", fmt_bad);
	CHECK(parse_bad == 0, "every formatted URI parses (%d failed)", parse_bad);
	CHECK(diff == 0, "every entry parses back identical (%d differ)", diff);
	CHECK(warn_bad == 0, "only the expected warnings (%d wrong)", warn_bad);

	/* The exception: a 5-digit SHA1 TOTP entry of issuer Steam. */
	totp_entry_init(&e);
	strcpy(e.issuer, "Steam");
	strcpy(e.account, "alice");
	e.secret_len = 20;
	memset(e.secret, 7, 20);
	e.digits = 5;
	CHECK_RC(totp_uri_format(out, sizeof(out), &e), TOTP_OK, "TOTP Steam 5-digit formats");
	CHECK_RC(totp_uri_parse(&back, NULL, out, strlen(out)), TOTP_OK, "and parses");
	CHECK(back.type == TOTP_TYPE_STEAM, "and reads back as Steam");
}

int main(void)
{
	if (totp_init() != TOTP_OK)
		return 1;
	test_format();
	test_random_roundtrip();
	TEST_EXIT();
}
