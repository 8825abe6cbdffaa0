/*
 * t_vault.c - the encrypted vault: round trips, the file layout checked by
 * an independent encoder/decoder written from totp-vault(5), an Argon2id
 * known answer, and malformed layouts and plaintexts.
 */
#include "vault_test.h"

/* -- tests -------------------------------------------------------------------- */

static void test_round_trip(void)
{
	struct totp_entry want[4];
	struct totp_vault *v = NULL;
	uint8_t key[32], key2[32], *file;
	struct totp_vault_info info;
	size_t len;
	char sub[160];
	int rc;

	mk_entry(&want[0], "Ünïcødé Bank ✓", "alice@example.com", 20, TOTP_TYPE_TOTP,
	         TOTP_ALGO_SHA1, 6, 0);
	mk_entry(&want[1], "", "bob — 東京", 64, TOTP_TYPE_TOTP, TOTP_ALGO_SHA512, 8, 0);
	mk_entry(&want[2], "HOTP Inc", "carol", 32, TOTP_TYPE_HOTP, TOTP_ALGO_SHA256, 7,
	         (1ULL << 40) + 3);
	mk_entry(&want[3], "Steam", "dave", 10, TOTP_TYPE_STEAM, TOTP_ALGO_SHA1, 5, 0);
	want[1].period = 60;

	snprintf(sub, sizeof(sub), "%s/sub/vault", dir);
	rc = totp_vault_create(&v, sub, pass, PASSLEN, &tiny);
	CHECK_RC(rc, TOTP_OK, "create in a missing directory");
	if (rc)
		return;
	CHECK(totp_vault_count(v) == 0 && totp_vault_header(v)->generation == 1,
	      "a new vault is empty, generation 1");
	for (int i = 0; i < 4; i++)
		CHECK_RC(totp_vault_add(v, &want[i]), TOTP_OK, "add entry %d", i);
	CHECK_RC(totp_vault_save(v), TOTP_OK, "save");
	totp_vault_key(v, key);
	totp_vault_close(v);

	rc = totp_vault_open(&v, sub, pass, PASSLEN, 0);
	CHECK_RC(rc, TOTP_OK, "open with the passphrase");
	CHECK(totp_vault_count(v) == 4, "four entries back");
	for (size_t i = 0; i < 4; i++)
		CHECK(same_entry(totp_vault_entry(v, i), &want[i]), "entry %zu identical", i);
	CHECK(totp_vault_entry(v, 4) == NULL, "entry past the end is NULL");
	totp_vault_key(v, key2);
	CHECK(memcmp(key, key2, 32) == 0, "same key from the passphrase");
	totp_vault_close(v);

	v = (struct totp_vault *)1;
	CHECK_RC(totp_vault_open(&v, sub, pass, PASSLEN - 1, 0), TOTP_E_AUTH,
	         "passphrase missing its last byte");
	CHECK(v == NULL, "no vault on failure");
	CHECK_RC(totp_vault_open(&v, sub, "pässwörd \xF0\x9F\x94\x91\n", PASSLEN + 1, 0),
	         TOTP_E_AUTH, "passphrase with a newline is another passphrase");
	CHECK_RC(totp_vault_open(&v, sub, "wrong", 5, 0), TOTP_E_AUTH, "wrong passphrase");

	CHECK_RC(totp_vault_open_key(&v, sub, key, TOTP_VAULT_WRITE), TOTP_OK, "open with the key");
	CHECK(totp_vault_count(v) == 4 && same_entry(totp_vault_entry(v, 2), &want[2]),
	      "the key opens the same entries");
	totp_vault_close(v);
	key[31] ^= 1;
	CHECK_RC(totp_vault_open_key(&v, sub, key, 0), TOTP_E_AUTH, "a key one bit off");

	CHECK_RC(totp_vault_info(&info, sub), TOTP_OK, "info");
	file = slurp(sub, &len);
	CHECK(info.version == 1 && info.kdf.opslimit == 1 && info.kdf.memlimit == 8192 &&
	              info.generation == 2 && info.file_size == len,
	      "info: version, KDF, generation and size");
	/* The documented layout, byte by byte. */
	CHECK(memcmp(file, "\x89\x54\x4f\x54\x50\x0d\x0a\x0a", 8) == 0, "magic bytes");
	CHECK(file[8] == 0 && file[9] == 1 && file[10] == 1 && file[11] == 0,
	      "version 1, KDF id 1, reserved 0");
	CHECK(get64(file + 16) == 8192 && file[15] == 1 && get64(file + 40) == 2,
	      "opslimit, memlimit and generation big-endian");
	CHECK(memcmp(file + 24, info.salt, 16) == 0, "salt at offset 24");
	CHECK((len - 72 - 16) % 256 == 0, "plaintext padded to 256 bytes");
	/* Decrypt it independently and read the entry count. */
	{
		uint8_t *m = malloc(len);
		unsigned long long mlen = 0;

		key[31] ^= 1;
		rc = crypto_aead_xchacha20poly1305_ietf_decrypt(m, &mlen, NULL, file + 72, len - 72,
		                                                file, 72, file + 48, key);
		CHECK(rc == 0 && mlen >= 4 && m[3] == 4 && m[0] == 0,
		      "AD = bytes 0..71, nonce at 48, count 4");
		CHECK(rc == 0 && m[8] == 1 && m[9] == 0 && m[10] == strlen(want[0].issuer),
		      "first field: issuer tag and length");
		free(m);
	}
	{
		uint8_t k3[32];

		CHECK(totp_kdf_derive(k3, pass, PASSLEN, info.salt, &info.kdf) == TOTP_OK &&
		              memcmp(k3, key, 32) == 0,
		      "the vault key is Argon2id(passphrase, salt, params)");
	}
	free(file);
}

static void test_kat(void)
{
	/* 115 bytes of UTF-8 with a trailing space.  Expected outputs were
	 * computed with two independent Argon2id implementations (the
	 * reference "argon2" program from Debian, and @noble/hashes for
	 * JavaScript), t=3, m=64 KiB, p=1, 32 bytes, version 0x13. */
	static const char p[] = "Grüße aus Köln — 東京都の秘密 — Ελληνικά κλειδιά — "
	                        "🔑🗝️ correct horse battery ";
	static const struct {
		size_t extra;
		const char *hex;
	} kat[] = {
	        {0, "09c5e26b128d861e1c0d6bfcefd320e51196dcb3a51c2356c703e4e3b0a6503d"},
	        {1,
	         "9b8a4c1a0b857d157bdd5019dd0393050fdac2e4d184a3c17538b631dbdbb1eb"}, /* + "\n" */
	        {1, "566dc3e8662294dc8e217771e36e56dcaa09ee28f77d3154fa5610009032ac18"}, /* + NUL */
	};
	struct totp_kdf k = {.opslimit = 3, .memlimit = 65536};
	uint8_t salt[16], key[32], want[32];
	char buf[sizeof(p) + 1];

	CHECK(sizeof(p) - 1 == 115, "KAT passphrase is 115 bytes");
	memcpy(salt, "totp-vault-kat16", 16);
	for (size_t i = 0; i < TOTP_ARRAY_LEN(kat); i++) {
		memcpy(buf, p, sizeof(p) - 1);
		buf[sizeof(p) - 1] = i == 1 ? '\n' : '\0';
		sodium_hex2bin(want, 32, kat[i].hex, 64, NULL, NULL, NULL);
		CHECK(totp_kdf_derive(key, buf, sizeof(p) - 1 + kat[i].extra, salt, &k) ==
		                      TOTP_OK &&
		              memcmp(key, want, 32) == 0,
		      "Argon2id known answer %zu", i);
	}
}

static void test_layout_errors(void)
{
	static const struct {
		const char *what;
		struct hdr h;
		int want;
	} t[] = {
	        {"version 0", {0, 1, 0, 1, 8192, 1}, TOTP_E_VERSION},
	        {"version 2", {2, 1, 0, 1, 8192, 1}, TOTP_E_VERSION},
	        {"KDF id 2", {1, 2, 0, 1, 8192, 1}, TOTP_E_KDF},
	        {"reserved 1", {1, 1, 1, 1, 8192, 1}, TOTP_E_KDF},
	        {"opslimit 0", {1, 1, 0, 0, 8192, 1}, TOTP_E_KDF},
	        {"opslimit 65537", {1, 1, 0, 65537, 8192, 1}, TOTP_E_KDF},
	        {"opslimit 2^32-1", {1, 1, 0, UINT32_MAX, 8192, 1}, TOTP_E_KDF},
	        {"memlimit 8191", {1, 1, 0, 1, 8191, 1}, TOTP_E_KDF},
	        {"memlimit 4 GiB + 1 KiB", {1, 1, 0, 1, (4ULL << 30) + 1024, 1}, TOTP_E_KDF},
	        {"memlimit 2^40", {1, 1, 0, 1, 1ULL << 40, 1}, TOTP_E_KDF},
	        {"memlimit 2^64-1", {1, 1, 0, 1, UINT64_MAX, 1}, TOTP_E_KDF},
	};
	struct totp_vault *v = NULL;
	struct totp_vault_info info;
	struct pt p = {.n = 0};
	struct rusage ru0, ru1;
	uint8_t *b;
	size_t len;
	double t0;

	pt_u32(&p, 0);
	for (size_t i = 0; i < TOTP_ARRAY_LEN(t); i++) {
		spill(vpath, filebuf, craft(filebuf, &t[i].h, p.b, p.n, test_key));
		getrusage(RUSAGE_SELF, &ru0);
		t0 = now();
		CHECK_RC(totp_vault_open(&v, vpath, pass, PASSLEN, 0), t[i].want, "%s", t[i].what);
		getrusage(RUSAGE_SELF, &ru1);
		CHECK(now() - t0 < 0.1 && ru1.ru_maxrss - ru0.ru_maxrss < 16384,
		      "%s: refused in < 100 ms without allocating", t[i].what);
		CHECK_RC(totp_vault_open_key(&v, vpath, test_key, 0), t[i].want, "%s (key)",
		         t[i].what);
		CHECK_RC(totp_vault_info(&info, vpath), t[i].want, "%s (info)", t[i].what);
	}
	/* Text-mode transfer damage: CR LF -> LF, LF -> CR LF, high bit lost. */
	len = craft(filebuf, &std_hdr, p.b, p.n, test_key);
	b = malloc(len + 1);
	memcpy(b, filebuf, 5);
	memcpy(b + 5, filebuf + 6, len - 6);
	spill(vpath, b, len - 1);
	CHECK_RC(totp_vault_info(&info, vpath), TOTP_E_FORMAT, "CR LF turned into LF");
	memcpy(b, filebuf, 7);
	b[7] = '\r';
	memcpy(b + 8, filebuf + 7, len - 7);
	spill(vpath, b, len + 1);
	CHECK_RC(totp_vault_info(&info, vpath), TOTP_E_FORMAT, "LF turned into CR LF");
	filebuf[0] &= 0x7f;
	spill(vpath, filebuf, len);
	CHECK_RC(totp_vault_open_key(&v, vpath, test_key, 0), TOTP_E_FORMAT, "high bit stripped");
	free(b);
}

static void test_plaintext(void)
{
	static const struct {
		const char *what;
		int want;
	} t[] = {
	        {"empty plaintext", TOTP_E_CORRUPT},
	        {"3 bytes", TOTP_E_CORRUPT},
	        {"count 1, no record", TOTP_E_CORRUPT},
	        {"count 2^32-1", TOTP_E_CORRUPT},
	        {"record longer than the plaintext", TOTP_E_CORRUPT},
	        {"field longer than its record", TOTP_E_CORRUPT},
	        {"field header cut short", TOTP_E_CORRUPT},
	        {"account twice", TOTP_E_CORRUPT},
	        {"period of 3 bytes", TOTP_E_CORRUPT},
	        {"counter of 4 bytes", TOTP_E_CORRUPT},
	        {"NUL inside the account", TOTP_E_CORRUPT},
	        {"issuer of 256 bytes", TOTP_E_CORRUPT},
	        {"secret of 129 bytes", TOTP_E_CORRUPT},
	        {"non-zero padding", TOTP_E_CORRUPT},
	        {"issuer of 255 bytes", TOTP_OK},
	        {"secret of 128 bytes", TOTP_OK},
	        {"no entries, 1000 bytes of padding", TOTP_OK},
	        {"unknown tags 0, 9, 200, 255", TOTP_OK},
	        {"record without fields", TOTP_OK},
	        {"invalid UTF-8 account, type 7, algo 9", TOTP_OK},
	        {"no entries, no padding", TOTP_OK},
	};
	uint8_t big[300];
	struct totp_vault *v = NULL;
	struct totp_entry *e;

	memset(big, 'x', sizeof(big));
	for (size_t i = 0; i < TOTP_ARRAY_LEN(t); i++) {
		struct pt p = {.n = 0};
		size_t r;
		int rc;

		switch (i) {
		case 0:
			break;
		case 1:
			pt_put(&p, "\0\0\0", 3);
			break;
		case 2:
			pt_u32(&p, 1);
			break;
		case 3:
			pt_u32(&p, UINT32_MAX);
			pt_put(&p, big, 64);
			break;
		case 4:
			pt_u32(&p, 1);
			pt_u32(&p, 100);
			pt_put(&p, big, 10);
			break;
		case 5:
			pt_u32(&p, 1);
			pt_u32(&p, 5);
			pt_put(&p, "\x02\x00\x0axx", 5);
			break;
		case 6:
			pt_u32(&p, 1);
			pt_u32(&p, 2);
			pt_put(&p, "\x02\x00", 2);
			break;
		case 7:
			pt_u32(&p, 1);
			r = rec_begin(&p);
			pt_field(&p, 2, "a", 1);
			pt_field(&p, 2, "b", 1);
			rec_end(&p, r);
			break;
		case 8:
		case 9:
			pt_u32(&p, 1);
			r = rec_begin(&p);
			pt_int(&p, i == 8 ? 7 : 8, 30, i == 8 ? 3 : 4);
			rec_end(&p, r);
			break;
		case 10:
		case 11:
		case 12:
		case 14:
		case 15:
			pt_u32(&p, 1);
			r = rec_begin(&p);
			if (i == 10)
				pt_field(&p, 2, "a\0b", 3);
			else if (i == 11 || i == 14)
				pt_field(&p, 1, big, i == 11 ? 256 : 255);
			else
				pt_field(&p, 3, big, i == 12 ? 129 : 128);
			rec_end(&p, r);
			break;
		case 13:
			pt_u32(&p, 0);
			pt_put(&p, "\0\0\0\1", 4);
			break;
		case 16:
			pt_u32(&p, 0);
			memset(p.b + 4, 0, 1000);
			p.n += 1000;
			break;
		case 17:
			pt_u32(&p, 2);
			r = rec_begin(&p);
			pt_field(&p, 0, "zero", 4);
			pt_field(&p, 2, "acct", 4);
			pt_field(&p, 9, big, 300);
			pt_field(&p, 3, "S3CRET", 6);
			pt_field(&p, 200, "", 0);
			pt_int(&p, 6, 8, 1);
			pt_field(&p, 255, "\x01\x02", 2);
			rec_end(&p, r);
			pt_std_entry(&p, "second", 6);
			break;
		case 18:
			pt_u32(&p, 1);
			pt_u32(&p, 0);
			break;
		case 19:
			pt_u32(&p, 1);
			r = rec_begin(&p);
			pt_field(&p, 2, "\xc3\x28", 2);
			pt_int(&p, 4, 7, 1);
			pt_int(&p, 5, 9, 1);
			rec_end(&p, r);
			break;
		default:
			pt_u32(&p, 0);
			break;
		}
		rc = open_crafted(&v, &std_hdr, &p);
		CHECK_RC(rc, t[i].want, "plaintext: %s", t[i].what);
		if (rc)
			continue;
		e = totp_vault_entry(v, 0);
		if (i == 14)
			CHECK(e && strlen(e->issuer) == 255, "255-byte issuer kept");
		if (i == 15)
			CHECK(e && e->secret_len == 128, "128-byte secret kept");
		if (i == 17)
			CHECK(totp_vault_count(v) == 2 && strcmp(e->account, "acct") == 0 &&
			              e->secret_len == 6 && e->digits == 8 && e->period == 30 &&
			              strcmp(totp_vault_entry(v, 1)->account, "second") == 0,
			      "unknown tags skipped, known fields read");
		if (i == 18)
			CHECK(e && e->digits == 6 && e->period == 30 && e->type == TOTP_TYPE_TOTP &&
			              e->secret_len == 0 && e->account[0] == '\0',
			      "absent fields take the documented defaults");
		if (i == 19)
			CHECK(e && (unsigned)e->type == 7 && (unsigned)e->algo == 9 &&
			              totp_entry_check(e) != TOTP_OK,
			      "odd values loaded as they are, reported by totp_entry_check");
		totp_vault_close(v);
	}
}

int main(void)
{
	if (vt_setup("t_vault") != 0)
		return 1;
	test_round_trip();
	test_kat();
	test_layout_errors();
	test_plaintext();
	vt_done();
	TEST_EXIT();
}
