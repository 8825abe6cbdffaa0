/* t_entry.c - entry defaults, validation, labels and names. */
#include <string.h>

#include "internal.h"
#include "test.h"
#include "totp.h"

static void valid_entry(struct totp_entry *e)
{
	totp_entry_init(e);
	strcpy(e->issuer, "Example");
	strcpy(e->account, "alice@example.com");
	memcpy(e->secret, "12345678901234567890", 20);
	e->secret_len = 20;
}

static void test_init(void)
{
	struct totp_entry e, zero;
	struct totp_entry *p;

	memset(&e, 0x5a, sizeof(e));
	totp_entry_init(&e);
	CHECK(e.type == TOTP_TYPE_TOTP && e.algo == TOTP_ALGO_SHA1 && e.digits == 6 &&
	              e.period == 30 && e.counter == 0,
	      "init: TOTP, SHA1, 6 digits, 30 s, counter 0");
	CHECK(e.issuer[0] == 0 && e.account[0] == 0 && e.secret_len == 0, "init: empty");
	memset(&zero, 0, sizeof(zero));
	CHECK(memcmp(e.secret, zero.secret, sizeof(e.secret)) == 0 &&
	              memcmp(e.issuer, zero.issuer, sizeof(e.issuer)) == 0,
	      "init clears every byte of labels and secret");
	CHECK_RC(totp_entry_check(&e), TOTP_E_LABEL, "a fresh entry is incomplete");

	valid_entry(&e);
	totp_entry_wipe(&e);
	CHECK(e.secret_len == 0 && e.secret[0] == 0 && e.account[0] == 0 && e.digits == 6,
	      "wipe clears the entry and restores defaults");
	totp_entry_wipe(NULL);

	p = totp_entry_new();
	CHECK(p != NULL, "entry_new allocates");
	if (p) {
		CHECK(p->digits == 6 && p->period == 30 && p->secret_len == 0 && p->account[0] == 0,
		      "entry_new initialises");
		valid_entry(p);
		CHECK_RC(totp_entry_check(p), TOTP_OK, "a guarded entry can be filled");
	}
	totp_entry_free(p);
	totp_entry_free(NULL);
	CHECK(1, "entry_free accepts NULL");
}

struct bad {
	const char *what;
	void (*mutate)(struct totp_entry *e);
	int rc;
};

static void m_issuer_unterminated(struct totp_entry *e)
{
	memset(e->issuer, 'a', sizeof(e->issuer));
}
static void m_account_unterminated(struct totp_entry *e)
{
	memset(e->account, 'a', sizeof(e->account));
}
static void m_issuer_utf8(struct totp_entry *e)
{
	strcpy(e->issuer, "caf\xc3");
}
static void m_account_utf8(struct totp_entry *e)
{
	strcpy(e->account, "\xed\xa0\x80");
}
static void m_account_overlong(struct totp_entry *e)
{
	strcpy(e->account, "\xc0\xaf");
}
static void m_account_empty(struct totp_entry *e)
{
	e->account[0] = 0;
}
static void m_secret_empty(struct totp_entry *e)
{
	e->secret_len = 0;
}
static void m_secret_long(struct totp_entry *e)
{
	e->secret_len = TOTP_SECRET_MAX + 1;
}
static void m_type(struct totp_entry *e)
{
	e->type = (enum totp_type)3;
}
static void m_algo(struct totp_entry *e)
{
	e->algo = (enum totp_algo)3;
}
static void m_digits3(struct totp_entry *e)
{
	e->digits = 3;
}
static void m_digits11(struct totp_entry *e)
{
	e->digits = 11;
}
static void m_steam6(struct totp_entry *e)
{
	e->type = TOTP_TYPE_STEAM;
	e->digits = 6;
}
static void m_period0(struct totp_entry *e)
{
	e->period = 0;
}
static void m_period3601(struct totp_entry *e)
{
	e->period = 3601;
}
static void m_steam_period0(struct totp_entry *e)
{
	e->type = TOTP_TYPE_STEAM;
	e->digits = 5;
	e->period = 0;
}
static void m_account_escape(struct totp_entry *e)
{
	strcpy(e->account, "evil\033[2J");
}
static void m_issuer_tab(struct totp_entry *e)
{
	strcpy(e->issuer, "a\tb");
}
static void m_account_del(struct totp_entry *e)
{
	strcpy(e->account, "a\x7f");
}
static void m_first_problem(struct totp_entry *e)
{
	e->account[0] = 0;
	e->secret_len = 0;
	e->digits = 0;
}

static const struct bad bads[] = {
        {"issuer not NUL-terminated", m_issuer_unterminated, TOTP_E_LABEL},
        {"account not NUL-terminated", m_account_unterminated, TOTP_E_LABEL},
        {"issuer truncated UTF-8", m_issuer_utf8, TOTP_E_UTF8},
        {"account surrogate", m_account_utf8, TOTP_E_UTF8},
        {"account overlong '/'", m_account_overlong, TOTP_E_UTF8},
        {"empty account", m_account_empty, TOTP_E_LABEL},
        {"empty secret", m_secret_empty, TOTP_E_SECRET_EMPTY},
        {"secret too long", m_secret_long, TOTP_E_SECRET_LONG},
        {"unknown type", m_type, TOTP_E_ENTRY},
        {"unknown algorithm", m_algo, TOTP_E_ALGO},
        {"3 digits", m_digits3, TOTP_E_DIGITS},
        {"11 digits", m_digits11, TOTP_E_DIGITS},
        {"Steam with 6 digits", m_steam6, TOTP_E_DIGITS},
        {"period 0", m_period0, TOTP_E_PERIOD},
        {"period 3601", m_period3601, TOTP_E_PERIOD},
        {"Steam period 0", m_steam_period0, TOTP_E_PERIOD},
        {"account with an escape sequence", m_account_escape, TOTP_E_LABEL},
        {"issuer with a tab", m_issuer_tab, TOTP_E_LABEL},
        {"account with DEL", m_account_del, TOTP_E_LABEL},
        {"first problem wins", m_first_problem, TOTP_E_LABEL},
};

static void test_entry_check(void)
{
	struct totp_entry e;

	valid_entry(&e);
	CHECK_RC(totp_entry_check(&e), TOTP_OK, "a complete entry is valid");
	CHECK_RC(totp_entry_check(NULL), TOTP_E_INVAL, "check(NULL)");
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		valid_entry(&e);
		bads[i].mutate(&e);
		CHECK_RC(totp_entry_check(&e), bads[i].rc, "check: %s", bads[i].what);
	}

	/* Edges that are valid. */
	valid_entry(&e);
	e.issuer[0] = 0;
	CHECK_RC(totp_entry_check(&e), TOTP_OK, "empty issuer is fine");
	valid_entry(&e);
	memset(e.account, 'a', TOTP_LABEL_MAX - 1);
	e.account[TOTP_LABEL_MAX - 1] = 0;
	CHECK_RC(totp_entry_check(&e), TOTP_OK, "255-byte account");
	valid_entry(&e);
	strcpy(e.account, "\xf0\x9f\x94\x91 k\xc3\xa9y \xe2\x82\xac");
	CHECK_RC(totp_entry_check(&e), TOTP_OK, "UTF-8 account");
	valid_entry(&e);
	e.secret_len = 1;
	e.digits = 4;
	e.period = 1;
	CHECK_RC(totp_entry_check(&e), TOTP_OK, "1-byte secret, 4 digits, 1 s");
	e.secret_len = TOTP_SECRET_MAX;
	e.digits = 10;
	e.period = 3600;
	e.algo = TOTP_ALGO_SHA512;
	CHECK_RC(totp_entry_check(&e), TOTP_OK, "128-byte secret, 10 digits, 3600 s");
	valid_entry(&e);
	e.type = TOTP_TYPE_HOTP;
	e.period = 0;
	e.counter = UINT64_MAX;
	CHECK_RC(totp_entry_check(&e), TOTP_OK, "HOTP ignores the period");
	valid_entry(&e);
	e.type = TOTP_TYPE_STEAM;
	e.digits = 5;
	CHECK_RC(totp_entry_check(&e), TOTP_OK, "Steam with 5 digits");
	e.type = TOTP_TYPE_TOTP;
	CHECK_RC(totp_entry_check(&e), TOTP_OK, "TOTP with 5 digits");
}

struct label_case {
	const char *label;
	const char *issuer_before;
	int rc;
	const char *issuer, *account;
};

static const struct label_case labels[] = {
        {"Example:alice", "", TOTP_OK, "Example", "alice"},
        {"alice", "", TOTP_OK, "", "alice"},
        {"alice", "Kept", TOTP_OK, "Kept", "alice"},
        {"Example: alice", "", TOTP_OK, "Example", "alice"},
        {"Example:   alice", "", TOTP_OK, "Example", "alice"},
        {"Example :alice", "", TOTP_OK, "Example", "alice"},
        {"  Example:alice  ", "", TOTP_OK, "Example", "alice"},
        {"\tBig Corp: alice smith\n", "", TOTP_OK, "Big Corp", "alice smith"},
        {"Example:a:b:c", "", TOTP_OK, "Example", "a:b:c"},
        {"encoding: \xc2\xbf\xc3\xa4\xc3\x84\xc3\xa9\xc3\x89? (demo)", "", TOTP_OK, "encoding",
         "\xc2\xbf\xc3\xa4\xc3\x84\xc3\xa9\xc3\x89? (demo)"},
        {":alice", "Kept", TOTP_OK, "Kept", "alice"},
        {" : alice", "Kept", TOTP_OK, "Kept", "alice"},
        {"Example:", "Kept", TOTP_E_LABEL, "Kept", "old"},
        {"Example:   ", "Kept", TOTP_E_LABEL, "Kept", "old"},
        {"", "Kept", TOTP_E_LABEL, "Kept", "old"},
        {"   ", "Kept", TOTP_E_LABEL, "Kept", "old"},
        {"Ex\xff:alice", "Kept", TOTP_E_UTF8, "Kept", "old"},
        {"Example:al\xe2\x82", "Kept", TOTP_E_UTF8, "Kept", "old"},
        {"Ex\x1b[31m:alice", "Kept", TOTP_E_LABEL, "Kept", "old"},
        {"Example:al\x7fice", "Kept", TOTP_E_LABEL, "Kept", "old"},
        {"Big\tCorp:alice", "Kept", TOTP_E_LABEL, "Kept", "old"},
};

static void test_set_label(void)
{
	struct totp_entry e;
	char longlabel[600];

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		const struct label_case *c = &labels[i];

		valid_entry(&e);
		strcpy(e.issuer, c->issuer_before);
		strcpy(e.account, "old");
		CHECK_RC(totp_entry_set_label(&e, c->label), c->rc, "set_label #%zu rc", i);
		CHECK_STR(e.issuer, c->issuer, "set_label #%zu issuer", i);
		CHECK_STR(e.account, c->account, "set_label #%zu account", i);
	}

	/* 255 bytes fit, 256 do not. */
	memset(longlabel, 'x', 255);
	longlabel[255] = 0;
	valid_entry(&e);
	CHECK_RC(totp_entry_set_label(&e, longlabel), TOTP_OK, "255-byte account fits");
	CHECK(strlen(e.account) == 255, "255-byte account stored whole");
	longlabel[255] = 'x';
	longlabel[256] = 0;
	CHECK_RC(totp_entry_set_label(&e, longlabel), TOTP_E_LABEL, "256-byte account");
	memset(longlabel, 'i', 256);
	strcpy(longlabel + 256, ":bob");
	valid_entry(&e);
	CHECK_RC(totp_entry_set_label(&e, longlabel), TOTP_E_LABEL, "256-byte issuer");
	CHECK_STR(e.issuer, "Example", "overlong label leaves the issuer");
	CHECK_STR(e.account, "alice@example.com", "overlong label leaves the account");
	CHECK_RC(totp_entry_set_label(&e, NULL), TOTP_E_INVAL, "set_label(NULL)");
}

static void test_label(void)
{
	struct totp_entry e;
	char buf[600];

	valid_entry(&e);
	CHECK_RC(totp_entry_label(buf, sizeof(buf), &e), TOTP_OK, "label");
	CHECK_STR(buf, "Example:alice@example.com", "label with issuer");
	CHECK_RC(totp_entry_label(buf, 26, &e), TOTP_OK, "label in exactly 26 bytes");
	CHECK_RC(totp_entry_label(buf, 25, &e), TOTP_E_NOSPACE, "label in 25 bytes");
	e.issuer[0] = 0;
	CHECK_RC(totp_entry_label(buf, sizeof(buf), &e), TOTP_OK, "label without issuer");
	CHECK_STR(buf, "alice@example.com", "label is the account alone");
	memset(e.account, 'a', sizeof(e.account));
	CHECK_RC(totp_entry_label(buf, sizeof(buf), &e), TOTP_E_LABEL, "unterminated account");
	memset(e.issuer, 'i', TOTP_LABEL_MAX - 1);
	e.issuer[TOTP_LABEL_MAX - 1] = 0;
	memset(e.account, 'a', TOTP_LABEL_MAX - 1);
	e.account[TOTP_LABEL_MAX - 1] = 0;
	CHECK_RC(totp_entry_label(buf, 2 * TOTP_LABEL_MAX, &e), TOTP_OK,
	         "longest label fits 2 * TOTP_LABEL_MAX");
	CHECK(strlen(buf) == 2 * TOTP_LABEL_MAX - 1 && buf[255] == ':', "longest label");
}

struct algo_name {
	const char *name;
	int rc;
	enum totp_algo algo;
};

static const struct algo_name algos[] = {
        {"SHA1", TOTP_OK, TOTP_ALGO_SHA1},
        {"sha1", TOTP_OK, TOTP_ALGO_SHA1},
        {"SHA-1", TOTP_OK, TOTP_ALGO_SHA1},
        {"sha-1", TOTP_OK, TOTP_ALGO_SHA1},
        {"Sha1", TOTP_OK, TOTP_ALGO_SHA1},
        {"SHA256", TOTP_OK, TOTP_ALGO_SHA256},
        {"sha-256", TOTP_OK, TOTP_ALGO_SHA256},
        {"SHA-256", TOTP_OK, TOTP_ALGO_SHA256},
        {"sHa256", TOTP_OK, TOTP_ALGO_SHA256},
        {"SHA512", TOTP_OK, TOTP_ALGO_SHA512},
        {"sha512", TOTP_OK, TOTP_ALGO_SHA512},
        {"SHA-512", TOTP_OK, TOTP_ALGO_SHA512},
        {"MD5", TOTP_E_ALGO, 0},
        {"SHA224", TOTP_E_ALGO, 0},
        {"SHA384", TOTP_E_ALGO, 0},
        {"SHA", TOTP_E_ALGO, 0},
        {"SHA--1", TOTP_E_ALGO, 0},
        {"SHA1 ", TOTP_E_ALGO, 0},
        {" SHA1", TOTP_E_ALGO, 0},
        {"SHA12", TOTP_E_ALGO, 0},
        {"", TOTP_E_ALGO, 0},
        {"S", TOTP_E_ALGO, 0},
        {"SHA3-256", TOTP_E_ALGO, 0},
};

struct type_name {
	const char *name;
	int rc;
	enum totp_type type;
};

static const struct type_name types[] = {
        {"totp", TOTP_OK, TOTP_TYPE_TOTP},
        {"TOTP", TOTP_OK, TOTP_TYPE_TOTP},
        {"hotp", TOTP_OK, TOTP_TYPE_HOTP},
        {"HoTp", TOTP_OK, TOTP_TYPE_HOTP},
        {"steam", TOTP_OK, TOTP_TYPE_STEAM},
        {"STEAM", TOTP_OK, TOTP_TYPE_STEAM},
        {"yaotp", TOTP_E_URI_TYPE, 0},
        {"motp", TOTP_E_URI_TYPE, 0},
        {"tot", TOTP_E_URI_TYPE, 0},
        {"totpx", TOTP_E_URI_TYPE, 0},
        {"", TOTP_E_URI_TYPE, 0},
};

static void test_names(void)
{
	CHECK_STR(totp_type_name(TOTP_TYPE_TOTP), "totp", "type name totp");
	CHECK_STR(totp_type_name(TOTP_TYPE_HOTP), "hotp", "type name hotp");
	CHECK_STR(totp_type_name(TOTP_TYPE_STEAM), "steam", "type name steam");
	CHECK_STR(totp_type_name((enum totp_type)7), "unknown", "type name out of range");
	CHECK_STR(totp_algo_name(TOTP_ALGO_SHA1), "SHA1", "algo name SHA1");
	CHECK_STR(totp_algo_name(TOTP_ALGO_SHA256), "SHA256", "algo name SHA256");
	CHECK_STR(totp_algo_name(TOTP_ALGO_SHA512), "SHA512", "algo name SHA512");
	CHECK_STR(totp_algo_name((enum totp_algo)9), "unknown", "algo name out of range");

	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
		enum totp_algo a = (enum totp_algo)99;

		CHECK_RC(totp_algo_parse(&a, algos[i].name), algos[i].rc, "algo_parse \"%s\"",
		         algos[i].name);
		CHECK(algos[i].rc ? a == (enum totp_algo)99 : a == algos[i].algo,
		      "algo_parse \"%s\" result", algos[i].name);
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		enum totp_type t = (enum totp_type)99;

		CHECK_RC(totp_type_parse(&t, types[i].name), types[i].rc, "type_parse \"%s\"",
		         types[i].name);
		CHECK(types[i].rc ? t == (enum totp_type)99 : t == types[i].type,
		      "type_parse \"%s\" result", types[i].name);
	}
	/* Every name parses back to itself. */
	for (int i = 0; i <= TOTP_ALGO_SHA512; i++) {
		enum totp_algo a;

		CHECK(totp_algo_parse(&a, totp_algo_name((enum totp_algo)i)) == TOTP_OK &&
		              a == (enum totp_algo)i,
		      "algo %d round-trips", i);
	}
	for (int i = 0; i <= TOTP_TYPE_STEAM; i++) {
		enum totp_type t;

		CHECK(totp_type_parse(&t, totp_type_name((enum totp_type)i)) == TOTP_OK &&
		              t == (enum totp_type)i,
		      "type %d round-trips", i);
	}
	CHECK_RC(totp_algo_parse(NULL, "SHA1"), TOTP_E_INVAL, "algo_parse(NULL)");
	CHECK_RC(totp_type_parse(NULL, "totp"), TOTP_E_INVAL, "type_parse(NULL)");
}

struct utf8_case {
	const char *s;
	size_t len;
	int valid;
};

#define U(s, v)                                                                                    \
	{                                                                                          \
		s, sizeof(s) - 1, v                                                                \
	}
static const struct utf8_case utf8s[] = {
        U("", 1),
        U("plain ASCII", 1),
        U("\x7f", 1),
        U("\xc2\x80", 1),         /* U+0080 */
        U("\xdf\xbf", 1),         /* U+07FF */
        U("\xe0\xa0\x80", 1),     /* U+0800 */
        U("\xed\x9f\xbf", 1),     /* U+D7FF */
        U("\xee\x80\x80", 1),     /* U+E000 */
        U("\xef\xbf\xbf", 1),     /* U+FFFF */
        U("\xf0\x90\x80\x80", 1), /* U+10000 */
        U("\xf4\x8f\xbf\xbf", 1), /* U+10FFFF */
        U("a\0b", 0),             /* NUL */
        U("\x80", 0),             /* lone continuation */
        U("\xbf", 0),
        U("\xc0\x80", 0),         /* overlong NUL */
        U("\xc1\xbf", 0),         /* overlong */
        U("\xe0\x80\x80", 0),     /* overlong */
        U("\xe0\x9f\xbf", 0),     /* overlong U+07FF */
        U("\xf0\x8f\xbf\xbf", 0), /* overlong U+FFFF */
        U("\xed\xa0\x80", 0),     /* U+D800 */
        U("\xed\xbf\xbf", 0),     /* U+DFFF */
        U("\xf4\x90\x80\x80", 0), /* U+110000 */
        U("\xf5\x80\x80\x80", 0),
        U("\xff", 0),
        U("\xfe", 0),
        U("\xc2", 0),         /* truncated */
        U("\xe2\x82", 0),     /* truncated */
        U("\xf0\x9f\x94", 0), /* truncated */
        U("\xc2\x41", 0),     /* bad continuation */
        U("\xe2\x28\xa1", 0),
        U("\xf0\x9f\x94\x41", 0),
};

static void test_utf8(void)
{
	for (size_t i = 0; i < sizeof(utf8s) / sizeof(utf8s[0]); i++)
		CHECK(totp_utf8_valid(utf8s[i].s, utf8s[i].len) == utf8s[i].valid,
		      "utf8 case %zu is %s", i, utf8s[i].valid ? "valid" : "invalid");
	CHECK(totp_utf8_valid("\xe2\x82\xac", 2) == 0, "length bounds the check");
	CHECK(totp_utf8_valid("ab\xff", 2) == 1, "bytes past the length are not read");
}

/* The word-at-a-time printable check against the byte-by-byte rule: every
 * byte value at every position of every length up to 24, on a background
 * of printable characters, including both ends of the range. */
static void test_ascii_printable(void)
{
	char s[24];
	size_t wrong = 0, cases = 0;

	for (size_t len = 0; len <= sizeof(s); len++) {
		for (size_t k = 0; k < len; k++)
			s[k] = (char)(k % 2 ? 0x20 : 0x7e);
		wrong += totp_ascii_printable(s, len) != 1;
		for (size_t at = 0; at < len; at++) {
			char keep = s[at];

			for (unsigned b = 0; b < 256; b++) {
				s[at] = (char)b;
				wrong += totp_ascii_printable(s, len) != (b >= 0x20 && b <= 0x7e);
				cases++;
			}
			s[at] = keep;
		}
	}
	CHECK(wrong == 0, "printable ASCII judged as byte by byte (%zu cases, %zu wrong)", cases,
	      wrong);
	/* Two bad bytes in one word, where borrows and carries meet. */
	static const char pair1[] = "ab\x1f\x80"
	                            "cdefgh",
	                  pair2[] = "\x7f\x00"
	                            "abcdefgh",
	                  pair3[] = "abcdefg\x7f\x1f";
	CHECK(!totp_ascii_printable(pair1, 10) && !totp_ascii_printable(pair2, 10) &&
	              !totp_ascii_printable(pair3, 9),
	      "two bad bytes side by side");
}

int main(void)
{
	if (totp_init() != TOTP_OK)
		return 1;
	test_init();
	test_entry_check();
	test_set_label();
	test_label();
	test_names();
	test_utf8();
	test_ascii_printable();
	TEST_EXIT();
}
