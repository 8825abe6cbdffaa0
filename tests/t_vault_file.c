/*
 * t_vault_file.c - the vault on disk: modes under any umask, symbolic
 * links and other unsafe files, the writers' lock, leftovers of
 * interrupted saves, and failed saves that must leave every file as it was.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

#include "vault_test.h"

static char bpath[160], lpath[160];

static int same_bytes(const uint8_t *a, size_t la, const char *path)
{
	size_t lb;
	uint8_t *b = slurp(path, &lb);
	int same = a && b && la == lb && memcmp(a, b, la) == 0;

	free(b);
	return same;
}

static unsigned mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0xffffu;
}

/* Names in dir that look like temporary files of a save. */
static int temps_in(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *de;
	int n = 0;

	while (dd && (de = readdir(dd)) != NULL)
		n += strstr(de->d_name, ".tmp.") != NULL;
	if (dd)
		closedir(dd);
	return n;
}

static int add_one(struct totp_vault *v, const char *account)
{
	struct totp_entry e;

	totp_entry_init(&e);
	snprintf(e.account, sizeof(e.account), "%s", account);
	memcpy(e.secret, "12345678901234567890", 20);
	e.secret_len = 20;
	return totp_vault_add(v, &e);
}

/* A fresh vault at vpath with one entry, saved once (so a backup exists). */
static int fresh_vault(void)
{
	struct totp_vault *v = NULL;
	int rc;

	remove(vpath);
	remove(bpath);
	rc = totp_vault_create(&v, vpath, "pw", 2, &tiny);
	if (rc == TOTP_OK)
		rc = add_one(v, "first");
	if (rc == TOTP_OK)
		rc = totp_vault_save(v);
	totp_vault_close(v);
	return rc;
}

static void test_modes(void)
{
	struct totp_vault *v = NULL;
	char sub[160], sub2[160], vp[192];
	mode_t old = umask(0);

	snprintf(sub, sizeof(sub), "%s/m0", dir);
	snprintf(vp, sizeof(vp), "%s/vault", sub);
	CHECK_RC(totp_vault_create(&v, vp, "pw", 2, &tiny), TOTP_OK, "create under umask 000");
	CHECK(add_one(v, "a") == TOTP_OK && totp_vault_save(v) == TOTP_OK, "save under umask 000");
	totp_vault_close(v);
	CHECK(mode_of(sub) == 0700, "directory 0700 (%o)", mode_of(sub));
	CHECK(mode_of(vp) == 0600, "vault 0600 (%o)", mode_of(vp));
	strcat(vp, ".bak");
	CHECK(mode_of(vp) == 0600, "backup 0600 (%o)", mode_of(vp));
	strcpy(vp + strlen(vp) - 4, ".lock");
	CHECK(mode_of(vp) == 0600, "lock file 0600 (%o)", mode_of(vp));

	umask(0277);
	snprintf(sub2, sizeof(sub2), "%s/m277", dir);
	snprintf(vp, sizeof(vp), "%s/vault", sub2);
	CHECK_RC(totp_vault_create(&v, vp, "pw", 2, &tiny), TOTP_OK, "create under umask 277");
	CHECK(totp_vault_save(v) == TOTP_OK, "save under umask 277");
	totp_vault_close(v);
	CHECK(mode_of(sub2) == 0700 && mode_of(vp) == 0600, "still 0700 and 0600 (%o, %o)",
	      mode_of(sub2), mode_of(vp));
	umask(old);

	/* A vault someone made readable is 0600 again after a save. */
	chmod(vp, 0644);
	CHECK(totp_vault_open(&v, vp, "pw", 2, TOTP_VAULT_WRITE) == TOTP_OK &&
	              totp_vault_save(v) == TOTP_OK && mode_of(vp) == 0600,
	      "a 0644 vault is 0600 after a save");
	totp_vault_close(v);

	snprintf(vp, sizeof(vp), "%s/no/such/vault", dir);
	CHECK_RC(totp_vault_create(&v, vp, "pw", 2, &tiny), TOTP_E_NOENT,
	         "only the last directory is created");
}

static void test_unsafe(void)
{
	struct totp_vault *v = NULL;
	struct totp_vault_info info;
	char link[160], ldir[160], lv[192], fifo[160];
	size_t len;
	uint8_t *orig;

	if (fresh_vault() != TOTP_OK)
		return;
	orig = slurp(vpath, &len);
	snprintf(link, sizeof(link), "%s/link", dir);
	CHECK(symlink(vpath, link) == 0, "symlink to the vault");
	CHECK_RC(totp_vault_open(&v, link, "pw", 2, 0), TOTP_E_UNSAFE, "open refuses a symlink");
	CHECK_RC(totp_vault_open(&v, link, "pw", 2, TOTP_VAULT_WRITE), TOTP_E_UNSAFE,
	         "open for writing refuses a symlink");
	CHECK_RC(totp_vault_info(&info, link), TOTP_E_UNSAFE, "info refuses a symlink");
	CHECK_RC(totp_vault_create(&v, link, "pw", 2, &tiny), TOTP_E_EXISTS,
	         "create does not write through a symlink");
	CHECK(same_bytes(orig, len, vpath), "the target is untouched");

	snprintf(ldir, sizeof(ldir), "%s/ldir", dir);
	CHECK(symlink(dir, ldir) == 0, "symlink to the directory");
	snprintf(lv, sizeof(lv), "%s/vault", ldir);
	CHECK_RC(totp_vault_open(&v, lv, "pw", 2, 0), TOTP_E_UNSAFE,
	         "a symlinked directory is refused");

	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	CHECK(mkfifo(fifo, 0600) == 0, "a FIFO");
	CHECK_RC(totp_vault_open(&v, fifo, "pw", 2, 0), TOTP_E_UNSAFE,
	         "a FIFO is refused without blocking");
	CHECK_RC(totp_vault_open(&v, dir, "pw", 2, 0), TOTP_E_UNSAFE, "a directory is refused");

	/* The lock file must not be a symlink either. */
	remove(lpath);
	CHECK(symlink("/nonexistent-target", lpath) == 0, "lock file replaced by a symlink");
	CHECK_RC(totp_vault_open(&v, vpath, "pw", 2, TOTP_VAULT_WRITE), TOTP_E_UNSAFE,
	         "a symlinked lock file is refused");
	CHECK(access("/nonexistent-target", F_OK) != 0, "and nothing was created through it");
	remove(lpath);

	if (geteuid() == 0) {
		CHECK(chown(vpath, 65534, 65534) == 0, "give the vault to another user");
		CHECK_RC(totp_vault_open(&v, vpath, "pw", 2, 0), TOTP_E_UNSAFE,
		         "a vault owned by someone else is refused");
		CHECK(chown(vpath, 0, 0) == 0, "take it back");
	} else {
		CHECK(1, "ownership check needs root (skipped)");
	}
	free(orig);
}

static void test_sizes_and_paths(void)
{
	struct totp_vault *v = NULL;
	struct totp_vault_info info;
	char p[192];
	int fd;
	double t0;

	snprintf(p, sizeof(p), "%s/huge", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, (off_t)(257LL << 20)) == 0, "a sparse 257 MiB file");
	close(fd);
	t0 = now();
	CHECK_RC(totp_vault_open(&v, p, "pw", 2, 0), TOTP_E_TOOBIG, "257 MiB refused");
	CHECK(now() - t0 < 0.1, "without reading it");
	fd = open(p, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, "\x89TOTP\r\n\n", 8) == 8, "an 8-byte file");
	close(fd);
	CHECK_RC(totp_vault_info(&info, p), TOTP_E_FORMAT, "too short for a vault");
	fd = open(p, O_WRONLY | O_TRUNC);
	close(fd);
	CHECK_RC(totp_vault_open(&v, p, "pw", 2, 0), TOTP_E_FORMAT, "empty file");
	remove(p);

	snprintf(p, sizeof(p), "%s/missing", dir);
	CHECK_RC(totp_vault_open(&v, p, "pw", 2, TOTP_VAULT_WRITE), TOTP_E_NOENT, "missing vault");
	strcat(p, ".lock");
	CHECK(access(p, F_OK) != 0, "no lock file left beside a missing vault");
	snprintf(p, sizeof(p), "%s/missing", dir);
	CHECK_RC(totp_vault_info(&info, p), TOTP_E_NOENT, "info on a missing vault");

	CHECK_RC(totp_vault_open(&v, "", "pw", 2, 0), TOTP_E_INVAL, "empty path");
	snprintf(p, sizeof(p), "%s/", dir);
	CHECK_RC(totp_vault_open(&v, p, "pw", 2, 0), TOTP_E_INVAL, "path ending in /");
	snprintf(p, sizeof(p), "%s/..", dir);
	CHECK_RC(totp_vault_create(&v, p, "pw", 2, &tiny), TOTP_E_INVAL, "path ending in ..");
	CHECK_RC(totp_vault_open(&v, vpath, "pw", 2, 0x80), TOTP_E_INVAL, "unknown flag");
	CHECK_RC(totp_vault_create(&v, vpath, "pw", 2, &(struct totp_kdf){1, 1ULL << 40}),
	         TOTP_E_KDF, "create refuses an absurd KDF cost");
}

static void test_lock(void)
{
	struct totp_vault *v1 = NULL, *v2 = NULL, *r = NULL;
	int pfd[2], status = 0;
	double t0, t;
	char c;
	pid_t pid;

	if (fresh_vault() != TOTP_OK)
		return;
	setenv("TOTP_LOCK_TIMEOUT_MS", "300", 1);
	CHECK_RC(totp_vault_open(&v1, vpath, "pw", 2, TOTP_VAULT_WRITE), TOTP_OK, "first writer");
	t0 = now();
	CHECK_RC(totp_vault_open(&v2, vpath, "pw", 2, TOTP_VAULT_WRITE), TOTP_E_BUSY,
	         "second writer is busy");
	t = now() - t0;
	CHECK(t >= 0.25 && t < 1.5, "after waiting about the timeout (%.3f s)", t);
	CHECK_RC(totp_vault_open(&r, vpath, "pw", 2, 0), TOTP_OK, "readers need no lock");
	totp_vault_close(r);
	CHECK_RC(totp_vault_create(&v2, vpath, "pw", 2, &tiny), TOTP_E_EXISTS,
	         "create over a locked vault: exists");
	CHECK(add_one(v1, "second") == TOTP_OK && totp_vault_save(v1) == TOTP_OK,
	      "the lock holder saves");
	totp_vault_close(v1);
	CHECK_RC(totp_vault_open(&v2, vpath, "pw", 2, TOTP_VAULT_WRITE), TOTP_OK,
	         "free again after close");
	CHECK(totp_vault_count(v2) == 2, "and sees the saved entries");
	CHECK_RC(totp_vault_save(v2), TOTP_OK, "save");
	totp_vault_close(v2);

	/* Another process holding the lock. */
	setenv("TOTP_LOCK_TIMEOUT_MS", "0", 1);
	if (pipe(pfd) != 0)
		return;
	pid = fork();
	if (pid == 0) {
		struct totp_vault *cv = NULL;

		close(pfd[0]);
		c = totp_vault_open(&cv, vpath, "pw", 2, TOTP_VAULT_WRITE) == TOTP_OK ? 'y' : 'n';
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		usleep(300000);
		totp_vault_close(cv);
		_exit(0);
	}
	close(pfd[1]);
	CHECK(read(pfd[0], &c, 1) == 1 && c == 'y', "child process takes the lock");
	t0 = now();
	CHECK_RC(totp_vault_open(&v1, vpath, "pw", 2, TOTP_VAULT_WRITE), TOTP_E_BUSY,
	         "busy while another process holds it");
	CHECK(now() - t0 < 0.1, "timeout 0: no wait");
	setenv("TOTP_LOCK_TIMEOUT_MS", "5000", 1);
	t0 = now();
	CHECK_RC(totp_vault_open(&v1, vpath, "pw", 2, TOTP_VAULT_WRITE), TOTP_OK,
	         "waits until the other process exits");
	CHECK(now() - t0 < 2.0, "soon after it released the lock");
	totp_vault_close(v1);
	waitpid(pid, &status, 0);
	close(pfd[0]);
	unsetenv("TOTP_LOCK_TIMEOUT_MS");
}

static void test_temps(void)
{
	struct totp_vault *v = NULL;
	static const char *names[] = {".vault.tmp.AbC123", ".vault.tmp.zzzzzz",
	                              ".vault.tmp.toolong1", ".other.tmp.AbC123",
	                              "vault.tmp.AbC123"};
	static const int removed[] = {1, 1, 0, 0, 0};
	char p[5][192];

	if (fresh_vault() != TOTP_OK)
		return;
	for (int i = 0; i < 5; i++) {
		snprintf(p[i], sizeof(p[i]), "%s/%s", dir, names[i]);
		close(open(p[i], O_WRONLY | O_CREAT, 0600));
	}
	CHECK(totp_vault_open(&v, vpath, "pw", 2, 0) == TOTP_OK && access(p[0], F_OK) == 0,
	      "a reader leaves temporary files alone");
	totp_vault_close(v);
	CHECK(totp_vault_open(&v, vpath, "pw", 2, TOTP_VAULT_WRITE) == TOTP_OK, "a writer opens");
	totp_vault_close(v);
	for (int i = 0; i < 5; i++) {
		CHECK((access(p[i], F_OK) != 0) == removed[i], "%s %s", names[i],
		      removed[i] ? "removed" : "kept");
		remove(p[i]);
	}
}

static void test_failed_saves(void)
{
	struct totp_vault *v = NULL;
	struct rlimit old, lim;
	struct totp_vault_info info;
	uint8_t *vault, *bak;
	size_t lv, lb;
	char bdir[192];
	int rc, err;

	if (fresh_vault() != TOTP_OK)
		return;
	vault = slurp(vpath, &lv);
	bak = slurp(bpath, &lb);
	if (!CHECK(totp_vault_open(&v, vpath, "pw", 2, TOTP_VAULT_WRITE) == TOTP_OK &&
	                   add_one(v, "pending") == TOTP_OK,
	           "open and change"))
		return;

	/* Writes past RLIMIT_FSIZE fail with EFBIG after a short write. */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 100;
	setrlimit(RLIMIT_FSIZE, &lim);
	errno = 0;
	rc = totp_vault_save(v);
	err = errno;
	setrlimit(RLIMIT_FSIZE, &old);
	CHECK_RC(rc, TOTP_E_IO, "save with a short write fails");
	CHECK(err == EFBIG, "errno tells why (%s)", strerror(err));
	CHECK(same_bytes(vault, lv, vpath) && same_bytes(bak, lb, bpath),
	      "vault and backup byte-identical");
	CHECK(temps_in(dir) == 0, "no temporary file left");
	CHECK(totp_vault_header(v)->generation == 2, "generation unchanged in memory");

	/* The backup cannot be replaced: a non-empty directory in its place. */
	remove(bpath);
	snprintf(bdir, sizeof(bdir), "%s/x", bpath);
	CHECK(mkdir(bpath, 0700) == 0 && mkdir(bdir, 0700) == 0,
	      "a directory where the backup goes");
	errno = 0;
	CHECK_RC(totp_vault_save(v), TOTP_E_IO, "save fails at the backup step");
	CHECK(errno != 0, "errno set (%s)", strerror(errno));
	CHECK(same_bytes(vault, lv, vpath), "vault byte-identical");
	CHECK(temps_in(dir) == 0, "neither temporary file left");
	rmdir(bdir);
	rmdir(bpath);

	CHECK_RC(totp_vault_save(v), TOTP_OK, "the same save succeeds once the cause is gone");
	CHECK(totp_vault_header(v)->generation == 3, "generation 3");
	CHECK(same_bytes(vault, lv, bpath), "the backup is the vault before the save");
	totp_vault_close(v);
	CHECK(totp_vault_info(&info, vpath) == TOTP_OK && info.generation == 3, "header says 3");

	CHECK(totp_vault_open(&v, vpath, "pw", 2, 0) == TOTP_OK, "read-only open");
	CHECK_RC(totp_vault_save(v), TOTP_E_INVAL, "a read-only vault cannot be saved");
	totp_vault_close(v);
	free(vault);
	free(bak);
}

int main(void)
{
	if (vt_setup("t_vfile") != 0)
		return 1;
	snprintf(bpath, sizeof(bpath), "%s.bak", vpath);
	snprintf(lpath, sizeof(lpath), "%s.lock", vpath);

	test_modes();
	test_unsafe();
	test_sizes_and_paths();
	test_lock();
	test_temps();
	test_failed_saves();

	vt_done();
	TEST_EXIT();
}
