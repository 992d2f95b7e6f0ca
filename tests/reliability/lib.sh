# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers the reliability and security tests share, sourced after tests/lib/rig.sh:
#
#       . "$abs_top_srcdir/tests/lib/rig.sh"
#       . "$abs_top_srcdir/tests/reliability/lib.sh"
#       rig_run_in_session "$0" "$@"
#
# No token or secret ever goes into a command's arguments or environment here: they travel on stdin or
# through files in $RIG_DIR (0700), so that the tests that scan /proc for them do not find their own.

# The interpreter behind $PYTHON3, resolved once: a version manager's shim costs a tenth of a second a call.
REL_PYTHON=$("$PYTHON3" -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -x "$REL_PYTHON" ] || REL_PYTHON=$PYTHON3

# rel_call METHOD SIGNATURE ARGS...: a call of the broker's method on the session bus, with a time bound.
rel_call() {
        local method=$1
        shift
        timeout -k 5 "${RIG_CMD_TIMEOUT:-30}" busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 \
                org.tokenbroker.Broker1 "$method" "$@"
}

# rel_invalidate NAME: forgets the account's cached tokens, so that the next GetToken fetches.
rel_invalidate() {
        rel_call Invalidate ss "$1" "" >/dev/null
}

# rel_keyring_rt NAME: the refresh token the keyring holds for NAME (empty when none).
rel_keyring_rt() {
        timeout -k 5 30 secret-tool lookup account "$1" kind refresh-token 2>/dev/null
}

# rel_password_grant TS: a fresh refresh token of alice through the password grant of TS's public client,
# on stdout (read it into a variable; it is never an argument).
rel_password_grant() {
        local url
        url=$(rig_server_url "$1") || return 1
        printf 'grant_type=password&client_id=public-client&username=alice&password=wonderland&scope=read' |
                curl -sf --max-time 10 --data-binary @- "$url/token" |
                "$REL_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["refresh_token"])'
}

# rel_seed_rt TS NAME: gives the authorization_code account NAME a new refresh token (a new grant family).
rel_seed_rt() {
        local rt
        rt=$(rel_password_grant "$1") && [ -n "$rt" ] || return 1
        printf '%s' "$rt" | rig_tb set-secret "$2" refresh-token >/dev/null
}

# rel_add_code_account TS NAME [ARGS]: an authorization_code account of TS's public client that lives on a
# refresh token only (no password to fall back to), seeded with one.
rel_add_code_account() {
        local ts=$1 name=$2 var
        shift 2
        var="${ts}_TOKEN_URL"
        rig_tb add "$name" --token-url "${!var}" --client-id public-client --client-auth none \
                --grant authorization_code --scopes read "$@" >/dev/null 2>&1 &&
                rel_seed_rt "$ts" "$name"
}

# rel_add_cc NAME URL [ARGS]: a client_credentials account of the token server's basic-client (HTTP Basic),
# its secret stored.
rel_add_cc() {
        local name=$1 url=$2
        shift 2
        rig_tb add "$name" --token-url "$url" --client-id basic-client --client-auth basic "$@" >/dev/null 2>&1 &&
                printf 'basic-secret' | rig_tb set-secret "$name" client-secret >/dev/null
}

# rel_fetch NAME [ARGS]: `tokenbroker token NAME ARGS`; its output (stderr too) in OUT, its status in RC.
rel_fetch() {
        OUT=$(rig_tb token "$@" 2>&1)
        RC=$?
}

# rel_whoami TS [T]: the sub of the token read from stdin, as TS's /api/whoami sees it (empty when refused), now
# or as of the Unix time T: a short-lived token is judged at the moment it was handed out, whatever a loaded
# machine makes of the time since.
rel_whoami() {
        local url tok
        url=$(rig_server_url "$1") || return 1
        IFS= read -r tok
        printf 'Authorization: Bearer %s\n' "$tok" | curl -s --max-time 10 -H @- "$url/api/whoami${2:+?at=$2}" |
                "$REL_PYTHON" -c 'import json, sys
try:
    print(json.load(sys.stdin).get("sub", ""))
except ValueError:
    pass'
}

# rel_stat TS PATH...: counters of the token server ("token_requests", "grants.refresh_token"; 0 when
# absent), one line each.
rel_stat() {
        local url
        url=$(rig_server_url "$1") || return 1
        shift
        curl -sf --max-time 10 "$url/_stats" | "$REL_PYTHON" -c '
import json, sys
s = json.load(sys.stdin)
for path in sys.argv[1:]:
    v = s
    for k in path.split("."):
        v = v.get(k, 0) if isinstance(v, dict) else 0
    print(v)' "$@"
}

# rel_server_settle TS: waits (10 s at most) until TS has answered every token request it received, so that
# counters and the refresh tokens it issued are final.
rel_server_settle() {
        local i json
        for ((i = 0; i < 100; i++)); do
                json=$(curl -sf --max-time 10 "$(rig_server_url "$1")/_stats") || return 1
                "$REL_PYTHON" -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if s["requests"].get("POST /token", 0) <= s["token_requests"] + s["injected"] else 1)' <<<"$json" &&
                        return 0
                sleep 0.1
        done
        return 1
}

# rel_keyring_pid: the pid of the Secret Service (gnome-keyring-daemon) on the session bus.
rel_keyring_pid() {
        busctl --user status org.freedesktop.secrets 2>/dev/null | sed -n 's/^PID=//p'
}

# rel_keyring_lock / rel_keyring_unlock: the login collection locked through the Secret Service API, and
# unlocked with the session's password the way the desktop does it (tests/lib/keyring-unlock).
rel_keyring_lock() {
        busctl --user call org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service Lock \
                ao 1 /org/freedesktop/secrets/collection/login >/dev/null
}
rel_keyring_unlock() {
        printf '%s' "$TB_KEYRING_PASSWORD" | "$abs_top_builddir/tests/lib/keyring-unlock" >/dev/null
}
rel_keyring_locked() {
        busctl --user get-property org.freedesktop.secrets /org/freedesktop/secrets/collection/login \
                org.freedesktop.Secret.Collection Locked 2>/dev/null | grep -q true
}

# rel_rss_kib PID: resident memory in KiB.
rel_rss_kib() {
        sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"
}

# rel_sanitized: true when tokenbrokerd was built with AddressSanitizer (its quarantine inflates RSS).
rel_sanitized() {
        ldd "$TBD" 2>/dev/null | grep -q libasan || nm "$TBD" 2>/dev/null | grep -q __asan_init
}

# rel_ms: milliseconds since the epoch.
rel_ms() {
        date +%s%3N
}

# rel_wait_exit PID SECONDS: waits for a background child to end; its status in REL_STATUS (124 when it
# did not end in time, and it is then killed).
rel_wait_exit() {
        local i
        for ((i = 0; i < $2 * 20; i++)); do
                rig_pid_alive "$1" || break
                sleep 0.05
        done
        if rig_pid_alive "$1"; then
                kill -KILL "$1" 2>/dev/null
                wait "$1" 2>/dev/null
                REL_STATUS=124
                return 1
        fi
        wait "$1"
        REL_STATUS=$?
}

# rel_daemon_log: the daemon's log file.
rel_daemon_log() {
        echo "${TB_SESSION_ROOT:-$RIG_DIR}/tokenbrokerd.log"
}

# rel_stop_daemon_checked DESC: a clean SIGTERM stop is a test (exit status 0: under the sanitizers a leak
# makes it non-zero), then the daemon log is checked, leak report at exit included.
rel_stop_daemon_checked() {
        rig_stop_daemon 20
        tap_is "${RIG_DAEMON_STATUS:-x}" 0 "${1:-the daemon stops cleanly on SIGTERM}"
        rig_check_daemon_log "the daemon log has no sanitizer report and no token"
}

# rel_start_front NAME BACKEND [ARGS]: tests/security/front-server.py in front of the token server BACKEND
# (TLS with --cert/--key, discovery documents with --metadata); exports NAME_URL, NAME_TOKEN_URL and
# NAME_PORT, with https:// when it speaks TLS.
rel_start_front() {
        local name=$1 backend scheme=http
        backend=$(rig_server_url "$2") || return 1
        shift 2
        [[ " $* " == *" --cert "* ]] && scheme=https
        rig_spawn_port_server "$name" "$scheme" "$REL_PYTHON" "$abs_top_srcdir/tests/security/front-server.py" \
                --backend "$backend" "$@" || return 1
        export "${name}_TOKEN_URL=${scheme}://127.0.0.1:$(<"$RIG_DIR/$name.port")/token"
}

# rel_start_open_bus NAME: a private dbus-daemon whose policy lets every user connect (as a shared or
# misconfigured session bus would), its socket in a directory everyone may enter; exports NAME_BUS (its
# address) and NAME_BUS_DIR (removed by rel_cleanup_dirs). Needs the rig's cleanup to stop it.
REL_DIRS=()
rel_start_open_bus() {
        local name=$1 dir
        dir=$(mktemp -d /tmp/tb-open-bus.XXXXXX) || return 1
        REL_DIRS+=("$dir")
        chmod 0755 "$dir"
        cat >"$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
        rig_spawn "$name" sh -c 'umask 000; exec dbus-daemon --nofork --config-file="$1"' sh "$dir/bus.conf"
        rig_wait_for 10 test -S "$dir/bus" || return 1
        export "${name}_BUS=unix:path=$dir/bus" "${name}_BUS_DIR=$dir"
}

# rel_cleanup_dirs: removes what rel_start_open_bus made; for the exit trap, after rig_cleanup.
rel_cleanup_dirs() {
        local d
        for d in "${REL_DIRS[@]}"; do
                rm -rf "$d"
        done
}

# rel_as_other UID CMD...: CMD as another user (setpriv: that uid and gid, no groups, no capabilities).
rel_as_other() {
        local uid=$1
        shift
        timeout -k 5 30 setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all "$@"
}
