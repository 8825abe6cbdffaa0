/*
 * vault_file.c - the vault on disk: its directory, the lock file, bounded
 * reads, and the atomic, durable replacement of the file with a backup of
 * the previous one.  Every name is resolved against one directory
 * descriptor opened once, so a path component swapped during a save cannot
 * redirect it.
 */
#include <dirent.h>
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

#include <sodium.h>

#include "vault_internal.h"

/* ".NAME.tmp.XXXXXX": the temporary names of a save. */
#define TMP_TAG ".tmp."
#define TMP_RAND 6
#define TMP_TRIES 64
#define NAME_EXTRA (1 + sizeof(TMP_TAG) - 1 + TMP_RAND)

static const char tmp_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

void totp_vfile_init(struct totp_vfile *f)
{
	f->dirfd = -1;
	f->lockfd = -1;
	f->name = NULL;
}

void totp_vfile_close(struct totp_vfile *f)
{
	int saved = errno;

	if (f->lockfd >= 0)
		(void)close(f->lockfd); /* releases the flock */
	if (f->dirfd >= 0)
		(void)close(f->dirfd);
	free(f->name);
	totp_vfile_init(f);
	errno = saved;
}

/* TOTP_E_IO with errno kept, for the caller's message. */
static int io_error(int *saved)
{
	*saved = errno;
	return TOTP_E_IO;
}

/* The directory part of path ("." or "/" when there is none), without
 * trailing slashes, so that O_NOFOLLOW applies to its last component. */
static int split_path(const char *path, char **dir, char **name)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dlen = slash ? (size_t)(slash - path) : 0;

	*dir = *name = NULL;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return TOTP_E_INVAL;
	if (strlen(base) + NAME_EXTRA > NAME_MAX)
		return TOTP_E_INVAL;
	while (dlen > 1 && path[dlen - 1] == '/')
		dlen--;
	if (!slash)
		*dir = strdup(".");
	else if (dlen == 0 || (dlen == 1 && path[0] == '/'))
		*dir = strdup("/");
	else
		*dir = strndup(path, dlen);
	*name = strdup(base);
	if (!*dir || !*name) {
		free(*dir);
		free(*name);
		*dir = *name = NULL;
		return TOTP_E_NOMEM;
	}
	return TOTP_OK;
}

static int open_dir_fd(const char *dir, int *fd, int *saved)
{
	struct stat st;

	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd >= 0)
		return TOTP_OK;
	if (errno == ENOENT)
		return TOTP_E_NOENT;
	if (errno == ELOOP)
		return TOTP_E_UNSAFE;
	/* A symbolic link to a directory fails with ENOTDIR. */
	if (errno == ENOTDIR && lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
		return TOTP_E_UNSAFE;
	return io_error(saved);
}

int totp_vfile_open_dir(struct totp_vfile *f, const char *path, int mkdir_parent)
{
	char *dir = NULL, *name = NULL;
	int saved = 0, rc, made = 0, fd = -1;

	totp_vfile_close(f);
	if (!path)
		return TOTP_E_INVAL;
	rc = split_path(path, &dir, &name);
	if (rc)
		goto out;
	rc = open_dir_fd(dir, &fd, &saved);
	if (rc == TOTP_E_NOENT && mkdir_parent) {
		/* Only the last component: a missing grandparent stays an error. */
		made = mkdir(dir, 0700) == 0;
		if (!made && errno != EEXIST) {
			rc = errno == ENOENT ? TOTP_E_NOENT : io_error(&saved);
			goto out;
		}
		rc = open_dir_fd(dir, &fd, &saved);
	}
	if (rc)
		goto out;
	/* mkdir's mode went through the umask; set it exactly. */
	if (made && fchmod(fd, 0700) != 0) {
		rc = io_error(&saved);
		goto out;
	}
	f->dirfd = fd;
	f->name = name;
	fd = -1;
	name = NULL;
out:
	if (fd >= 0)
		(void)close(fd);
	free(dir);
	free(name);
	if (rc == TOTP_E_IO)
		errno = saved;
	return rc;
}

int totp_vfile_exists(const struct totp_vfile *f)
{
	struct stat st;

	if (fstatat(f->dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	return errno == ENOENT ? 0 : TOTP_E_IO;
}

/* A file we create or reuse must be a regular file of ours, mode 0600. */
static int check_own_file(int fd, int *saved)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return io_error(saved);
	if (!S_ISREG(st.st_mode) || st.st_uid != getuid())
		return TOTP_E_UNSAFE;
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) != 0)
		return io_error(saved);
	return TOTP_OK;
}

static long lock_timeout_ms(void)
{
	const char *s = secure_getenv("TOTP_LOCK_TIMEOUT_MS");
	char *end;
	long v;

	if (!s || *s < '0' || *s > '9')
		return VAULT_LOCK_TIMEOUT_MS;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > 3600000L)
		return VAULT_LOCK_TIMEOUT_MS;
	return v;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int totp_vfile_lock(struct totp_vfile *f)
{
	char lockname[NAME_MAX + 1];
	int64_t deadline = now_ms() + lock_timeout_ms();
	long pause_ms = 2;
	int saved = 0, rc, fd;

	if (f->lockfd >= 0)
		return TOTP_OK;
	if ((size_t)snprintf(lockname, sizeof(lockname), "%s.lock", f->name) >= sizeof(lockname))
		return TOTP_E_INVAL;
	/* O_NONBLOCK: a FIFO planted here must not hang the open. */
	fd = openat(f->dirfd, lockname, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
	            0600);
	if (fd < 0)
		return errno == ELOOP ? TOTP_E_UNSAFE : io_error(&saved);
	rc = check_own_file(fd, &saved);
	while (rc == TOTP_OK && flock(fd, LOCK_EX | LOCK_NB) != 0) {
		struct timespec ts;

		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			rc = io_error(&saved);
			break;
		}
		if (now_ms() >= deadline) {
			rc = TOTP_E_BUSY;
			break;
		}
		ts.tv_sec = 0;
		ts.tv_nsec = pause_ms * 1000000L;
		(void)nanosleep(&ts, NULL);
		if (pause_ms < 100)
			pause_ms *= 2;
	}
	if (rc) {
		(void)close(fd);
		if (rc == TOTP_E_IO)
			errno = saved;
		return rc;
	}
	f->lockfd = fd;
	return TOTP_OK;
}

/* ".NAME.tmp." followed by TMP_RAND characters of the alphabet. */
static int is_our_temp(const char *name, const char *d)
{
	size_t n = strlen(name);

	if (d[0] != '.' || strncmp(d + 1, name, n) != 0 ||
	    strncmp(d + 1 + n, TMP_TAG, sizeof(TMP_TAG) - 1) != 0)
		return 0;
	d += 1 + n + sizeof(TMP_TAG) - 1;
	return strlen(d) == TMP_RAND && strspn(d, tmp_alphabet) == TMP_RAND;
}

void totp_vfile_clean_temps(const struct totp_vfile *f)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, saved = errno;

	if (f->lockfd < 0)
		return;
	/* Best effort: a leftover that cannot be removed harms nothing. */
	fd = openat(f->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	d = fdopendir(fd);
	if (!d) {
		(void)close(fd);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_our_temp(f->name, de->d_name))
			continue;
		if (fstatat(f->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_uid == getuid())
			(void)unlinkat(f->dirfd, de->d_name, 0);
	}
	(void)closedir(d);
out:
	errno = saved;
}

static int open_read(const struct totp_vfile *f, int *fdp, uint64_t *size)
{
	struct stat st;
	int fd, saved = 0, rc = TOTP_OK;

	*fdp = -1;
	*size = 0;
	fd = openat(f->dirfd, f->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return TOTP_E_NOENT;
		return errno == ELOOP ? TOTP_E_UNSAFE : io_error(&saved);
	}
	if (fstat(fd, &st) != 0)
		rc = io_error(&saved);
	else if (!S_ISREG(st.st_mode) || st.st_uid != getuid())
		rc = TOTP_E_UNSAFE;
	else if ((uint64_t)st.st_size > VAULT_FILE_MAX)
		rc = TOTP_E_TOOBIG;
	else if ((uint64_t)st.st_size < VAULT_FILE_MIN)
		rc = TOTP_E_FORMAT;
	if (rc) {
		(void)close(fd);
		if (rc == TOTP_E_IO)
			errno = saved;
		return rc;
	}
	*fdp = fd;
	*size = (uint64_t)st.st_size;
	return TOTP_OK;
}

int totp_vfile_pread(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return TOTP_E_IO;
		}
		if (n == 0) {
			errno = EIO; /* the file shrank while being read */
			return TOTP_E_IO;
		}
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return TOTP_OK;
}

static int at_end(int fd, uint64_t off)
{
	uint8_t c;
	ssize_t n;

	do
		n = pread(fd, &c, 1, (off_t)off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return TOTP_E_IO;
	if (n > 0) {
		errno = EIO; /* the file grew while being read */
		return TOTP_E_IO;
	}
	return TOTP_OK;
}

int totp_vfile_read_with(const struct totp_vfile *f, uint8_t hdr[VAULT_HEADER_BYTES],
                         totp_vfile_header_fn check, void *ctx, totp_vfile_body_fn body,
                         void *body_ctx)
{
	uint64_t size;
	int fd = -1, rc, saved;

	rc = open_read(f, &fd, &size);
	if (rc)
		return rc;
	rc = totp_vfile_pread(fd, hdr, VAULT_HEADER_BYTES, 0);
	if (rc == TOTP_OK)
		rc = check(ctx, hdr, size);
	if (rc == TOTP_OK && body)
		rc = body(body_ctx, fd, size - VAULT_HEADER_BYTES);
	if (rc == TOTP_OK && body)
		rc = at_end(fd, size);
	saved = errno;
	(void)close(fd); /* opened read-only: its close loses nothing */
	errno = saved;
	return rc;
}

/* The rest of the file into guarded memory reserved in *body. */
static int read_body(void *ctx, int fd, uint64_t len)
{
	struct secmem *body = ctx;
	int rc;

	/* Bounded by open_read: at most VAULT_FILE_MAX. */
	rc = secmem_reserve(body, (size_t)len);
	if (rc == TOTP_OK)
		rc = totp_vfile_pread(fd, secmem_take(body, (size_t)len), (size_t)len,
		                      VAULT_HEADER_BYTES);
	return rc;
}

int totp_vfile_read(const struct totp_vfile *f, uint8_t hdr[VAULT_HEADER_BYTES],
                    totp_vfile_header_fn check, void *ctx, struct secmem *body)
{
	int rc = totp_vfile_read_with(f, hdr, check, ctx, body ? read_body : NULL, body);

	if (rc && body) {
		int saved = errno;

		secmem_release(body);
		errno = saved;
	}
	return rc;
}

static void temp_name(char *out, size_t outsz, const char *name)
{
	char r[TMP_RAND + 1];

	for (size_t i = 0; i < TMP_RAND; i++)
		r[i] = tmp_alphabet[randombytes_uniform(sizeof(tmp_alphabet) - 1)];
	r[TMP_RAND] = '\0';
	(void)snprintf(out, outsz, ".%s%s%s", name, TMP_TAG, r);
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create the temporary file, write data, fsync and close it. */
static int write_temp(const struct totp_vfile *f, char *tmp, size_t tmpsz, const uint8_t *data,
                      size_t len, struct stat *st, int *saved)
{
	int fd = -1, rc = TOTP_OK;

	for (int i = 0; fd < 0; i++) {
		temp_name(tmp, tmpsz, f->name);
		fd = openat(f->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		            0600);
		if (fd < 0 && (errno != EEXIST || i + 1 == TMP_TRIES)) {
			tmp[0] = '\0';
			return io_error(saved);
		}
	}
	if (fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0 || fstat(fd, st) != 0)
		rc = io_error(saved);
	/* A failed fsync is final: the data it reports on may be gone. */
	else if (fsync(fd) != 0)
		rc = io_error(saved);
	if (close(fd) != 0 && rc == TOTP_OK)
		rc = io_error(saved);
	return rc;
}

/* Open the temporary file again, read it from the disk, and check it. */
static int read_back(const struct totp_vfile *f, const char *tmp, const struct stat *wst,
                     const uint8_t *data, size_t len, totp_vfile_verify_fn verify, void *ctx,
                     int *saved)
{
	uint8_t *buf = NULL;
	struct stat st;
	int fd, rc = TOTP_OK;

	fd = openat(f->dirfd, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return io_error(saved);
	if (fstat(fd, &st) != 0) {
		rc = io_error(saved);
		goto out;
	}
	if (st.st_dev != wst->st_dev || st.st_ino != wst->st_ino || (uint64_t)st.st_size != len) {
		errno = EIO;
		rc = io_error(saved);
		goto out;
	}
	/* The pages are clean after fsync: drop them so the read hits the
	 * disk.  Only a hint, its failure changes nothing. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	buf = malloc(len ? len : 1);
	if (!buf) {
		rc = TOTP_E_NOMEM;
		goto out;
	}
	if (totp_vfile_pread(fd, buf, len, 0) != TOTP_OK || at_end(fd, len) != TOTP_OK) {
		rc = io_error(saved);
		goto out;
	}
	if (memcmp(buf, data, len) != 0) {
		errno = EIO;
		rc = io_error(saved);
		goto out;
	}
	rc = verify ? verify(ctx, buf, len) : TOTP_OK;
	if (rc == TOTP_E_IO)
		*saved = errno;
out:
	free(buf);
	if (close(fd) != 0 && rc == TOTP_OK)
		rc = io_error(saved);
	return rc;
}

/* Make NAME.bak the current file: a hard link under a temporary name
 * renamed over the old backup, so the backup is always one whole file. */
static int backup_current(const struct totp_vfile *f, int *saved)
{
	char tmp[NAME_MAX + 1], bak[NAME_MAX + 1];
	struct stat st, bst;
	int i;

	if (fstatat(f->dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? TOTP_OK : io_error(saved);
	if (!S_ISREG(st.st_mode) || st.st_uid != getuid())
		return TOTP_E_UNSAFE;
	if ((size_t)snprintf(bak, sizeof(bak), "%s.bak", f->name) >= sizeof(bak))
		return TOTP_E_INVAL;
	/* A save interrupted between its two renames leaves NAME.bak a link to
	 * NAME.  It already is the backup; and rename(2) between two links to
	 * one file does nothing, which would leave the new link behind. */
	if (fstatat(f->dirfd, bak, &bst, AT_SYMLINK_NOFOLLOW) == 0 && bst.st_dev == st.st_dev &&
	    bst.st_ino == st.st_ino)
		return TOTP_OK;
	for (i = 0; i < TMP_TRIES; i++) {
		temp_name(tmp, sizeof(tmp), f->name);
		if (linkat(f->dirfd, f->name, f->dirfd, tmp, 0) == 0)
			break;
		if (errno != EEXIST)
			return io_error(saved);
	}
	if (i == TMP_TRIES)
		return io_error(saved);
	if (renameat(f->dirfd, tmp, f->dirfd, bak) != 0) {
		int rc = io_error(saved);

		(void)unlinkat(f->dirfd, tmp, 0);
		return rc;
	}
	return TOTP_OK;
}

static int rename_into_place(const struct totp_vfile *f, const char *tmp, int noreplace, int *saved)
{
	if (noreplace) {
		if (renameat2(f->dirfd, tmp, f->dirfd, f->name, RENAME_NOREPLACE) == 0)
			return TOTP_OK;
		if (errno == EEXIST)
			return TOTP_E_EXISTS;
		/* Filesystems without RENAME_NOREPLACE: the lock and the
		 * existence check made before creating have to do. */
		if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return io_error(saved);
	}
	if (renameat(f->dirfd, tmp, f->dirfd, f->name) != 0)
		return io_error(saved);
	return TOTP_OK;
}

int totp_vfile_replace(const struct totp_vfile *f, const uint8_t *data, size_t len,
                       totp_vfile_verify_fn verify, void *ctx, int noreplace, int *renamed)
{
	char tmp[NAME_MAX + 1] = "";
	struct stat st;
	int saved = 0, rc;

	*renamed = 0;
	if (f->dirfd < 0 || f->lockfd < 0)
		return TOTP_E_INVAL;
	rc = write_temp(f, tmp, sizeof(tmp), data, len, &st, &saved);
	if (rc == TOTP_OK)
		rc = read_back(f, tmp, &st, data, len, verify, ctx, &saved);
	if (rc == TOTP_OK && !noreplace)
		rc = backup_current(f, &saved);
	if (rc == TOTP_OK)
		rc = rename_into_place(f, tmp, noreplace, &saved);
	if (rc) {
		if (tmp[0])
			(void)unlinkat(f->dirfd, tmp, 0);
		goto out;
	}
	*renamed = 1;
	/* The rename is durable only once the directory is. */
	if (fsync(f->dirfd) != 0)
		rc = io_error(&saved);
out:
	if (rc == TOTP_E_IO)
		errno = saved;
	return rc;
}
