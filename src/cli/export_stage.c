/*
 * export_stage.c - output files of an export, written all-or-nothing:
 * temporary files in the target directory, synced and read back, renamed
 * into place together; and a growable text buffer in guarded memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"

/* Names of files already there that are reported before giving up. */
#define EXISTING_SHOWN 5
/* Exports of more files are synced with one syncfs() before the renames. */
#define STAGE_FSYNC_EACH_MAX 16

/* Sync the directory holding `path` (after creating an entry in it). */
static void sync_parent(const char *path)
{
	char parent[4096];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == path)
		snprintf(parent, sizeof(parent), "/");
	else if ((size_t)(slash - path) < sizeof(parent))
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
	else
		return;
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int stage_open(struct stage *s, const char *dir, bool create, bool force)
{
	memset(s, 0, sizeof(*s));
	s->dir = dir;
	s->force = force;
	s->dirfd = -1;
	if (create) {
		if (mkdir(dir, 0700) == 0) {
			s->created = true;
			if (chmod(dir, 0700) != 0)
				return fail(TOTP_E_IO, "%s: cannot set the directory's mode", dir),
				       TOTP_E_IO;
			sync_parent(dir);
		} else if (errno != EEXIST) {
			return fail(TOTP_E_IO, "%s: cannot create the directory", dir), TOTP_E_IO;
		}
	}
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		int rc = errno == ENOENT ? TOTP_E_NOENT : TOTP_E_IO;

		if (errno == ENOTDIR)
			warnx_("%s: not a directory", dir);
		else
			fail(rc, "%s", dir);
		return rc;
	}
	return TOTP_OK;
}

int stage_open_file(struct stage *s, const char *path, bool force, size_t *i)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char *dir;
	int rc;

	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		memset(s, 0, sizeof(*s));
		s->dirfd = -1;
		warnx_("%s: expected a file name", path);
		return TOTP_E_INVAL;
	}
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return fail(TOTP_E_NOMEM, "%s", path), TOTP_E_NOMEM;
	rc = stage_open(s, dir, false, force);
	s->dir_owned = dir;
	if (rc == TOTP_OK && (rc = stage_add_name(s, base, i)) != TOTP_OK)
		fail(rc, "%s", path);
	return rc;
}

int stage_add_name(struct stage *s, const char *name, size_t *i)
{
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct stage_file *f = realloc(s->files, cap * sizeof(*f));

		if (!f)
			return TOTP_E_NOMEM;
		s->files = f;
		s->cap = cap;
	}
	memset(&s->files[s->count], 0, sizeof(s->files[0]));
	if (!(s->files[s->count].name = strdup(name)))
		return TOTP_E_NOMEM;
	if (i)
		*i = s->count;
	s->count++;
	return TOTP_OK;
}

int stage_check_names(struct stage *s)
{
	size_t existing = 0;
	struct stat st;

	for (size_t i = 0; i < s->count; i++) {
		const char *name = s->files[i].name;

		if (fstatat(s->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno == ENOENT)
				continue;
			return fail(TOTP_E_IO, "%s/%s", s->dir, name), TOTP_E_IO;
		}
		if (S_ISDIR(st.st_mode)) {
			warnx_("%s/%s is a directory", s->dir, name);
			return TOTP_E_EXISTS;
		}
		if (s->force)
			continue;
		if (existing++ < EXISTING_SHOWN)
			warnx_("%s/%s already exists", s->dir, name);
	}
	if (existing) {
		if (existing > EXISTING_SHOWN)
			warnx_("... and %zu more", existing - EXISTING_SHOWN);
		warnx_("nothing written (use --force to replace existing files)");
		return TOTP_E_EXISTS;
	}
	return TOTP_OK;
}

static int create_tmp(struct stage *s, struct stage_file *f)
{
	for (int tries = 0; tries < 100; tries++) {
		uint8_t r[8];
		int fd;

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -1;
		snprintf(f->tmp, sizeof(f->tmp), ".totp-export-%02x%02x%02x%02x%02x%02x%02x%02x",
		         r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
		fd = openat(s->dirfd, f->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		            0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read exactly len bytes from the start of fd, and check nothing follows. */
static int read_back(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	uint8_t extra;

	while (got < len) {
		ssize_t r = pread(fd, buf + got, len - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return pread(fd, &extra, 1, (off_t)len) == 0 ? 0 : -1;
}

/* Make the read-back buffer hold len bytes and a NUL. */
static int back_reserve(struct stage *s, size_t len)
{
	uint8_t *b;

	if (s->back && len < s->back_cap)
		return TOTP_OK;
	if (!(b = totp_secure_alloc(len + 1)))
		return TOTP_E_NOMEM;
	if (s->back) {
		totp_wipe(s->back, s->back_cap);
		totp_secure_free(s->back);
	}
	s->back = b;
	s->back_cap = len + 1;
	return TOTP_OK;
}

int stage_write(struct stage *s, size_t i, const void *data, size_t len, const uint8_t **back)
{
	struct stage_file *f = &s->files[i];
	int fd = -1, rc = TOTP_E_IO;

	*back = NULL;
	if (back_reserve(s, len) != TOTP_OK)
		return fail(TOTP_E_NOMEM, "%s", f->name), TOTP_E_NOMEM;
	fd = create_tmp(s, f);
	if (fd < 0) {
		fail(TOTP_E_IO, "%s: cannot create a file", s->dir);
		goto out;
	}
	f->staged = true;
	if (fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0) {
		fail(TOTP_E_IO, "%s/%s: cannot write", s->dir, f->name);
		goto out;
	}
	/* Few files: each is synced now.  Many: one syncfs before the renames
	 * costs far less than a device flush per file. */
	if (s->count <= STAGE_FSYNC_EACH_MAX && fsync(fd) != 0) {
		fail(TOTP_E_IO, "%s/%s: cannot sync", s->dir, f->name);
		goto out;
	}
	if (read_back(fd, s->back, len) != 0 || !totp_memeq(s->back, data, len)) {
		warnx_("%s/%s: the file read back differs from what was written", s->dir, f->name);
		goto out;
	}
	s->back[len] = 0;
	*back = s->back;
	rc = TOTP_OK;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int stage_commit(struct stage *s)
{
	if (s->count > STAGE_FSYNC_EACH_MAX && syncfs(s->dirfd) != 0)
		return fail(TOTP_E_IO, "%s: cannot sync the files", s->dir), TOTP_E_IO;
	for (size_t i = 0; i < s->count; i++) {
		struct stage_file *f = &s->files[i];
		int r;

		if (!f->staged)
			continue;
		if (s->force) {
			r = renameat(s->dirfd, f->tmp, s->dirfd, f->name);
		} else {
			r = renameat2(s->dirfd, f->tmp, s->dirfd, f->name, RENAME_NOREPLACE);
			/* Filesystems without RENAME_NOREPLACE: check, then rename. */
			if (r != 0 && errno == EINVAL) {
				struct stat st;

				if (fstatat(s->dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
					errno = EEXIST;
				else
					r = renameat(s->dirfd, f->tmp, s->dirfd, f->name);
			}
		}
		if (r != 0) {
			if (errno == EEXIST)
				warnx_("%s/%s appeared during the export; not replaced", s->dir,
				       f->name);
			else
				fail(TOTP_E_IO, "%s/%s: cannot rename into place", s->dir, f->name);
			return TOTP_E_IO;
		}
		f->staged = false;
	}
	if (fsync(s->dirfd) != 0)
		return fail(TOTP_E_IO, "%s: cannot sync the directory", s->dir), TOTP_E_IO;
	s->committed = true;
	return TOTP_OK;
}

void stage_close(struct stage *s)
{
	for (size_t i = 0; i < s->count; i++) {
		if (s->files[i].staged && s->dirfd >= 0)
			unlinkat(s->dirfd, s->files[i].tmp, 0);
		free(s->files[i].name);
	}
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->created && !s->committed && s->dir)
		rmdir(s->dir); /* only if empty */
	if (s->back) {
		totp_wipe(s->back, s->back_cap);
		totp_secure_free(s->back);
	}
	free(s->files);
	free(s->dir_owned);
	memset(s, 0, sizeof(*s));
	s->dirfd = -1;
}

/* ---- Guarded text buffer ------------------------------------------------ */

void gb_init(struct gbuf *b)
{
	memset(b, 0, sizeof(*b));
}

static int gb_reserve(struct gbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->err)
		return -1;
	if (n < b->cap - b->len && b->p)
		return 0;
	while (n >= cap - b->len) {
		if (cap > SIZE_MAX / 4) {
			b->err = TOTP_E_NOMEM;
			return -1;
		}
		cap *= 2;
	}
	if (!(p = totp_secure_alloc(cap))) {
		b->err = TOTP_E_NOMEM;
		return -1;
	}
	if (b->p) {
		memcpy(p, b->p, b->len);
		totp_wipe(b->p, b->cap);
		totp_secure_free(b->p);
	}
	p[b->len] = 0;
	b->p = p;
	b->cap = cap;
	return 0;
}

void gb_put(struct gbuf *b, const char *s, size_t n)
{
	if (gb_reserve(b, n) != 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void gb_puts(struct gbuf *b, const char *s)
{
	gb_put(b, s, strlen(s));
}

void gb_printf(struct gbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || gb_reserve(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void gb_put_line_safe(struct gbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			gb_puts(b, "\\\\");
		else if (c == '\n')
			gb_puts(b, "\\n");
		else if (c == '\t')
			gb_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			gb_printf(b, "\\x%02x", c);
		else
			gb_put(b, s, 1);
	}
}

void gb_free(struct gbuf *b)
{
	if (b->p) {
		totp_wipe(b->p, b->cap);
		totp_secure_free(b->p);
	}
	gb_init(b);
}
