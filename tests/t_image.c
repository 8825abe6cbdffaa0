/*
 * t_image.c - PNG and JPEG to grey: every PNG colour type and bit depth,
 * transparency, interlace; size limits, decompression bombs, truncation
 * and corruption; JPEG grey/RGB/CMYK/progressive; files and pipes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dl.h"
#include "internal.h"
#include "image_util.h"
#include "test.h"
#include "totp.h"

/* ---- Every colour type and depth -------------------------------------- */

struct pcase {
	int ctype, depth, trns;
};

static const struct pcase pcases[] = {
        {PNG_COLOR_TYPE_GRAY, 1, 0},       {PNG_COLOR_TYPE_GRAY, 2, 0},
        {PNG_COLOR_TYPE_GRAY, 2, 1},       {PNG_COLOR_TYPE_GRAY, 4, 0},
        {PNG_COLOR_TYPE_GRAY, 8, 0},       {PNG_COLOR_TYPE_GRAY, 8, 1},
        {PNG_COLOR_TYPE_GRAY, 16, 0},      {PNG_COLOR_TYPE_GRAY, 16, 1},
        {PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0}, {PNG_COLOR_TYPE_GRAY_ALPHA, 16, 0},
        {PNG_COLOR_TYPE_RGB, 8, 0},        {PNG_COLOR_TYPE_RGB, 8, 1},
        {PNG_COLOR_TYPE_RGB, 16, 0},       {PNG_COLOR_TYPE_RGB, 16, 1},
        {PNG_COLOR_TYPE_RGB_ALPHA, 8, 0},  {PNG_COLOR_TYPE_RGB_ALPHA, 16, 0},
        {PNG_COLOR_TYPE_PALETTE, 1, 0},    {PNG_COLOR_TYPE_PALETTE, 2, 1},
        {PNG_COLOR_TYPE_PALETTE, 4, 0},    {PNG_COLOR_TYPE_PALETTE, 8, 0},
        {PNG_COLOR_TYPE_PALETTE, 8, 1},
};

static const char *ctype_name(int t)
{
	switch (t) {
	case PNG_COLOR_TYPE_GRAY:
		return "grey";
	case PNG_COLOR_TYPE_GRAY_ALPHA:
		return "grey+alpha";
	case PNG_COLOR_TYPE_RGB:
		return "RGB";
	case PNG_COLOR_TYPE_RGB_ALPHA:
		return "RGBA";
	default:
		return "palette";
	}
}

/* Grey of an RGB colour (components 0..1), by libpng's default weights,
 * composited over white with alpha a (0..1); result 0..255. */
static double model(double r, double g, double b, double a)
{
	double y = (6968 * r + 23434 * g + 2366 * b) / 32768;

	return 255 * (y * a + (1 - a));
}

static void test_colour_types(void)
{
	enum { W = 13, H = 7 };

	for (size_t c = 0; c < TOTP_ARRAY_LEN(pcases); c++) {
		for (int il = 0; il < 2; il++) {
			const struct pcase *pc = &pcases[c];
			int ch = iu_channels(pc->ctype), maxv = (1 << pc->depth) - 1;
			uint16_t samples[W * H * 4];
			double want[W * H];
			png_color pal[256];
			uint8_t palpha[256];
			png_color_16 tcol = {0, 0, 0, 0, 0};
			struct iu_png p = {W,    H, pc->ctype, pc->depth, il,  samples,
			                   NULL, 0, NULL,      0,         NULL};
			struct iu_buf buf;
			struct totp_image img;
			uint64_t seed = 0x9e3779b97f4a7c15ULL * (c * 2 + il + 1);
			int rc, worst = 0, npal = 1 << pc->depth;

			if (pc->ctype == PNG_COLOR_TYPE_PALETTE) {
				for (int i = 0; i < npal; i++) {
					pal[i].red = (png_byte)iu_rand(&seed);
					pal[i].green = (png_byte)iu_rand(&seed);
					pal[i].blue = (png_byte)iu_rand(&seed);
					palpha[i] = (uint8_t)(i % 3 == 0 ? 255 : iu_rand(&seed));
				}
				p.palette = pal;
				p.npalette = npal;
				if (pc->trns) {
					p.trans_alpha = palpha;
					p.ntrans = npal;
				}
			} else if (pc->trns) {
				tcol.gray = (png_uint_16)(maxv / 3);
				tcol.red = (png_uint_16)(maxv / 3);
				tcol.green = (png_uint_16)(maxv / 5);
				tcol.blue = (png_uint_16)(maxv / 7);
				p.trans_color = &tcol;
			}
			for (int i = 0; i < W * H; i++) {
				uint16_t *s = samples + i * ch;
				double a = 1;

				for (int k = 0; k < ch; k++)
					s[k] = (uint16_t)(iu_rand(&seed) % (unsigned)(maxv + 1));
				/* Opaque black first, white last; some pixels hit the
				 * tRNS colour. */
				if (i == 0 || i == W * H - 1) {
					for (int k = 0; k < ch; k++)
						s[k] = (uint16_t)(i == 0 ? 0 : maxv);
					if (pc->ctype & PNG_COLOR_MASK_ALPHA)
						s[ch - 1] = (uint16_t)maxv;
				}
				if (pc->trns && pc->ctype != PNG_COLOR_TYPE_PALETTE && i % 4 == 1) {
					if (ch == 1)
						s[0] = tcol.gray;
					else {
						s[0] = tcol.red;
						s[1] = tcol.green;
						s[2] = tcol.blue;
					}
				}
				if (pc->ctype == PNG_COLOR_TYPE_PALETTE) {
					s[0] = (uint16_t)(s[0] % npal);
					if (pc->trns)
						a = palpha[s[0]] / 255.0;
					want[i] = model(pal[s[0]].red / 255.0,
					                pal[s[0]].green / 255.0,
					                pal[s[0]].blue / 255.0, a);
					continue;
				}
				if (pc->ctype & PNG_COLOR_MASK_ALPHA)
					a = (double)s[ch - 1] / maxv;
				if (ch <= 2) {
					if (pc->trns && s[0] == tcol.gray)
						a = 0;
					want[i] = model((double)s[0] / maxv, (double)s[0] / maxv,
					                (double)s[0] / maxv, a);
				} else {
					if (pc->trns && s[0] == tcol.red && s[1] == tcol.green &&
					    s[2] == tcol.blue)
						a = 0;
					want[i] = model((double)s[0] / maxv, (double)s[1] / maxv,
					                (double)s[2] / maxv, a);
				}
			}
			if (iu_png(&buf, &p) != 0) {
				CHECK(0, "write %s %d-bit PNG", ctype_name(pc->ctype), pc->depth);
				continue;
			}
			rc = totp_image_load(&img, buf.p, buf.len);
			if (rc == TOTP_OK && img.width == W && img.height == H)
				for (int i = 0; i < W * H; i++) {
					int d = (int)(img.pixels[i] - want[i] +
					              (want[i] < img.pixels[i] ? 0.5 : -0.5));

					if (abs(d) > worst)
						worst = abs(d);
				}
			CHECK(rc == TOTP_OK && img.width == W && img.height == H && worst <= 1,
			      "%s %d-bit%s%s PNG decodes to the expected grey (rc %d, max error "
			      "%d)",
			      ctype_name(pc->ctype), pc->depth, pc->trns ? " tRNS" : "",
			      il ? " interlaced" : "", rc, worst);
			totp_image_free(&img);
			free(buf.p);
		}
	}
}

/* ---- Limits and bombs ---------------------------------------------------- */

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void test_header_limits(void)
{
	static const struct {
		uint32_t w, h;
		int want;
	} t[] = {
	        {100000, 100000, TOTP_E_TOOBIG}, {16385, 1, TOTP_E_TOOBIG},
	        {1, 16385, TOTP_E_TOOBIG},       {9000, 9000, TOTP_E_TOOBIG},
	        {0x7fffffff, 1, TOTP_E_TOOBIG},  {0xffffffff, 0xffffffff, TOTP_E_TOOBIG},
	        {0, 10, TOTP_E_IMAGE},           {10, 0, TOTP_E_IMAGE},
	};

	for (size_t i = 0; i < TOTP_ARRAY_LEN(t); i++) {
		struct iu_buf b, z = iu_zlib_zeros(1000);
		struct totp_image img;
		double t0 = iu_now();
		int rc;

		iu_png_start(&b, t[i].w, t[i].h, 8, PNG_COLOR_TYPE_GRAY);
		iu_chunk(&b, "IDAT", z.p, z.len);
		iu_chunk(&b, "IEND", NULL, 0);
		rc = totp_image_load(&img, b.p, b.len);
		CHECK_RC(rc, t[i].want, "%ux%u PNG header rejected (%.3f s)", t[i].w, t[i].h,
		         iu_now() - t0);
		CHECK(img.pixels == NULL && img.width == 0, "no image after rejection");
		free(b.p);
		free(z.p);
	}
}

static void test_bombs(void)
{
	struct totp_image img;
	struct iu_buf b, z;
	long rss0 = maxrss_kb();
	double t0;
	int rc;

	/* 16000 x 16000 zero pixels: 256 MB inflated from about 1.6 MB. */
	z = iu_zlib_zeros((uint64_t)16000 * 16001);
	iu_png_start(&b, 16000, 16000, 8, PNG_COLOR_TYPE_GRAY);
	iu_chunk(&b, "IDAT", z.p, z.len);
	iu_chunk(&b, "IEND", NULL, 0);
	t0 = iu_now();
	rc = totp_image_load(&img, b.p, b.len);
	CHECK_RC(rc, TOTP_E_TOOBIG, "IDAT bomb 16000x16000 (%zu bytes) rejected", b.len);
	CHECK(iu_now() - t0 < 0.2, "IDAT bomb rejected in %.3f s", iu_now() - t0);
	free(b.p);
	free(z.p);

	/* 64 x 64 image whose IDAT inflates to 100 MB: only the image's
	 * 4160 bytes are ever inflated. */
	z = iu_zlib_zeros(100u << 20);
	iu_png_start(&b, 64, 64, 8, PNG_COLOR_TYPE_GRAY);
	iu_chunk(&b, "IDAT", z.p, z.len);
	iu_chunk(&b, "IEND", NULL, 0);
	t0 = iu_now();
	rc = totp_image_load(&img, b.p, b.len);
	CHECK(rc == TOTP_OK || rc == TOTP_E_IMAGE, "oversized IDAT stream: rc %d", rc);
	CHECK(iu_now() - t0 < 0.5, "oversized IDAT stream handled in %.3f s", iu_now() - t0);
	totp_image_free(&img);
	free(b.p);
	free(z.p);

	/* zTXt and iCCP chunks inflating to 100 MB are never inflated. */
	{
		struct iu_buf ok;
		static const char *types[] = {"zTXt", "iCCP"};

		z = iu_zlib_zeros(100u << 20);
		for (int k = 0; k < 2; k++) {
			struct iu_buf chunk = {0}, idat = iu_zlib_zeros(16 * 17);
			static const uint8_t kw[] = {'k', 0, 0};

			iu_buf_put(&chunk, kw, sizeof(kw));
			iu_buf_put(&chunk, z.p, z.len);
			iu_png_start(&ok, 16, 16, 8, PNG_COLOR_TYPE_GRAY);
			iu_chunk(&ok, types[k], chunk.p, chunk.len);
			iu_chunk(&ok, "IDAT", idat.p, idat.len);
			iu_chunk(&ok, "IEND", NULL, 0);
			t0 = iu_now();
			rc = totp_image_load(&img, ok.p, ok.len);
			CHECK(rc == TOTP_OK && img.width == 16 && img.pixels[0] == 0,
			      "%s bomb ignored, image decoded (rc %d)", types[k], rc);
			CHECK(iu_now() - t0 < 0.5, "%s bomb skipped in %.3f s", types[k],
			      iu_now() - t0);
			totp_image_free(&img);
			free(ok.p);
			free(chunk.p);
			free(idat.p);
		}
		free(z.p);
	}
	CHECK(maxrss_kb() - rss0 < 200 * 1024, "bombs cost %ld KiB of peak memory",
	      maxrss_kb() - rss0);

	/* A file over TOTP_IMAGE_FILE_MAX is refused before decoding. */
	{
		size_t big = TOTP_IMAGE_FILE_MAX + 1;
		uint8_t *p = calloc(1, big);

		memcpy(p, "\x89PNG\r\n\x1a\n", 8);
		CHECK_RC(totp_image_load(&img, p, big), TOTP_E_TOOBIG, "33 MiB buffer refused");
		free(p);
	}
}

/* A small valid PNG for the damage tests. */
static struct iu_buf sample_png(int ctype, int interlace)
{
	enum { W = 40, H = 30 };
	uint16_t s[W * H * 4];
	uint64_t seed = 42;
	struct iu_png p = {W, H, ctype, 8, interlace, s, NULL, 0, NULL, 0, NULL};
	struct iu_buf b;

	for (size_t i = 0; i < TOTP_ARRAY_LEN(s); i++)
		s[i] = (uint16_t)(iu_rand(&seed) & 0xff);
	if (iu_png(&b, &p) != 0)
		abort();
	return b;
}

static void test_truncated(void)
{
	struct iu_buf b = sample_png(PNG_COLOR_TYPE_RGB, 1);
	struct totp_image img;
	size_t bad = 0;
	int rc;

	rc = totp_image_load(&img, b.p, b.len);
	CHECK_RC(rc, TOTP_OK, "untruncated sample decodes");
	totp_image_free(&img);
	for (size_t n = 0; n < b.len; n++) {
		rc = totp_image_load(&img, b.p, n);
		if (rc == TOTP_OK || img.pixels) {
			bad++;
			totp_image_free(&img);
		}
	}
	CHECK(bad == 0, "every truncation of a %zu-byte PNG rejected (%zu accepted)", b.len, bad);
	free(b.p);

	/* Well-formed chunks, but the compressed stream ends a row early. */
	for (int il = 0; il < 2; il++) {
		struct iu_buf z = iu_zlib_zeros(il ? 100 : 16 * 17 - 17);

		iu_png_start(&b, 16, 16, 8, PNG_COLOR_TYPE_GRAY);
		if (il)
			b.p[8 + 8 + 12] = 1; /* IHDR interlace byte; CRC fixed below */
		iu_be32(b.p + 8 + 8 + 13, iu_crc32(b.p + 12, 17, 0));
		iu_chunk(&b, "IDAT", z.p, z.len);
		iu_chunk(&b, "IEND", NULL, 0);
		CHECK_RC(totp_image_load(&img, b.p, b.len), TOTP_E_IMAGE,
		         "%s image with too little data rejected", il ? "interlaced" : "plain");
		free(b.p);
		free(z.p);
	}
	/* The smallest images, both ways. */
	for (int il = 0; il < 2; il++) {
		static const uint16_t one[1] = {0};
		struct iu_png p = {1, 1, PNG_COLOR_TYPE_GRAY, 8, il, one, NULL, 0, NULL, 0, NULL};

		CHECK(iu_png(&b, &p) == 0, "write 1x1 PNG");
		CHECK(totp_image_load(&img, b.p, b.len) == TOTP_OK && img.width == 1 &&
		              img.pixels[0] == 0,
		      "1x1 %s PNG decodes", il ? "interlaced" : "plain");
		totp_image_free(&img);
		free(b.p);
	}
}

static void test_corrupt(void)
{
	struct iu_buf b = sample_png(PNG_COLOR_TYPE_RGB_ALPHA, 0);
	uint8_t *m = malloc(b.len);
	uint64_t seed = 7;
	int odd = 0;

	for (int i = 0; i < 3000; i++) {
		struct totp_image img;
		int rc;

		memcpy(m, b.p, b.len);
		for (int k = 0; k < 1 + i % 4; k++)
			m[8 + iu_rand(&seed) % (b.len - 8)] ^= (uint8_t)(1 + iu_rand(&seed) % 255);
		rc = totp_image_load(&img, m, b.len);
		if (rc != TOTP_OK && rc != TOTP_E_IMAGE && rc != TOTP_E_TOOBIG)
			odd++;
		if (rc == TOTP_OK && (img.width != 40 || img.height != 30))
			odd++;
		totp_image_free(&img);
	}
	CHECK(odd == 0, "3000 corrupted PNGs: no crash, only IMAGE/TOOBIG/OK (%d odd)", odd);
	free(m);
	free(b.p);
}

/* ---- JPEG ----------------------------------------------------------------- */

static void test_jpeg(void)
{
	enum { W = 64, H = 48 };
	uint8_t grey[W * H], rgb[W * H * 3], cmyk[W * H * 4];
	struct iu_buf b;
	struct totp_image img;
	int rc, worst;

	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			int i = y * W + x;

			grey[i] = (uint8_t)(x * 4);
			rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (uint8_t)(y * 5);
			/* Adobe-style inverted CMYK: no colour ink, black from k. */
			cmyk[4 * i] = cmyk[4 * i + 1] = cmyk[4 * i + 2] = 255;
			cmyk[4 * i + 3] = (uint8_t)(255 - x * 3);
		}
	for (int prog = 0; prog < 2; prog++) {
		if (iu_jpeg(&b, grey, W, H, 1, 95, prog) != 0) {
			CHECK(0, "libjpeg.so.62 available to write a test JPEG");
			return;
		}
		rc = totp_image_load(&img, b.p, b.len);
		worst = 0;
		for (int i = 0; rc == TOTP_OK && i < W * H; i++)
			if (abs(img.pixels[i] - grey[i]) > worst)
				worst = abs(img.pixels[i] - grey[i]);
		CHECK(rc == TOTP_OK && img.width == W && img.height == H && worst <= 4,
		      "grey %s JPEG decodes (rc %d, max error %d)",
		      prog ? "progressive" : "baseline", rc, worst);
		totp_image_free(&img);

		/* Every truncation: an error, or never a crash. */
		{
			size_t accepted = 0;

			for (size_t n = 0; n + 2 < b.len; n++) {
				if (totp_image_load(&img, b.p, n) == TOTP_OK)
					accepted++;
				totp_image_free(&img);
			}
			CHECK(accepted == 0,
			      "every truncation of a %s JPEG rejected (%zu accepted)",
			      prog ? "progressive" : "baseline", accepted);
		}
		free(b.p);
	}

	CHECK(iu_jpeg(&b, rgb, W, H, 3, 95, 0) == 0, "write RGB JPEG");
	rc = totp_image_load(&img, b.p, b.len);
	worst = 0;
	for (int i = 0; rc == TOTP_OK && i < W * H; i++)
		if (abs(img.pixels[i] - rgb[3 * i]) > worst)
			worst = abs(img.pixels[i] - rgb[3 * i]);
	CHECK(rc == TOTP_OK && worst <= 4, "RGB JPEG decodes to grey (rc %d, max error %d)", rc,
	      worst);
	totp_image_free(&img);
	free(b.p);

	CHECK(iu_jpeg(&b, cmyk, W, H, 4, 95, 0) == 0, "write CMYK JPEG");
	rc = totp_image_load(&img, b.p, b.len);
	worst = 0;
	for (int i = 0; rc == TOTP_OK && i < W * H; i++)
		if (abs(img.pixels[i] - cmyk[4 * i + 3]) > worst)
			worst = abs(img.pixels[i] - cmyk[4 * i + 3]);
	CHECK(rc == TOTP_OK && worst <= 4, "CMYK JPEG decodes to grey (rc %d, max error %d)", rc,
	      worst);
	totp_image_free(&img);
	free(b.p);

	/* Random damage to a progressive JPEG: no crash, sane answers. */
	CHECK(iu_jpeg(&b, rgb, W, H, 3, 80, 1) == 0, "write progressive RGB JPEG");
	{
		uint8_t *m = malloc(b.len);
		uint64_t seed = 11;
		int odd = 0;

		for (int i = 0; i < 2000; i++) {
			memcpy(m, b.p, b.len);
			for (int k = 0; k < 1 + i % 3; k++)
				m[3 + iu_rand(&seed) % (b.len - 3)] = (uint8_t)iu_rand(&seed);
			rc = totp_image_load(&img, m, b.len);
			if (rc != TOTP_OK && rc != TOTP_E_IMAGE && rc != TOTP_E_TOOBIG)
				odd++;
			if (rc == TOTP_OK && (!img.pixels || !img.width || !img.height))
				odd++;
			totp_image_free(&img);
		}
		CHECK(odd == 0, "2000 corrupted JPEGs: no crash, only IMAGE/TOOBIG/OK (%d odd)",
		      odd);
		free(m);
	}
	free(b.p);

	/* Dimensions over the limit are refused from the header. */
	{
		uint8_t *wide = calloc(16385, 8);

		CHECK(iu_jpeg(&b, wide, 16385, 8, 1, 50, 0) == 0, "write a 16385-wide JPEG");
		CHECK_RC(totp_image_load(&img, b.p, b.len), TOTP_E_TOOBIG, "16385x8 JPEG rejected");
		free(b.p);
		free(wide);
	}
	{
		static const uint8_t junk[] = {0xff, 0xd8, 0xff, 0xe0, 0, 2, 0xff, 0xd9};

		CHECK_RC(totp_image_load(&img, junk, sizeof(junk)), TOTP_E_IMAGE,
		         "JPEG without a frame rejected");
	}
}

/* ---- Files, descriptors, odd input --------------------------------------- */

static void test_files(void)
{
	char dir[] = "/tmp/t_image.XXXXXX", path[64];
	struct iu_buf b = sample_png(PNG_COLOR_TYPE_GRAY, 0);
	struct totp_image img;
	int fd, p[2];

	CHECK(mkdtemp(dir) != NULL, "temporary directory");
	snprintf(path, sizeof(path), "%s/a.png", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && write(fd, b.p, b.len) == (ssize_t)b.len, "write sample file");
	close(fd);
	CHECK_RC(totp_image_load_file(&img, path), TOTP_OK, "load_file");
	CHECK(img.width == 40 && img.height == 30, "load_file dimensions");
	totp_image_free(&img);
	totp_image_free(&img); /* twice is harmless */
	CHECK_RC(totp_image_load_file(&img, dir), TOTP_E_UNSAFE, "directory refused");
	snprintf(path, sizeof(path), "%s/missing.png", dir);
	CHECK_RC(totp_image_load_file(&img, path), TOTP_E_NOENT, "missing file");

	/* A sparse file just over the limit is refused from its size. */
	snprintf(path, sizeof(path), "%s/big.png", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && ftruncate(fd, (off_t)TOTP_IMAGE_FILE_MAX + 1) == 0, "sparse big file");
	close(fd);
	CHECK_RC(totp_image_load_file(&img, path), TOTP_E_TOOBIG, "33 MiB file refused");
	unlink(path);

	snprintf(path, sizeof(path), "%s/text.png", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && write(fd, "hello", 5) == 5, "text file");
	close(fd);
	CHECK_RC(totp_image_load_file(&img, path), TOTP_E_IMAGE, "text is not an image");
	unlink(path);
	snprintf(path, sizeof(path), "%s/a.png", dir);
	unlink(path);
	rmdir(dir);

	/* Through a pipe (as from standard input). */
	CHECK(pipe(p) == 0, "pipe");
	if (fork() == 0) {
		close(p[0]);
		if (write(p[1], b.p, b.len) != (ssize_t)b.len)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	CHECK_RC(totp_image_load_fd(&img, p[0]), TOTP_OK, "load_fd from a pipe");
	CHECK(img.width == 40, "pipe image dimensions");
	totp_image_free(&img);
	close(p[0]);
	free(b.p);

	CHECK_RC(totp_image_load(&img, (const uint8_t *)"GIF89a", 6), TOTP_E_IMAGE,
	         "GIF is not supported");
	CHECK_RC(totp_image_load(&img, NULL, 0), TOTP_E_IMAGE, "empty input");
	CHECK_RC(totp_image_load(NULL, NULL, 0), TOTP_E_INVAL, "NULL output");
}

static void test_dl(void)
{
	static void (*fn)(void);
	static const struct totp_dl_sym syms[] = {{"nothing_here", &fn}};
	static const struct totp_dl_sym csyms[] = {{"no_such_symbol_xyz", &fn}};
	struct totp_dl_lib missing = {"libdoes-not-exist.so.9", syms, 1, 0};
	struct totp_dl_lib nosym = {"libc.so.6", csyms, 1, 0};

	CHECK_RC(totp_dl_load(&missing), TOTP_E_LIBRARY, "missing library: TOTP_E_LIBRARY");
	CHECK_RC(totp_dl_load(&missing), TOTP_E_LIBRARY, "missing library: same answer again");
	CHECK_RC(totp_dl_load(&nosym), TOTP_E_LIBRARY, "missing symbol: TOTP_E_LIBRARY");
	CHECK(fn == NULL, "nothing left resolved");
}

int main(void)
{
	test_bombs(); /* first: peak memory is measured from here */
	test_colour_types();
	test_header_limits();
	test_truncated();
	test_corrupt();
	test_jpeg();
	test_files();
	test_dl();
	TEST_EXIT();
}
