/*
 * error.c - error descriptions.
 */
#include "internal.h"

static const char *const messages[] = {
        [-TOTP_OK] = "success",
        [-TOTP_E_INVAL] = "invalid argument",
        [-TOTP_E_NOMEM] = "out of memory",
        [-TOTP_E_NOSPACE] = "output buffer too small",
        [-TOTP_E_BASE32] = "invalid character in base32 secret",
        [-TOTP_E_BASE32_LENGTH] = "base32 secret has an impossible length",
        [-TOTP_E_SECRET_EMPTY] = "secret is empty",
        [-TOTP_E_SECRET_LONG] = "secret is too long",
        [-TOTP_E_URI_SCHEME] = "not an otpauth:// URI",
        [-TOTP_E_URI_TYPE] = "unknown OTP type",
        [-TOTP_E_URI_SYNTAX] = "malformed URI",
        [-TOTP_E_URI_SECRET] = "URI has no secret",
        [-TOTP_E_ALGO] = "unknown or unsupported algorithm",
        [-TOTP_E_DIGITS] = "number of digits out of range",
        [-TOTP_E_PERIOD] = "period out of range",
        [-TOTP_E_COUNTER] = "counter out of range",
        [-TOTP_E_LABEL] = "empty, too long or invalid label",
        [-TOTP_E_UTF8] = "text is not valid UTF-8",
        [-TOTP_E_TIME] = "time out of range",
        [-TOTP_E_MISMATCH] = "code does not match",
        [-TOTP_E_IO] = "input/output error",
        [-TOTP_E_AUTH] = "wrong passphrase or damaged vault",
        [-TOTP_E_FORMAT] = "not a totp vault",
        [-TOTP_E_VERSION] = "vault format version not supported",
        [-TOTP_E_KDF] = "key derivation parameters out of range",
        [-TOTP_E_BUSY] = "vault is busy (locked by another totp process)",
        [-TOTP_E_EXISTS] = "file already exists",
        [-TOTP_E_NOENT] = "no such file",
        [-TOTP_E_UNSAFE] = "unsafe file (symbolic link, not a regular file, or not owned by you)",
        [-TOTP_E_TOOBIG] = "input exceeds a size limit",
        [-TOTP_E_CORRUPT] = "decrypted data is malformed",
        [-TOTP_E_UNSUPPORTED] = "not supported",
        [-TOTP_E_IMAGE] = "image cannot be decoded",
        [-TOTP_E_NO_QR] = "no QR code found",
        [-TOTP_E_PAYLOAD] = "QR code is not an authenticator payload",
        [-TOTP_E_MIGRATION] = "malformed otpauth-migration payload",
        [-TOTP_E_BATCH] = "migration export incomplete or mixed",
        [-TOTP_E_JSON] = "malformed JSON",
        [-TOTP_E_PASSWORD] = "wrong password or damaged file",
        [-TOTP_E_IMPORT_FORMAT] = "unrecognised file format",
        [-TOTP_E_LIBRARY] = "a required shared library could not be loaded",
        [-TOTP_E_ENTRY] = "account of a kind totp cannot compute",
        [-TOTP_E_BACKUP] = "malformed encrypted backup code",
};

_Static_assert(TOTP_ARRAY_LEN(messages) == (size_t)-TOTP_E_LAST_ + 1,
               "every error code needs a message");

const char *totp_strerror(int err)
{
	if (err > 0 || (size_t) - (long)err >= TOTP_ARRAY_LEN(messages) || !messages[-err])
		return "unknown error";
	return messages[-err];
}
