/*
 * t_backup.c - encrypted backup payloads: Base41 known answers, a pinned
 * payload, round trips of 1, 15 and 100 accounts, parts shuffled, the
 * size of 15 accounts as a QR code, format arguments and limits, and QR
 * codes rendered and scanned back (our scanner and the zbarimg program).
 * Damaged and hostile payloads are in t_backup_damage.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qrencode.h>
#include <sodium.h>

#include "backup_test.h"

/* ---- helpers -------------------------------------------------------------- */

/* QR version libqrencode picks for text in alphanumeric mode (0: error). */
static int qr_version_alnum(const char *text)
{
	QRcode *c = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int v = c ? c->version : 0;

	QRcode_free(c);
	return v;
}

static int qr_version_bytes(const uint8_t *data, size_t n)
{
	QRcode *c = QRcode_encodeData((int)n, data, 0, QR_ECLEVEL_M);
	int v = c ? c->version : 0;

	QRcode_free(c);
	return v;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_base41(void)
{
	static const struct {
		const char *bin;
		size_t len;
		const char *text;
	} kat[] = {
	        {"", 0, ""},
	        {"\x00", 1, "00"},
	        {"\xff", 1, "96"},
	        {"\x00\x00", 2, "000"},
	        {"\xff\xff", 2, "H:."},
	        {"AB", 2, "J.9"},
	        {"Hello!!", 7, "11B:KG+-GX0"},
	        {"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09", 10, "100NC04P0Q-0791"},
	};
	static const char *const bad[] = {"0",   "0000", "H:/", "::", "ZZ",
	                                  "0 0", "00*",  "$00", "0=0"};
	char t[64];
	uint8_t b[64];
	size_t n;

	for (size_t i = 0; i < TOTP_ARRAY_LEN(kat); i++) {
		totp_bk_text_encode(t, (const uint8_t *)kat[i].bin, kat[i].len);
		CHECK_STR(t, kat[i].text, "base41 encode %zu", i);
		CHECK(totp_bk_text_len(kat[i].len) == strlen(kat[i].text), "base41 length %zu", i);
		CHECK(totp_bk_text_decode(b, sizeof(b), &n, kat[i].text, strlen(kat[i].text)) ==
		                      TOTP_OK &&
		              n == kat[i].len && memcmp(b, kat[i].bin, n) == 0,
		      "base41 decode %zu", i);
	}
	CHECK(totp_bk_text_decode(b, sizeof(b), &n, "j.9", 3) == TOTP_OK && n == 2 &&
	              memcmp(b, "AB", 2) == 0,
	      "base41 folds lower case");
	for (size_t i = 0; i < TOTP_ARRAY_LEN(bad); i++)
		CHECK_RC(totp_bk_text_decode(b, sizeof(b), &n, bad[i], strlen(bad[i])),
		         TOTP_E_BACKUP, "base41 rejects \"%s\"", bad[i]);
	CHECK_RC(totp_bk_text_decode(b, 1, &n, "000", 3), TOTP_E_TOOBIG, "base41 output bound");
}

static void test_detect(void)
{
	static const struct {
		const char *s;
		int want;
	} cases[] = {
	        {"TOTPBACKUP1:000", 1},   {"  totpbackup1:", 1},
	        {"TOTPBACKUP27:X", 1},    {"TOTPBACKUP:000", 0},
	        {"TOTPBACKUP1", 0},       {"otpauth://totp/a?secret=A", 0},
	        {"XTOTPBACKUP1:0", 0},    {"", 0},
	        {"TOTPBACKUP12345:0", 0},
	};

	for (size_t i = 0; i < TOTP_ARRAY_LEN(cases); i++)
		CHECK(totp_backup_is_payload((const uint8_t *)cases[i].s, strlen(cases[i].s)) ==
		              cases[i].want,
		      "is_payload \"%s\"", cases[i].s);
	CHECK(!totp_backup_is_payload(NULL, 3), "is_payload NULL");
}

/* A payload made by this implementation, pinned: the format must not
 * drift.  Passphrase "correct horse", opslimit 1, memlimit 8 KiB; one
 * account GitHub:alice@example.org, secret "12345678901234567890" (the
 * RFC 4226 key), TOTP SHA1 6 digits 30 s.  Also shown in totp-backup(5). */
static const char pinned[] = "TOTPBACKUP1:B60470ENAO/KYEVB60000100000800100NC04P0Q-0791TL1"
                             "AY1W52JXMU78HMW.G3G:1X2RPVW93+BBI665-9EWD.HMEOBMVBCZYZ3J7Z98M.GL-"
                             "JQWD3ZT587SVUNZCJQQKTIC2OXL4/QL-GHHF4BSY73";

static void test_pinned(void)
{
	struct totp_qr_list l;
	struct totp_import im;
	struct pw p = {.pass = {"correct horse"}};
	struct totp_entry want;
	int rc;

	totp_entry_init(&want);
	strcpy(want.issuer, "GitHub");
	strcpy(want.account, "alice@example.org");
	memcpy(want.secret, "12345678901234567890", 20);
	want.secret_len = 20;
	totp_qr_list_init(&l);
	CHECK_RC(totp_qr_list_add(&l, (const uint8_t *)pinned, strlen(pinned), "pinned"), TOTP_OK,
	         "pinned: add");
	rc = import_list(&im, &l, &p);
	CHECK_RC(rc, TOTP_OK, "pinned: decodes");
	CHECK(same_entries(&im, &want, 1), "pinned: the account");
	CHECK_STR(p.last.id, "0123456789ABCDEF", "pinned: backup id");
	CHECK(p.last.kdf.opslimit == 1 && p.last.kdf.memlimit == 8192, "pinned: KDF cost");
	totp_import_clear(&im);
	totp_qr_list_free(&l);
}

/* Format n accounts, import them back with the parts in `order`. */
static void round_trip(size_t n, int mixed, size_t part_bytes, int shuffle)
{
	struct totp_entry *e = make_entries(n, (unsigned)n, mixed);
	struct totp_backup_opts o = {part_bytes};
	struct totp_backup_export x;
	struct totp_qr_list l;
	struct totp_import im;
	struct pw p = {.pass = {"backup pass"}};
	size_t order[TOTP_BACKUP_PARTS_MAX], maxlen = 0;
	int ok = 1;

	CHECK_RC(totp_backup_format(&x, e, n, "backup pass", 11, &tiny, &o), TOTP_OK,
	         "%zu accounts: format", n);
	for (size_t k = 0; k < x.count; k++) {
		size_t len = strlen(x.parts[k]);

		if (len > maxlen)
			maxlen = len;
		ok &= strncmp(x.parts[k], TOTP_BACKUP_PREFIX, BK_PREFIX_LEN) == 0;
		ok &= strspn(x.parts[k], "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+-./:") == len;
		ok &= len <=
		      BK_PREFIX_LEN +
		              totp_bk_text_len(part_bytes ? part_bytes : TOTP_BACKUP_PART_DEFAULT);
		order[k] = k;
	}
	CHECK(ok, "%zu accounts: %zu parts, prefix, QR alphanumeric characters, within budget", n,
	      x.count);
	if (shuffle) {
		uint64_t s = 12345;

		for (size_t k = x.count; k > 1; k--) {
			size_t j, t;

			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			j = (size_t)(s >> 33) % k;
			t = order[k - 1];
			order[k - 1] = order[j];
			order[j] = t;
		}
	}
	totp_qr_list_init(&l);
	list_of(&l, &x, order, x.count);
	CHECK_RC(import_list(&im, &l, &p), TOTP_OK, "%zu accounts%s: import", n,
	         shuffle ? " shuffled" : "");
	CHECK(same_entries(&im, e, n) && im.nproblems == 0, "%zu accounts: identical, in order", n);
	CHECK(p.calls == 1 && p.last.parts == x.count && p.last.found == x.count &&
	              strcmp(p.last.id, x.id) == 0,
	      "%zu accounts: passphrase asked once, told id and parts", n);
	CHECK_STR(im.format, "totp-backup", "%zu accounts: format name", n);
	printf("# %zu accounts: %zu part(s), longest payload %zu characters\n", n, x.count, maxlen);
	totp_import_clear(&im);
	totp_qr_list_free(&l);
	totp_backup_export_free(&x);
	sodium_free(e);
}

static void test_fifteen(void)
{
	struct totp_entry *e = make_entries(15, 15, 0);
	struct totp_backup_export x;
	uint8_t w[2048];
	size_t wlen, label_total = 0;
	int va, vb, vt;

	for (size_t i = 0; i < 15; i++)
		label_total += strlen(e[i].issuer) + 1 + strlen(e[i].account);
	CHECK_RC(totp_backup_format(&x, e, 15, "pw", 2, &tiny, NULL), TOTP_OK, "15: format");
	CHECK(x.count == 1, "15 typical accounts fit one part (got %zu)", x.count);
	wlen = to_wire(w, sizeof(w), x.parts[0]);
	va = qr_version_alnum(x.parts[0]);
	vb = qr_version_bytes(w, wlen);
	vt = qr_version_bytes((const uint8_t *)x.parts[0], strlen(x.parts[0]));
	printf("# 15 accounts (labels %zu chars on average, 20-byte secrets): %zu bytes, "
	       "%zu characters; QR version at level M: %d as text in alphanumeric mode, "
	       "%d as binary in byte mode, %d as text in byte mode\n",
	       label_total / 15, wlen, strlen(x.parts[0]), va, vb, vt);
	CHECK(va > 0 && va <= 25, "15 accounts: QR version %d <= 25 in alphanumeric mode", va);
	CHECK(vb > 0 && va <= vb + 1, "alphanumeric text costs at most one version over binary");
	totp_backup_export_free(&x);
	sodium_free(e);
}

static void test_format_args(void)
{
	struct totp_entry *e = make_entries(2, 6, 0);
	struct totp_backup_export x;
	struct totp_backup_opts o = {TOTP_BACKUP_PART_MIN - 1};
	struct totp_qr_list l, a, b;
	struct totp_import im;
	struct pw p = {.pass = {"p"}};
	char pass[TOTP_IMPORT_PASSWORD_MAX + 1];

	CHECK_RC(totp_backup_format(&x, e, 2, "p", 1, &tiny, &o), TOTP_E_INVAL, "part too small");
	o.part_bytes = TOTP_BACKUP_PART_MAX + 1;
	CHECK_RC(totp_backup_format(&x, e, 2, "p", 1, &tiny, &o), TOTP_E_INVAL, "part too large");
	CHECK_RC(totp_backup_format(&x, e, 2, "p", 0, &tiny, NULL), TOTP_E_INVAL,
	         "empty passphrase");
	memset(pass, 'x', sizeof(pass));
	CHECK_RC(totp_backup_format(&x, e, 2, pass, sizeof(pass), &tiny, NULL), TOTP_E_TOOBIG,
	         "passphrase over TOTP_IMPORT_PASSWORD_MAX");
	CHECK_RC(totp_backup_format(&x, e, 2, pass, TOTP_IMPORT_PASSWORD_MAX, &tiny, NULL), TOTP_OK,
	         "passphrase of TOTP_IMPORT_PASSWORD_MAX");
	totp_backup_export_free(&x);
	e[1].digits = 11;
	CHECK_RC(totp_backup_format(&x, e, 2, "p", 1, &tiny, NULL), TOTP_E_DIGITS, "invalid entry");
	CHECK(x.count == 0 && x.parts == NULL, "error leaves the export empty");
	e[1].digits = 6;
	memset(e[1].account, 'a', TOTP_LABEL_MAX - 1);
	e[1].account[TOTP_LABEL_MAX - 1] = '\0';
	o.part_bytes = TOTP_BACKUP_PART_MIN;
	CHECK_RC(totp_backup_format(&x, e, 2, "p", 1, &tiny, &o), TOTP_E_TOOBIG,
	         "entry larger than a part");
	o.part_bytes = 0;
	CHECK_RC(totp_backup_format(&x, e, 2, "p", 1, &tiny, &o), TOTP_OK,
	         "longest label fits the default part");
	totp_backup_export_free(&x);
	totp_backup_export_free(NULL);

	CHECK_RC(totp_backup_format(&x, NULL, 0, "p", 1, &tiny, NULL), TOTP_OK, "no accounts");
	CHECK(x.count == 1 && strlen(x.id) == 16, "no accounts: one part");
	totp_qr_list_init(&l);
	list_of(&l, &x, NULL, x.count);
	if (totp_qr_list_add(&l, (const uint8_t *)"otpauth://totp/a?secret=GEZDGNBV", 32, "uri"))
		abort();
	CHECK_RC(import_list(&im, &l, &p), TOTP_OK, "no accounts: import");
	CHECK(im.count == 0 && im.nproblems == 0 && p.calls == 1,
	      "no accounts: nothing, other payloads ignored");
	totp_import_clear(&im);
	totp_qr_list_init(&a);
	totp_qr_list_init(&b);
	CHECK_RC(totp_backup_split(&a, &b, &l), TOTP_OK, "split");
	CHECK(a.count == 1 && b.count == 1 && strcmp(b.items[0].source, "uri") == 0 &&
	              totp_backup_is_payload(a.items[0].data, a.items[0].len),
	      "split: one backup payload, one other");
	totp_qr_list_free(&a);
	totp_qr_list_free(&b);
	totp_qr_list_free(&l);
	totp_backup_export_free(&x);

	/* Many parts: 255 at most. */
	{
		struct totp_entry *m = make_entries(400, 8, 0);

		o.part_bytes = TOTP_BACKUP_PART_MIN;
		CHECK_RC(totp_backup_format(&x, m, 255, "p", 1, &tiny, &o), TOTP_OK, "255 parts");
		CHECK(x.count == 255, "255 parts: count %zu", x.count);
		totp_backup_export_free(&x);
		CHECK_RC(totp_backup_format(&x, m, 256, "p", 1, &tiny, &o), TOTP_E_TOOBIG,
		         "256 parts: TOTP_E_TOOBIG");
		sodium_free(m);
	}
	sodium_free(e);
}

/* Render every part with totp_qr_png, read it back with our scanner, and
 * once with the zbarimg program. */
static void test_png(void)
{
	struct totp_entry *e = make_entries(40, 9, 1);
	struct totp_backup_export x;
	struct totp_qr_list l;
	struct totp_import im;
	struct pw p = {.pass = {"png"}};
	int ok = 1, rc;

	if (totp_backup_format(&x, e, 40, "png", 3, &tiny, NULL)) {
		CHECK(0, "png: format");
		return;
	}
	totp_qr_list_init(&l);
	for (size_t k = x.count; k-- > 0 && ok;) {
		uint8_t *png = NULL;
		size_t plen = 0;
		struct totp_image img = {0};

		rc = totp_qr_png(&png, &plen, (const uint8_t *)x.parts[k], strlen(x.parts[k]),
		                 NULL);
		ok = rc == TOTP_OK && totp_image_load(&img, png, plen) == TOTP_OK;
		if (ok) {
			rc = totp_qr_scan(&l, &img, "png", NULL);
			if (rc == TOTP_E_LIBRARY) {
				printf("ok - # SKIP png: zbar not available\n");
				ok = 0;
				x.count = 0;
			}
			ok = ok && rc == TOTP_OK;
		}
		if (ok && k == 0 && system("command -v zbarimg >/dev/null 2>&1") == 0) {
			char path[] = "/tmp/t_backup_XXXXXX", cmd[128], got[TOTP_BACKUP_TEXT_MAX];
			int fd = mkstemp(path);
			FILE *f;
			size_t n = 0;

			if (fd >= 0 && write(fd, png, plen) == (ssize_t)plen) {
				snprintf(
				        cmd, sizeof(cmd),
				        "zbarimg -q --raw -Sdisable -Sqrcode.enable %s 2>/dev/null",
				        path);
				f = popen(cmd, "r");
				if (f) {
					n = fread(got, 1, sizeof(got) - 1, f);
					pclose(f);
				}
				got[n] = '\0';
				if (n && got[n - 1] == '\n')
					got[n - 1] = '\0';
				CHECK_STR(got, x.parts[0],
				          "zbarimg reads part 1 as the payload text");
			}
			if (fd >= 0) {
				close(fd);
				unlink(path);
			}
		}
		totp_image_free(&img);
		totp_qr_free(png);
	}
	if (x.count) {
		CHECK(ok && l.count == x.count, "png: %zu parts rendered and scanned", x.count);
		rc = import_list(&im, &l, &p);
		CHECK(rc == TOTP_OK && same_entries(&im, e, 40), "png: 40 accounts restored");
		totp_import_clear(&im);
	}
	totp_qr_list_free(&l);
	totp_backup_export_free(&x);
	sodium_free(e);
}

int main(void)
{
	if (totp_init() != TOTP_OK)
		return 1;
	test_base41();
	test_detect();
	test_pinned();
	round_trip(1, 0, 0, 0);
	round_trip(15, 0, 0, 0);
	round_trip(100, 1, 0, 0);
	round_trip(100, 1, 0, 1);
	round_trip(60, 1, TOTP_BACKUP_PART_MIN, 1);
	round_trip(200, 1, TOTP_BACKUP_PART_MAX, 1);
	test_fifteen();
	test_format_args();
	test_png();
	TEST_EXIT();
}
