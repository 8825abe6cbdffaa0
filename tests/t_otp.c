/*
 * t_otp.c - HOTP, TOTP and Steam known answers (RFC 4226 Appendix D and
 * section 5.4, RFC 6238 Appendix B, the extra and Aegis vectors of
 * FORMATS.md section 2, Steam's published codes), time-step arithmetic,
 * verification windows and argument errors.
 */
#include <stdint.h>

#include <sodium.h>

#include "test.h"
#include "totp.h"

static const char *hexstr(const uint8_t *d, size_t n)
{
	static char buf[2 * TOTP_HMAC_MAX_BYTES + 1];

	for (size_t i = 0; i < n && i < TOTP_HMAC_MAX_BYTES; i++)
		snprintf(buf + 2 * i, 3, "%02x", d[i]);
	buf[2 * (n < TOTP_HMAC_MAX_BYTES ? n : TOTP_HMAC_MAX_BYTES)] = '\0';
	return buf;
}

static size_t unhex(uint8_t *out, const char *hex)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void entry(struct totp_entry *e, enum totp_type type, enum totp_algo algo, unsigned digits,
                  unsigned period, const char *hexsecret)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->account, "test");
	e->type = type;
	e->algo = algo;
	e->digits = digits;
	e->period = period;
	e->secret_len = unhex(e->secret, hexsecret);
}

#define RFC_SEED20 "3132333435363738393031323334353637383930"
#define RFC_SEED32 RFC_SEED20 "313233343536373839303132"
#define RFC_SEED64 RFC_SEED20 RFC_SEED20 RFC_SEED20 "31323334"

/* RFC 4226 Appendix D: HMAC, truncated value and 6-digit code for counts
 * 0..9. */
static void check_rfc4226(void)
{
	static const struct {
		const char *hmac;
		uint32_t value;
		const char *code;
	} d[] = {
	        {"cc93cf18508d94934c64b65d8ba7667fb7cde4b0", 1284755224, "755224"},
	        {"75a48a19d4cbe100644e8ac1397eea747a2d33ab", 1094287082, "287082"},
	        {"0bacb7fa082fef30782211938bc1c5e70416ff44", 137359152, "359152"},
	        {"66c28227d03a2d5529262ff016a1e6ef76557ece", 1726969429, "969429"},
	        {"a904c900a64b35909874b33e61c5938a8e15ed1c", 1640338314, "338314"},
	        {"a37e783d7b7233c083d4f62926c7a25f238d0316", 868254676, "254676"},
	        {"bc9cd28561042c83f219324d3c607256c03272ae", 1918287922, "287922"},
	        {"a4fb960c0bc06e1eabb804e5b397cdc4b45596fa", 82162583, "162583"},
	        {"1b3c89f65e6c9e883012052823443f048b4332db", 673399871, "399871"},
	        {"1637409809a679dc698207310c8c7fc07290d9e5", 645520489, "520489"},
	};
	struct totp_entry e;
	struct totp_hmac h;
	char code[TOTP_CODE_MAX];

	entry(&e, TOTP_TYPE_HOTP, TOTP_ALGO_SHA1, 6, 30, RFC_SEED20);
	CHECK_RC(totp_hmac_init(&h, TOTP_ALGO_SHA1, e.secret, e.secret_len), TOTP_OK, "4226: key");
	for (uint64_t c = 0; c < 10; c++) {
		uint8_t msg[8] = {0, 0, 0, 0, 0, 0, 0, (uint8_t)c}, mac[TOTP_SHA1_BYTES];

		totp_hmac_mac(&h, mac, msg, sizeof(msg));
		CHECK_STR(hexstr(mac, sizeof(mac)), d[c].hmac, "4226 D count %d: HMAC", (int)c);
		CHECK(totp_hotp_value(&h, c) == d[c].value, "4226 D count %d: truncated %u", (int)c,
		      (unsigned)d[c].value);
		CHECK_RC(totp_hotp(code, sizeof(code), &e, c), TOTP_OK, "4226 D count %d: rc",
		         (int)c);
		CHECK_STR(code, d[c].code, "4226 D count %d: HOTP", (int)c);
		e.counter = c;
		CHECK_RC(totp_code(code, sizeof(code), &e, 0), TOTP_OK, "4226 D count %d: code rc",
		         (int)c);
		CHECK_STR(code, d[c].code, "4226 D count %d: totp_code uses the counter", (int)c);
	}
	totp_hmac_wipe(&h);

	/* Section 5.4: HS[19] = 0x5a gives offset 10, P = 0x50ef7f19. */
	CHECK_RC(totp_code_format(code, sizeof(code), 0x50ef7f19 & 0x7fffffff, 6, TOTP_TYPE_HOTP),
	         TOTP_OK, "4226 5.4: format");
	CHECK_STR(code, "872921", "4226 5.4 worked example");
}

/* RFC 6238 Appendix B, 8 and 6 digits, with the per-hash seeds. */
static void check_rfc6238(void)
{
	static const struct {
		int64_t t;
		int64_t step;
		const char *code[3];
	} b[] = {
	        {59, 0x1, {"94287082", "46119246", "90693936"}},
	        {1111111109, 0x23523EC, {"07081804", "68084774", "25091201"}},
	        {1111111111, 0x23523ED, {"14050471", "67062674", "99943326"}},
	        {1234567890, 0x273EF07, {"89005924", "91819424", "93441116"}},
	        {2000000000, 0x3F940AA, {"69279037", "90698825", "38618901"}},
	        {20000000000, 0x27BC86AA, {"65353130", "77737706", "47863826"}},
	};
	static const char *const seeds[] = {RFC_SEED20, RFC_SEED32, RFC_SEED64};
	static const char *const names[] = {"SHA1", "SHA256", "SHA512"};

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		CHECK(totp_time_step(b[i].t, 0, 30) == b[i].step, "6238 B t=%lld: T",
		      (long long)b[i].t);
		for (int a = 0; a < 3; a++) {
			struct totp_entry e;
			char code[TOTP_CODE_MAX];

			entry(&e, TOTP_TYPE_TOTP, (enum totp_algo)a, 8, 30, seeds[a]);
			CHECK_RC(totp_totp(code, sizeof(code), &e, b[i].t, 0), TOTP_OK,
			         "6238 B t=%lld %s: rc", (long long)b[i].t, names[a]);
			CHECK_STR(code, b[i].code[a], "6238 B t=%lld %s 8 digits",
			          (long long)b[i].t, names[a]);
			e.digits = 6;
			CHECK_RC(totp_code(code, sizeof(code), &e, b[i].t), TOTP_OK,
			         "6238 B t=%lld %s: 6-digit rc", (long long)b[i].t, names[a]);
			CHECK_STR(code, b[i].code[a] + 2, "6238 B t=%lld %s 6 digits",
			          (long long)b[i].t, names[a]);
		}
	}
}

/* FORMATS.md section 2: extra vectors, the Aegis table and Steam. */
static void check_extra(void)
{
	static const struct {
		const char *what;
		enum totp_type type;
		enum totp_algo algo;
		unsigned digits, period;
		int64_t t;        /* time (TOTP, Steam) */
		uint64_t counter; /* HOTP */
		const char *secret, *code;
	} v[] = {
	        {"JBSWY3DPEHPK3PXP 2009", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, 1257894000, 0,
	         "48656c6c6f21deadbeef", "528064"},
	        {"JBSWY3DPEHPK3PXP", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, 1700000000, 0,
	         "48656c6c6f21deadbeef", "324550"},
	        {"JBSWY3DPEHPK3PXQ", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, 1700000000, 0,
	         "48656c6c6f21deadbef0", "822412"},
	        {"JBSWY3DPEHPK3PXR", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, 1700000000, 0,
	         "48656c6c6f21deadbef1", "699457"},
	        {"7KSQL2JTUDIS5EF65KLMRQIIGY", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, 1700000000, 0,
	         "faa505e933a0d12e90beea96c8c10836", "056725"},
	        {"7KSQL2JTUDIS5EF65KLMRQIIGY HOTP", TOTP_TYPE_HOTP, TOTP_ALGO_SHA1, 6, 30, 0, 4,
	         "faa505e933a0d12e90beea96c8c10836", "058438"},
	        {"Aegis Deno", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, 1700000000, 0,
	         "e49270f0d21f365c8408f8b475c5267c", "790195"},
	        {"Aegis SPDX", TOTP_TYPE_TOTP, TOTP_ALGO_SHA256, 7, 20, 1700000000, 0,
	         "eb99cb39c67ae042fa866ec4f239cbb5", "9993814"},
	        {"Aegis Airbnb", TOTP_TYPE_TOTP, TOTP_ALGO_SHA512, 8, 50, 1700000000, 0,
	         "f91664c8d768853aedde5a936c16ba88", "65516786"},
	        {"Aegis Issuu", TOTP_TYPE_HOTP, TOTP_ALGO_SHA1, 6, 30, 1700000000, 1,
	         "c39cc45ed2e99be8cc2fa14b654edd67", "253717"},
	        {"Aegis Air Canada", TOTP_TYPE_HOTP, TOTP_ALGO_SHA256, 7, 30, 1700000000, 50,
	         "552a94b99feed079b472cd44d52fe642", "4444976"},
	        {"Aegis WWE", TOTP_TYPE_HOTP, TOTP_ALGO_SHA512, 8, 30, 1700000000, 10300,
	         "ed40c5eefbecce2206b15d75c1182a76", "24622277"},
	        {"Aegis Boeing (Steam)", TOTP_TYPE_STEAM, TOTP_ALGO_SHA1, 5, 30, 1700000000, 0,
	         "4c7225f3e265eae831afcc745fa79132", "747JR"},
	        {"Aegis Battle.net", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 8, 30, 1700000000, 0,
	         "0b0d1bbcc5046102f0cc9eba904d7aae16038c28", "12715797"},
	        {"Steam FR8RV", TOTP_TYPE_STEAM, TOTP_ALGO_SHA1, 5, 30, 1511200518, 0,
	         "f6c241d850caa70b3c92045048afa39ce051266a", "FR8RV"},
	        {"Steam 9P3VP", TOTP_TYPE_STEAM, TOTP_ALGO_SHA1, 5, 30, 1511200714, 0,
	         "f6c241d850caa70b3c92045048afa39ce051266a", "9P3VP"},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct totp_entry e;
		char code[TOTP_CODE_MAX];
		int64_t off = 99;

		entry(&e, v[i].type, v[i].algo, v[i].digits, v[i].period, v[i].secret);
		e.counter = v[i].counter;
		CHECK_RC(totp_code(code, sizeof(code), &e, v[i].t), TOTP_OK, "%s: rc", v[i].what);
		CHECK_STR(code, v[i].code, "%s", v[i].what);
		CHECK_RC(totp_verify(&off, &e, v[i].code, v[i].t, 1), TOTP_OK, "%s: verifies",
		         v[i].what);
		CHECK(off == 0, "%s: verified at offset 0 (%lld)", v[i].what, (long long)off);
	}
}

static void check_format(void)
{
	char out[TOTP_CODE_MAX];

	CHECK_RC(totp_code_format(out, sizeof(out), 1284755224, 10, TOTP_TYPE_TOTP), TOTP_OK,
	         "10 digits: rc");
	CHECK_STR(out, "1284755224", "10 digits");
	CHECK_RC(totp_code_format(out, sizeof(out), 0x7fffffff, 10, TOTP_TYPE_HOTP), TOTP_OK,
	         "10 digits, largest value: rc");
	CHECK_STR(out, "2147483647", "10 digits, largest value");
	CHECK_RC(totp_code_format(out, sizeof(out), 5, 10, TOTP_TYPE_TOTP), TOTP_OK, "pad: rc");
	CHECK_STR(out, "0000000005", "10 digits zero-padded");
	CHECK_RC(totp_code_format(out, sizeof(out), 1284755224, 4, TOTP_TYPE_TOTP), TOTP_OK,
	         "4 digits: rc");
	CHECK_STR(out, "5224", "4 digits");
	CHECK_RC(totp_code_format(out, sizeof(out), 1284755224, 9, TOTP_TYPE_TOTP), TOTP_OK,
	         "9 digits: rc");
	CHECK_STR(out, "284755224", "9 digits");
	CHECK_RC(totp_code_format(out, sizeof(out), 0, 0, TOTP_TYPE_STEAM), TOTP_OK, "Steam 0: rc");
	CHECK_STR(out, "22222", "Steam value 0");
	/* 26^5 - 1 is the last value before the characters wrap around. */
	CHECK_RC(totp_code_format(out, sizeof(out), 11881375, 5, TOTP_TYPE_STEAM), TOTP_OK,
	         "Steam 26^5-1: rc");
	CHECK_STR(out, "YYYYY", "Steam 26^5-1");
	CHECK_RC(totp_code_format(out, sizeof(out), 1 + 2 * 26, 5, TOTP_TYPE_STEAM), TOTP_OK,
	         "Steam order: rc");
	CHECK_STR(out, "34222", "Steam: least significant character first");

	CHECK_RC(totp_code_format(out, sizeof(out), 1, 3, TOTP_TYPE_TOTP), TOTP_E_DIGITS,
	         "format: 3 digits");
	CHECK_RC(totp_code_format(out, sizeof(out), 1, 11, TOTP_TYPE_HOTP), TOTP_E_DIGITS,
	         "format: 11 digits");
	CHECK_RC(totp_code_format(out, 6, 1, 6, TOTP_TYPE_TOTP), TOTP_E_NOSPACE,
	         "format: no room for the NUL");
	CHECK(out[0] == '\0', "format: a short buffer is left empty");
	CHECK_RC(totp_code_format(out, 7, 1, 6, TOTP_TYPE_TOTP), TOTP_OK, "format: exact room");
	CHECK_RC(totp_code_format(out, 5, 1, 5, TOTP_TYPE_STEAM), TOTP_E_NOSPACE,
	         "format: Steam needs 6 bytes");
	CHECK_RC(totp_code_format(out, sizeof(out), 1, 6, (enum totp_type)3), TOTP_E_INVAL,
	         "format: unknown type");
	CHECK_RC(totp_code_format(NULL, 16, 1, 6, TOTP_TYPE_TOTP), TOTP_E_INVAL, "format: NULL");
}

static void check_time(void)
{
	static const struct {
		int64_t t, t0;
		unsigned period;
		int64_t step;
		unsigned remaining;
	} v[] = {
	        {0, 0, 30, 0, 30},
	        {29, 0, 30, 0, 1},
	        {59, 0, 30, 1, 1},
	        {60, 0, 30, 2, 30},
	        {-1, 0, 30, -1, 1},
	        {-29, 0, 30, -1, 29},
	        {-30, 0, 30, -1, 30},
	        {-31, 0, 30, -2, 1},
	        {100, 10, 30, 3, 30},
	        {105, 10, 30, 3, 25},
	        {9, 10, 30, -1, 1},
	        {-20, -50, 30, 1, 30},
	        {-51, -50, 30, -1, 1},
	        {1700000000, 1699999990, 1, 10, 1},
	        {1700000000, 0, 3600, 472222, 2800},
	        {INT64_MAX, 0, 1, INT64_MAX, 1},
	        {INT64_MIN, 0, 1, INT64_MIN, 1},
	        {INT64_MIN, 0, 30, -307445734561825861LL, 8},
	        {INT64_MAX, INT64_MIN, 3600, 5124095576030431LL, 3585},
	        {INT64_MAX, INT64_MIN, 7, 2635249153387078802LL, 6},
	        {INT64_MIN, INT64_MAX, 7, -2635249153387078803LL, 1},
	        /* Beyond int64_t: saturated. */
	        {INT64_MAX, INT64_MIN, 1, INT64_MAX, 1},
	        {INT64_MIN, INT64_MAX, 1, INT64_MIN, 1},
	        {INT64_MAX, -1, 1, INT64_MAX, 1},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t s = totp_time_step(v[i].t, v[i].t0, v[i].period);
		unsigned r = totp_time_remaining(v[i].t, v[i].t0, v[i].period);

		CHECK(s == v[i].step, "step(%lld, %lld, %u) = %lld (got %lld)", (long long)v[i].t,
		      (long long)v[i].t0, v[i].period, (long long)v[i].step, (long long)s);
		CHECK(r == v[i].remaining, "remaining(%lld, %lld, %u) = %u (got %u)",
		      (long long)v[i].t, (long long)v[i].t0, v[i].period, v[i].remaining, r);
	}
	CHECK(totp_time_step(100, 0, 0) == 0 && totp_time_remaining(100, 0, 0) == 0, "period 0");

	/* totp_totp with t0: step 1 of the SHA-1 vectors at t0 + 30. */
	struct totp_entry e;
	char code[TOTP_CODE_MAX];

	entry(&e, TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 8, 30, RFC_SEED20);
	CHECK_RC(totp_totp(code, sizeof(code), &e, 1000030, 1000000), TOTP_OK, "t0: rc");
	CHECK_STR(code, "94287082", "t0 = 1000000, t = t0 + 30 is step 1");
	CHECK_RC(totp_totp(code, sizeof(code), &e, -1999970, -2000000), TOTP_OK, "negative t0: rc");
	CHECK_STR(code, "94287082", "negative t0 and t");
	CHECK_RC(totp_totp(code, sizeof(code), &e, 999999, 1000000), TOTP_E_TIME, "t before t0");
	CHECK_RC(totp_totp(code, sizeof(code), &e, -1, 0), TOTP_E_TIME, "t before 1970");
	/* t - t0 = 2^64 - 1 fits the counter exactly: step (2^64 - 1) / 30. */
	e.digits = 6;
	CHECK_RC(totp_totp(code, sizeof(code), &e, INT64_MAX, INT64_MIN), TOTP_OK,
	         "t - t0 beyond int64_t: rc");
	char want[TOTP_CODE_MAX];
	CHECK_RC(totp_hotp(want, sizeof(want), &e, UINT64_MAX / 30), TOTP_OK, "counter 2^64/30");
	CHECK_STR(code, want, "t - t0 beyond int64_t is exact");
}

/* The code of e at time step `step` (TOTP/Steam) as a string. */
static void code_at(char *out, const struct totp_entry *e, uint64_t step)
{
	if (totp_hotp(out, TOTP_CODE_MAX, e, step) != TOTP_OK)
		strcpy(out, "error");
}

static void check_verify_timed(void)
{
	struct totp_entry e;
	char code[TOTP_CODE_MAX], tmp[TOTP_CODE_MAX + 2];
	const int64_t now = 1111111111, base = now / 30;
	int64_t off;

	entry(&e, TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, RFC_SEED20);
	for (int64_t k = -3; k <= 3; k++) {
		code_at(code, &e, (uint64_t)(base + k));
		off = 99;
		CHECK_RC(totp_verify(&off, &e, code, now, 2),
		         k >= -2 && k <= 2 ? TOTP_OK : TOTP_E_MISMATCH,
		         "TOTP window 2, code of step %+lld", (long long)k);
		if (k >= -2 && k <= 2)
			CHECK(off == k, "TOTP offset %+lld (got %lld)", (long long)k,
			      (long long)off);
		else
			CHECK(off == 99, "TOTP mismatch leaves offset alone");
	}
	code_at(code, &e, (uint64_t)base);
	CHECK_RC(totp_verify(NULL, &e, code, now, 0), TOTP_OK, "window 0, NULL offset");
	CHECK_RC(totp_verify(&off, &e, code, now + 30, 0), TOTP_E_MISMATCH, "window 0, next step");

	snprintf(tmp, sizeof(tmp), "%s0", code);
	CHECK_RC(totp_verify(&off, &e, tmp, now, 1), TOTP_E_MISMATCH, "code with an extra digit");
	snprintf(tmp, sizeof(tmp), "%.5s", code);
	CHECK_RC(totp_verify(&off, &e, tmp, now, 1), TOTP_E_MISMATCH, "code one digit short");
	CHECK_RC(totp_verify(&off, &e, "", now, 1), TOTP_E_MISMATCH, "empty code");
	snprintf(tmp, sizeof(tmp), "%s", code);
	tmp[3] = 'x';
	CHECK_RC(totp_verify(&off, &e, tmp, now, 1), TOTP_E_MISMATCH, "code with a letter");
	CHECK_RC(totp_verify(&off, &e, "123456789012345678901234", now, 1), TOTP_E_MISMATCH,
	         "very long code");

	/* Steam: the alphabet, any case. */
	entry(&e, TOTP_TYPE_STEAM, TOTP_ALGO_SHA1, 5, 30,
	      "f6c241d850caa70b3c92045048afa39ce051266a");
	CHECK_RC(totp_verify(&off, &e, "FR8RV", 1511200518 + 60, 2), TOTP_OK,
	         "Steam two steps back");
	CHECK(off == -2, "Steam offset -2 (got %lld)", (long long)off);
	CHECK_RC(totp_verify(&off, &e, "fr8rv", 1511200518, 0), TOTP_OK, "Steam lower case");
	CHECK_RC(totp_verify(&off, &e, "FR8RV", 1511200518 + 90, 2), TOTP_E_MISMATCH,
	         "Steam three steps back");

	/* Near the ends of time: steps below 0 or above INT64_MAX are skipped. */
	entry(&e, TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, RFC_SEED20);
	code_at(code, &e, 0);
	CHECK_RC(totp_verify(&off, &e, code, 30, 2), TOTP_OK, "step 0 from step 1");
	CHECK(off == -1, "step 0 from step 1: offset -1");
	CHECK_RC(totp_verify(&off, &e, code, -100, 3), TOTP_E_MISMATCH, "before 1970: no steps");
	CHECK_RC(totp_verify(&off, &e, code, -100, 4), TOTP_OK, "before 1970, window reaching 0");
	CHECK(off == 4, "before 1970: step 0 at offset +4");
	e.period = 1;
	code_at(code, &e, INT64_MAX);
	CHECK_STR(code, "181742", "code at step INT64_MAX");
	CHECK_RC(totp_verify(&off, &e, code, INT64_MAX, 5), TOTP_OK, "now = INT64_MAX");
	CHECK(off == 0, "now = INT64_MAX: offset 0");
	CHECK_RC(totp_verify(&off, &e, code, INT64_MAX - 3, 5), TOTP_OK, "INT64_MAX - 3, window 5");
	CHECK(off == 3, "INT64_MAX - 3: offset 3");
	CHECK_RC(totp_verify(&off, &e, code, INT64_MIN, 5), TOTP_E_MISMATCH, "now = INT64_MIN");

	/* The widest window (at the end of time, so only the million steps
	 * before now exist); 10 digits make a chance collision unlikely. */
	e.digits = 10;
	code_at(code, &e, INT64_MAX - 1000000);
	CHECK_RC(totp_verify(&off, &e, code, INT64_MAX, 1000000), TOTP_OK, "window 1,000,000");
	CHECK(off == -1000000, "window 1,000,000: offset -1,000,000 (got %lld)", (long long)off);
	CHECK_RC(totp_verify(&off, &e, code, now, 1000001), TOTP_E_INVAL, "window 1,000,001");
	CHECK_RC(totp_verify(&off, &e, code, now, UINT64_MAX), TOTP_E_INVAL, "window 2^64-1");
}

static void check_verify_hotp(void)
{
	struct totp_entry e;
	char code[TOTP_CODE_MAX];
	int64_t off;

	entry(&e, TOTP_TYPE_HOTP, TOTP_ALGO_SHA1, 6, 30, RFC_SEED20);
	e.counter = 1000;
	code_at(code, &e, 1000 + 12345);
	off = -1;
	CHECK_RC(totp_verify(&off, &e, code, 0, 1000000), TOTP_OK, "HOTP c+12345 in 1,000,000");
	CHECK(off == 12345, "HOTP offset 12345 (got %lld)", (long long)off);
	CHECK_RC(totp_verify(&off, &e, code, 0, 12345), TOTP_OK, "HOTP c+12345 at the window edge");
	CHECK(off == 12345, "HOTP offset at the edge");
	off = -1;
	CHECK_RC(totp_verify(&off, &e, code, 0, 12344), TOTP_E_MISMATCH, "HOTP just outside");
	CHECK(off == -1, "HOTP mismatch leaves offset alone");
	code_at(code, &e, 1000);
	CHECK_RC(totp_verify(&off, &e, code, 0, 0), TOTP_OK, "HOTP window 0, current counter");
	CHECK(off == 0, "HOTP offset 0");
	code_at(code, &e, 999);
	CHECK_RC(totp_verify(&off, &e, code, 0, 10), TOTP_E_MISMATCH, "HOTP counter behind");

	/* RFC 4226 Appendix D from counter 0: the first match wins. */
	e.counter = 0;
	CHECK_RC(totp_verify(&off, &e, "969429", 0, 9), TOTP_OK, "HOTP RFC count 3");
	CHECK(off == 3, "HOTP RFC count 3: offset");
	CHECK_RC(totp_verify(&off, &e, "287922", 0, 9), TOTP_OK, "HOTP RFC count 6");
	CHECK(off == 6, "HOTP RFC count 6: offset");
	CHECK_RC(totp_verify(&off, &e, "28792", 0, 9), TOTP_E_MISMATCH, "HOTP short code");
	CHECK_RC(totp_verify(&off, &e, "2879220", 0, 9), TOTP_E_MISMATCH, "HOTP long code");
	CHECK_RC(totp_verify(&off, &e, "28792a", 0, 9), TOTP_E_MISMATCH, "HOTP letter in code");
	CHECK_RC(totp_verify(&off, &e, " 287922", 0, 9), TOTP_E_MISMATCH, "HOTP leading space");
	e.digits = 8;
	CHECK_RC(totp_verify(&off, &e, "45520489", 0, 9), TOTP_OK, "HOTP 8 digits");
	CHECK(off == 9, "HOTP 8 digits: offset 9");
	e.digits = 10;
	CHECK_RC(totp_verify(&off, &e, "0645520489", 0, 9), TOTP_OK, "HOTP 10 digits");
	CHECK(off == 9, "HOTP 10 digits: offset 9");
	e.digits = 6;

	/* The search stops at UINT64_MAX instead of wrapping to 0. */
	e.counter = UINT64_MAX - 2;
	CHECK_RC(totp_verify(&off, &e, "094451", 0, 10), TOTP_OK, "HOTP counter 2^64-1");
	CHECK(off == 2, "HOTP counter 2^64-1: offset 2");
	CHECK_RC(totp_verify(&off, &e, "755224", 0, 10), TOTP_E_MISMATCH,
	         "HOTP does not wrap to 0");
	CHECK_RC(totp_verify(&off, &e, "094451", 0, 10000000), TOTP_OK, "HOTP window 10,000,000");
	CHECK_RC(totp_verify(&off, &e, "094451", 0, 100000001), TOTP_E_INVAL,
	         "HOTP window above 100,000,000");

	/* SHA-256 and SHA-512 look-ahead (Aegis vectors). */
	entry(&e, TOTP_TYPE_HOTP, TOTP_ALGO_SHA256, 7, 30, "552a94b99feed079b472cd44d52fe642");
	e.counter = 10;
	CHECK_RC(totp_verify(&off, &e, "4444976", 0, 100), TOTP_OK, "HOTP SHA256 look-ahead");
	CHECK(off == 40, "HOTP SHA256 offset 40");
	entry(&e, TOTP_TYPE_HOTP, TOTP_ALGO_SHA512, 8, 30, "ed40c5eefbecce2206b15d75c1182a76");
	e.counter = 10000;
	CHECK_RC(totp_verify(&off, &e, "24622277", 0, 1000), TOTP_OK, "HOTP SHA512 look-ahead");
	CHECK(off == 300, "HOTP SHA512 offset 300");
}

static void check_errors(void)
{
	struct totp_entry e;
	char out[TOTP_CODE_MAX];
	int64_t off;

	entry(&e, TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 3, 30, RFC_SEED20);
	CHECK_RC(totp_totp(out, sizeof(out), &e, 59, 0), TOTP_E_DIGITS, "digits 3");
	CHECK_RC(totp_hotp(out, sizeof(out), &e, 1), TOTP_E_DIGITS, "digits 3 (hotp)");
	CHECK_RC(totp_verify(&off, &e, "123", 59, 1), TOTP_E_DIGITS, "digits 3 (verify)");
	e.digits = 11;
	CHECK_RC(totp_totp(out, sizeof(out), &e, 59, 0), TOTP_E_DIGITS, "digits 11");
	e.type = TOTP_TYPE_HOTP;
	CHECK_RC(totp_verify(&off, &e, "12345678901", 59, 1), TOTP_E_DIGITS,
	         "digits 11 (HOTP verify)");
	e.type = TOTP_TYPE_TOTP;
	e.digits = 6;
	e.period = 0;
	CHECK_RC(totp_totp(out, sizeof(out), &e, 59, 0), TOTP_E_PERIOD, "period 0");
	CHECK_RC(totp_code(out, sizeof(out), &e, 59), TOTP_E_PERIOD, "period 0 (code)");
	CHECK_RC(totp_verify(&off, &e, "287082", 59, 1), TOTP_E_PERIOD, "period 0 (verify)");
	e.period = TOTP_PERIOD_MAX + 1;
	CHECK_RC(totp_totp(out, sizeof(out), &e, 59, 0), TOTP_E_PERIOD, "period 3601");
	e.period = TOTP_PERIOD_MAX;
	CHECK_RC(totp_totp(out, sizeof(out), &e, 59, 0), TOTP_OK, "period 3600");
	e.period = 30;
	e.secret_len = 0;
	CHECK_RC(totp_totp(out, sizeof(out), &e, 59, 0), TOTP_E_SECRET_EMPTY, "empty secret");
	CHECK_RC(totp_verify(&off, &e, "287082", 59, 1), TOTP_E_SECRET_EMPTY,
	         "empty secret (verify)");
	e.secret_len = TOTP_SECRET_MAX + 1;
	CHECK_RC(totp_totp(out, sizeof(out), &e, 59, 0), TOTP_E_SECRET_LONG, "secret too long");
	e.secret_len = 20;
	CHECK_RC(totp_totp(out, 6, &e, 59, 0), TOTP_E_NOSPACE, "buffer of 6 for 6 digits");
	CHECK_RC(totp_totp(out, 0, &e, 59, 0), TOTP_E_NOSPACE, "buffer of 0");
	CHECK_RC(totp_totp(out, 7, &e, 59, 0), TOTP_OK, "buffer of 7 for 6 digits");
	CHECK_STR(out, "287082", "buffer of 7 holds the code");
	CHECK_RC(totp_totp(NULL, 7, &e, 59, 0), TOTP_E_INVAL, "NULL output");
	e.type = TOTP_TYPE_STEAM;
	CHECK_RC(totp_totp(out, 5, &e, 59, 0), TOTP_E_NOSPACE, "Steam buffer of 5");
	e.type = (enum totp_type)7;
	CHECK_RC(totp_code(out, sizeof(out), &e, 59), TOTP_E_ENTRY, "unknown type");
	CHECK_RC(totp_verify(&off, &e, "287082", 59, 1), TOTP_E_ENTRY, "unknown type (verify)");
	e.type = TOTP_TYPE_TOTP;
	e.algo = (enum totp_algo)3;
	CHECK_RC(totp_totp(out, sizeof(out), &e, 59, 0), TOTP_E_ALGO, "unknown algorithm");
	e.algo = TOTP_ALGO_SHA1;
	CHECK_RC(totp_code(out, sizeof(out), NULL, 59), TOTP_E_INVAL, "NULL entry");
	CHECK_RC(totp_verify(&off, NULL, "287082", 59, 1), TOTP_E_INVAL, "NULL entry (verify)");
	CHECK_RC(totp_verify(&off, &e, NULL, 59, 1), TOTP_E_INVAL, "NULL code (verify)");
}

int main(void)
{
	if (sodium_init() < 0) {
		printf("not ok - sodium_init\n");
		return 1;
	}
	check_rfc4226();
	check_rfc6238();
	check_extra();
	check_format();
	check_time();
	check_verify_timed();
	check_verify_hotp();
	check_errors();
	TEST_EXIT();
}
