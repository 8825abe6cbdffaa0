/*
 * dl.c - load an optional shared library at first use (see dl.h).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "dl.h"
#include "internal.h"

typedef void (*totp_dl_fn)(void);
_Static_assert(sizeof(totp_dl_fn) == sizeof(void *), "function pointers fit a void *");

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

static int load_locked(struct totp_dl_lib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return TOTP_E_LIBRARY;
	for (size_t i = 0; i < lib->nsyms; i++) {
		void *p = dlsym(h, lib->syms[i].name);

		if (!p) {
			for (size_t j = 0; j < i; j++)
				memset(lib->syms[j].slot, 0, sizeof(void *));
			dlclose(h);
			return TOTP_E_LIBRARY;
		}
		/* POSIX guarantees dlsym results convert to function pointers. */
		memcpy(lib->syms[i].slot, &p, sizeof(p));
	}
	/* The handle stays open for the life of the process. */
	return TOTP_OK;
}

int totp_dl_load(struct totp_dl_lib *lib)
{
	int rc;

	pthread_mutex_lock(&dl_lock);
	if (lib->state == 0)
		lib->state = load_locked(lib) == TOTP_OK ? 1 : -1;
	rc = lib->state == 1 ? TOTP_OK : TOTP_E_LIBRARY;
	pthread_mutex_unlock(&dl_lock);
	return rc;
}
