/*
 * shim_alloc.c - an LD_PRELOAD library that makes the Nth memory
 * allocation of a program fail, for the allocation-failure tests.
 *
 * Counted calls: malloc, calloc, realloc, posix_memalign, aligned_alloc,
 * memalign, valloc, pvalloc and libsodium's sodium_malloc and
 * sodium_allocarray (which allocate with mmap, not malloc).  The count
 * starts when this library is initialised, that is before main.
 *
 * Environment:
 *   STRESS_ALLOC_FAIL=N    fail call N only (1-based)
 *   STRESS_ALLOC_FAIL=N+   fail call N and every later one
 *   STRESS_ALLOC_LOG=PATH  append one line per counted call:
 *                          "N KIND SIZE OBJECT+OFFSET [FAILED]"
 *   STRESS_ALLOC_PROG=NAME count only in a program of that name (so that
 *                          a wrapper such as valgrind's launcher, which
 *                          inherits LD_PRELOAD, is left alone)
 * Without STRESS_ALLOC_FAIL nothing fails: a dry run counts the calls.
 * The real allocator is reached through glibc's __libc_* entry points, so
 * this library never calls dlsym from inside an allocation.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);

void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
int posix_memalign(void **out, size_t align, size_t n);
void *aligned_alloc(size_t align, size_t n);
void *memalign(size_t align, size_t n);
void *valloc(size_t n);
void *pvalloc(size_t n);
void *sodium_malloc(size_t n);
void *sodium_allocarray(size_t count, size_t size);

static unsigned long fail_at; /* 0: never */
static int fail_after;        /* also every call after fail_at */
static int armed;
static int log_fd = -1;
static unsigned long calls;
static void *(*real_sodium_malloc)(size_t);
static void *(*real_sodium_allocarray)(size_t, size_t);

static size_t fmt_ulong(char *p, unsigned long v, unsigned base)
{
	char tmp[32];
	size_t n = 0, i;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

static size_t put_str(char *p, size_t room, const char *s)
{
	size_t n = strlen(s);

	if (n > room)
		n = room;
	memcpy(p, s, n);
	return n;
}

/* One log line, built without stdio (which may allocate). */
static void log_call(const char *kind, size_t size, const void *caller, int failed)
{
	char line[512];
	size_t n = 0;
	Dl_info info;
	int saved = errno;

	if (log_fd < 0)
		return;
	n += fmt_ulong(line + n, calls, 10);
	line[n++] = ' ';
	n += put_str(line + n, 64, kind);
	line[n++] = ' ';
	n += fmt_ulong(line + n, size, 10);
	line[n++] = ' ';
	if (dladdr(caller, &info) && info.dli_fname) {
		const char *base = strrchr(info.dli_fname, '/');

		n += put_str(line + n, 200, base ? base + 1 : info.dli_fname);
		line[n++] = '+';
		line[n++] = '0';
		line[n++] = 'x';
		n += fmt_ulong(line + n,
		               (unsigned long)((uintptr_t)caller - (uintptr_t)info.dli_fbase), 16);
	} else {
		line[n++] = '?';
	}
	if (failed)
		n += put_str(line + n, 16, " FAILED");
	line[n++] = '\n';
	(void)syscall(SYS_write, log_fd, line, n);
	errno = saved;
}

/* 1 when this call must fail. */
static int should_fail(const char *kind, size_t size, const void *caller)
{
	int failed;

	if (!armed)
		return 0;
	calls++;
	failed = fail_at && (calls == fail_at || (fail_after && calls > fail_at));
	log_call(kind, size, caller, failed);
	if (failed)
		errno = ENOMEM;
	return failed;
}

__attribute__((constructor)) static void shim_init(void)
{
	const char *f = getenv("STRESS_ALLOC_FAIL");
	const char *l = getenv("STRESS_ALLOC_LOG");
	const char *prog = getenv("STRESS_ALLOC_PROG");
	void *sym;

	if (prog && *prog && strcmp(prog, program_invocation_short_name) != 0)
		return;

	if (f && *f) {
		char *end;

		fail_at = strtoul(f, &end, 10);
		fail_after = *end == '+';
	}
	if (l && *l)
		log_fd = (int)syscall(SYS_openat, AT_FDCWD, l,
		                      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	/* Looked up now: dlsym may allocate, and must not be counted. */
	sym = dlsym(RTLD_NEXT, "sodium_malloc");
	memcpy(&real_sodium_malloc, &sym, sizeof(sym));
	sym = dlsym(RTLD_NEXT, "sodium_allocarray");
	memcpy(&real_sodium_allocarray, &sym, sizeof(sym));
	armed = 1;
}

void *malloc(size_t n)
{
	if (should_fail("malloc", n, __builtin_return_address(0)))
		return NULL;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	if (should_fail("calloc", n * m, __builtin_return_address(0)))
		return NULL;
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	if (should_fail("realloc", n, __builtin_return_address(0)))
		return NULL;
	return __libc_realloc(p, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (should_fail("posix_memalign", n, __builtin_return_address(0)))
		return ENOMEM;
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = __libc_memalign(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	if (should_fail("aligned_alloc", n, __builtin_return_address(0)))
		return NULL;
	return __libc_memalign(align, n);
}

void *memalign(size_t align, size_t n)
{
	if (should_fail("memalign", n, __builtin_return_address(0)))
		return NULL;
	return __libc_memalign(align, n);
}

void *valloc(size_t n)
{
	if (should_fail("valloc", n, __builtin_return_address(0)))
		return NULL;
	return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

void *pvalloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (should_fail("pvalloc", n, __builtin_return_address(0)))
		return NULL;
	return __libc_memalign(page, (n + page - 1) / page * page);
}

void *sodium_malloc(size_t n)
{
	if (should_fail("sodium_malloc", n, __builtin_return_address(0)) || !real_sodium_malloc)
		return NULL;
	return real_sodium_malloc(n);
}

void *sodium_allocarray(size_t count, size_t size)
{
	if (should_fail("sodium_allocarray", count * size, __builtin_return_address(0)) ||
	    !real_sodium_allocarray)
		return NULL;
	return real_sodium_allocarray(count, size);
}
