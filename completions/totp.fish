# fish completion for totp(1)
set -l cmds init add import export list code watch show verify rename rm passwd unlock lock doctor help

function __totp_labels
	# Labels only when the key is cached: completion never prompts.
	totp --no-prompt list 2>/dev/null | cut -f1
end

complete -c totp -f
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -l vault -r -F -d 'vault file'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -l passphrase-fd -x -d 'passphrase from fd'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -l no-prompt -d 'never ask for a passphrase'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -l version -d 'print the version'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a init -d 'create a new vault'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a add -d 'add an account'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a import -d 'import accounts'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a export -d 'write backups'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a list -d 'list accounts'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a code -d 'print current codes'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a watch -d 'live dashboard'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a show -d 'print an otpauth URI'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a verify -d 'check a code'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a rename -d 'rename an account'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a rm -d 'remove an account'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a passwd -d 'change the passphrase'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a unlock -d 'cache the vault key'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a lock -d 'forget the cached key'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a doctor -d 'check clock, files, key strength'
complete -c totp -n "not __fish_seen_subcommand_from $cmds" -a help -d 'show help'
complete -c totp -n "__fish_seen_subcommand_from list code watch show verify rename rm export" -a '(__totp_labels)'
complete -c totp -n "__fish_seen_subcommand_from import" -F
complete -c totp -n "__fish_seen_subcommand_from import" -l dry-run -d 'show what would be imported'
complete -c totp -n "__fish_seen_subcommand_from import" -l partial -d 'import the usable items'
complete -c totp -n "__fish_seen_subcommand_from import" -l format -x -a 'aegis aegis-encrypted andotp andotp-encrypted andotp-encrypted-old 2fas 2fas-encrypted freeotp+ bitwarden-json bitwarden-csv ente ente-encrypted steam otpauth' -d 'read every file as this format'
complete -c totp -n "__fish_seen_subcommand_from import" -l file-passphrase-fd -x -d 'fd with the password of encrypted files'
complete -c totp -n "__fish_seen_subcommand_from export" -l format -x -a 'png migration uri html encrypted-qr encrypted-html' -d 'backup format'
complete -c totp -n "__fish_seen_subcommand_from export" -s o -l output -r -F -d 'directory (png, migration, encrypted-qr) or file'
complete -c totp -n "__fish_seen_subcommand_from export" -l force -d 'replace existing files'
complete -c totp -n "__fish_seen_subcommand_from export" -l backup-passphrase-fd -x -d 'read the backup passphrase from this descriptor'
complete -c totp -n "__fish_seen_subcommand_from export" -l kdf-memory -x -d 'Argon2id memory of the backup key'
complete -c totp -n "__fish_seen_subcommand_from export" -l kdf-ops -x -d 'Argon2id passes of the backup key'
complete -c totp -n "__fish_seen_subcommand_from show" -l qr -d 'draw the QR code'
complete -c totp -n "__fish_seen_subcommand_from show" -l background -x -a 'dark light' -d 'terminal background (no colour)'
complete -c totp -n "__fish_seen_subcommand_from code" -l copy -d 'copy to the clipboard'
complete -c totp -n "__fish_seen_subcommand_from code list" -l json -d 'JSON output'
complete -c totp -n "__fish_seen_subcommand_from code verify" -l at -x -d 'time'
complete -c totp -n "__fish_seen_subcommand_from add" -l algorithm -xa 'sha1 sha256 sha512'
complete -c totp -n "__fish_seen_subcommand_from add" -l issuer -x
complete -c totp -n "__fish_seen_subcommand_from add" -l digits -x
complete -c totp -n "__fish_seen_subcommand_from add" -l period -x
complete -c totp -n "__fish_seen_subcommand_from add" -l hotp
complete -c totp -n "__fish_seen_subcommand_from add" -l steam
complete -c totp -n "__fish_seen_subcommand_from rm" -l force
complete -c totp -n "__fish_seen_subcommand_from unlock" -l timeout -x
complete -c totp -n "__fish_seen_subcommand_from help" -a "$cmds"
