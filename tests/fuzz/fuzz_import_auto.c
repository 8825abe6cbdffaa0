/*
 * fuzz_import_auto.c - format detection and dispatch: totp_import_detect
 * and totp_import_read with TOTP_IMPORT_AUTO.  See fuzz_import.h for the
 * input layout (the selector byte picks only the password here).
 */
#include "fuzz_formats.h"
#define FUZZ_FORMATS FUZZ_IMPORT_AUTO_FORMATS
#define FUZZ_IMPORT_DETECT 1
#include "fuzz_import.h"
