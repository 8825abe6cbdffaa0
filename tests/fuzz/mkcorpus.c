/*
 * mkcorpus.c - builds the seed corpus of every fuzz target:
 *     mkcorpus OUTDIR TOPDIR
 * writes OUTDIR/<target>/<hash> files from the test fixtures under
 * TOPDIR/tests (import files, URIs quoted in the tests) and from inputs
 * made here with the library: formatted URIs, migration exports, vaults
 * (tiny KDF, re-encrypted with the vault target's fixed key), PNGs of
 * every colour type and JPEGs.  Each seed has the target's selector or
 * mode byte in front where the target takes one (see each harness).
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fuzz_formats.h"
#include "image_util.h"
#include "qr.h"
#include "totp.h"
#include "vault_internal.h"

static const char *outdir;
static unsigned nwritten;

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "mkcorpus: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* OUTDIR/target/<hash of the bytes>: identical seeds collapse. */
static void seed2(const char *target, int prefix, const void *a, size_t alen, const void *b,
                  size_t blen)
{
	unsigned char h[8];
	crypto_generichash_state st;
	char path[4096];
	uint8_t p = (uint8_t)prefix;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die(path);
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	if (prefix >= 0)
		crypto_generichash_update(&st, &p, 1);
	crypto_generichash_update(&st, a, alen);
	if (blen)
		crypto_generichash_update(&st, b, blen);
	crypto_generichash_final(&st, h, sizeof(h));
	snprintf(path + strlen(path), sizeof(path) - strlen(path),
	         "/%02x%02x%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3], h[4], h[5], h[6],
	         h[7]);
	f = fopen(path, "wb");
	if (!f)
		die(path);
	if ((prefix >= 0 && fwrite(&p, 1, 1, f) != 1) || fwrite(a, 1, alen, f) != alen ||
	    (blen && fwrite(b, 1, blen, f) != blen) || fclose(f) != 0)
		die(path);
	nwritten++;
}

static void seed(const char *target, int prefix, const void *d, size_t n)
{
	seed2(target, prefix, d, n, NULL, 0);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		die(path);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* ---- entries ------------------------------------------------------------ */

struct proto {
	const char *issuer, *account, *secret_b32;
	enum totp_type type;
	enum totp_algo algo;
	unsigned digits, period;
	uint64_t counter;
};

static const struct proto protos[] = {
        {"ACME Co", "john.doe@email.com", "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ", TOTP_TYPE_TOTP,
         TOTP_ALGO_SHA1, 6, 30, 0},
        {"Air Canada", "Benjamin", "KUVJJOM753IHTNDSZVCNKL7GII", TOTP_TYPE_HOTP, TOTP_ALGO_SHA256,
         7, 30, 50},
        {"", "alice", "JBSWY3DPEHPK3PXP", TOTP_TYPE_TOTP, TOTP_ALGO_SHA512, 8, 60, 0},
        {"Steam", "gaben", "JBSWY3DPEHPK3PXQ", TOTP_TYPE_STEAM, TOTP_ALGO_SHA1, 5, 30, 0},
        {"encoding: \xc2\xbf\xc3\xa4\xc3\x84", "\xc3\xa9\xc3\x89? (demo) & a=b",
         "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 6, 30, 0},
        {"Big%Corp", "x+y/z?#", "AE", TOTP_TYPE_HOTP, TOTP_ALGO_SHA1, 8, 30,
         18446744073709551615ull},
        {"Ten", "digits", "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPI", TOTP_TYPE_TOTP,
         TOTP_ALGO_SHA256, 10, 3600, 0},
        {"Four", "digits", "MFRGGZDF", TOTP_TYPE_TOTP, TOTP_ALGO_SHA1, 4, 1, 0},
        {"GitHub", "octo", "7KSQL2JTUDIS5EF65KLMRQIIGY", TOTP_TYPE_HOTP, TOTP_ALGO_SHA1, 6, 30, 4},
        {"", "hotp demo", "JBSWY3DPEHPK3PXR", TOTP_TYPE_TOTP, TOTP_ALGO_SHA512, 8, 30, 0},
};
#define NPROTOS (sizeof(protos) / sizeof(protos[0]))

static struct totp_entry *make_entries(size_t *n)
{
	struct totp_entry *es = totp_secure_alloc(NPROTOS * sizeof(*es));

	if (!es)
		die("alloc");
	for (size_t i = 0; i < NPROTOS; i++) {
		const struct proto *p = &protos[i];
		struct totp_entry *e = &es[i];

		totp_entry_init(e);
		snprintf(e->issuer, sizeof(e->issuer), "%s", p->issuer);
		snprintf(e->account, sizeof(e->account), "%s", p->account);
		if (totp_base32_decode(e->secret, sizeof(e->secret), &e->secret_len, p->secret_b32,
		                       strlen(p->secret_b32)) != TOTP_OK) {
			fprintf(stderr, "mkcorpus: bad secret %s\n", p->secret_b32);
			exit(1);
		}
		e->type = p->type;
		e->algo = p->algo;
		e->digits = p->digits;
		e->period = p->period;
		e->counter = p->counter;
		if (totp_entry_check(e) != TOTP_OK) {
			fprintf(stderr, "mkcorpus: entry %zu invalid\n", i);
			exit(1);
		}
	}
	*n = NPROTOS;
	return es;
}

/* ---- URIs, base32, migration -------------------------------------------- */

static void uri_seed(const char *s, size_t n)
{
	if (n > 10 && strncmp(s, "otpauth-migration:", 18) == 0) {
		uint8_t *pb = malloc(n);
		size_t pblen = 0;

		seed("migration", 0, s, n);
		if (pb && totp_mig_decode(pb, n, &pblen, (const uint8_t *)s, n) == TOTP_OK)
			seed("migration", 1, pb, pblen);
		free(pb);
	} else {
		seed("uri", -1, s, n);
		seed("import_text", 2, s, n); /* an otpauth list of one */
	}
}

/* Every otpauth://, otpauth-migration:// and steam:// URI quoted in a file,
 * up to a quote, white space or a backslash; a C string continued as
 * "..." "..." on the next line is joined. */
static void uris_in_file(const char *path)
{
	static const char *const schemes[] = {"otpauth://", "otpauth-migration://", "steam://"};
	size_t len;
	char *text = (char *)slurp(path, &len), *uri = malloc(len + 1);

	if (!uri)
		die("alloc");
	for (size_t i = 0; i < len; i++)
		for (size_t k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
			size_t sl = strlen(schemes[k]), e = i, n = 0;

			if (len - i < sl || strncmp(text + i, schemes[k], sl) != 0)
				continue;
			if (i > 0 && (text[i - 1] == '-' || text[i - 1] == '/'))
				continue;
			for (;;) {
				size_t q;

				while (e < len && text[e] != '"' && text[e] != '\'' &&
				       text[e] != '\\' && text[e] != ' ' && text[e] != '\n' &&
				       text[e] != '\t' && text[e] != '\r')
					uri[n++] = text[e++];
				if (e >= len || text[e] != '"')
					break;
				for (q = e + 1; q < len && strchr(" \t\r\n", text[q]); q++)
					;
				if (q >= len || text[q] != '"' || q == e + 1)
					break;
				e = q + 1;
			}
			if (n > sl)
				uri_seed(uri, n);
			i = e - 1;
			break;
		}
	free(uri);
	free(text);
}

static void uris_in_dir(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];

	if (!d)
		die(dir);
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name), sl = strlen(suffix);

		if (de->d_name[0] == '.' || n < sl || strcmp(de->d_name + n - sl, suffix) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		uris_in_file(path);
	}
	closedir(d);
}

static void uri_and_migration_seeds(const struct totp_entry *es, size_t n)
{
	char uri[TOTP_URI_MAX];
	struct totp_migration_export x;
	struct totp_migration_opts mo = {1, 0, 1, -1558849573};
	size_t migok = 0;
	int rc;
	struct totp_entry *mig = totp_secure_alloc(n * sizeof(*mig));

	if (!mig)
		die("alloc");
	for (size_t i = 0; i < n; i++) {
		if (totp_uri_format(uri, sizeof(uri), &es[i]) != TOTP_OK)
			die("totp_uri_format");
		uri_seed(uri, strlen(uri));
		seed("base32", -1, strchr(uri, '=') + 1, strcspn(strchr(uri, '=') + 1, "&"));
		if (totp_migration_check(&es[i]) == TOTP_OK)
			mig[migok++] = es[i];
	}
	/* A three-part export: its URIs one per line, and its raw parts. */
	memset(&x, 0, sizeof(x));
	if ((rc = totp_migration_format(&x, mig, migok, &mo)) != TOTP_OK || x.count < 2) {
		fprintf(stderr,
		        "mkcorpus: totp_migration_format: %s (%zu of %zu entries, %zu parts)\n",
		        totp_strerror(rc), migok, n, x.count);
		exit(1);
	}
	{
		struct iu_buf text = {0}, raw = {0};

		for (size_t i = 0; i < x.count; i++) {
			size_t ul = strlen(x.uris[i]), pblen = 0;
			uint8_t *pb = malloc(ul);

			uri_seed(x.uris[i], ul);
			if (i)
				iu_buf_put(&text, "\n", 1);
			iu_buf_put(&text, x.uris[i], ul);
			if (!pb || totp_mig_decode(pb, ul, &pblen, (const uint8_t *)x.uris[i], ul))
				die("totp_mig_decode");
			if (i)
				iu_buf_put(&raw, "\x1e\x1e", 2);
			iu_buf_put(&raw, pb, pblen);
			free(pb);
		}
		seed("migration", 0, text.p, text.len);
		seed("migration", 1, raw.p, raw.len);
		/* The parts out of order, one missing, and with a plain URI. */
		if (totp_uri_format(uri, sizeof(uri), &es[0]) != TOTP_OK)
			die("totp_uri_format");
		seed2("migration", 0, x.uris[x.count - 1], strlen(x.uris[x.count - 1]), "\n", 1);
		{
			struct iu_buf mixed = {0};

			iu_buf_put(&mixed, uri, strlen(uri));
			iu_buf_put(&mixed, "\n", 1);
			iu_buf_put(&mixed, x.uris[1], strlen(x.uris[1]));
			iu_buf_put(&mixed, "\n", 1);
			iu_buf_put(&mixed, x.uris[0], strlen(x.uris[0]));
			seed("migration", 0, mixed.p, mixed.len);
			seed("migration", 2, mixed.p, mixed.len);
			free(mixed.p);
		}
		free(text.p);
		free(raw.p);
	}
	totp_migration_export_free(&x);
	totp_wipe(uri, sizeof(uri));
	totp_secure_free(mig);
}

static void base32_seeds(void)
{
	static const char *const v[] = {
	        "",
	        "MY",
	        "MZXQ",
	        "MZXW6",
	        "MZXW6YQ",
	        "MZXW6YTB",
	        "MZXW6YTBOI",
	        "MY======",
	        "mzxw6ytboi",
	        "MZXW 6YTB-OI==",
	        "MZXW6YTBOI======",
	        "M",
	        "MZX",
	        "MZXW6Y",
	        "MZ=XW",
	        "JBSWY3DPEHPK3PXP",
	        "01189",
	        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		seed("base32", -1, v[i], strlen(v[i]));
}

/* ---- vaults ------------------------------------------------------------- */

/* Make a vault with the library (tiny KDF), then re-encrypt its plaintext
 * with the fuzz key: mode 0 the file, mode 1 header + plaintext. */
static void vault_seed(const char *dir, const struct totp_entry *es, size_t n, int id)
{
	static const struct totp_kdf tiny = {1, 8192};
	static const uint8_t fkey[TOTP_KEY_BYTES] = FUZZ_VAULT_KEY;
	struct totp_vault *v = NULL;
	char path[4096];
	uint8_t key[TOTP_KEY_BYTES], *file, *plain;
	size_t len, plen;
	const size_t noff = VAULT_HEADER_BYTES - VAULT_NONCE_BYTES;

	snprintf(path, sizeof(path), "%s/v%d", dir, id);
	if (totp_vault_create(&v, path, "pass", 4, &tiny) != TOTP_OK)
		die("totp_vault_create");
	for (size_t i = 0; i < n; i++)
		if (totp_vault_add(v, &es[i]) != TOTP_OK)
			die("totp_vault_add");
	for (int i = 0; i < id; i++) /* a later generation */
		if (totp_vault_save(v) != TOTP_OK)
			die("totp_vault_save");
	totp_vault_key(v, key);
	totp_vault_close(v);
	file = slurp(path, &len);
	if (len < VAULT_FILE_MIN)
		die("vault size");
	plen = len - VAULT_HEADER_BYTES - VAULT_TAG_BYTES;
	plain = malloc(plen ? plen : 1);
	if (!plain ||
	    crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, file + VAULT_HEADER_BYTES,
	                                               len - VAULT_HEADER_BYTES, file,
	                                               VAULT_HEADER_BYTES, file + noff, key) != 0)
		die("vault decrypt");
	seed2("vault", 1, file, VAULT_HEADER_BYTES, plain, plen);
	crypto_aead_xchacha20poly1305_ietf_encrypt(file + VAULT_HEADER_BYTES, NULL, plain, plen,
	                                           file, VAULT_HEADER_BYTES, NULL, file + noff,
	                                           fkey);
	seed("vault", 0, file, len);
	unlink(path);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), ".bak");
	unlink(path);
	snprintf(path, sizeof(path), "%s/v%d.lock", dir, id);
	unlink(path);
	sodium_memzero(plain, plen);
	free(plain);
	free(file);
}

static void vault_seeds(const struct totp_entry *es, size_t n)
{
	char dir[] = "/tmp/totp-mkcorpus.XXXXXX";

	if (!mkdtemp(dir))
		die("mkdtemp");
	vault_seed(dir, es, 0, 0);
	vault_seed(dir, es, 1, 1);
	vault_seed(dir, es, n, 2);
	if (rmdir(dir) != 0)
		die(dir);
}

/* ---- images ------------------------------------------------------------- */

static void png_seeds(void)
{
	static const struct {
		int ct, depth, interlace;
	} kinds[] = {
	        {PNG_COLOR_TYPE_GRAY, 1, 0},        {PNG_COLOR_TYPE_GRAY, 2, 1},
	        {PNG_COLOR_TYPE_GRAY, 4, 0},        {PNG_COLOR_TYPE_GRAY, 8, 1},
	        {PNG_COLOR_TYPE_GRAY, 16, 0},       {PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0},
	        {PNG_COLOR_TYPE_GRAY_ALPHA, 16, 1}, {PNG_COLOR_TYPE_RGB, 8, 0},
	        {PNG_COLOR_TYPE_RGB, 16, 1},        {PNG_COLOR_TYPE_RGB_ALPHA, 8, 1},
	        {PNG_COLOR_TYPE_RGB_ALPHA, 16, 0},  {PNG_COLOR_TYPE_PALETTE, 1, 0},
	        {PNG_COLOR_TYPE_PALETTE, 4, 1},     {PNG_COLOR_TYPE_PALETTE, 8, 0},
	};
	const unsigned w = 13, h = 7;
	uint16_t samples[13 * 7 * 4];
	png_color pal[16];
	uint8_t trans[16];
	uint64_t rng = 42;

	for (int i = 0; i < 16; i++) {
		pal[i].red = (png_byte)(i * 16);
		pal[i].green = (png_byte)(255 - i * 16);
		pal[i].blue = (png_byte)(i * 7);
		trans[i] = (uint8_t)(i * 17);
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct iu_buf b;
		unsigned maxv = (1u << kinds[k].depth) - 1;
		png_color_16 tc = {0, 1, 1, 1, 1};
		struct iu_png p = {w,       h,    kinds[k].ct, kinds[k].depth, kinds[k].interlace,
		                   samples, NULL, 0,           NULL,           0,
		                   NULL};

		if (kinds[k].ct == PNG_COLOR_TYPE_PALETTE) {
			p.palette = pal;
			p.npalette = 1 << (kinds[k].depth > 4 ? 4 : kinds[k].depth);
			maxv = (unsigned)p.npalette - 1;
			p.trans_alpha = trans;
			p.ntrans = p.npalette;
		} else if (!(kinds[k].ct & PNG_COLOR_MASK_ALPHA) && k % 2) {
			p.trans_color = &tc;
		}
		for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
			samples[i] = (uint16_t)(iu_rand(&rng) % (maxv + 1));
		if (iu_png(&b, &p) != 0)
			die("iu_png");
		seed("png", -1, b.p, b.len);
		free(b.p);
	}
	/* A QR code as the library draws it, and hand-made chunks. */
	{
		static const char uri[] = "otpauth://totp/ACME:john?secret=JBSWY3DPEHPK3PXP";
		struct totp_qr_render_opts o = {TOTP_QR_ECC_L, 1, 0, 0};
		uint8_t *png = NULL;
		size_t len = 0;
		struct iu_buf b = {0};
		static const uint8_t gama[4] = {0, 0, 0xb1, 0x8f};
		struct iu_buf z = iu_zlib_zeros(4 * 5);

		if (totp_qr_png(&png, &len, (const uint8_t *)uri, sizeof(uri) - 1, &o) != TOTP_OK)
			die("totp_qr_png");
		seed("png", -1, png, len);
		totp_qr_free(png);
		iu_png_start(&b, 4, 4, 8, PNG_COLOR_TYPE_GRAY);
		iu_chunk(&b, "gAMA", gama, sizeof(gama));
		iu_chunk(&b, "tEXt", (const uint8_t *)"Comment\0fuzz", 12);
		iu_chunk(&b, "IDAT", z.p, z.len);
		iu_chunk(&b, "IEND", NULL, 0);
		seed("png", -1, b.p, b.len);
		free(b.p);
		free(z.p);
	}
}

static void jpeg_seeds(void)
{
	const unsigned w = 19, h = 11;
	uint8_t px[19 * 11 * 4];
	uint64_t rng = 7;
	static const int comps[] = {1, 3, 4};

	for (size_t i = 0; i < sizeof(px); i++)
		px[i] = (uint8_t)iu_rand(&rng);
	for (size_t c = 0; c < 3; c++)
		for (int prog = 0; prog < 2; prog++) {
			struct iu_buf b;

			if (iu_jpeg(&b, px, w, h, comps[c], prog ? 50 : 90, prog) != 0) {
				fprintf(stderr, "mkcorpus: no libjpeg.so.62: no JPEG seeds\n");
				return;
			}
			seed("jpeg", -1, b.p, b.len);
			free(b.p);
		}
}

/* ---- import files ------------------------------------------------------- */

static const enum totp_import_format g_json[] = {FUZZ_IMPORT_JSON_FORMATS};
static const enum totp_import_format g_text[] = {FUZZ_IMPORT_TEXT_FORMATS};
static const enum totp_import_format g_andotp[] = {FUZZ_IMPORT_ANDOTP_FORMATS};

static int index_of(const enum totp_import_format *g, size_t n, enum totp_import_format f)
{
	for (size_t i = 0; i < n; i++)
		if (g[i] == f)
			return (int)i;
	return -1;
}

static void import_file(const char *path)
{
	size_t len;
	uint8_t *buf = slurp(path, &len);
	enum totp_import_format f = TOTP_IMPORT_AUTO;
	int i;

	if (totp_import_detect(&f, buf, len) != TOTP_OK)
		f = TOTP_IMPORT_AUTO;
	/* Both passwords: "test", and "backup" for Aegis's cheap slot. */
	seed("import_auto", 0, buf, len);
	if (f == TOTP_IMPORT_AEGIS_ENCRYPTED)
		seed("import_auto", 0x80, buf, len);
	if ((i = index_of(g_json, sizeof(g_json) / sizeof(g_json[0]), f)) >= 0) {
		seed("import_json", i, buf, len);
		if (f == TOTP_IMPORT_AEGIS_ENCRYPTED)
			seed("import_json", i | 0x80, buf, len);
	} else if ((i = index_of(g_text, sizeof(g_text) / sizeof(g_text[0]), f)) >= 0) {
		seed("import_text", i, buf, len);
	} else if (index_of(g_andotp, 2, f) >= 0) {
		seed("import_andotp", 0, buf, len);
		seed("import_andotp", 1, buf, len);
	} else if (len && buf[0] == '{') {
		seed("import_json", 0, buf, len); /* e.g. the JSON nesting bomb */
	}
	free(buf);
}

static void import_seeds(const char *top)
{
	char dir[4096], path[4096 + 256];
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s/tests/data/import", top);
	d = opendir(dir);
	if (!d)
		die(dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		import_file(path);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	char dir[4096];
	struct totp_entry *es;
	size_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: mkcorpus OUTDIR TOPDIR\n");
		return 2;
	}
	outdir = argv[1];
	if (totp_init() != TOTP_OK)
		die("totp_init");
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST)
		die(outdir);
	es = make_entries(&n);
	base32_seeds();
	uri_and_migration_seeds(es, n);
	snprintf(dir, sizeof(dir), "%s/tests", argv[2]);
	uris_in_dir(dir, ".c");
	snprintf(dir, sizeof(dir), "%s/tests/cli", argv[2]);
	uris_in_dir(dir, ".sh");
	snprintf(dir, sizeof(dir), "%s/tests/data/import", argv[2]);
	uris_in_dir(dir, ".txt");
	vault_seeds(es, n);
	png_seeds();
	jpeg_seeds();
	import_seeds(argv[2]);
	totp_secure_free(es);
	printf("mkcorpus: %u seeds in %s\n", nwritten, outdir);
	return 0;
}
