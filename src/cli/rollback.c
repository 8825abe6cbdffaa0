/*
 * rollback.c - remember the highest generation seen of each vault, so that
 * an older copy put back in its place (by a synchronisation tool, a restored
 * backup, an attacker with write access) is noticed.  The record lives in
 * $XDG_STATE_HOME/totp/generation-HASH (else ~/.local/state/totp/), where
 * HASH is the SHA-1 of the vault's real path; it is a small text file,
 * mode 0600, replaced by rename under a lock on its directory.
 *
 * Everything here is best effort: a state directory that cannot be created
 * or written only weakens the detection, it never makes a command fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define STATE_MAX 8192 /* bytes read of a record */
#define LOCK_TRIES 200 /* 5 ms apart: one second */
#define SALT_BYTES sizeof(((struct totp_vault_info *)0)->salt)

struct record {
	uint64_t generation;
	int64_t seen; /* Unix time the generation was first seen */
	uint8_t salt[SALT_BYTES];
};

/* The state directory's path. */
static int state_dir(char *dir, size_t dirsz)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (xdg && *xdg == '/')
		n = snprintf(dir, dirsz, "%s/totp", xdg);
	else if (home && *home == '/')
		n = snprintf(dir, dirsz, "%s/.local/state/totp", home);
	else
		return -1;
	return n > 0 && (size_t)n < dirsz ? 0 : -1;
}

/* "generation-" and the hex SHA-1 of the vault's real path. */
static int record_name(char *name, size_t namesz)
{
	uint8_t h[TOTP_SHA1_BYTES];
	char *real = realpath(cli.vault_path, NULL);
	int n;

	if (!real)
		return -1;
	totp_sha1(h, (const uint8_t *)real, strlen(real));
	free(real);
	n = snprintf(name, namesz, "generation-");
	for (size_t i = 0; i < sizeof(h) && n > 0 && (size_t)n + 2 < namesz; i++)
		n += snprintf(name + n, namesz - (size_t)n, "%02x", h[i]);
	return n == 11 + 2 * TOTP_SHA1_BYTES ? 0 : -1;
}

/* The state directory opened and locked (flock on the directory itself),
 * and the record's name in it; -1 when there is no usable state. */
static int state_open(char *name, size_t namesz)
{
	char dir[PATH_MAX];
	int fd, i;

	if (state_dir(dir, sizeof(dir)) != 0 || record_name(name, namesz) != 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && make_dirs(dir) == 0)
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (i = 0; i < LOCK_TRIES; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		nanosleep(&(struct timespec){0, 5000000L}, NULL);
	}
	close(fd);
	return -1;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex_bytes(uint8_t *out, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(s[2 * i]), lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);

		if (lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return s[2 * n] == '\0' || s[2 * n] == '\n' ? 0 : -1;
}

/* 0 and *r filled when the record exists and parses; -1 otherwise. */
static int record_read(int dirfd, const char *name, struct record *r)
{
	char buf[STATE_MAX + 1], salt[2 * SALT_BYTES + 2];
	unsigned long long gen;
	long long seen;
	struct stat st;
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid()) {
		close(fd);
		return -1;
	}
	n = read(fd, buf, STATE_MAX);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "totp-rollback-state 1\ngeneration %llu\nseen %lld\nsalt %33s\n", &gen,
	           &seen, salt) != 3 ||
	    strlen(salt) != 2 * SALT_BYTES || hex_bytes(r->salt, SALT_BYTES, salt) != 0)
		return -1;
	r->generation = gen;
	r->seen = seen;
	return 0;
}

/* Replace the record: a new file beside it, renamed over it. */
static void record_write(int dirfd, const char *name, const struct record *r)
{
	char tmp[NAME_MAX + 1], *real = realpath(cli.vault_path, NULL);
	FILE *f;
	int fd, bad;

	if (!real || (size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= sizeof(tmp))
		goto out;
	/* Under the lock nobody else writes tmp: a leftover is from a crash. */
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		(void)unlinkat(dirfd, tmp, 0);
		goto out;
	}
	fprintf(f, "totp-rollback-state 1\ngeneration %llu\nseen %lld\nsalt ",
	        (unsigned long long)r->generation, (long long)r->seen);
	for (size_t i = 0; i < SALT_BYTES; i++)
		fprintf(f, "%02x", r->salt[i]);
	fprintf(f, "\nvault %s\n", real);
	bad = ferror(f);
	if (fclose(f) != 0 || bad || renameat(dirfd, tmp, dirfd, name) != 0)
		(void)unlinkat(dirfd, tmp, 0);
out:
	free(real);
}

static void format_date(char *buf, size_t bufsz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || strftime(buf, bufsz, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		snprintf(buf, bufsz, "@%lld", (long long)t);
}

/*
 * A rollback: the vault is older than one seen before.  A vault with a new
 * salt at generation 1 is a new vault (made with 'totp init'), not an old
 * copy of this one.
 */
static bool rolled_back(const struct totp_vault_info *info, const struct record *r)
{
	if (info->generation >= r->generation)
		return false;
	return !(info->generation <= 1 && memcmp(info->salt, r->salt, SALT_BYTES) != 0);
}

static void update(const struct totp_vault *v, bool saved)
{
	const struct totp_vault_info *info = totp_vault_header(v);
	struct record r, now;
	char name[NAME_MAX + 1], date[64];
	bool have;
	int dirfd;

	if (!info || (dirfd = state_open(name, sizeof(name))) < 0)
		return;
	have = record_read(dirfd, name, &r) == 0;
	if (have && !saved && rolled_back(info, &r)) {
		format_date(date, sizeof(date), r.seen);
		warnx_("warning: %s: vault generation %llu is older than generation %llu seen on "
		       "%s: the file may have been rolled back (an old copy restored)",
		       cli.vault_path, (unsigned long long)info->generation,
		       (unsigned long long)r.generation, date);
		warnx_("it opens anyway; if it was restored on purpose, this warning stops once "
		       "the vault is saved (HOTP accounts may repeat codes already used)");
		goto out;
	}
	/* After a save the vault on disk is this process's: record it even
	 * if lower, so a deliberate restore is accepted by its first change. */
	if (have && r.generation == info->generation && memcmp(r.salt, info->salt, SALT_BYTES) == 0)
		goto out;
	now.generation = info->generation;
	now.seen = now_seconds();
	memcpy(now.salt, info->salt, SALT_BYTES);
	record_write(dirfd, name, &now);
out:
	close(dirfd); /* releases the lock */
}

void rollback_opened(const struct totp_vault *v)
{
	update(v, false);
}

void rollback_saved(const struct totp_vault *v)
{
	update(v, true);
}

bool rollback_describe(const struct totp_vault_info *info, char *buf, size_t bufsz)
{
	struct record r;
	char name[NAME_MAX + 1], date[64];
	bool good = true;
	int dirfd = state_open(name, sizeof(name));

	if (dirfd < 0) {
		snprintf(buf, bufsz, "no state directory: an old copy put back would go unnoticed");
		return true;
	}
	if (record_read(dirfd, name, &r) != 0) {
		snprintf(buf, bufsz, "no generation recorded yet (the next unlock records one)");
	} else {
		format_date(date, sizeof(date), r.seen);
		good = !rolled_back(info, &r);
		if (good)
			snprintf(buf, bufsz, "highest generation seen: %llu, on %s",
			         (unsigned long long)r.generation, date);
		else
			snprintf(buf, bufsz,
			         "vault generation %llu is older than generation %llu seen on %s: "
			         "the file may have been rolled back (an old copy restored)",
			         (unsigned long long)info->generation,
			         (unsigned long long)r.generation, date);
	}
	close(dirfd);
	return good;
}
