/*
 * fuzz_import_json.c - the JSON importers: Aegis (plain and encrypted),
 * andOTP, 2FAS (plain and encrypted), FreeOTP+, Bitwarden JSON, Ente
 * (encrypted), Steam maFile.  See fuzz_import.h for the input layout.
 */
#include "fuzz_formats.h"
#define FUZZ_FORMATS FUZZ_IMPORT_JSON_FORMATS
#include "fuzz_import.h"
