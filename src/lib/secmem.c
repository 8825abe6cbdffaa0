/*
 * secmem.c - guarded memory for secrets that is reserved at once but only
 * mapped in as it is used.  A vault of 100,000 accounts reserves room to
 * decode every entry, and `totp code NAME` decodes one: the pages it never
 * touches cost neither time nor memory.
 *
 * Like libsodium's sodium_malloc: an inaccessible guard page either side,
 * excluded from core dumps, and locked into RAM (best effort: a failing
 * mlock is not an error, as in libsodium).  Pages are locked as the bump
 * pointer reaches them and wiped up to it on release.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "secmem.h"

static size_t page_size(void)
{
	static size_t ps;

	if (!ps) {
		long n = sysconf(_SC_PAGESIZE);

		ps = n > 0 ? (size_t)n : 4096;
	}
	return ps;
}

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

int secmem_reserve(struct secmem *m, size_t size)
{
	size_t ps = page_size(), len;
	uint8_t *base;

	memset(m, 0, sizeof(*m));
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX / 2 - 2 * ps)
		return TOTP_E_NOMEM;
	len = round_up(size, ps);
	base = mmap(NULL, len + 2 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
	            0);
	if (base == MAP_FAILED)
		return TOTP_E_NOMEM;
	if (mprotect(base + ps, len, PROT_READ | PROT_WRITE) != 0) {
		munmap(base, len + 2 * ps);
		return TOTP_E_NOMEM;
	}
#ifdef MADV_DONTDUMP
	(void)madvise(base + ps, len, MADV_DONTDUMP);
#endif
	m->base = base + ps;
	m->size = len;
	return TOTP_OK;
}

void *secmem_take(struct secmem *m, size_t n)
{
	uint8_t *p;

	if (!m->base || n > m->size - m->used)
		return NULL;
	p = m->base + m->used;
	m->used += n;
	if (m->used > m->locked) {
		/* As much again as is in use, up to 64 KiB: few mlock calls
		 * when memory is taken in small pieces, and little populated
		 * that is never used (one entry of a large vault maps in two
		 * pages, not sixteen). */
		size_t upto = round_up(m->used, page_size());
		size_t ahead = upto < 65536 ? upto : 65536;

		upto = ahead < m->size - upto ? upto + ahead : m->size;

		(void)mlock(m->base + m->locked, upto - m->locked);
		m->locked = upto;
	}
	return p;
}

size_t secmem_free(const struct secmem *m)
{
	return m->base ? m->size - m->used : 0;
}

void populate_pages(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	size_t ps = page_size();
	uintptr_t a = ((uintptr_t)p + ps - 1) / ps * ps, end = ((uintptr_t)p + n) / ps * ps;

	if (end > a)
		(void)madvise((void *)a, end - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

void secmem_release(struct secmem *m)
{
	size_t ps = page_size();

	if (!m->base)
		return;
	sodium_memzero(m->base, m->used);
	/* Unmapping unlocks. */
	munmap(m->base - ps, m->size + 2 * ps);
	memset(m, 0, sizeof(*m));
}
