#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Secrets stay secret. The token server gets a client secret, a user password and an API key made up for this
# run; the daemon runs at debug level while every kind of secret passes through it: set-secret, the
# client-credentials, password, refresh (with rotation) and token-exchange-free paths, an API-key header, a
# DPoP key, a TLS client key, refused secrets with the server's error descriptions, git's helper,
# `tokenbroker curl`, revocation, a restart that reads everything back from the keyring. All the while
# proc-scan.py samples the argv and the environment of every process of the session. Afterwards none of the
# secrets, nor any access or refresh token seen, may appear in the daemon's log, the other logs, or any
# sampled argv or environment.
#
# The daemon is also hardened against memory dumps: not dumpable (PR_SET_DUMPABLE 0), so another process of
# the same user can neither ptrace it nor read its /proc files, a core size limit of 0, and secrets in
# locked memory. That is checked on a second daemon run as "nobody" (as root, CAP_SYS_PTRACE would override
# everything): its /proc files belong to root, a ptrace attach of uid nobody fails while the same attach to
# an ordinary process of nobody works, and it leaves no core file when it is killed with SIGABRT.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

secrets="$RIG_DIR/secrets"            # one per line, 0600; never an argument of any command
: >"$secrets"
chmod 0600 "$secrets"
keep() { # keeps what is on stdin (one secret per line) in the list
        local s
        while IFS= read -r s; do
                [ -z "$s" ] || printf '%s\n' "$s" >>"$secrets"
        done
}
client_secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
api_key=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "cs-$client_secret" "pw-$password" "ak-$api_key" | keep
client_secret=cs-$client_secret password=pw-$password api_key=ak-$api_key

# The server's clients and user, with this run's secrets (the file is 0600 and read by the server only).
(umask 077 && cat >"$RIG_DIR/ts.json" <<EOF
{"clients": [
  {"id": "basic-client", "secret": "$client_secret", "auth_methods": ["client_secret_basic"],
   "grants": ["client_credentials", "password", "refresh_token"], "scopes": ["read", "write"]},
  {"id": "public-client", "secret": null, "auth_methods": ["none"],
   "grants": ["password", "refresh_token"], "scopes": ["read", "write"]}],
 "users": {"alice": "$password"}}
EOF
)

scan_stop="$RIG_DIR/scan.stop"
rig_spawn scan "$REL_PYTHON" "$abs_top_srcdir/tests/security/proc-scan.py" --session-root "$TB_SESSION_ROOT" \
        --out "$RIG_DIR/proc.txt" --stop "$scan_stop"
rig_start_token_server TS --access-ttl 3600 --config "$RIG_DIR/ts.json" || tap_bail "no token server"
rig_start_daemon --log-level=debug || tap_bail "tokenbrokerd did not start"

fetch() { # NAME [ARGS]: a token call; the token (or the JSON) is kept as a secret
        rel_fetch "$@"
        [ "$RC" -ne 0 ] || keep <<<"$OUT"
}
rt_of() { rel_keyring_rt "$1" | keep; }

# --- every kind of secret passes through ----------------------------------------------------------------------
rig_tb add cc --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic \
        --hosts "https://git.example.com/" >/dev/null 2>&1
printf '%s' "$client_secret" | rig_tb set-secret cc client-secret >/dev/null
fetch cc
tap_is "$(rel_whoami TS <<<"$OUT")" basic-client "client credentials with this run's secret"
rig_tb add pw --token-url "$TS_TOKEN_URL" --client-id public-client --client-auth none --grant password \
        --username alice --scopes read >/dev/null 2>&1
printf '%s' "$password" | rig_tb set-secret pw password >/dev/null
fetch pw
tap_is "$(rel_whoami TS <<<"$OUT")" alice "the password grant with this run's password"
rt_of pw
rig_tb add code --token-url "$TS_TOKEN_URL" --client-id public-client --client-auth none \
        --grant authorization_code --scopes read --set "RevocationURL=$TS_URL/revoke" >/dev/null 2>&1
printf 'grant_type=password&client_id=public-client&username=alice&password=%s&scope=read' "$password" |
        curl -sf --max-time 10 --data-binary @- "$TS_TOKEN_URL" |
        "$REL_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["refresh_token"])' >"$RIG_DIR/rt"
keep <"$RIG_DIR/rt"
rig_tb set-secret code refresh-token <"$RIG_DIR/rt" >/dev/null
rm -f "$RIG_DIR/rt"
fetch code
tap_is "$(rel_whoami TS <<<"$OUT")" alice "a refresh token set by hand"
rig_tb add apikey --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic \
        --set ApiKeyHeader=X-Api-Key >/dev/null 2>&1
printf '%s' "$client_secret" | rig_tb set-secret apikey client-secret >/dev/null
printf '%s' "$api_key" | rig_tb set-secret apikey api-key >/dev/null
fetch apikey --json
tap_like "$OUT" "X-Api-Key" "an account with an API key header"
rig_tb add dp --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic --set DPoP=true >/dev/null 2>&1
printf '%s' "$client_secret" | rig_tb set-secret dp client-secret >/dev/null
fetch dp
tap_is "$(rel_whoami TS <<<"$OUT")" basic-client "a DPoP account (its key made in the daemon; this server issues Bearer tokens)"
secret-tool lookup account dp kind dpop-key | grep -v -- '-----' | keep
# A TLS client key (RFC 8705), set through set-secret and handed to TLS for each request. This server speaks
# plain HTTP on loopback, so no handshake uses it: what is checked is where the key may go on its way.
if rig_make_ca "$RIG_DIR/pki" && rig_make_cert "$RIG_DIR/pki" client "/CN=leak-test" clientAuth; then
        grep -v -- '-----' "$RIG_DIR/pki/client.key" | keep
        rig_tb add tls --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic \
                --set ClientCertFile="$RIG_DIR/pki/client.pem" >/dev/null 2>&1
        printf '%s' "$client_secret" | rig_tb set-secret tls client-secret >/dev/null
        rig_tb set-secret tls tls-key <"$RIG_DIR/pki/client.key" >/dev/null
        rm -f "$RIG_DIR/pki/client.key"
        fetch tls
        tap_is "$RC" 0 "an account with a client certificate whose key is in the keyring"
else
        tap_fail "openssl could not make a client key: $(tail -n 3 "$RIG_DIR/pki/openssl.log")"
fi

for a in pw code; do
        for _ in 1 2 3; do
                rel_invalidate "$a"
                fetch "$a"
                rt_of "$a"
        done
done
tap_ok "refresh tokens rotated (at least six refreshes)" test "$(rel_stat TS grants.refresh_token)" -ge 6
rel_call GetTokenInfo 'sa{sv}' cc 0 | keep
rig_tb status >/dev/null 2>&1

rig_tb add wrong --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic >/dev/null 2>&1
printf '%s' "${client_secret}x" | rig_tb set-secret wrong client-secret >/dev/null
printf '%s\n' "${client_secret}x" | keep
fetch wrong
tap_is "$RC" 5 "a wrong secret is refused by the server"
rig_server_ctl TS '{"inject": [{"kind": "status", "status": 400, "count": 1, "path": "/token"}]}'
rel_invalidate cc
fetch cc

out=$(printf 'protocol=https\nhost=git.example.com\n\n' | "$abs_top_builddir/git-credential-tokenbroker" get 2>&1)
keep <<<"$(sed -n 's/^password=//p' <<<"$out")"
tap_like "$out" "password=" "git's helper hands out a token"
# The answer is held back for a second, so that the sampler sees curl's argv for sure.
rig_server_ctl TS '{"inject": [{"kind": "delay", "seconds": 1, "count": 1, "path": "/api/whoami"}]}'
tap_is "$(rig_tb curl cc -- -s --max-time 10 "$TS_URL/api/whoami" | rig_json_get sub)" basic-client \
        "tokenbroker curl passes the token to curl"

rig_restart_daemon --log-level=debug || tap_bail "tokenbrokerd did not restart"
rel_invalidate code
fetch code
rt_of code
tap_is "$RC" 0 "after a restart the secrets come back from the keyring"
rel_invalidate dp
fetch dp
tap_is "$RC" 0 "... the DPoP key (PEM, several lines) too"
rig_tb revoke code >/dev/null 2>&1
tap_ok "the grant was revoked at the server" test "$(rel_stat TS revocations)" -ge 1
sleep 0.3

touch "$scan_stop"
rig_wait_for 10 sh -c '! kill -0 "$1"' sh "${RIG_PIDS[scan]}"
rig_stop scan
scan=$(tail -n 1 "$RIG_DIR/scan.log")

# --- where the secrets must not be --------------------------------------------------------------------------------
sort -u -o "$secrets" "$secrets"
n=$(wc -l <"$secrets")
tap_ok "$n secrets and tokens to look for" test "$n" -ge 15
tap_ok "... and the search finds them where they are (the list itself)" grep -qFf "$secrets" "$secrets"
tap_like "$scan" '"sweeps": [0-9]{2,}' "argv and environment of the session's processes were sampled ($scan)"
tap_ok "... including short-lived front ends" grep -q "tokenbroker token code" "$RIG_DIR/proc.txt"
tap_ok "... and curl run by tokenbroker curl" grep -q "^curl -H @/dev/fd/" "$RIG_DIR/proc.txt"

leaks() { # FILE...: the number of lines with a secret
        cat "$@" 2>/dev/null | grep -cFf "$secrets"
}
log=$(rel_daemon_log)
tap_ok "the daemon ran at debug level" grep -q "Keyring: stored" "$log"
tap_is "$(leaks "$log")" 0 "no secret or token in the daemon's debug log"
tap_is "$(leaks "$RIG_DIR"/TS.log "$TB_SESSION_ROOT"/keyring.log)" 0 "none in the token server's or the keyring's log"
tap_is "$(leaks "$RIG_DIR/proc.txt")" 0 "none in the argv or environment of any process of the session"

# --- not dumpable --------------------------------------------------------------------------------------------------
tap_like "$(grep 'Max core file size' "/proc/$TBD_PID/limits")" "Max core file size +0 +0 " "the daemon's core size limit is 0"
if rel_sanitized; then
        tap_skip "its secrets are in locked memory (VmLck > 0)" "AddressSanitizer turns mlock() into a no-op"
else
        tap_ok "its secrets are in locked memory (VmLck > 0)" \
                test "$(sed -n 's/^VmLck:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$TBD_PID/status")" -gt 0
fi

if [ "$(id -u)" -ne 0 ] || ! getent passwd 65534 >/dev/null; then
        for t in "its /proc files" "ptrace" "a ptrace attach of an ordinary process" "core"; do
                tap_skip "not dumpable: $t" "needs root to run a daemon as another user"
        done
else
        trap 'rig_cleanup; rel_cleanup_dirs' EXIT
        rel_start_open_bus NOBODY || tap_bail "no bus for the daemon of nobody"
        home=$(mktemp -d "$NOBODY_BUS_DIR/home.XXXXXX")
        mkdir -p "$home/run"
        chmod 0700 "$home/run"
        chown -R 65534:65534 "$home"
        rig_spawn nobodyd env -i HOME="$home" XDG_RUNTIME_DIR="$home/run" XDG_CONFIG_HOME="$home/config" \
                DBUS_SESSION_BUS_ADDRESS="$NOBODY_BUS" TB_SESSION_ROOT="$TB_SESSION_ROOT" \
                setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
                sh -c 'cd "$HOME" && exec "$1"' sh "$TBD"
        rig_wait_for 10 busctl --address="$NOBODY_BUS" status org.tokenbroker.Broker1 ||
                tap_bail "the daemon of nobody did not start: $(tail -n 5 "$RIG_DIR/nobodyd.log")"
        pid=$(busctl --address="$NOBODY_BUS" status org.tokenbroker.Broker1 | sed -n 's/^PID=//p')
        rig_spawn nobodysleep setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
                sh -c 'cd "$1" && ulimit -c unlimited && exec sleep 60' sh "$home"
        control=${RIG_PIDS[nobodysleep]}
        rig_wait_for 5 sh -c '[ "$(stat -c %u /proc/$1/environ)" = 65534 ]' sh "$control"
        tap_is "$(stat -c %u "/proc/$pid/environ")/$(stat -c %u "/proc/$control/environ")" 0/65534 \
                "not dumpable: the daemon's /proc files belong to root, an ordinary process's to its user"
        pt=$(rel_as_other 65534 /usr/bin/python3 - "$pid" "$control" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
for pid in map(int, sys.argv[1:]):
    if libc.ptrace(16, pid, 0, 0) == 0:          # PTRACE_ATTACH
        os.waitpid(pid, 0)
        libc.ptrace(17, pid, 0, 0)               # PTRACE_DETACH
        print("attached", end=" ")
    else:
        print(os.strerror(ctypes.get_errno()), end=" ")
EOF
)
        tap_is "$pt" "Operation not permitted attached " \
                "not dumpable: a process of the same user cannot ptrace the daemon (it can an ordinary one)"
        kill -ABRT "$pid" "$control"
        sleep 1
        if ls "$home" | grep -q '^core'; then
                tap_is "$(ls "$home" | grep -c '^core')" 1 "SIGABRT: a core file of the ordinary process, none of the daemon"
        else
                tap_skip "SIGABRT leaves no core file of the daemon" "this system writes no core files to the working directory (core_pattern)"
        fi
fi

rel_stop_daemon_checked
tap_is "$(leaks "$log")" 0 "still no secret in the daemon's log after it stopped"
tap_done
