/*
 * shim_write.c - an LD_PRELOAD library that makes write(2) on regular
 * files misbehave the way a full or failing disk does, for the I/O fault
 * tests.  Writes to anything else (terminals, pipes) are left alone.
 *
 * STRESS_WRITE selects the behaviour:
 *   short:N       every write transfers at most N bytes (a correct
 *                 program loops and succeeds)
 *   enospc:N      the first write transfers at most N bytes, every later
 *                 one fails with ENOSPC (the disk fills during the file)
 *   zero          every write returns 0, having written nothing
 *   eintr         the first write fails with EINTR, the rest work
 * STRESS_WRITE_COUNT=PATH, if set, receives the number of writes seen on
 * regular files, updated at every write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t len);

enum mode { NONE, SHORT, ENOSPC_AFTER, ZERO, EINTR_ONCE };

static enum mode mode;
static size_t limit;
static unsigned long seen;
static int count_fd = -1;

__attribute__((constructor)) static void shim_init(void)
{
	const char *m = getenv("STRESS_WRITE");
	const char *c = getenv("STRESS_WRITE_COUNT");

	if (!m)
		return;
	if (strncmp(m, "short:", 6) == 0) {
		mode = SHORT;
		limit = strtoul(m + 6, NULL, 10);
	} else if (strncmp(m, "enospc:", 7) == 0) {
		mode = ENOSPC_AFTER;
		limit = strtoul(m + 7, NULL, 10);
	} else if (strcmp(m, "zero") == 0) {
		mode = ZERO;
	} else if (strcmp(m, "eintr") == 0) {
		mode = EINTR_ONCE;
	}
	if (limit == 0)
		limit = 1;
	if (c && *c)
		count_fd = (int)syscall(SYS_openat, AT_FDCWD, c,
		                        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

static void record(void)
{
	char num[24];
	size_t n = 0;
	unsigned long v = seen;
	char tmp[24];

	if (count_fd < 0)
		return;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		num[i] = tmp[n - 1 - i];
	num[n++] = '\n';
	(void)syscall(SYS_pwrite64, count_fd, num, n, 0);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	struct stat st;

	if (mode == NONE || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return syscall(SYS_write, fd, buf, len);
	seen++;
	record();
	switch (mode) {
	case SHORT:
		return syscall(SYS_write, fd, buf, len < limit ? len : limit);
	case ENOSPC_AFTER:
		if (seen == 1)
			return syscall(SYS_write, fd, buf, len < limit ? len : limit);
		errno = ENOSPC;
		return -1;
	case ZERO:
		return 0;
	case EINTR_ONCE:
		if (seen == 1) {
			errno = EINTR;
			return -1;
		}
		return syscall(SYS_write, fd, buf, len);
	default:
		return syscall(SYS_write, fd, buf, len);
	}
}
