/*
 * fuzz_import_text.c - the line-based importers: Bitwarden CSV, Ente plain
 * text (URIs with codeDisplay), otpauth:// URI lists.  See fuzz_import.h
 * for the input layout.
 */
#include "fuzz_formats.h"
#define FUZZ_FORMATS FUZZ_IMPORT_TEXT_FORMATS
#include "fuzz_import.h"
