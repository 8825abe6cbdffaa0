/*
 * secmem.h - guarded memory reserved at once and mapped in as it is taken
 * (secmem.c).  Private to libtotp.
 */
#ifndef TOTP_SECMEM_H
#define TOTP_SECMEM_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

struct secmem {
	uint8_t *base; /* first usable byte; a guard page either side */
	size_t size;   /* usable bytes, whole pages */
	size_t used;   /* bytes handed out, from base */
	size_t locked; /* bytes from base locked into RAM */
};

/* Reserve size bytes (zero-filled when first touched); TOTP_E_NOMEM. */
int secmem_reserve(struct secmem *m, size_t size) TOTP_WUR;

/* The next n bytes, or NULL when fewer remain.  Memory is never given
 * back before secmem_release. */
void *secmem_take(struct secmem *m, size_t n);

/* Bytes secmem_take can still hand out. */
size_t secmem_free(const struct secmem *m);

/* Map in the whole pages inside [p, p + n), any memory about to be written
 * through, with one system call instead of a page fault per page (best
 * effort: MADV_POPULATE_WRITE, Linux 5.14). */
void populate_pages(void *p, size_t n);

/* Wipe what was handed out, unlock and unmap; m may be all zero. */
void secmem_release(struct secmem *m);

#endif
