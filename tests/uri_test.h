/*
 * uri_test.h - secrets and short names shared by the otpauth:// URI tests.
 */
#ifndef TOTP_URI_TEST_H
#define TOTP_URI_TEST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "totp.h"

#define S20 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" /* "12345678901234567890" */
#define S10 "JBSWY3DPEHPK3PXP"                 /* 10 bytes: short */
#define STEAMS "JRZCL47CMXVOQMNPZR2F7J4RGI"    /* Aegis's Steam vector */
#define CD                                                                                         \
	"&codeDisplay=%7B%22pinned%22%3Afalse%2C%22trashed%22%3Afalse%2C%22lastUsedAt%22"          \
	"%3A0%2C%22tapCount%22%3A0%2C%22tags%22%3A%5B%5D%7D"

#define T TOTP_TYPE_TOTP
#define H TOTP_TYPE_HOTP
#define ST TOTP_TYPE_STEAM
#define SHA1 TOTP_ALGO_SHA1
#define SHA256 TOTP_ALGO_SHA256
#define SHA512 TOTP_ALGO_SHA512
#define WM TOTP_W_ISSUER_MISMATCH
#define WS TOTP_W_SHORT_SECRET
#define WD TOTP_W_DIGITS

#endif
