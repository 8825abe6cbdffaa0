/*
 * t_qr.c - QR codes: our PNG/SVG/text renderings read back by our decoder
 * and by zbarimg; qrencode's PNGs read by ours; codes in synthetic
 * screenshots, scaled, blurred, JPEG-compressed, inverted; several codes in
 * one image; images without codes; payloads that are not authenticator URIs.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "image_util.h"
#include "internal.h"
#include "test.h"
#include "totp.h"

static const char *const uris[] = {
        "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&"
        "issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
        "otpauth://hotp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII&issuer=Air+Canada&"
        "algorithm=SHA256&digits=7&counter=50",
        "otpauth-migration://"
        "offline?data=CiUKEPqlBekzoNEukL7qlsjBCDYSCWhvdHAgZGVtbyABKAEwATgEEAEYASA"
        "AKNuv15j6%2F%2F%2F%2F%2FwE%3D",
};

/* Scan img; 1 when exactly the `n` payloads `want` come out, in order. */
static int scan_is(struct totp_image *img, const char *const *want, const size_t *wlen, size_t n,
                   const struct totp_qr_scan_opts *opts, int *rcp)
{
	struct totp_qr_list l;
	int ok, rc;

	totp_qr_list_init(&l);
	rc = totp_qr_scan(&l, img, "test.png", opts);
	if (rcp)
		*rcp = rc;
	ok = rc == TOTP_OK && l.count == n;
	for (size_t i = 0; ok && i < n; i++)
		ok = l.items[i].len == wlen[i] && memcmp(l.items[i].data, want[i], wlen[i]) == 0 &&
		     l.items[i].data[wlen[i]] == 0 && strcmp(l.items[i].source, "test.png") == 0;
	totp_qr_list_free(&l);
	return ok;
}

static int scan_one(struct totp_image *img, const void *want, size_t len)
{
	const char *w[1] = {want};

	return scan_is(img, w, &len, 1, NULL, NULL);
}

/* Render with totp_qr_png, decode with totp_image_load, scan. */
static int png_round_trip(const void *data, size_t len, const struct totp_qr_render_opts *o)
{
	uint8_t *png = NULL;
	size_t plen = 0;
	struct totp_image img;
	int ok;

	if (totp_qr_png(&png, &plen, data, len, o) != TOTP_OK)
		return 0;
	ok = totp_image_load(&img, png, plen) == TOTP_OK && scan_one(&img, data, len);
	totp_image_free(&img);
	totp_qr_free(png);
	return ok;
}

static void test_round_trips(void)
{
	uint8_t all[256], nul[40];

	for (size_t i = 0; i < TOTP_ARRAY_LEN(uris); i++)
		CHECK(png_round_trip(uris[i], strlen(uris[i]), NULL), "PNG round trip of URI %zu",
		      i);
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	CHECK(png_round_trip(all, sizeof(all), NULL), "PNG round trip of bytes 0x00..0xff");
	memset(nul, 0, sizeof(nul));
	nul[5] = 'x';
	CHECK(png_round_trip(nul, sizeof(nul), NULL), "PNG round trip of NUL-filled payload");
	{
		char big[1500];

		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
			        [i % 64];
		CHECK(png_round_trip(big, sizeof(big), NULL), "PNG round trip of 1500 bytes");
	}
	for (int e = TOTP_QR_ECC_M; e <= TOTP_QR_ECC_H; e++) {
		struct totp_qr_render_opts o = {(enum totp_qr_ecc)e, 3, 6, 0};

		CHECK(png_round_trip(uris[0], strlen(uris[0]), &o),
		      "PNG round trip at ECC level %d, 3 px modules, margin 6", e);
	}
}

/* opts->line_step N: a drawing with modules of at least 2N pixels reads
 * in one pass over every Nth line; a finer one does not; over 16 is
 * refused. */
static void test_line_step(void)
{
	static const struct totp_qr_scan_opts step1 = {0, TOTP_QR_SCAN_ONE_PASS, 1};
	static const struct totp_qr_scan_opts step4 = {0, TOTP_QR_SCAN_ONE_PASS, 4};
	static const struct totp_qr_scan_opts step16 = {0, TOTP_QR_SCAN_ONE_PASS, 16};
	static const struct totp_qr_scan_opts step17 = {0, 0, 17};
	char big[1500];
	const char *w[1];
	size_t len;
	struct totp_image img;
	struct totp_qr_list l;
	int rc;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i * 5 %
		                                                                            64];
	for (size_t i = 0; i <= TOTP_ARRAY_LEN(uris); i++) {
		uint8_t *png = NULL;
		size_t plen = 0;

		w[0] = i < TOTP_ARRAY_LEN(uris) ? uris[i] : big;
		len = i < TOTP_ARRAY_LEN(uris) ? strlen(uris[i]) : sizeof(big);
		rc = totp_qr_png(&png, &plen, (const uint8_t *)w[0], len, NULL);
		if (rc == TOTP_OK)
			rc = totp_image_load(&img, png, plen);
		CHECK(rc == TOTP_OK && scan_is(&img, w, &len, 1, &step4, NULL),
		      "totp_qr_png's drawing of %zu bytes (%u px) reads on every 4th line", len,
		      rc == TOTP_OK ? img.width : 0);
		if (rc == TOTP_OK)
			totp_image_free(&img);
		totp_qr_free(png);
	}

	img = iu_new(220, 220, 255);
	w[0] = uris[0];
	len = strlen(uris[0]);
	(void)iu_draw_qr(&img, uris[0], len, 10, 10, 2);
	CHECK(scan_is(&img, w, &len, 1, &step1, &rc), "2 px modules, every line: read");
	CHECK(!scan_is(&img, w, &len, 1, &step16, &rc) && rc == TOTP_E_NO_QR,
	      "2 px modules, every 16th line only: not found");
	totp_qr_list_init(&l);
	CHECK_RC(totp_qr_scan(&l, &img, NULL, &step17), TOTP_E_INVAL, "line_step 17 is refused");
	CHECK(l.count == 0, "nothing added when refused");
	totp_qr_list_free(&l);
	totp_image_free(&img);
}

static void test_png_shape(void)
{
	uint8_t *png = NULL;
	size_t len = 0;
	struct totp_qr_render_opts big = {TOTP_QR_ECC_M, 0, 0, 0};
	char text[3000];

	CHECK_RC(totp_qr_png(&png, &len, (const uint8_t *)"hi", 2, NULL), TOTP_OK, "render tiny");
	/* IHDR: width, height, depth 1, colour type 0 (grey). */
	CHECK(len > 33 && png[24] == 1 && png[25] == 0, "1-bit greyscale PNG");
	{
		uint32_t w = (uint32_t)png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19];

		/* Version 1: 21 + 8 modules; 300 px at least, 8+ px each. */
		CHECK(w == 29 * 11 && w >= 300, "21-module code drawn %u px wide (11 px modules)",
		      w);
	}
	CHECK(png[len] == 0, "output NUL-terminated");
	totp_qr_free(png);
	memset(text, 'a', sizeof(text));
	CHECK_RC(totp_qr_png(&png, &len, (const uint8_t *)text, 2331, &big), TOTP_OK,
	         "2331 bytes fit at ECC M");
	totp_qr_free(png);
	CHECK_RC(totp_qr_png(&png, &len, (const uint8_t *)text, 2332, &big), TOTP_E_TOOBIG,
	         "2332 bytes do not fit at ECC M");
	CHECK(png == NULL && len == 0, "no output on error");
	CHECK_RC(totp_qr_png(&png, &len, (const uint8_t *)text, 0, NULL), TOTP_E_INVAL,
	         "empty input refused");
	big.ecc = (enum totp_qr_ecc)9;
	CHECK_RC(totp_qr_png(&png, &len, (const uint8_t *)"x", 1, &big), TOTP_E_INVAL,
	         "unknown ECC level refused");
	totp_qr_free(NULL);
}

/* ---- SVG and text read back into modules -------------------------------- */

/* Rasterise our SVG path ("M x y h n v1 h-n z" runs) at 4 px a module. */
static int svg_to_image(struct totp_image *img, const char *svg)
{
	unsigned n, x, y, run, run2;
	const char *p = strstr(svg, "viewBox=\"0 0 ");

	if (!p || sscanf(p, "viewBox=\"0 0 %u", &n) != 1 || n == 0 || n > 400)
		return 0;
	*img = iu_new(n * 4, n * 4, 255);
	p = strstr(svg, " d=\"");
	if (!p)
		return 0;
	p += 4;
	while (*p == 'M') {
		int k = 0;

		if (sscanf(p, "M%u %uh%uv1h-%uz%n", &x, &y, &run, &run2, &k) != 4 || run != run2 ||
		    x + run > n || y >= n)
			return 0;
		iu_rect(img, x * 4, y * 4, run * 4, 4, 0);
		p += k;
	}
	return strcmp(p, "\"/></svg>\n") == 0;
}

static void test_svg(void)
{
	char *svg = NULL;
	size_t len = 0;
	struct totp_image img = {0};

	CHECK_RC(totp_qr_svg(&svg, &len, (const uint8_t *)uris[2], strlen(uris[2]), NULL), TOTP_OK,
	         "render SVG");
	CHECK(svg && strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0 &&
	              strlen(svg) == len,
	      "SVG element, length matches");
	CHECK(svg_to_image(&img, svg) && scan_one(&img, uris[2], strlen(uris[2])),
	      "SVG path rasterised decodes to the payload");
	totp_image_free(&img);
	totp_qr_free(svg);
}

/* Read half-block text back into modules, 4 px each. */
static int text_to_image(struct totp_image *img, const char *t, int invert)
{
	unsigned cols = 0, lines = 0, col = 0;
	const char *p;

	/* Measure: columns per line (cells), lines. */
	for (p = t; *p; p++) {
		if (*p == '\x1b') {
			while (*p && *p != 'm')
				p++;
			continue;
		}
		if (*p == '\n') {
			if (lines == 0)
				cols = col;
			else if (col != cols)
				return 0;
			lines++;
			col = 0;
			continue;
		}
		if ((*p & 0xc0) != 0x80)
			col++;
	}
	if (!cols || !lines)
		return 0;
	*img = iu_new(cols * 4, lines * 8, 255);
	col = 0;
	lines = 0;
	for (p = t; *p; p++) {
		int top, bottom;

		if (*p == '\x1b') {
			while (*p && *p != 'm')
				p++;
			continue;
		}
		if (*p == '\n') {
			lines++;
			col = 0;
			continue;
		}
		if (*p == ' ') {
			top = bottom = 0;
		} else if (strncmp(p, "\xe2\x96\x80", 3) == 0) {
			top = 1, bottom = 0;
		} else if (strncmp(p, "\xe2\x96\x84", 3) == 0) {
			top = 0, bottom = 1;
		} else if (strncmp(p, "\xe2\x96\x88", 3) == 0) {
			top = bottom = 1;
		} else {
			return 0;
		}
		if (*p != ' ')
			p += 2;
		if (invert)
			top = !top, bottom = !bottom;
		if (top)
			iu_rect(img, col * 4, lines * 8, 4, 4, 0);
		if (bottom)
			iu_rect(img, col * 4, lines * 8 + 4, 4, 4, 0);
		col++;
	}
	return 1;
}

static void test_text(void)
{
	static const struct {
		unsigned flags;
		const char *what;
	} modes[] = {
	        {0, "coloured"},
	        {TOTP_QR_TEXT_PLAIN, "plain"},
	        {TOTP_QR_TEXT_PLAIN | TOTP_QR_TEXT_INVERT, "plain inverted"},
	};

	for (size_t m = 0; m < TOTP_ARRAY_LEN(modes); m++) {
		struct totp_qr_render_opts o = {TOTP_QR_ECC_M, 0, 0, modes[m].flags};
		struct totp_image img = {0};
		char *t = NULL;
		size_t len = 0;
		int inv = (modes[m].flags & TOTP_QR_TEXT_INVERT) != 0;

		CHECK_RC(totp_qr_text(&t, &len, (const uint8_t *)uris[0], strlen(uris[0]), &o),
		         TOTP_OK, "render %s text", modes[m].what);
		CHECK(t && strlen(t) == len && len > 0 && t[len - 1] == '\n', "%s text shape",
		      modes[m].what);
		CHECK((strstr(t, "\x1b[30;47;107m") != NULL) == (modes[m].flags == 0),
		      "%s text: colour escapes only when asked", modes[m].what);
		CHECK(text_to_image(&img, t, inv) && scan_one(&img, uris[0], strlen(uris[0])),
		      "%s text read back decodes to the payload", modes[m].what);
		/* 4-module quiet zone: the first two lines are blank
		 * (dark-module mode) or all blocks (inverted). */
		{
			const char *p = t;

			if (modes[m].flags == 0)
				p = strchr(t, 'm') + 1;
			CHECK(strncmp(p, inv ? "\xe2\x96\x88\xe2\x96\x88" : "  ", inv ? 6 : 2) == 0,
			      "%s text starts with quiet zone", modes[m].what);
		}
		totp_image_free(&img);
		totp_qr_free(t);
	}
}

/* ---- Other tools ---------------------------------------------------------- */

static int have(const char *prog)
{
	char path[256];
	const char *dirs[] = {"/usr/bin", "/bin", "/usr/local/bin"};

	for (size_t i = 0; i < TOTP_ARRAY_LEN(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], prog);
		if (access(path, X_OK) == 0)
			return 1;
	}
	return 0;
}

static void test_other_tools(void)
{
	char dir[] = "/tmp/t_qr.XXXXXX", path[64], cmd[512], out[512];

	if (!mkdtemp(dir)) {
		CHECK(0, "temporary directory");
		return;
	}
	snprintf(path, sizeof(path), "%s/q.png", dir);
	if (have("zbarimg")) {
		for (size_t i = 0; i < TOTP_ARRAY_LEN(uris); i++) {
			uint8_t *png = NULL;
			size_t len = 0, n;
			FILE *f;

			if (totp_qr_png(&png, &len, (const uint8_t *)uris[i], strlen(uris[i]),
			                NULL) != TOTP_OK)
				continue;
			f = fopen(path, "wb");
			fwrite(png, 1, len, f);
			fclose(f);
			totp_qr_free(png);
			snprintf(cmd, sizeof(cmd),
			         "zbarimg -q --raw -Sdisable -Sqrcode.enable '%s' 2>/dev/null",
			         path);
			f = popen(cmd, "r");
			n = fread(out, 1, sizeof(out) - 1, f);
			pclose(f);
			out[n] = 0;
			if (n && out[n - 1] == '\n')
				out[n - 1] = 0;
			CHECK_STR(out, uris[i], "zbarimg reads our PNG of URI %zu", i);
		}
	} else {
		CHECK(1, "# skip zbarimg not installed");
	}
	if (have("qrencode")) {
		for (size_t i = 0; i < TOTP_ARRAY_LEN(uris); i++) {
			struct totp_image img;
			int rc;

			snprintf(cmd, sizeof(cmd), "qrencode -o '%s' '%s'", path, uris[i]);
			rc = system(cmd);
			CHECK(rc == 0, "qrencode -o ran");
			CHECK(totp_image_load_file(&img, path) == TOTP_OK &&
			              scan_one(&img, uris[i], strlen(uris[i])),
			      "qrencode's PNG of URI %zu decodes", i);
			totp_image_free(&img);
		}
	} else {
		CHECK(1, "# skip qrencode not installed");
	}
	unlink(path);
	rmdir(dir);
}

/* ---- Screenshots and damaged codes ---------------------------------------- */

/* A 1170x2532 phone screenshot: light background, text, a small code. */
static struct totp_image screenshot(const char *text, unsigned *side)
{
	struct totp_image img = iu_new(1170, 2532, 242);
	unsigned x = 495, y = 1100, s;

	iu_text_noise(&img, 1234, x - 20, y - 20, 240, 240);
	iu_rect(&img, 0, 0, 1170, 140, 200); /* status and title bar */
	s = text ? iu_draw_qr(&img, text, strlen(text), x, y, 3) : 0;
	if (side)
		*side = s;
	return img;
}

static int jpeg_round(struct totp_image *img, int quality)
{
	struct iu_buf b;
	struct totp_image j;

	if (iu_jpeg(&b, img->pixels, img->width, img->height, 1, quality, 0) != 0)
		return 0;
	if (totp_image_load(&j, b.p, b.len) != TOTP_OK) {
		free(b.p);
		return 0;
	}
	free(b.p);
	totp_image_free(img);
	*img = j;
	return 1;
}

/* Our own PNG (>= 8 px modules) shown in a screenshot. */
static struct totp_image screenshot_of_png(const char *text)
{
	struct totp_image img = iu_new(1170, 2532, 242), q = {0};
	uint8_t *png = NULL;
	size_t len = 0;

	iu_text_noise(&img, 77, 100, 700, 980, 980);
	if (totp_qr_png(&png, &len, (const uint8_t *)text, strlen(text), NULL) == TOTP_OK &&
	    totp_image_load(&q, png, len) == TOTP_OK)
		for (unsigned y = 0; y < q.height && 700 + y < img.height; y++)
			memcpy(img.pixels + (size_t)(700 + y) * img.width + 100,
			       q.pixels + (size_t)y * q.width, q.width < 970 ? q.width : 970);
	totp_image_free(&q);
	totp_qr_free(png);
	return img;
}

static void test_screenshots(void)
{
	const char *u = uris[0];
	size_t ulen = strlen(u);
	struct totp_image img, s;
	unsigned side = 0;
	int rc, ok;
	double t0;

	img = screenshot(u, &side);
	t0 = iu_now();
	ok = scan_one(&img, u, ulen);
	CHECK(ok, "%u px code in a 1170x2532 screenshot found (%.0f ms)", side,
	      (iu_now() - t0) * 1000);
	s = iu_scale(&img, 0.6);
	CHECK(scan_one(&s, u, ulen), "that screenshot scaled 0.6x (1.8 px modules) decodes");
	totp_image_free(&s);
	iu_invert(&img);
	{
		struct totp_qr_scan_opts one = {0, TOTP_QR_SCAN_ONE_PASS, 0};
		const char *w[1] = {u};
		uint8_t before = img.pixels[12345];

		CHECK(!scan_is(&img, w, &ulen, 1, &one, &rc) && rc == TOTP_E_NO_QR,
		      "inverted screenshot: one pass finds nothing");
		CHECK(scan_one(&img, u, ulen), "inverted screenshot decodes with retries");
		CHECK(img.pixels[12345] == before, "image restored after the inverted retry");
	}
	totp_image_free(&img);

	/* A code as totp_qr_png draws it, shown on screen, then degraded. */
	u = uris[2];
	ulen = strlen(u);
	img = screenshot_of_png(u);
	CHECK(scan_one(&img, u, ulen), "exported PNG in a screenshot decodes");
	s = iu_scale(&img, 0.6);
	totp_image_free(&img);
	CHECK(scan_one(&s, u, ulen), "scaled 0.6x (bilinear)");
	iu_blur(&s);
	CHECK(scan_one(&s, u, ulen), "scaled and blurred (3x3 box)");
	CHECK(jpeg_round(&s, 60), "JPEG quality 60 written and read");
	CHECK(scan_one(&s, u, ulen), "scaled, blurred, JPEG q60");
	iu_invert(&s);
	CHECK(scan_one(&s, u, ulen), "scaled, blurred, JPEG q60, inverted");
	totp_image_free(&s);

	/* Twice blurred: only the thresholding pass reads it. */
	img = screenshot(u, NULL);
	iu_rect(&img, 0, 0, 1170, 2532, 242);
	iu_draw_qr(&img, u, ulen, 300, 900, 5);
	s = iu_scale(&img, 0.6);
	iu_blur(&s);
	iu_blur(&s);
	{
		struct totp_qr_scan_opts one = {0, TOTP_QR_SCAN_ONE_PASS, 0};
		const char *w[1] = {u};

		CHECK(!scan_is(&s, w, &ulen, 1, &one, &rc),
		      "3 px modules blurred twice: one pass fails");
		CHECK(scan_one(&s, u, ulen),
		      "3 px modules blurred twice: thresholding pass reads it");
	}
	totp_image_free(&s);
	totp_image_free(&img);

	/* A photo-sized image with a large, soft code. */
	img = iu_new(4000, 3000, 170);
	iu_text_noise(&img, 99, 1200, 700, 1500, 1500);
	iu_draw_qr(&img, uris[0], strlen(uris[0]), 1300, 800, 24);
	iu_blur(&img);
	t0 = iu_now();
	ok = scan_one(&img, uris[0], strlen(uris[0]));
	CHECK(ok, "4000x3000 photo-like image decodes (%.0f ms)", (iu_now() - t0) * 1000);
	totp_image_free(&img);
}

static void test_many_and_none(void)
{
	struct totp_image img = iu_new(900, 400, 255);
	size_t lens[3];
	struct totp_qr_list l;
	struct totp_qr_scan_opts two = {2, 0, 0};
	int rc;

	/* Drawn right to left; read top-left first. */
	for (int i = 2; i >= 0; i--) {
		iu_draw_qr(&img, uris[i], strlen(uris[i]), 20 + 290 * (unsigned)i,
		           20 + 10 * (unsigned)i, 2);
		lens[i] = strlen(uris[i]);
	}
	CHECK(scan_is(&img, uris, lens, 3, NULL, &rc),
	      "three codes in one image, in reading order");
	totp_qr_list_init(&l);
	CHECK_RC(totp_qr_scan(&l, &img, NULL, &two), TOTP_E_TOOBIG, "more codes than max_codes");
	CHECK(l.count == 0, "nothing added when over max_codes");
	/* The same image twice: payloads are kept once. */
	CHECK_RC(totp_qr_scan(&l, &img, "a", NULL), TOTP_OK, "first scan");
	CHECK_RC(totp_qr_scan(&l, &img, "b", NULL), TOTP_OK, "second scan");
	CHECK(l.count == 3, "duplicates kept once (%zu)", l.count);
	totp_qr_list_free(&l);
	totp_image_free(&img);

	/* A PNG screenshot without a code. */
	{
		struct totp_image shot = screenshot(NULL, NULL);
		struct iu_buf b;

		CHECK(iu_png_grey(&b, &shot) == 0 && totp_image_load(&img, b.p, b.len) == TOTP_OK,
		      "PNG screenshot without a code written and read");
		totp_qr_list_init(&l);
		CHECK_RC(totp_qr_scan(&l, &img, "x", NULL), TOTP_E_NO_QR, "PNG without a code");
		CHECK(l.count == 0, "list unchanged");
		totp_qr_list_free(&l);
		totp_image_free(&img);
		totp_image_free(&shot);
		free(b.p);
	}

	img = iu_new(50, 50, 255);
	totp_qr_list_init(&l);
	CHECK_RC(totp_qr_scan(&l, &img, "x", NULL), TOTP_E_NO_QR, "blank image");
	CHECK_RC(totp_qr_scan(NULL, &img, "x", NULL), TOTP_E_INVAL, "NULL list");
	totp_qr_list_free(&l);
	totp_image_free(&img);
}

/* A code that is not an authenticator URI becomes a payload problem, and
 * the problem never repeats the payload. */
/*
 * A small image is scanned sparse first (every second line), which finds a
 * large dense code but not one of 2-pixel modules beside it; the second,
 * full pass with the first code blanked out must find that one, and the
 * two must come out in reading order, whichever is first.  The caller's
 * pixels are left as they were.
 */
static void test_dense_and_fine(void)
{
	static const char fine[] = "otpauth://totp/Fine:f@example.com?secret=JBSWY3DPEHPK3PXP";
	char dense[1200];
	const char *want[2];
	size_t wlen[2];

	for (size_t i = 0; i < sizeof(dense); i++)
		dense[i] =
		        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i * 7 %
		                                                                           64];
	for (int fine_first = 0; fine_first < 2; fine_first++) {
		struct totp_image img = iu_new(700, 640, 255);
		unsigned side = iu_draw_qr(&img, dense, sizeof(dense), fine_first ? 100 : 10,
		                           fine_first ? 40 : 10, 4);
		uint8_t *before = malloc((size_t)img.width * img.height);
		int rc;

		(void)iu_draw_qr(&img, fine, strlen(fine), fine_first ? 10 : 20 + side,
		                 fine_first ? 10 : 60, 2);
		if (before)
			memcpy(before, img.pixels, (size_t)img.width * img.height);
		want[fine_first] = dense;
		wlen[fine_first] = sizeof(dense);
		want[!fine_first] = fine;
		wlen[!fine_first] = strlen(fine);
		CHECK(side > 400 && scan_is(&img, want, wlen, 2, NULL, &rc),
		      "a dense code and a fine one beside it (%s first): both, in reading order",
		      fine_first ? "fine" : "dense");
		CHECK(before && memcmp(before, img.pixels, (size_t)img.width * img.height) == 0,
		      "the image is left as it was");
		free(before);
		totp_image_free(&img);
	}
}

static void test_not_otp(void)
{
	static const char text[] = "NOT A otpauth-migration:// URL secret=JBSWY3DPEHPK3PXP";
	struct totp_image img = iu_new(400, 400, 255);
	struct totp_qr_list l;
	struct totp_import im;
	int rc;

	iu_draw_qr(&img, text, strlen(text), 10, 10, 4);
	totp_qr_list_init(&l);
	totp_import_init(&im);
	CHECK_RC(totp_qr_scan(&l, &img, "shot.png", NULL), TOTP_OK, "scan non-otp code");
	rc = totp_qr_import(&im, &l);
	CHECK_RC(rc, TOTP_E_PAYLOAD, "non-otp code: TOTP_E_PAYLOAD");
	CHECK(im.count == 0 && im.nproblems == 1, "no entry, one problem");
	if (im.nproblems == 1) {
		CHECK(im.problems[0].err == TOTP_E_PAYLOAD && im.problems[0].index == 1,
		      "problem names code 1");
		CHECK(strstr(im.problems[0].detail, "shot.png") != NULL, "problem names the file");
		CHECK(strstr(im.problems[0].detail, "JBSWY3DP") == NULL &&
		              strstr(im.problems[0].label, "JBSWY3DP") == NULL,
		      "problem does not repeat the payload");
	}
	totp_import_clear(&im);
	totp_qr_list_free(&l);
	totp_image_free(&img);
}

/* Image -> entries, the whole path the CLI takes. */
static void test_import_path(void)
{
	uint8_t *png = NULL;
	size_t len = 0;
	struct totp_image img;
	struct totp_qr_list l;
	struct totp_import im;

	totp_qr_list_init(&l);
	totp_import_init(&im);
	CHECK(totp_qr_png(&png, &len, (const uint8_t *)uris[2], strlen(uris[2]), NULL) == TOTP_OK &&
	              totp_image_load(&img, png, len) == TOTP_OK,
	      "render migration code");
	CHECK_RC(totp_qr_scan(&l, &img, "export.png", NULL), TOTP_OK, "scan it");
	CHECK_RC(totp_qr_import(&im, &l), TOTP_OK, "import it");
	CHECK(im.count == 1 && im.entries[0].type == TOTP_TYPE_HOTP && im.entries[0].counter == 4 &&
	              strcmp(im.entries[0].account, "hotp demo") == 0,
	      "HOTP entry from the image");
	CHECK_STR(im.format, "otpauth-migration", "format name");
	totp_import_clear(&im);
	totp_qr_list_free(&l);
	totp_image_free(&img);
	totp_qr_free(png);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_round_trips();
	test_line_step();
	test_png_shape();
	test_svg();
	test_text();
	test_other_tools();
	test_screenshots();
	test_many_and_none();
	test_dense_and_fine();
	test_not_otp();
	test_import_path();
	TEST_EXIT();
}
