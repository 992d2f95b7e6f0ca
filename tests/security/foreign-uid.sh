#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Only the daemon's own user is served. On a bus whose policy lets every user connect (a private dbus-daemon
# with <allow user="*"/>, as a shared or misconfigured session bus might), a process of another uid
# ("nobody", through setpriv) calls every method of the broker: each one is refused with
# org.tokenbroker.Error.AccessDenied, nothing is changed, and the daemon logs the refusal; the same calls of
# the daemon's own user on the same bus work. The uid is taken from the bus daemon's credentials (sd-bus).
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root to run a caller as another user (setpriv)"
other=65534
getent passwd "$other" >/dev/null || tap_skip_all "no user 'nobody' (uid $other)"

# The permissive bus, reachable by the other user.
trap 'rig_cleanup; rel_cleanup_dirs' EXIT
rel_start_open_bus OPEN || tap_bail "the permissive bus did not come up"
export DBUS_SESSION_BUS_ADDRESS=$OPEN_BUS

# A keyring of its own on that bus (its own data and runtime directories: the session's keyring runs too).
mkdir -p "$RIG_DIR/kr-data" "$RIG_DIR/kr-run"
chmod 0700 "$RIG_DIR/kr-run"
rig_spawn keyring2 env XDG_DATA_HOME="$RIG_DIR/kr-data" XDG_RUNTIME_DIR="$RIG_DIR/kr-run" sh -c \
        'printf "%s" "$TB_KEYRING_PASSWORD" | exec gnome-keyring-daemon --foreground --unlock --components=secrets'
rig_wait_for 10 busctl --user status org.freedesktop.secrets || tap_bail "no keyring on the permissive bus"

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start on the permissive bus"
rel_add_cc acct "$TS_TOKEN_URL" --hosts "https://git.example.com/" || tap_bail "could not add an account"
tap_is "$(rig_tb token acct | rel_whoami TS)" basic-client "the daemon's own user gets a token"

as_other() {
        rel_as_other "$other" "$@"
}
tap_is "$(as_other id -u)" "$other" "a process of uid $other"
tap_ok "... can connect to the permissive bus" as_other busctl --address="$DBUS_SESSION_BUS_ADDRESS" status org.freedesktop.DBus

# gdbus prints the error's name. METHOD ARGS... as the other user; prints the error name or "answered".
call_other() {
        local out
        if out=$(as_other gdbus call --address "$DBUS_SESSION_BUS_ADDRESS" --dest org.tokenbroker.Broker1 \
                --object-path /org/tokenbroker/Broker1 --method "org.tokenbroker.Broker1.$1" "${@:2}" 2>&1); then
                echo "answered: $out"
        else
                grep -oE 'org\.tokenbroker\.Error\.[A-Za-z]+' <<<"$out" | head -n 1
                grep -q 'org\.tokenbroker\.Error\.' <<<"$out" || echo "$out"
        fi
}
denied_methods=" "
denied() { # METHOD ARGS...: the other user's call of METHOD is refused
        denied_methods+="$1 "
        tap_is "$(call_other "$@")" org.tokenbroker.Error.AccessDenied "uid $other calling $1: AccessDenied"
}
denied GetToken acct "{}"
denied GetTokenInfo acct "{}"
denied ListAccounts
denied GetAccount acct
denied MatchAccount https git.example.com "''"
denied GitCredential https git.example.com "''" "''"
denied GitCredential https git.example.com "''" acct
denied InvalidateGitCredential https git.example.com "''" "''" some-token
denied Invalidate acct "''"
denied Reload
denied Warmup
denied AddAccount evil "{'TokenURL': 'https://evil.example.com/t', 'ClientID': 'x'}" true
denied RemoveAccount acct
denied SetSecret acct client-secret "[byte 0x65, 0x76, 0x69, 0x6c]"
denied Revoke acct
denied BeginLogin acct
denied CancelLogin acct
denied GenerateKey acct ec "{'replace': <true>}"
denied GetPublicKey acct
denied GetDPoPProof acct GET https://api.example.com/x "{'access-token': <'t'>}"
denied GetToken acct "{'resource': <'urn:x:y'>}"
denied ListRefusedAccounts
denied CheckAccount acct
# Every method of the interface is in the list above: a new one cannot be forgotten here.
missing=
for m in $(grep -oE '<method name="[A-Za-z]+"' "$abs_top_srcdir/dbus/org.tokenbroker.Broker1.xml" | cut -d'"' -f2); do
        [[ $denied_methods == *" $m "* ]] || missing+="$m "
done
tap_is "$missing" "" "every method of org.tokenbroker.Broker1.xml was called by the other uid and refused"
tap_like "$(cat "$(rel_daemon_log)")" "Refused a call from :[0-9.]+ of uid $other: only uid $(id -u) is served" \
        "the daemon logs the refusals with the caller's uid"

out=$(as_other busctl --address="$DBUS_SESSION_BUS_ADDRESS" call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 \
        org.tokenbroker.Broker1 ListAccounts 2>&1)
tap_like "$out" "Access denied: tokenbrokerd serves only its own user" "... and the message says why"

tap_is "$(rig_tb list 2>&1 | grep -c evil)" 0 "nothing the other user asked for happened: no account added"
tap_is "$(rig_tb token acct | rel_whoami TS)" basic-client "... the account and its secret are intact"
tap_like "$(busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 ListAccounts)" \
        '"acct"' "the daemon's own user is served on the same bus"

rel_stop_daemon_checked
tap_done
