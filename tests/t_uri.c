/* t_uri.c - parsing otpauth:// and steam:// key URIs: quirks, errors, limits
 * (formatting and round trips are in t_uri_format.c). */
#include "uri_test.h"

struct ucase {
	const char *uri;
	size_t len; /* 0: strlen(uri) */
	int rc;
	const char *issuer, *account, *secret; /* secret as canonical base32 */
	enum totp_type type;
	enum totp_algo algo;
	unsigned digits, period;
	uint64_t counter;
	unsigned warn;
};

#define OK(u, iss, acc, sec, ty, al, dg, pe, ct, w)                                                \
	{                                                                                          \
		u, 0, TOTP_OK, iss, acc, sec, ty, al, dg, pe, ct, w                                \
	}
#define ERR(u, rc)                                                                                 \
	{                                                                                          \
		u, 0, rc, NULL, NULL, NULL, T, SHA1, 0, 0, 0, 0                                    \
	}
/* An error after issuer and account were parsed: they are kept. */
#define ERRN(u, rc, iss, acc)                                                                      \
	{                                                                                          \
		u, 0, rc, iss, acc, NULL, T, SHA1, 0, 0, 0, 0                                      \
	}
/* With embedded NULs: the whole literal is the input. */
#define ERR_LEN(u, rc)                                                                             \
	{                                                                                          \
		u, sizeof(u) - 1, rc, NULL, NULL, NULL, T, SHA1, 0, 0, 0, 0                        \
	}

static const struct ucase cases[] = {
        /* Aegis importers/plain.txt. */
        OK("otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno&algorithm=SHA1"
           "&digits=6&period=30",
           "Deno", "Mason", "4SJHB4GSD43FZBAI7C2HLRJGPQ", T, SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/SPDX:James?secret=5OM4WOOGPLQEF6UGN3CPEOOLWU&issuer=SPDX"
           "&algorithm=SHA256&digits=7&period=20",
           "SPDX", "James", "5OM4WOOGPLQEF6UGN3CPEOOLWU", T, SHA256, 7, 20, 0, 0),
        OK("otpauth://totp/Airbnb:Elijah?secret=7ELGJSGXNCCTV3O6LKJWYFV2RA&issuer=Airbnb"
           "&algorithm=SHA512&digits=8&period=50",
           "Airbnb", "Elijah", "7ELGJSGXNCCTV3O6LKJWYFV2RA", T, SHA512, 8, 50, 0, 0),
        OK("otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&issuer=Issuu"
           "&algorithm=SHA1&digits=6&counter=1",
           "Issuu", "James", "YOOMIXWS5GN6RTBPUFFWKTW5M4", H, SHA1, 6, 30, 1, 0),
        OK("otpauth://hotp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII"
           "&issuer=Air+Canada&algorithm=SHA256&digits=7&counter=50",
           "Air Canada", "Benjamin", "KUVJJOM753IHTNDSZVCNKL7GII", H, SHA256, 7, 30, 50, 0),
        OK("otpauth://hotp/WWE:Mason?secret=5VAML3X35THCEBVRLV24CGBKOY&issuer=WWE"
           "&algorithm=SHA512&digits=8&counter=10300",
           "WWE", "Mason", "5VAML3X35THCEBVRLV24CGBKOY", H, SHA512, 8, 30, 10300, 0),
        OK("otpauth://steam/Boeing:Sophia?secret=" STEAMS "&issuer=Boeing&algorithm=SHA1&digits=5"
           "&period=30",
           "Boeing", "Sophia", STEAMS, ST, SHA1, 5, 30, 0, 0),
        /* Aegis importers/ente_auth.txt: codeDisplay, lower-case algorithm,
         * period on hotp, parameters in another order. */
        OK("otpauth://hotp/WWE:Mason?algorithm=sha512&digits=8&issuer=WWE&period=30"
           "&secret=5VAML3X35THCEBVRLV24CGBKOY&counter=10300" CD,
           "WWE", "Mason", "5VAML3X35THCEBVRLV24CGBKOY", H, SHA512, 8, 30, 10300, 0),
        OK("otpauth://steam/Boeing:Sophia?secret=" STEAMS "&issuer=Boeing&algorithm=SHA1&digits=5"
           "&period=30" CD,
           "Boeing", "Sophia", STEAMS, ST, SHA1, 5, 30, 0, 0),
        OK("otpauth://hotp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII"
           "&issuer=Air+Canada&algorithm=SHA256&digits=7&counter=50" CD,
           "Air Canada", "Benjamin", "KUVJJOM753IHTNDSZVCNKL7GII", H, SHA256, 7, 30, 50, 0),
        /* The Key URI wiki. */
        OK("otpauth://totp/Example:alice@google.com?secret=" S10 "&issuer=Example", "Example",
           "alice@google.com", S10, T, SHA1, 6, 30, 0, WS),
        OK("otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
           "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
           "ACME Co", "john.doe@email.com", "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ", T, SHA1, 6, 30, 0,
           0),
        OK("otpauth://totp/Big%20Corporation%3A%20alice%40bigco.com?secret=" S20, "Big Corporation",
           "alice@bigco.com", S20, T, SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/Provider1:Alice%20Smith?secret=" S20, "Provider1", "Alice Smith", S20, T,
           SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/Provider1%3aAlice?secret=" S20, "Provider1", "Alice", S20, T, SHA1, 6,
           30, 0, 0),
        /* Issuer sources. */
        OK("otpauth://totp/alice@google.com?secret=" S20, "", "alice@google.com", S20, T, SHA1, 6,
           30, 0, 0),
        OK("otpauth://totp/alice?secret=" S20 "&issuer=Example", "Example", "alice", S20, T, SHA1,
           6, 30, 0, 0),
        OK("otpauth://totp/Foo:alice?secret=" S20 "&issuer=Bar", "Bar", "alice", S20, T, SHA1, 6,
           30, 0, WM),
        OK("otpauth://totp/foo:alice?issuer=Foo&secret=" S20, "Foo", "alice", S20, T, SHA1, 6, 30,
           0, WM),
        OK("otpauth://totp/Foo:alice?secret=" S20 "&issuer=", "Foo", "alice", S20, T, SHA1, 6, 30,
           0, 0),
        OK("otpauth://totp/:alice?secret=" S20 "&issuer=Bar", "Bar", "alice", S20, T, SHA1, 6, 30,
           0, 0),
        /* Colons and spaces. */
        OK("otpauth://totp/A:b:c?secret=" S20, "A", "b:c", S20, T, SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/A%3Ab%3Ac?secret=" S20, "A", "b:c", S20, T, SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/Example:%20%20 alice?secret=" S20, "Example", "alice", S20, T, SHA1, 6,
           30, 0, 0),
        OK("otpauth://totp/:%20a%3Ab?secret=" S20 "&issuer=X", "X", " a:b", S20, T, SHA1, 6, 30, 0,
           0),
        OK("otpauth://totp/%20bob?secret=" S20, "", " bob", S20, T, SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/Foo/Bar:baz?secret=" S20, "Foo/Bar", "baz", S20, T, SHA1, 6, 30, 0, 0),
        /* '+' is literal in the path, a space in the query. */
        OK("otpauth://totp/C%2B%2B:a+b@x?secret=" S20 "&issuer=C%2B%2B", "C++", "a+b@x", S20, T,
           SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/Big%20Corp:al?secret=" S20 "&issuer=Big+Corp", "Big Corp", "al", S20, T,
           SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/Big+Corp:al?secret=" S20 "&issuer=Big+Corp", "Big Corp", "al", S20, T,
           SHA1, 6, 30, 0, WM),
        /* Case. */
        OK("OTPAUTH://TOTP/Example:alice?secret=" S20, "Example", "alice", S20, T, SHA1, 6, 30, 0,
           0),
        OK("OtpAuth://Hotp/x?secret=" S20 "&counter=7", "", "x", S20, H, SHA1, 6, 30, 7, 0),
        OK("otpauth://totp/x?secret=" S20 "&algorithm=sha256", "", "x", S20, T, SHA256, 6, 30, 0,
           0),
        OK("otpauth://totp/x?secret=" S20 "&algorithm=SHA-1", "", "x", S20, T, SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/x?secret=" S20 "&algorithm=sha-512", "", "x", S20, T, SHA512, 6, 30, 0,
           0),
        OK("otpauth://totp/x?SECRET=" S20 "&Digits=8", "", "x", S20, T, SHA1, 8, 30, 0, 0),
        /* Lenient secrets. */
        OK("otpauth://totp/x?secret=gezd+gnbv%20gy3t-qojq%0Agezdgnbvgy3tqojq%3D%3D", "", "x", S20,
           T, SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/x?secret=MZXW6YTBOI======", "", "x", "MZXW6YTBOI", T, SHA1, 6, 30, 0,
           WS),
        /* Unknown, empty and duplicate parameters. */
        OK("otpauth://totp/x?image=https%3A%2F%2Fexample.com%2Fa.png&color=FF0000&lock=false"
           "&secret=" S20,
           "", "x", S20, T, SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/x?&&lock&secret=" S20 "&digits=&period=&algorithm=&", "", "x", S20, T,
           SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/x?secret=" S20 "&secret=" S10 "&digits=8&digits=6&issuer=A&issuer=B",
           "A", "x", S20, T, SHA1, 8, 30, 0, 0),
        /* HOTP: period ignored (even a bad one), counter optional. */
        OK("otpauth://hotp/x?secret=" S20 "&period=0", "", "x", S20, H, SHA1, 6, 30, 0, 0),
        OK("otpauth://hotp/x?secret=" S20, "", "x", S20, H, SHA1, 6, 30, 0, 0),
        OK("otpauth://hotp/x?secret=" S20 "&counter=18446744073709551615", "", "x", S20, H, SHA1, 6,
           30, UINT64_MAX, 0),
        OK("otpauth://hotp/x?secret=" S20 "&counter=000", "", "x", S20, H, SHA1, 6, 30, 0, 0),
        /* TOTP: counter ignored. */
        OK("otpauth://totp/x?secret=" S20 "&counter=junk", "", "x", S20, T, SHA1, 6, 30, 0, 0),
        /* Ranges. */
        OK("otpauth://totp/x?secret=" S20 "&digits=4&period=1", "", "x", S20, T, SHA1, 4, 1, 0, WD),
        OK("otpauth://totp/x?secret=" S20 "&digits=10&period=3600", "", "x", S20, T, SHA1, 10, 3600,
           0, WD),
        OK("otpauth://totp/x?secret=" S20 "&digits=5", "", "x", S20, T, SHA1, 5, 30, 0, WD),
        OK("otpauth://totp/x?secret=" S20 "&digits=9", "", "x", S20, T, SHA1, 9, 30, 0, WD),
        /* UTF-8 labels. */
        OK("otpauth://totp/"
           "encoding%3A%20%C2%BF%C3%A4%C3%84%C3%A9%C3%89%3F%20%28demo%29?secret=" S20,
           "encoding", "\xc2\xbf\xc3\xa4\xc3\x84\xc3\xa9\xc3\x89? (demo)", S20, T, SHA1, 6, 30, 0,
           0),
        OK("otpauth://totp/Caf\xc3\xa9:J\xc3\xb6rg?secret=" S20 "&issuer=Caf%C3%A9", "Caf\xc3\xa9",
           "J\xc3\xb6rg", S20, T, SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/%F0%9F%94%91:k?secret=" S20, "\xf0\x9f\x94\x91", "k", S20, T, SHA1, 6,
           30, 0, 0),
        /* Steam, in each marking apps use. */
        OK("otpauth://steam/Steam:alice?secret=" STEAMS, "Steam", "alice", STEAMS, ST, SHA1, 5, 30,
           0, 0),
        OK("otpauth://STEAM/alice?secret=" STEAMS "&digits=6&algorithm=SHA256&period=60", "",
           "alice", STEAMS, ST, SHA1, 5, 60, 0, 0),
        OK("otpauth://totp/Valve:alice?secret=" STEAMS "&encoder=steam", "Valve", "alice", STEAMS,
           ST, SHA1, 5, 30, 0, 0),
        OK("otpauth://totp/KeePassXC:none?secret=" STEAMS "&period=30&digits=5&issuer=KeePassXC"
           "&encoder=Steam",
           "KeePassXC", "none", STEAMS, ST, SHA1, 5, 30, 0, 0),
        OK("otpauth://totp/Steam:alice?secret=" STEAMS "&issuer=Steam", "Steam", "alice", STEAMS,
           ST, SHA1, 5, 30, 0, 0),
        OK("otpauth://totp/steam:alice?secret=" STEAMS, "steam", "alice", STEAMS, ST, SHA1, 5, 30,
           0, 0),
        OK("otpauth://totp/alice?secret=" STEAMS "&issuer=STEAM&digits=5", "STEAM", "alice", STEAMS,
           ST, SHA1, 5, 30, 0, 0),
        OK("otpauth://totp/Steam:alice?secret=" STEAMS "&digits=6", "Steam", "alice", STEAMS, T,
           SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/Steam:alice?secret=" STEAMS "&algorithm=SHA256", "Steam", "alice",
           STEAMS, T, SHA256, 6, 30, 0, 0),
        OK("otpauth://totp/Steamy:alice?secret=" STEAMS, "Steamy", "alice", STEAMS, T, SHA1, 6, 30,
           0, 0),
        OK("otpauth://hotp/Steam:alice?secret=" STEAMS "&encoder=steam", "Steam", "alice", STEAMS,
           H, SHA1, 6, 30, 0, 0),
        OK("steam://" STEAMS, "Steam", "Steam", STEAMS, ST, SHA1, 5, 30, 0, 0),
        OK("steam://" STEAMS "===", "Steam", "Steam", STEAMS, ST, SHA1, 5, 30, 0, 0),
        OK("STEAM://jrzcl47cmxvoqmnpzr2f7j4rgi", "Steam", "Steam", STEAMS, ST, SHA1, 5, 30, 0, 0),
        /* Whole-URI odds and ends. */
        OK("  otpauth://totp/x?secret=" S20 "\r\n", "", "x", S20, T, SHA1, 6, 30, 0, 0),
        OK("otpauth://totp/x?secret=" S20 "#digits=8", "", "x", S20, T, SHA1, 6, 30, 0, 0),

        /* Errors. */
        ERR("", TOTP_E_URI_SCHEME),
        ERR(S20, TOTP_E_URI_SCHEME),
        ERR("http://totp/x?secret=" S20, TOTP_E_URI_SCHEME),
        ERR("otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8", TOTP_E_URI_SCHEME),
        ERR("motp://x?secret=abcdef0123456789", TOTP_E_URI_SCHEME),
        ERR("otp auth://totp/x?secret=" S20, TOTP_E_URI_SCHEME),
        ERR("otpauth:/totp/x?secret=" S20, TOTP_E_URI_SYNTAX),
        ERR("otpauth:totp/x?secret=" S20, TOTP_E_URI_SYNTAX),
        ERR("otpauth://yaotp/x?secret=" S20, TOTP_E_URI_TYPE),
        ERR("otpauth://totpx/x?secret=" S20, TOTP_E_URI_TYPE),
        ERR("otpauth:///x?secret=" S20, TOTP_E_URI_TYPE),
        ERR("otpauth://totp?secret=" S20, TOTP_E_URI_SYNTAX),
        ERR("otpauth://totp", TOTP_E_URI_SYNTAX),
        ERRN("otpauth://totp/x", TOTP_E_URI_SECRET, "", "x"),
        ERRN("otpauth://totp/x?issuer=A", TOTP_E_URI_SECRET, "A", "x"),
        ERRN("otpauth://totp/x?secret=&secret=" S20, TOTP_E_URI_SECRET, "", "x"),
        ERRN("otpauth://totp/x#?secret=" S20, TOTP_E_URI_SECRET, "", "x"),
        ERRN("otpauth://totp/x?secret=JBSWY3DPEHPK3PX1", TOTP_E_BASE32, "", "x"),
        ERRN("otpauth://totp/x?secret=JBSWY3DP%3DEHPK3PXP", TOTP_E_BASE32, "", "x"),
        ERRN("otpauth://totp/x?secret=JBSWY3DPE", TOTP_E_BASE32_LENGTH, "", "x"),
        ERRN("otpauth://totp/x?secret=%20%3D", TOTP_E_SECRET_EMPTY, "", "x"),
        ERR("otpauth://totp/%ZZ?secret=" S20, TOTP_E_URI_SYNTAX),
        ERR("otpauth://totp/x%4?secret=" S20, TOTP_E_URI_SYNTAX),
        ERR("otpauth://totp/x%?secret=" S20, TOTP_E_URI_SYNTAX),
        ERR("otpauth://totp/x%00y?secret=" S20, TOTP_E_URI_SYNTAX),
        /* Escaped controls in names: rejected before the names are kept. */
        ERR("otpauth://totp/Evil%1B%5D0%3Bx%07:acct?secret=JBSWY3DPE", TOTP_E_LABEL),
        ERR("otpauth://totp/acct%7F?secret=" S20, TOTP_E_LABEL),
        ERR("otpauth://totp/x?secret=JBSWY3DPE&issuer=A%0D", TOTP_E_LABEL),
        ERR("otpauth://totp/x?secret=" S20 "&issuer=%G1", TOTP_E_URI_SYNTAX),
        ERR("otpauth://totp/x?secret=" S20 "&image=100%", TOTP_E_URI_SYNTAX),
        ERR("otpauth://totp/x?secret=" S20 "&%zz=1", TOTP_E_URI_SYNTAX),
        ERRN("otpauth://totp/x?secret=" S20 "&digits=3", TOTP_E_DIGITS, "", "x"),
        ERRN("otpauth://totp/x?secret=" S20 "&digits=11", TOTP_E_DIGITS, "", "x"),
        ERRN("otpauth://totp/x?secret=" S20 "&digits=six", TOTP_E_DIGITS, "", "x"),
        ERRN("otpauth://totp/x?secret=" S20 "&digits=-6", TOTP_E_DIGITS, "", "x"),
        ERRN("otpauth://totp/x?secret=" S20 "&digits=+6", TOTP_E_DIGITS, "", "x"),
        ERRN("otpauth://totp/x?secret=" S20 "&digits=4294967302", TOTP_E_DIGITS, "", "x"),
        ERRN("otpauth://steam/x?secret=" S20 "&digits=3", TOTP_E_DIGITS, "", "x"),
        ERRN("otpauth://totp/x?secret=" S20 "&period=0", TOTP_E_PERIOD, "", "x"),
        ERRN("otpauth://totp/x?secret=" S20 "&period=3601", TOTP_E_PERIOD, "", "x"),
        ERRN("otpauth://totp/x?secret=" S20 "&period=30s", TOTP_E_PERIOD, "", "x"),
        ERRN("otpauth://steam/x?secret=" S20 "&period=0", TOTP_E_PERIOD, "", "x"),
        ERRN("otpauth://hotp/x?secret=" S20 "&counter=18446744073709551616", TOTP_E_COUNTER, "",
             "x"),
        ERRN("otpauth://hotp/x?secret=" S20 "&counter=99999999999999999999999", TOTP_E_COUNTER, "",
             "x"),
        ERRN("otpauth://hotp/x?secret=" S20 "&counter=-1", TOTP_E_COUNTER, "", "x"),
        ERRN("otpauth://hotp/x?secret=" S20 "&counter=0x10", TOTP_E_COUNTER, "", "x"),
        ERRN("otpauth://totp/x?secret=" S20 "&algorithm=MD5", TOTP_E_ALGO, "", "x"),
        ERRN("otpauth://totp/x?secret=" S20 "&algorithm=SHA224", TOTP_E_ALGO, "", "x"),
        ERRN("otpauth://totp/x?secret=" S20 "&algorithm=SHA384", TOTP_E_ALGO, "", "x"),
        ERRN("otpauth://totp/Bad:digits?secret=CANARYCANARYCANARY22&digits=12", TOTP_E_DIGITS,
             "Bad", "digits"),
        ERRN("otpauth://totp/Foo:bar?secret=" S20 "&issuer=Baz&algorithm=MD5", TOTP_E_ALGO, "Baz",
             "bar"),
        ERR("otpauth://totp/Foo:bar?secret=" S20 "&issuer=%FF", TOTP_E_UTF8),
        ERR("otpauth://totp/Example:?secret=" S20, TOTP_E_LABEL),
        ERR("otpauth://totp/Example:%20%20?secret=" S20, TOTP_E_LABEL),
        ERR("otpauth://totp/?secret=" S20 "&issuer=Example", TOTP_E_LABEL),
        ERR("otpauth://totp/x%FF?secret=" S20, TOTP_E_UTF8),
        ERR("otpauth://totp/x\xff?secret=" S20, TOTP_E_UTF8),
        ERR("otpauth://totp/%C0%AF:x?secret=" S20, TOTP_E_UTF8),
        ERR("otpauth://totp/%ED%A0%80?secret=" S20, TOTP_E_UTF8),
        ERR("otpauth://totp/x?secret=" S20 "&issuer=%C3%28", TOTP_E_UTF8),
        ERR("otpauth://totp/x\ty?secret=" S20, TOTP_E_URI_SYNTAX),
        ERR("otpauth://totp/x?secret=" S20 "&issuer=a\x01", TOTP_E_URI_SYNTAX),
        ERR("otpauth://totp/x?secret=" S20 "\x7f", TOTP_E_URI_SYNTAX),
        ERR("steam://", TOTP_E_URI_SECRET),
        ERR("steam:" STEAMS, TOTP_E_URI_SYNTAX),
        ERR("steam://" STEAMS "1", TOTP_E_BASE32),
        ERR("steam://JRZC%ZZ", TOTP_E_URI_SYNTAX),
        ERR_LEN("otpauth://totp/x?secret=" S20 "\0&digits=8", TOTP_E_URI_SYNTAX),
        ERR_LEN("otpauth://totp/a\0b?secret=" S20, TOTP_E_URI_SYNTAX),
        ERR_LEN("\0otpauth://totp/ab?secret=" S20, TOTP_E_URI_SYNTAX),
};

/* s with control characters shown as '.', for result lines. */
static const char *show(const char *s)
{
	static char buf[64];
	size_t i;

	for (i = 0; s[i] && i + 1 < sizeof(buf); i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '.' : s[i];
	buf[i] = '\0';
	return buf;
}

static void fill_bad(struct totp_entry *e)
{
	memset(e, 0x5a, sizeof(*e));
}

/* Wiped: no secret and the defaults back, labels as given. */
static int is_wiped(const struct totp_entry *e, const char *issuer, const char *account)
{
	static const uint8_t zero[TOTP_SECRET_MAX];

	return e->secret_len == 0 && memcmp(e->secret, zero, sizeof(zero)) == 0 &&
	       strcmp(e->account, account) == 0 && strcmp(e->issuer, issuer) == 0 &&
	       e->digits == 6 && e->period == 30 && e->type == TOTP_TYPE_TOTP &&
	       e->algo == TOTP_ALGO_SHA1 && e->counter == 0;
}

static void test_cases(void)
{
	struct totp_entry *e = totp_entry_new();

	if (!CHECK(e != NULL, "entry allocated"))
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ucase *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->uri);
		/* An exact-size copy without a NUL: overreads trip ASan. */
		char *copy = malloc(len ? len : 1);
		char b32[256];
		unsigned warn = 0xdead;
		int rc;

		if (!copy)
			abort();
		memcpy(copy, c->uri, len);
		fill_bad(e);
		rc = totp_uri_parse(e, &warn, copy, len);
		free(copy);
		CHECK_RC(rc, c->rc, "case %zu rc (%s)", i, show(c->uri));
		if (c->rc != TOTP_OK) {
			CHECK(is_wiped(e, c->issuer ? c->issuer : "",
			               c->account ? c->account : "") &&
			              warn == 0,
			      "case %zu leaves a wiped entry (labels \"%s\" \"%s\")", i, e->issuer,
			      e->account);
			continue;
		}
		if (rc != TOTP_OK)
			continue;
		CHECK_STR(e->issuer, c->issuer, "case %zu issuer", i);
		CHECK_STR(e->account, c->account, "case %zu account", i);
		if (totp_base32_encode(b32, sizeof(b32), e->secret, e->secret_len) != TOTP_OK)
			b32[0] = 0;
		CHECK_STR(b32, c->secret, "case %zu secret", i);
		CHECK(e->type == c->type && e->algo == c->algo && e->digits == c->digits &&
		              e->period == c->period && e->counter == c->counter,
		      "case %zu type %s/%s, algo %s, digits %u, period %u, counter %llu", i,
		      totp_type_name(e->type), totp_type_name(c->type), totp_algo_name(e->algo),
		      e->digits, e->period, (unsigned long long)e->counter);
		CHECK(warn == c->warn, "case %zu warnings 0x%x (want 0x%x)", i, warn, c->warn);
		CHECK_RC(totp_entry_check(e), TOTP_OK, "case %zu entry is valid", i);
	}
	totp_entry_free(e);
}

static void test_limits(void)
{
	struct totp_entry e;
	char uri[2048], label[400];
	unsigned warn;
	int n;

	/* 255-byte labels fit; 256 do not. */
	memset(label, 'a', 256);
	label[255] = 0;
	n = snprintf(uri, sizeof(uri), "otpauth://totp/%s:%s?secret=%s&issuer=%s", label, label,
	             S20, label);
	CHECK_RC(totp_uri_parse(&e, &warn, uri, (size_t)n), TOTP_OK, "255-byte labels");
	CHECK(strlen(e.issuer) == 255 && strlen(e.account) == 255, "255-byte labels kept");
	label[255] = 'a';
	label[256] = 0;
	n = snprintf(uri, sizeof(uri), "otpauth://totp/x:%s?secret=%s", label, S20);
	CHECK_RC(totp_uri_parse(&e, &warn, uri, (size_t)n), TOTP_E_LABEL, "256-byte account");
	n = snprintf(uri, sizeof(uri), "otpauth://totp/%s:x?secret=%s", label, S20);
	CHECK_RC(totp_uri_parse(&e, &warn, uri, (size_t)n), TOTP_E_LABEL, "256-byte label issuer");
	n = snprintf(uri, sizeof(uri), "otpauth://totp/x?secret=%s&issuer=%s", S20, label);
	CHECK_RC(totp_uri_parse(&e, &warn, uri, (size_t)n), TOTP_E_LABEL, "256-byte issuer=");
	/* 85 three-byte escapes = 255 bytes. */
	strcpy(uri, "otpauth://totp/");
	for (int i = 0; i < 85; i++)
		strcat(uri, "%E2%82%AC");
	strcat(uri, "?secret=" S20);
	CHECK_RC(totp_uri_parse(&e, &warn, uri, strlen(uri)), TOTP_OK, "255 bytes of euro signs");
	CHECK(strlen(e.account) == 255, "escaped label decoded to 255 bytes");

	/* Secrets of 128 and 129 bytes: 205 and 207 characters. */
	memset(label, 'A', 207);
	label[205] = 0;
	n = snprintf(uri, sizeof(uri), "otpauth://totp/x?secret=%s", label);
	CHECK_RC(totp_uri_parse(&e, &warn, uri, (size_t)n), TOTP_OK, "128-byte secret");
	CHECK(e.secret_len == 128, "128-byte secret decoded");
	label[205] = 'A';
	label[206] = 'A';
	label[207] = 0;
	n = snprintf(uri, sizeof(uri), "otpauth://totp/x?secret=%s", label);
	CHECK_RC(totp_uri_parse(&e, &warn, uri, (size_t)n), TOTP_E_SECRET_LONG, "129-byte secret");
	/* A secret text longer than any sane one. */
	strcpy(uri, "otpauth://totp/x?secret=");
	for (int i = 0; i < 130; i++)
		strcat(uri, "AAAA++++");
	CHECK_RC(totp_uri_parse(&e, &warn, uri, strlen(uri)), TOTP_E_SECRET_LONG,
	         "1040-character secret text");

	CHECK_RC(totp_uri_parse(NULL, &warn, "steam://" STEAMS, 34), TOTP_E_INVAL, "NULL entry");
	CHECK_RC(totp_uri_parse(&e, &warn, NULL, 5), TOTP_E_INVAL, "NULL uri");
	CHECK_RC(totp_uri_parse(&e, NULL, "steam://" STEAMS, 34), TOTP_OK, "NULL warnings");
	/* The length, not a NUL, ends the input. */
	CHECK_RC(totp_uri_parse(&e, &warn, "steam://" STEAMS "AAAAAA", 34), TOTP_OK,
	         "length bounds the input");
	CHECK(e.secret_len == 16, "bytes past the length are ignored");
}

int main(void)
{
	if (totp_init() != TOTP_OK)
		return 1;
	test_cases();
	test_limits();
	TEST_EXIT();
}
