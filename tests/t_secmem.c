/*
 * t_secmem.c - guarded memory reserved at once and taken piece by piece:
 * bounds, zero fill, locking that never reaches past the region, wiping.
 */
#include <string.h>
#include <sys/mman.h>

#include "secmem.h"
#include "test.h"

/* Bytes of memory locked by this process (VmLck in /proc/self/status). */
static long locked_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static void test_sizes(void)
{
	static const size_t sizes[] = {1, 100, 4096, 4097, 65536, 70000, 1 << 20};

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct secmem m;
		size_t n = sizes[k], got = 0, bad = 0;
		uint8_t *p;

		if (!CHECK(secmem_reserve(&m, n) == TOTP_OK, "reserve %zu bytes", n))
			continue;
		CHECK(m.size >= n && m.size % 4096 == 0 && m.used == 0, "%zu: whole pages", n);
		/* Taken in uneven pieces, as entries of 672 bytes are. */
		while ((p = secmem_take(&m, 672)) != NULL) {
			for (size_t i = 0; i < 672; i++)
				bad += p[i] != 0;
			memset(p, 0xa5, 672);
			got += 672;
			bad += m.locked > m.size || m.locked < m.used;
		}
		CHECK(bad == 0, "%zu: zero-filled, locked range inside the region", n);
		CHECK(got == m.size / 672 * 672 && secmem_free(&m) == m.size - got,
		      "%zu: taken up to the end, no further", n);
		CHECK(secmem_take(&m, m.size - got + 1) == NULL, "%zu: one byte too many refused",
		      n);
		secmem_release(&m);
		CHECK(m.base == NULL && m.size == 0 && m.used == 0 && m.locked == 0,
		      "%zu: released", n);
	}
}

static void test_locking(void)
{
	struct secmem a, b;
	long before = locked_kib(), during, after;

	if (!CHECK(secmem_reserve(&a, 4096) == TOTP_OK && secmem_reserve(&b, 4096) == TOTP_OK,
	           "two one-page regions"))
		return;
	(void)secmem_take(&a, 10);
	(void)secmem_take(&b, 10);
	during = locked_kib();
	CHECK(a.locked == 4096 && b.locked == 4096, "each locks its one page, no more");
	if (before >= 0 && during > before)
		CHECK(during - before == 8, "the kernel counts exactly the two pages (%ld KiB)",
		      during - before);
	else
		printf("# mlock not available here (VmLck %ld -> %ld KiB)\n", before, during);
	secmem_release(&a);
	after = locked_kib();
	CHECK(b.base[0] == 0 && b.locked == 4096, "releasing one leaves the other alone");
	if (before >= 0 && during > before)
		CHECK(during - after == 4, "and unlocks only its own page");
	secmem_release(&b);
	CHECK(secmem_free(&b) == 0 && secmem_take(&b, 1) == NULL, "nothing from a released region");
}

int main(void)
{
	test_sizes();
	test_locking();
	TEST_EXIT();
}
