/*
 * fuzz_vault.c - the vault file: header checks, file-size bounds,
 * XChaCha20-Poly1305 and the plaintext entry decoder, through
 * totp_vault_open_key with a fixed test key (no KDF runs); and
 * totp_vault_open_key_where, which must answer the same.
 *
 * Input: one mode byte, then
 *   mode bit 0 clear: the vault file itself;
 *   mode bit 0 set:   a 72-byte header followed by the plaintext.  The
 *                     plaintext is encrypted here with the fixed key, the
 *                     header as associated data and the header's nonce, so
 *                     mutations of the plaintext reach the entry decoder
 *                     past authentication.
 * The file is written to a private temporary directory for each input
 * (in /dev/shm when it is writable, else $TMPDIR or /tmp).
 */
#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_formats.h"
#include "vault_internal.h"

#define HEADER_BYTES VAULT_HEADER_BYTES
#define NONCE_OFF (VAULT_HEADER_BYTES - VAULT_NONCE_BYTES)
#define TAG_BYTES VAULT_TAG_BYTES

/* The key the seed corpus is encrypted with. */
static const uint8_t fuzz_key[TOTP_KEY_BYTES] = FUZZ_VAULT_KEY;

static char dir[4096], path[4096 + 8];

static void cleanup(void)
{
	if (path[0])
		unlink(path);
	if (dir[0])
		rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	/* Memory-backed when possible: ext4 flushes a truncated file on close. */
	if (access("/dev/shm", W_OK | X_OK) == 0)
		tmp = "/dev/shm";

	(void)argc;
	(void)argv;
	if (totp_init() != TOTP_OK)
		return 1;
	snprintf(dir, sizeof(dir), "%s/totp-fuzz-vault.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/vault", dir);
	atexit(cleanup);
	return 0;
}

static void write_file(const uint8_t *d, size_t n)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		perror(path);
		abort();
	}
	while (n > 0) {
		ssize_t w = write(fd, d, n);

		if (w <= 0) {
			perror(path);
			abort();
		}
		d += w;
		n -= (size_t)w;
	}
	close(fd);
}

/* Touch everything an opened vault exposes. */
static void use_vault(struct totp_vault *v)
{
	const struct totp_vault_info *info = totp_vault_header(v);
	uint8_t key[TOTP_KEY_BYTES];
	char *uri = malloc(TOTP_URI_MAX);
	size_t n = totp_vault_count(v);

	if (!uri)
		abort();
	FUZZ_ASSERT(info && info->version == 1);
	totp_vault_key(v, key);
	FUZZ_ASSERT(memcmp(key, fuzz_key, sizeof(key)) == 0);
	/* Labels and verdicts come from the index built at open... */
	for (size_t i = 0; i < n; i++) {
		struct totp_labels l;

		FUZZ_ASSERT(totp_vault_labels(v, i, &l) == TOTP_OK);
		FUZZ_ASSERT(l.issuer_len < TOTP_LABEL_MAX && l.account_len < TOTP_LABEL_MAX);
		FUZZ_ASSERT(!memchr(l.issuer, 0, l.issuer_len) &&
		            !memchr(l.account, 0, l.account_len));
		(void)totp_vault_check(v, i);
	}
	/* ...and must agree with the entries decoded afterwards, in an order
	 * of their own (last first). */
	for (size_t k = n; k-- > 0;) {
		char issuer[TOTP_LABEL_MAX], account[TOTP_LABEL_MAX];
		struct totp_labels l;
		int check = totp_vault_check(v, k);
		struct totp_entry *e;

		FUZZ_ASSERT(totp_vault_labels(v, k, &l) == TOTP_OK);
		memcpy(issuer, l.issuer, l.issuer_len);
		issuer[l.issuer_len] = '\0';
		memcpy(account, l.account, l.account_len);
		account[l.account_len] = '\0';
		e = totp_vault_entry(v, k);
		FUZZ_ASSERT(e != NULL && totp_vault_entry(v, k) == e);
		FUZZ_ASSERT(strcmp(issuer, e->issuer) == 0 && strcmp(account, e->account) == 0);
		FUZZ_ASSERT(check == totp_entry_check(e));
	}
	for (size_t i = 0; i < n; i++) {
		struct totp_entry *e = totp_vault_entry(v, i);

		FUZZ_ASSERT(e != NULL);
		/* Odd entries are kept as they are: they need only be safe to use. */
		if (totp_entry_check(e) == TOTP_OK)
			FUZZ_ASSERT(totp_uri_format(uri, TOTP_URI_MAX, e) == TOTP_OK);
	}
	FUZZ_ASSERT(totp_vault_entry(v, n) == NULL);
	totp_wipe(uri, TOTP_URI_MAX);
	free(uri);
}

/* Keeps the entries whose position has the bit of the mode byte's upper
 * bits: every one, none, or a pattern in between. */
static int keep_by_mode(void *ctx, size_t pos, const struct totp_labels *labels, int check)
{
	unsigned mode = *(const uint8_t *)ctx >> 1;

	FUZZ_ASSERT(labels->issuer_len < TOTP_LABEL_MAX && labels->account_len < TOTP_LABEL_MAX);
	(void)check;
	return mode == 0x7f || (mode >> (pos % 7) & 1);
}

/* The read for a few entries answers as the whole open did (rc_full):
 * the same error, or the kept entries equal to the whole vault's. */
static void compare_partial(const uint8_t *mode, int rc_full)
{
	struct totp_vault *full = NULL, *part = NULL;
	int rc = totp_vault_open_key_where(&part, path, fuzz_key, keep_by_mode, (void *)mode);

	FUZZ_ASSERT(rc == rc_full);
	FUZZ_ASSERT((rc == TOTP_OK) == (part != NULL));
	if (rc != TOTP_OK)
		return;
	FUZZ_ASSERT(totp_vault_open_key(&full, path, fuzz_key, 0) == TOTP_OK);
	for (size_t i = 0; i < totp_vault_count(part); i++) {
		size_t pos = totp_vault_position(part, i);
		const struct totp_entry *a = totp_vault_entry(part, i), *b;

		FUZZ_ASSERT(pos < totp_vault_count(full) &&
		            (i == 0 || pos > totp_vault_position(part, i - 1)));
		b = totp_vault_entry(full, pos);
		FUZZ_ASSERT(a && b && memcmp(a, b, sizeof(*a)) == 0);
		FUZZ_ASSERT(totp_vault_check(part, i) == totp_vault_check(full, pos));
	}
	FUZZ_ASSERT(totp_vault_save(part) == TOTP_E_INVAL);
	totp_vault_close(part);
	totp_vault_close(full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct totp_vault *v = NULL;
	struct totp_vault_info info;
	int rc;

	if (size < 1)
		return 0;
	if ((data[0] & 1) && size > HEADER_BYTES) {
		const uint8_t *hdr = data + 1, *plain = data + 1 + HEADER_BYTES;
		size_t plen = size - 1 - HEADER_BYTES;
		uint8_t *file = malloc(HEADER_BYTES + plen + TAG_BYTES);

		if (!file)
			abort();
		memcpy(file, hdr, HEADER_BYTES);
		crypto_aead_xchacha20poly1305_ietf_encrypt(file + HEADER_BYTES, NULL, plain, plen,
		                                           hdr, HEADER_BYTES, NULL, hdr + NONCE_OFF,
		                                           fuzz_key);
		write_file(file, HEADER_BYTES + plen + TAG_BYTES);
		free(file);
	} else {
		write_file(data + 1, size - 1);
	}
	rc = totp_vault_open_key(&v, path, fuzz_key, 0);
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "# vault: rc %d (%s), %zu entries\n", rc, totp_strerror(rc),
		        totp_vault_count(v));
	if (rc == TOTP_OK) {
		FUZZ_ASSERT(v != NULL);
		use_vault(v);
		totp_vault_close(v);
	} else {
		FUZZ_ASSERT(v == NULL);
		FUZZ_ASSERT(rc < 0 && rc >= TOTP_E_LAST_);
	}
	compare_partial(data, rc);
	rc = totp_vault_info(&info, path);
	FUZZ_ASSERT(rc <= 0 && rc >= TOTP_E_LAST_);
	fuzz_guarded_check();
	return 0;
}
