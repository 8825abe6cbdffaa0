/*
 * fuzz_import_andotp.c - andOTP's binary encrypted backups: the new layout
 * (PBKDF2 iterations, salt, nonce, AES-GCM) and the old one (SHA-256 of the
 * password).  See fuzz_import.h for the input layout.
 */
#include "fuzz_formats.h"
#define FUZZ_FORMATS FUZZ_IMPORT_ANDOTP_FORMATS
#include "fuzz_import.h"
