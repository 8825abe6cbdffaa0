/*
 * dl.h - load an optional shared library at first use.
 *
 * Heavy libraries needed by one command only (zbar, libjpeg) are opened with
 * dlopen() by the code path that needs them, so every other command starts
 * without them.  Private to libtotp.
 */
#ifndef TOTP_DL_H
#define TOTP_DL_H

#include <stddef.h>

/* One symbol to resolve: its name and the function pointer to fill.  The
 * pointer is written through a void * slot (function and object pointers
 * have the same size on every platform this builds on). */
struct totp_dl_sym {
	const char *name;
	void *slot; /* address of a function pointer variable */
};

/* A library opened once per process: soname, symbol table, outcome. */
struct totp_dl_lib {
	const char *soname;
	const struct totp_dl_sym *syms;
	size_t nsyms;
	int state; /* 0 not tried, 1 loaded, -1 failed */
};

/*
 * Open lib->soname (RTLD_NOW | RTLD_LOCAL) and resolve every symbol, the
 * first time only; later calls return the first outcome.  TOTP_OK, or
 * TOTP_E_LIBRARY when the library or one of its symbols is missing (nothing
 * is then left filled).  Serialised with a mutex, so threads may race.
 */
int totp_dl_load(struct totp_dl_lib *lib);

#endif
