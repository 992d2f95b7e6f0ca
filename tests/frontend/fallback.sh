#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The launchers' two paths print the same and exit the same. `tokenbroker token` and git's helper answer
# over the token socket when it is there (the fast path: run here with nothing to fall back to, so that a
# fallback would show) and exec() their full D-Bus programs when it is not: the daemon's token socket removed
# (they then take the private bus socket), or XDG_RUNTIME_DIR elsewhere (the session bus). Each case is run
# on the fast path first, and its output and exit status must come back unchanged on both other paths: a
# token, no such account, login required, the provider refusing, AllowedCallers= refusing, no account for a
# host, malformed input, an erase.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

helper="$abs_top_builddir/git-credential-tokenbroker"
sock="$XDG_RUNTIME_DIR/tokenbroker/token"
mkdir -p "$RIG_DIR/no-libexec" "$RIG_DIR/no-runtime"
chmod 0700 "$RIG_DIR/no-runtime"

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
tap_ok "the daemon listens on the token socket" test -S "$sock"

add() { # NAME HOSTS [ARGS]: a client_credentials account of TS
        local name=$1 hosts=$2
        shift 2
        rig_tb add "$name" --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic \
                --hosts "$hosts" "$@" >/dev/null 2>&1 &&
                rig_tb set-secret "$name" client-secret <<<"${SECRET:-basic-secret}" >/dev/null
}
add good "https://good.example.com/" || tap_bail "cannot add account good"
SECRET=wrong-secret add refused "https://refused.example.com/" || tap_bail "cannot add account refused"
add callers "https://callers.example.com/" --set "AllowedCallers=/usr/bin/git" ||
        tap_bail "cannot add account callers"
rig_tb add login --token-url "$TS_TOKEN_URL" --client-id public-client --client-auth none \
        --grant authorization_code --scopes read --hosts "https://login.example.com/" >/dev/null 2>&1 ||
        tap_bail "cannot add account login"
rig_tb token good >/dev/null || tap_bail "no token for good"

# The cases: "NAME|STDIN|COMMAND...". STDIN is printf'ed to the command.
get() { printf 'protocol=https\nhost=%s.example.com\n%s\n' "$1" "${2:-}"; }
cases=(
        "token|-|$TB token good"
        "token, --scope spelt out|-|$TB token good --scope="
        "token of no such account|-|$TB token nope"
        "token, login required|-|$TB token login"
        "token, provider refuses|-|$TB token refused"
        "token, AllowedCallers refuses|-|$TB token callers"
        "token, bad account name|-|$TB token ../x"
        "git get|$(get good)|$helper get"
        "git get, authtype|$(get good 'capability[]=authtype')|$helper get"
        "git get, no account for the host|$(get other)|$helper get"
        "git get --account of no such account|$(get good)|$helper --account nope get"
        "git get --account that does not serve the host|$(get good)|$helper --account refused get"
        "git get, login required|$(get login)|$helper get"
        "git get, provider refuses|$(get refused)|$helper get"
        "git get, AllowedCallers refuses|$(get callers)|$helper get"
        "git get, malformed input|protocol=https\nno equals sign\n|$helper get"
        "git get, no host|protocol=https\n\n|$helper get"
        "git erase without a token|$(get good)|$helper erase"
        "git erase, not the cached token|$(get good 'password=not-the-token')|$helper erase"
        "git store|$(get good 'password=x')|$helper store"
)

# run CASE: "STATUS", stdout and stderr of the case, as one string.
run() {
        local spec=$1 input cmd out err rc
        input=${spec#*|}
        cmd=${input#*|}
        input=${input%%|*}
        [ "$input" != - ] || input=
        # shellcheck disable=SC2086 # the command is split into words on purpose
        printf "$input" | timeout -k 5 30 $cmd >"$RIG_DIR/out" 2>"$RIG_DIR/err"
        rc=$?
        out=$(cat "$RIG_DIR/out")
        err=$(cat "$RIG_DIR/err")
        printf 'status %s\n--- stdout\n%s\n--- stderr\n%s' "$rc" "$out" "$err"
}

declare -A fast=()
for spec in "${cases[@]}"; do
        fast[$spec]=$(TOKENBROKER_LIBEXECDIR="$RIG_DIR/no-libexec" run "$spec")
done
tap_like "${fast[${cases[0]}]}" '^status 0' "the fast path answers a token"
tap_like "${fast[${cases[2]}]}" "^status 3.*tokenbroker: nope: No such account 'nope'\.$" \
        "... and says there is no such account (exit 3)"
tap_like "${fast[${cases[3]}]}" '^status 4' "... login required (exit 4)"
tap_like "${fast[${cases[4]}]}" '^status 5.*invalid_client' "... the provider's refusal (exit 5)"
tap_like "${fast[${cases[5]}]}" "^status 8.*Access denied: $(readlink -f "$TB") is not an allowed caller" \
        "... AllowedCallers' refusal, naming the launcher (exit 8)"
out=$'^status 0\n--- stdout\nusername=oauth2\npassword=.+\npassword_expiry_utc=[0-9]+'
tap_like "${fast[${cases[7]}]}" "$out" "the git helper's fast path answers with username, password and expiry"
out=$'^status 0\n--- stdout\ncapability\\[\\]=authtype\nauthtype=Bearer\ncredential=.+\nephemeral=true\n'
tap_like "${fast[${cases[8]}]}" "${out}password_expiry_utc=" "... and in the authtype form"
out=$'^status 3\n--- stdout\nquit=1\n--- stderr\ngit-credential-tokenbroker: '
tap_like "${fast[${cases[10]}]}" "${out}Cannot look up the account: No such account" \
        "... a missing --account is a definite no"
out=$'^status 5\n--- stdout\nquit=1\n--- stderr\ngit-credential-tokenbroker: '
tap_like "${fast[${cases[13]}]}" "${out}No token for account 'refused': " "... so is the provider's refusal"
tap_like "${fast[${cases[14]}]}" "Access denied: $(readlink -f "$helper") is not an allowed caller" \
        "... and AllowedCallers' refusal names the launcher"

# The same through the full programs, first on the private bus socket, then on the session bus.
rm -f "$sock"
for spec in "${cases[@]}"; do
        tap_is "$(run "$spec")" "${fast[$spec]}" "token socket removed: ${spec%%|*}"
done
for spec in "${cases[@]}"; do
        tap_is "$(XDG_RUNTIME_DIR="$RIG_DIR/no-runtime" run "$spec")" "${fast[$spec]}" \
                "no runtime directory: ${spec%%|*}"
done

# Without a daemon at all, both say so the same way.
rig_stop_daemon
out=$(run "token|-|$TB token good")
tap_like "$out" '^status 6.*tokenbrokerd is not running' "no daemon: tokenbroker says it is not running (exit 6)"
out=$(run "get|$(get good)|$helper get")
tap_like "$out" '^status 6.*Cannot reach tokenbrokerd' "... so does git's helper (exit 6)"

# An erase that names the cached token drops it, on either path: the next get fetches a new one.
rig_start_daemon || tap_bail "tokenbrokerd did not restart"
requests() { rig_server_stats TS token_requests; }
for path in fast bus; do
        libexec=$abs_top_builddir
        [ "$path" = bus ] && rm -f "$sock" || libexec="$RIG_DIR/no-libexec"
        t=$(rig_tb token good)
        before=$(requests)
        get good "password=$t" | TOKENBROKER_LIBEXECDIR=$libexec "$helper" erase
        tap_is "$?" 0 "$path path: git's erase of the token it was given succeeds"
        tap_isnt "$(rig_tb token good)" "$t" "... and the next token is a new one"
        tap_is "$(($(requests) - before))" 1 "... fetched once"
done

# Without $TOKENBROKER_LIBEXECDIR, a launcher in a build tree runs the full program built beside it.
out=$(env -u TOKENBROKER_LIBEXECDIR timeout -k 5 30 "$TB" list 2>&1)
tap_is "$?" 0 "without TOKENBROKER_LIBEXECDIR the launcher runs the full program beside it"
tap_like "$out" "good" "... which lists the accounts"

rig_stop_daemon
tap_is "$RIG_DAEMON_STATUS" 0 "the daemon stops cleanly"
tap_ok "... and removes the sockets it made" \
        bash -c "! test -e '$XDG_RUNTIME_DIR/tokenbroker/token' && ! test -e '$XDG_RUNTIME_DIR/tokenbroker/bus'"
rig_check_daemon_log
tap_done
