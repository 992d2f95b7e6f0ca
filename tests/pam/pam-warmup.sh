#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_tokenbroker.so with the real parts: Linux-PAM loads the built module from a service file in the test
# directory (tests/pam/pam-driver, a small login program over pam_start_confdir()), tokenbrokerd runs on a
# private session bus with a real gnome-keyring, and the loopback token server counts what reaches it.
#
# After open_session the token server sees requests for exactly the Warmup=true accounts, and the daemon
# serves those tokens from its cache. Whatever goes wrong (no bus, a daemon that does not answer, a user
# without accounts, a bogus bus address, a user that does not exist) the session still opens with
# PAM_SUCCESS within the bound, and the module's log says why.
# shellcheck source=tests/lib/rig.sh
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"

if ! "$abs_top_builddir/tokenbrokerd" --version >/dev/null 2>&1; then
        tap_bail "tokenbrokerd is missing or does not run"
fi
rig_run_in_session "$0" "$@"

driver="$abs_top_builddir/tests/pam/pam-driver"
module="$abs_top_builddir/pam/.libs/pam_tokenbroker.so"
user=$(id -un)
confdir="$RIG_DIR/pam.d"
mkdir -p "$confdir"
# The shape a distribution ships: optional, then the rest of the session stack.
printf 'session optional %s timeout=5 stderr debug\nsession required pam_permit.so\n' "$module" \
        >"$confdir/tb-warmup"
printf 'session optional %s timeout=1 stderr\nsession required pam_permit.so\n' "$module" >"$confdir/tb-short"

# login SERVICE [USER] -- [NAME=VALUE]...: one session through the driver, which waits for the module's
# background job. Sets OPEN (the PAM code), ELAPSED (ms in pam_open_session), JOB (the job's exit status,
# "none" without one) and LOG (the module's messages).
login() {
        local service=$1 who=$user out
        shift
        if [ "$1" != -- ]; then
                who=$1
                shift
        fi
        shift
        out=$("$driver" --wait "$confdir" "$service" "$who" "$@" 2>"$RIG_DIR/pam.log")
        OPEN=$(sed -n 's/^open_session=\([0-9]*\).*/\1/p' <<<"$out")
        ELAPSED=$(sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' <<<"$out")
        JOB=$(sed -n 's/^job_status=//p' <<<"$out")
        LOG=$(<"$RIG_DIR/pam.log")
}

# opened DESC: the session opened, and fast.
opened() {
        tap_is "$OPEN" 0 "$1: pam_open_session returns PAM_SUCCESS"
        if [ -n "$ELAPSED" ] && [ "$ELAPSED" -lt 1000 ]; then
                tap_pass "$1: pam_open_session returned in ${ELAPSED} ms (< 1 s)"
        else
                tap_fail "$1: pam_open_session returned within 1 s" "elapsed: '${ELAPSED}' ms"
        fi
}

# log_says DESC REGEX
log_says() {
        tap_like "$LOG" "$2" "$1"
}

# shellcheck disable=SC2317  # called through rig_wait_for
requests_at_least() {
        [ "$(rig_server_stats TS token_requests)" -ge "$1" ]
}

session_env=("XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" "DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS")

rig_start_token_server TS || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

# --- a user with no accounts ---------------------------------------------------------------------------
login tb-warmup -- "${session_env[@]}"
opened "no accounts"
tap_is "$JOB" 0 "no accounts: the background job reached the daemon"
log_says "no accounts: logged, nothing to warm up" \
        "Token warmup for user $user started for 0 account\(s\) over the broker's socket"
tap_is "$(rig_server_stats TS token_requests)" 0 "no accounts: no token request upstream"

# --- two Warmup=true accounts and one without ----------------------------------------------------------
for a in warm1 warm2 cold; do
        extra=()
        [ "$a" = cold ] || extra=(--set Warmup=true)
        out=$(rig_tb add "$a" --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic \
                --scopes read "${extra[@]}" 2>&1) || tap_bail "cannot add account $a: $out"
        out=$(rig_tb set-secret "$a" client-secret <<<"basic-secret" 2>&1) ||
                tap_bail "cannot set the secret of $a: $out"
done
tap_is "$(rig_server_stats TS token_requests)" 0 "adding accounts fetches nothing"

login tb-warmup -- "${session_env[@]}"
opened "warmup"
tap_is "$JOB" 0 "warmup: the background job succeeded"
log_says "warmup: the daemon started two fetches, over its private socket" \
        "Token warmup for user $user started for 2 account\(s\) over the broker's socket"
rig_wait_for 10 requests_at_least 2
sleep 0.5       # time for a third request, were one coming
tap_is "$(rig_server_stats TS token_requests)" 2 "warmup: the token server saw exactly two token requests"
tap_is "$(rig_server_stats TS grants.client_credentials)" 2 "warmup: both client_credentials grants"

rig_tb token warm1 >/dev/null
rig_tb token warm2 >/dev/null
tap_is "$(rig_server_stats TS token_requests)" 2 \
        "tokenbroker token for the warmed accounts is served from the cache, no new upstream request"
rig_tb token cold >/dev/null
tap_is "$(rig_server_stats TS token_requests)" 3 "the account without Warmup=true was not warmed up"

# --- over the session bus, when the private socket is not there ----------------------------------------
mkdir -m 0700 "$RIG_DIR/rt-empty"
login tb-warmup -- "XDG_RUNTIME_DIR=$RIG_DIR/rt-empty" "DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS"
opened "session bus"
tap_is "$JOB" 0 "session bus: the background job succeeded"
log_says "session bus: Warmup() went over the session bus; the cached tokens need no fetch" \
        "Token warmup for user $user started for 0 account\(s\) over the session bus"
sleep 0.3
tap_is "$(rig_server_stats TS token_requests)" 3 "session bus: no new upstream request"

# --- a login that leaves the keyring locked (fingerprint, smart card): the warmup waits for the unlock ----
rig_restart_daemon || tap_bail "restart failed"         # nothing cached, no secret in memory
before=$(rig_server_stats TS token_requests)
busctl --user call org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service Lock \
        ao 1 /org/freedesktop/secrets/collection/login >/dev/null
tap_is "$(busctl --user get-property org.freedesktop.secrets /org/freedesktop/secrets/collection/login \
        org.freedesktop.Secret.Collection Locked)" "b true" "the keyring is locked"
login tb-warmup -- "${session_env[@]}"
opened "locked keyring"
tap_is "$JOB" 0 "locked keyring: the background job reached the daemon"
sleep 1
tap_is "$(rig_server_stats TS token_requests)" "$before" "locked keyring: nothing is fetched while it is locked"
tap_like "$(cat "$TB_SESSION_ROOT/tokenbrokerd.log")" "keyring is locked; warming up once it is unlocked" \
        "locked keyring: the daemon says it waits for the unlock"
# The password arrives later (the desktop's unlock dialog): the collection is unlocked with it.
printf '%s' "$TB_KEYRING_PASSWORD" | "$abs_top_builddir/tests/lib/keyring-unlock"
rig_wait_for 10 requests_at_least $((before + 2))
sleep 0.5
tap_is "$(rig_server_stats TS token_requests)" $((before + 2)) \
        "after the unlock, exactly the two Warmup=true accounts were fetched"
rig_tb token warm1 >/dev/null
tap_is "$(rig_server_stats TS token_requests)" $((before + 2)) "... and their tokens are served from the cache"

# --- failures: the login goes on, the log says why -----------------------------------------------------
login tb-short -- "XDG_RUNTIME_DIR=$RIG_DIR/rt-empty" "DBUS_SESSION_BUS_ADDRESS=unix:path=$RIG_DIR/no-such-bus"
opened "no bus"
tap_is "$JOB" 1 "no bus: the background job gave up"
log_says "no bus: logged" "No session bus for user $user at $RIG_DIR/no-such-bus after 1 s.*No such file"

# A daemon that accepts and never answers, on the private socket of another runtime directory.
mkdir -m 0700 "$RIG_DIR/rt-silent" "$RIG_DIR/rt-silent/tokenbroker"
rig_spawn silent "$PYTHON3" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(8)
open(sys.argv[2], "w").write("ready\n")
held = []
while True:
    c, _ = s.accept()
    held.append(c)      # keep it open, never read, never answer
' "$RIG_DIR/rt-silent/tokenbroker/bus" "$RIG_DIR/silent.ready"
rig_wait_for 10 test -s "$RIG_DIR/silent.ready" || tap_bail "the silent socket did not come up"
login tb-short -- "XDG_RUNTIME_DIR=$RIG_DIR/rt-silent"
opened "silent daemon"
tap_is "$JOB" 1 "silent daemon: the background job gave up"
log_says "silent daemon: logged, timed out" \
        "No answer from the broker's socket at unix:path=$RIG_DIR/rt-silent/tokenbroker/bus.*timed out"
rig_stop silent

# Bogus addresses are refused; the runtime directory's own sockets are still found.
overlong="unix:path=/$(printf 'a%.0s' $(seq 1 600))"
for bogus in "garbage" "$overlong" $'unix:path=/tmp/\xff\xfe' "unixexec:path=/bin/sh" \
        "unix:path=$XDG_RUNTIME_DIR/../bus"; do
        case $bogus in
        garbage) what="garbage" ;;
        "$overlong") what="overlong" ;;
        unixexec:*) what="unixexec" ;;
        *..*) what="dot-dot path" ;;
        *) what="non-UTF-8" ;;
        esac
        login tb-short -- "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" "DBUS_SESSION_BUS_ADDRESS=$bogus"
        opened "bogus address ($what)"
        log_says "bogus address ($what): logged as ignored" 'Ignoring DBUS_SESSION_BUS_ADDRESS="[^"]*": [a-z]'
        tap_is "$JOB" 0 "bogus address ($what): the warmup still reached the daemon through XDG_RUNTIME_DIR"
done

login tb-short tb-no-such-user-3c9e -- "${session_env[@]}"
opened "no such user"
tap_is "$JOB" none "no such user: no background job"
log_says "no such user: logged" 'User "tb-no-such-user-3c9e" does not exist, ignoring'

tap_is "$(rig_server_stats TS token_requests)" $((before + 2)) "none of the failed logins reached the token server"
rig_check_daemon_log "the daemon's log is clean"
tap_done
