/*
 * import.c - the list of entries and problems every import reader fills.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "internal.h"

void totp_import_init(struct totp_import *im)
{
	memset(im, 0, sizeof(*im));
}

void totp_import_clear(struct totp_import *im)
{
	if (im->entries) {
		sodium_memzero(im->entries, im->cap * sizeof(*im->entries));
		sodium_free(im->entries);
	}
	free(im->problems);
	totp_import_init(im);
}

int totp_import_add(struct totp_import *im, const struct totp_entry *e)
{
	if (im->count == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 16;
		struct totp_entry *n;

		if (cap > SIZE_MAX / sizeof(*n))
			return TOTP_E_NOMEM;
		n = sodium_malloc(cap * sizeof(*n));
		if (!n)
			return TOTP_E_NOMEM;
		if (im->count)
			memcpy(n, im->entries, im->count * sizeof(*n));
		if (im->entries) {
			sodium_memzero(im->entries, im->cap * sizeof(*n));
			sodium_free(im->entries);
		}
		im->entries = n;
		im->cap = cap;
	}
	im->entries[im->count++] = *e;
	return TOTP_OK;
}

int totp_import_problem(struct totp_import *im, size_t index, const char *label, int err,
                        const char *detail_fmt, ...)
{
	struct totp_import_problem *p;
	va_list ap;

	if (im->nproblems == im->pcap) {
		size_t cap = im->pcap ? im->pcap * 2 : 8;

		if (cap > SIZE_MAX / sizeof(*p))
			return TOTP_E_NOMEM;
		p = realloc(im->problems, cap * sizeof(*p));
		if (!p)
			return TOTP_E_NOMEM;
		im->problems = p;
		im->pcap = cap;
	}
	p = &im->problems[im->nproblems++];
	memset(p, 0, sizeof(*p));
	p->index = index;
	p->err = err;
	if (label)
		snprintf(p->label, sizeof(p->label), "%s", label);
	va_start(ap, detail_fmt);
	vsnprintf(p->detail, sizeof(p->detail), detail_fmt, ap);
	va_end(ap);
	return TOTP_OK;
}
