/*
 * fuzz_formats.h - the formats each importer target reads, in selector
 * order (fuzz_import.h); shared with the seed-corpus builder.
 */
#ifndef TOTP_FUZZ_FORMATS_H
#define TOTP_FUZZ_FORMATS_H

#define FUZZ_IMPORT_JSON_FORMATS                                                                   \
	TOTP_IMPORT_AEGIS, TOTP_IMPORT_AEGIS_ENCRYPTED, TOTP_IMPORT_ANDOTP, TOTP_IMPORT_2FAS,      \
	        TOTP_IMPORT_2FAS_ENCRYPTED, TOTP_IMPORT_FREEOTP_PLUS, TOTP_IMPORT_BITWARDEN_JSON,  \
	        TOTP_IMPORT_ENTE_ENCRYPTED, TOTP_IMPORT_STEAM
#define FUZZ_IMPORT_TEXT_FORMATS TOTP_IMPORT_BITWARDEN_CSV, TOTP_IMPORT_ENTE, TOTP_IMPORT_OTPAUTH
#define FUZZ_IMPORT_ANDOTP_FORMATS TOTP_IMPORT_ANDOTP_ENCRYPTED, TOTP_IMPORT_ANDOTP_ENCRYPTED_OLD
#define FUZZ_IMPORT_AUTO_FORMATS TOTP_IMPORT_AUTO

/* The key of the vault target (fuzz_vault.c), 32 bytes. */
#define FUZZ_VAULT_KEY "totp fuzz vault key, test only!"

#endif
