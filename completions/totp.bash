# bash completion for totp(1)
_totp() {
	local cur prev words cword
	_init_completion -n : 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	}
	local commands="init add import export list code watch show verify rename rm passwd unlock lock doctor help"
	local i cmd="" global=()
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--vault | --passphrase-fd) global+=("${words[i]}" "${words[i+1]}"); ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	case $prev in
	--vault) _filedir 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--passphrase-fd | --new-passphrase-fd | --file-passphrase-fd | --backup-passphrase-fd | --kdf-ops | --digits | --period | --counter | --window | --at | --issuer | --timeout | --kdf-memory) return ;;
	--algorithm) COMPREPLY=($(compgen -W "sha1 sha256 sha512" -- "$cur")); return ;;
	--format)
		if [ "$cmd" = import ]; then
			COMPREPLY=($(compgen -W "aegis aegis-encrypted andotp andotp-encrypted andotp-encrypted-old 2fas 2fas-encrypted freeotp+ bitwarden-json bitwarden-csv ente ente-encrypted steam otpauth" -- "$cur"))
			return
		fi
		COMPREPLY=($(compgen -W "png migration uri html encrypted-qr encrypted-html" -- "$cur")); return ;;
	--output | -o) _filedir 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--background) COMPREPLY=($(compgen -W "dark light" -- "$cur")); return ;;
	esac
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$commands --vault --passphrase-fd --version --help" -- "$cur"))
		return
	fi
	local opts=""
	case $cmd in
	init) opts="--kdf-memory --kdf-ops" ;;
	add) opts="--issuer --algorithm --digits --period --hotp --counter --steam" ;;
	import) opts="--dry-run --partial --format --file-passphrase-fd" ;;
	export) opts="--format --output -o --force --backup-passphrase-fd --kdf-memory --kdf-ops" ;;
	show) opts="--qr --background" ;;
	list) opts="--json" ;;
	code) opts="--at --json --copy" ;;
	verify) opts="--window --at" ;;
	rename) opts="--issuer" ;;
	rm) opts="--force" ;;
	passwd) opts="--new-passphrase-fd --kdf-memory --kdf-ops" ;;
	unlock) opts="--timeout" ;;
	help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
		return
	fi
	case $cmd in
	import) _filedir 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur")); return ;;
	list | code | watch | show | verify | rename | rm | export)
		# Labels only when the key is cached: completion never prompts.
		local IFS=$'\n' labels
		labels=$(totp "${global[@]}" --no-prompt list 2>/dev/null | cut -f1)
		COMPREPLY=($(compgen -W "$labels" -- "$cur"))
		declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
		;;
	esac
}
complete -F _totp totp
