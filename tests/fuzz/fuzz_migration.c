/*
 * fuzz_migration.c - QR payloads into entries: totp_qr_list_add +
 * totp_qr_import, which reads otpauth-migration:// exports (base64
 * protobuf, batches of parts) and otpauth:// URIs.
 *
 * Input: one mode byte, then the payloads.
 *   mode bit 0 clear: the payloads as text, one per line ('\n').
 *   mode bit 0 set:   raw MigrationPayload protobufs separated by "\x1e\x1e",
 *                     each wrapped as otpauth-migration://offline?data=BASE64
 *                     (bit 1: '+', '/' and '=' percent-encoded, as Google's
 *                     app writes them; bit 2: no '=' padding), so mutations
 *                     reach the protobuf decoder directly.
 */
#include "fuzz.h"

#define MAX_PAYLOADS 80
static const char sep[2] = {0x1e, 0x1e};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return totp_init() == TOTP_OK ? 0 : 1;
}

/* Wrap one protobuf as a migration URI and add it. */
static void add_wrapped(struct totp_qr_list *l, const uint8_t *pb, size_t n, unsigned mode)
{
	static const char prefix[] = "otpauth-migration://offline?data=";
	size_t b64max = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64max), *uri = malloc(sizeof(prefix) + 3 * b64max);
	size_t o = sizeof(prefix) - 1;

	if (!b64 || !uri)
		abort();
	sodium_bin2base64(b64, b64max, pb, n, sodium_base64_VARIANT_ORIGINAL);
	memcpy(uri, prefix, o);
	for (const char *c = b64; *c; c++) {
		if (*c == '=' && (mode & 4))
			break;
		if ((mode & 2) && (*c == '+' || *c == '/' || *c == '=')) {
			o += (size_t)sprintf(uri + o, "%%%02X", (unsigned char)*c);
			continue;
		}
		uri[o++] = *c;
	}
	if (totp_qr_list_add(l, (const uint8_t *)uri, o, "wrapped") != TOTP_OK) {
		/* a duplicate or too long: not in the list */
	}
	free(b64);
	free(uri);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct totp_qr_list list;
	struct totp_import im;
	unsigned mode;
	size_t n = 0;
	int rc;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	totp_qr_list_init(&list);
	totp_import_init(&im);
	while (n < MAX_PAYLOADS) {
		const uint8_t *end;
		size_t len, skip;

		if (mode & 1) {
			end = memmem(data, size, sep, sizeof(sep));
			skip = sizeof(sep);
		} else {
			end = memchr(data, '\n', size);
			skip = 1;
		}
		len = end ? (size_t)(end - data) : size;
		if (mode & 1)
			add_wrapped(&list, data, len, mode);
		else if (len)
			if (totp_qr_list_add(&list, data, len, n & 1 ? "b.png" : NULL) != TOTP_OK) {
				/* a duplicate or too long: not in the list */
			}
		n++;
		if (!end)
			break;
		data += len + skip;
		size -= len + skip;
	}
	FUZZ_ASSERT(list.count <= n);
	rc = totp_qr_import(&im, &list);
	FUZZ_ASSERT(rc == TOTP_OK || rc == TOTP_E_BATCH || rc == TOTP_E_MIGRATION ||
	            rc == TOTP_E_PAYLOAD || rc == TOTP_E_NOMEM);
	if (rc != TOTP_OK && rc != TOTP_E_NOMEM)
		FUZZ_ASSERT(im.nproblems > 0);
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "# %zu payloads: rc %d (%s), %zu entries, %zu problems\n",
		        list.count, rc, totp_strerror(rc), im.count, im.nproblems);
	fuzz_check_import(&im);
	totp_import_clear(&im);
	totp_qr_list_free(&list);
	fuzz_guarded_check();
	return 0;
}
