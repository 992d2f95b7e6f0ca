#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion, run in bash as readline would: verbs, options, secret kinds, and account names read
# from the account files (without starting the daemon).
. "$abs_top_srcdir/tests/lib/rig.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tb-completion.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/config/tokenbroker/accounts"
touch "$tmp/config/tokenbroker/accounts/work.conf" "$tmp/config/tokenbroker/accounts/flume-home.conf" \
        "$tmp/config/tokenbroker/accounts/notes.txt"

# complete LINE: what the completion offers for LINE (the cursor at its end), sorted, on one line.
complete_line() {
        XDG_CONFIG_HOME="$tmp/config" bash --norc --noprofile -c '
                . "$1"
                read -ra COMP_WORDS <<<"$2"
                [[ $2 == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMP_LINE=$2 COMP_POINT=${#2}
                spec=$(complete -p "${COMP_WORDS[0]}")
                fn=${spec#*-F }; fn=${fn%% *}
                "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                ((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
        ' _ "$abs_top_srcdir/packaging/bash-completion/tokenbroker" "$1"
}

tap_is "$(complete_line "tokenbroker ")" \
        "add curl dpop-proof keygen list login public-key reload remove revoke set-secret setup-git status token warmup " \
        "verbs"
tap_is "$(complete_line "tokenbroker st")" "status " "a verb by its prefix"
tap_is "$(complete_line "tokenbroker token ")" "flume-home work " "account names from the account files"
tap_is "$(complete_line "tokenbroker token w")" "work " "an account name by its prefix"
tap_is "$(complete_line "tokenbroker token work --")" "--force-new --json --min-validity --resource --scope " \
        "token's options"
tap_is "$(complete_line "tokenbroker set-secret work ")" "api-key client-secret password refresh-token tls-key " \
        "secret kinds after the account"
tap_is "$(complete_line "tokenbroker add x --client-auth ")" \
        "basic client_secret_jwt none post private_key_jwt self_signed_tls_client_auth tls_client_auth " \
        "client auth methods"
tap_is "$(complete_line "tokenbroker dpop-proof work --")" "--no-token --nonce --resource --scope " "dpop-proof's options"
tap_is "$(complete_line "tokenbroker dpop-proof work P")" "PATCH POST PUT " "dpop-proof's methods after the account"
tap_is "$(complete_line "tokenbroker add x --set Client")" "ClientAuth= ClientCertFile= ClientID= ClientKeyFile= " \
        "the mutual TLS keys for --set"
tap_is "$(complete_line "tokenbroker keygen work --type ")" "ec rsa " "keygen's key types"
tap_is "$(complete_line "tokenbroker keygen work --")" "--jwks --replace --type " "keygen's options"
tap_is "$(complete_line "tokenbroker public-key ")" "flume-home work " "public-key takes an account name"
tap_is "$(complete_line "tokenbroker add x --set Tok")" "TokenParamNames= TokenPath= TokenURL= TokenURLQuery= " "account file keys for --set"
tap_is "$(complete_line "tokenbroker remove work ")" "" "nothing after remove's one argument"
tap_is "$(complete_line "tokenbroker revoke ")" "flume-home work " "revoke takes an account name"
tap_is "$(complete_line "tokenbroker curl f")" "flume-home " "curl takes an account name first"
tap_is "$(complete_line "git-credential-tokenbroker --account ")" "flume-home work " "the helper's --account"
tap_is "$(complete_line "git-credential-tokenbroker ")" "erase get store " "the helper's operations"
rm -rf "$tmp/config/tokenbroker"
tap_is "$(complete_line "tokenbroker status ")" "" "no accounts directory, no names and no error"

tap_done
