# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The integration test rig, sourced by TAP shell tests:
#
#       . "$abs_top_srcdir/tests/lib/rig.sh"
#       rig_run_in_session "$0" "$@"      # re-runs the script inside with-keyring.sh, then sets up the rig
#       rig_start_token_server TS --access-ttl 2
#       tap_is "$(curl -s "$TS_URL/_stats" | ...)" ...
#       tap_done
#
# Everything the rig starts is recorded and stopped on exit, each within a bounded time (TERM, then KILL).
# A failed test never aborts the script: every tap_* helper returns normally. Nothing here prints a token.

: "${abs_top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir}"
: "${PYTHON3:=python3}"
export abs_top_srcdir abs_top_builddir PYTHON3

if [ "${TOKENBROKER_TEST_INSTALLED:-0}" = 1 ]; then
        # The installed programs (the autopkgtest, debian/tests/integration): found on $PATH, their full
        # programs where they were installed.
        TB=$(command -v tokenbroker) TBD=$(command -v tokenbrokerd)
        export TB TBD
        unset TOKENBROKER_LIBEXECDIR
else
        export TB="$abs_top_builddir/tokenbroker"
        export TBD="$abs_top_builddir/tokenbrokerd"
        # The launchers ($TB, the git helper) exec() their full programs from the build tree, not
        # $(pkglibexecdir).
        export TOKENBROKER_LIBEXECDIR="$abs_top_builddir"
fi

# ---------------------------------------------------------------------------------------------------------
# TAP

TAP_N=0
TAP_FAILED=0
TAP_PLANNED=

# tap_plan N: prints the plan up front. Without it, tap_done prints it at the end.
tap_plan() {
        TAP_PLANNED=$1
        echo "1..$1"
}

# tap_diag MSG...: each line of each MSG as a TAP comment.
tap_diag() {
        local line
        printf '%s\n' "$@" | while IFS= read -r line; do
                echo "# $line"
        done
}

# tap_result STATUS DESC: the one place that prints "ok"/"not ok". '#' would start a TAP directive.
tap_result() {
        local desc=${2//#/\\#}
        TAP_N=$((TAP_N + 1))
        if [ "$1" -eq 0 ]; then
                echo "ok $TAP_N - $desc"
        else
                TAP_FAILED=$((TAP_FAILED + 1))
                echo "not ok $TAP_N - $desc"
        fi
        return "$1"
}

# tap_pass DESC / tap_fail DESC [DIAG]
tap_pass() { tap_result 0 "$1"; }
tap_fail() {
        tap_result 1 "$1"
        [ $# -lt 2 ] || tap_diag "$2"
        return 1
}

# tap_capture_ CMD...: runs CMD in this shell (so that it may export variables and start processes) with
# its output in a file; sets TAP_RC and TAP_OUT.
tap_capture_() {
        local f
        f=$(mktemp "${RIG_DIR:-${TMPDIR:-/tmp}}/tap-out.XXXXXX")
        "$@" >"$f" 2>&1
        TAP_RC=$?
        TAP_OUT=$(cat "$f")
        rm -f "$f"
}

# tap_report_ PASSED DESC WHY: prints the result; on failure the command, WHY and its output.
tap_report_() {
        tap_result "$1" "$2" && return 0
        tap_diag "command: ${TAP_CMD[*]}" "$3"
        [ -z "$TAP_OUT" ] || tap_diag "$TAP_OUT"
        return 1
}

# tap_ok DESC CMD...: passes when CMD exits 0. CMD's output goes to diagnostics when it fails.
tap_ok() {
        local desc=$1
        shift
        TAP_CMD=("$@")
        tap_capture_ "$@"
        tap_report_ "$((TAP_RC != 0))" "$desc" "exit status: $TAP_RC"
}

# tap_fails DESC CMD...: passes when CMD exits non-zero.
tap_fails() {
        local desc=$1
        shift
        TAP_CMD=("$@")
        tap_capture_ "$@"
        tap_report_ "$((TAP_RC == 0))" "$desc" "unexpectedly succeeded"
}

# tap_status WANT DESC CMD...: passes when CMD exits with status WANT (CLI exit codes).
tap_status() {
        local want=$1 desc=$2
        shift 2
        TAP_CMD=("$@")
        tap_capture_ "$@"
        tap_report_ "$((TAP_RC != want))" "$desc" "exit status: got $TAP_RC, want $want"
}

# tap_is GOT WANT DESC
tap_is() {
        if [ "$1" = "$2" ]; then
                tap_result 0 "$3"
        else
                tap_result 1 "$3"
                tap_diag "  got: '$1'" " want: '$2'"
        fi
}

# tap_isnt GOT UNWANTED DESC
tap_isnt() {
        if [ "$1" != "$2" ]; then
                tap_result 0 "$3"
        else
                tap_result 1 "$3"
                tap_diag "  got: '$1', which it should not be"
        fi
}

# tap_like GOT REGEX DESC (bash extended regular expression)
tap_like() {
        if [[ $1 =~ $2 ]]; then
                tap_result 0 "$3"
        else
                tap_result 1 "$3"
                tap_diag "  got: '$1'" "match: /$2/"
        fi
}

# tap_unlike GOT REGEX DESC: GOT must not match
tap_unlike() {
        if [[ $1 =~ $2 ]]; then
                tap_result 1 "$3"
                tap_diag "  got: '$1'" "must not match: /$2/"
        else
                tap_result 0 "$3"
        fi
}

# tap_skip DESC REASON
tap_skip() {
        TAP_N=$((TAP_N + 1))
        echo "ok $TAP_N - ${1//#/\\#} # SKIP ${2:-}"
}

# tap_skip_all REASON: the whole script is skipped (no test printed yet).
tap_skip_all() {
        echo "1..0 # SKIP $1"
        exit 0
}

# tap_bail MSG: the rig itself broke; stop here.
tap_bail() {
        echo "Bail out! $1"
        rig_dump_logs
        exit 99
}

# tap_done: prints the plan when none was given, then exits (1 when a test failed).
tap_done() {
        if [ -z "$TAP_PLANNED" ]; then
                echo "1..$TAP_N"
        elif [ "$TAP_PLANNED" -ne "$TAP_N" ]; then
                tap_diag "planned $TAP_PLANNED tests but ran $TAP_N"
                TAP_FAILED=$((TAP_FAILED + 1))
        fi
        if [ "$TAP_FAILED" -gt 0 ]; then
                tap_diag "$TAP_FAILED of $TAP_N tests failed"
                rig_dump_logs
                exit 1
        fi
        exit 0
}

# ---------------------------------------------------------------------------------------------------------
# Small helpers

# rig_json_get PATH [JSON]: prints the value at PATH ("a.b.0.c") of JSON (or stdin); strings bare,
# other values as JSON; nothing and status 1 when the path does not exist.
rig_json_get() {
        local path=$1
        if [ $# -ge 2 ]; then
                printf '%s' "$2" | rig_json_get "$path"
                return
        fi
        "$PYTHON3" -c '
import json, sys
try:
    v = json.load(sys.stdin)
    for k in [p for p in sys.argv[1].split(".") if p]:
        v = v[int(k)] if isinstance(v, list) else v[k]
except (ValueError, KeyError, IndexError, TypeError):
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v))' "$path"
}

# rig_wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds; status 1 on timeout.
rig_wait_for() {
        local deadline=$((SECONDS + $1))
        shift
        while ! "$@" >/dev/null 2>&1; do
                [ "$SECONDS" -lt "$deadline" ] || return 1
                sleep 0.05
        done
}

# rig_pid_alive PID: true while PID runs; an exited child that was not reaped yet (a zombie) is not alive.
rig_pid_alive() {
        local stat
        stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
        stat=${stat##*) }
        [ "${stat%% *}" != Z ]
}

# rig_stop_pid PID [SECONDS] [SIGNAL]: SIGNAL (TERM), up to SECONDS (10) to exit, then KILL. Reaps the
# child and leaves its exit status in RIG_LAST_STATUS.
rig_stop_pid() {
        local pid=$1 secs=${2:-10} sig=${3:-TERM} i
        RIG_LAST_STATUS=
        kill "-$sig" "$pid" 2>/dev/null
        for ((i = 0; i < secs * 20; i++)); do
                rig_pid_alive "$pid" || break
                sleep 0.05
        done
        if rig_pid_alive "$pid"; then
                echo "rig: pid $pid ignored SIG$sig for ${secs}s, killing it" >&2
                kill -KILL "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
        RIG_LAST_STATUS=$?
}

# rig_tb ARGS...: the CLI with a time bound, so a hanging call fails a test instead of the whole run.
rig_tb() {
        timeout -k 5 "${RIG_CMD_TIMEOUT:-30}" "$TB" "$@"
}

# ---------------------------------------------------------------------------------------------------------
# Session and cleanup

declare -A RIG_PIDS=()
RIG_DIR=
RIG_CLEANED=

# rig_run_in_session "$0" "$@": outside a session, re-runs the script through with-keyring.sh (own bus,
# keyring, HOME and XDG dirs) and never returns; inside, prepares the rig and returns.
rig_run_in_session() {
        local script=$1
        shift
        if [ "${TB_INSIDE_SESSION:-}" != 1 ]; then
                exec bash "$abs_top_srcdir/tests/lib/with-keyring.sh" bash "$script" "$@"
        fi
        rig_init
}

# rig_init: state directory and exit trap; called by rig_run_in_session, callable alone for tests that
# need no session.
rig_init() {
        [ -z "$RIG_DIR" ] || return 0
        if [ -n "${TB_SESSION_ROOT:-}" ]; then
                RIG_DIR="$TB_SESSION_ROOT/rig"
                mkdir -p "$RIG_DIR"
        else
                RIG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tb-rig.XXXXXX")
                RIG_OWN_DIR=1
        fi
        trap 'rig_cleanup' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
}

# rig_spawn NAME CMD...: starts CMD in the background with its output in $RIG_DIR/NAME.log.
rig_spawn() {
        local name=$1
        shift
        "$@" >>"$RIG_DIR/$name.log" 2>&1 </dev/null &
        RIG_PIDS[$name]=$!
}

# rig_stop NAME [SECONDS]: stops one started process; its exit status is in RIG_LAST_STATUS.
rig_stop() {
        local pid=${RIG_PIDS[$1]:-}
        RIG_LAST_STATUS=
        [ -n "$pid" ] || return 0
        rig_stop_pid "$pid" "${2:-10}"
        unset "RIG_PIDS[$1]"
}

# rig_cleanup: stops everything still running (the daemon first: it may talk to the servers). Runs on
# exit; may be called earlier, and more than once.
rig_cleanup() {
        local rc=$? name
        [ -z "$RIG_CLEANED" ] || return "$rc"
        [ -z "${RIG_PIDS[tokenbrokerd]:-}" ] || rig_stop tokenbrokerd
        for name in "${!RIG_PIDS[@]}"; do
                rig_stop "$name" 5
        done
        if [ -n "${RIG_OWN_DIR:-}" ] && [ -n "$RIG_DIR" ]; then
                rm -rf "$RIG_DIR"
        fi
        RIG_CLEANED=1
        return "$rc"
}

# rig_dump_logs: the logs of everything started, as diagnostics (on failure).
rig_dump_logs() {
        local f
        for f in "${RIG_DIR:-/nonexistent}"/*.log "${TB_SESSION_ROOT:-/nonexistent}/tokenbrokerd.log"; do
                [ -s "$f" ] || continue
                tap_diag "---- ${f##*/} (last 40 lines)"
                tap_diag "$(tail -n 40 "$f")"
        done
}

# ---------------------------------------------------------------------------------------------------------
# Servers

rig_check_name() {
        [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || {
                echo "rig: '$1' is not a valid server name" >&2
                return 1
        }
}

# rig_wait_port_file NAME FILE: waits (10 s) for the port a server writes once it listens.
rig_wait_port_file() {
        local name=$1 file=$2 i
        for ((i = 0; i < 200; i++)); do
                [ -s "$file" ] && break
                if ! rig_pid_alive "${RIG_PIDS[$name]}"; then
                        echo "rig: $name exited before it listened:" >&2
                        tail -n 20 "$RIG_DIR/$name.log" >&2
                        return 1
                fi
                sleep 0.05
        done
        [ -s "$file" ] || {
                echo "rig: $name did not listen within 10 s" >&2
                return 1
        }
}

# rig_start_token_server NAME [ARGS]: starts tests/servers/token-server.py on 127.0.0.1 with an ephemeral
# port and exports NAME_URL (http://127.0.0.1:PORT), NAME_TOKEN_URL (…/token), NAME_PORT.
rig_start_token_server() {
        local name=$1
        shift
        rig_start_server_ "$name" "$abs_top_srcdir/tests/servers/token-server.py" "$@" || return 1
        export "${name}_TOKEN_URL=http://127.0.0.1:$(<"$RIG_DIR/$name.port")/token"
}

# rig_spawn_port_server NAME SCHEME COMMAND...: a loopback server started as COMMAND --port-file FILE, which
# writes the port it listens on to FILE; exports NAME_PORT and NAME_URL (SCHEME://127.0.0.1:PORT).
rig_spawn_port_server() {
        local name=$1 scheme=$2 port
        shift 2
        rig_check_name "$name" || return 1
        rm -f "$RIG_DIR/$name.port"
        rig_spawn "$name" "$@" --port-file "$RIG_DIR/$name.port"
        rig_wait_port_file "$name" "$RIG_DIR/$name.port" || return 1
        port=$(<"$RIG_DIR/$name.port")
        export "${name}_PORT=$port" "${name}_URL=$scheme://127.0.0.1:$port"
}

# rig_start_server_ NAME SCRIPT ARGS...: a Python loopback server (see rig_spawn_port_server).
rig_start_server_() {
        local name=$1 script=$2
        shift 2
        rig_spawn_port_server "$name" http "$PYTHON3" "$script" "$@"
}

rig_server_url() {
        local var="${1}_URL"
        [ -n "${!var:-}" ] || {
                echo "rig: no server named '$1'" >&2
                return 1
        }
        echo "${!var}"
}

# rig_server_stats NAME [PATH]: the token server's counters as JSON, or the one value at PATH
# (e.g. "token_requests", "grants.client_credentials"; 0 when the counter does not exist yet).
rig_server_stats() {
        local url json
        url=$(rig_server_url "$1") || return 1
        json=$(curl -sf --max-time 10 "$url/_stats") || return 1
        if [ $# -lt 2 ]; then
                echo "$json"
        else
                rig_json_get "$2" "$json" || echo 0
        fi
}

# rig_server_ctl NAME JSON: posts JSON to the token server's /_control (failure injection, live config).
rig_server_ctl() {
        local url
        url=$(rig_server_url "$1") || return 1
        curl -sf --max-time 10 -H 'Content-Type: application/json' --data-binary "$2" "$url/_control" >/dev/null
}

# rig_have_oidc_provider: true when tests/oidc has its node modules (installed by .ci/run).
rig_have_oidc_provider() {
        command -v node >/dev/null 2>&1 && [ -d "$abs_top_srcdir/tests/oidc/node_modules/oidc-provider" ]
}

# rig_start_oidc_provider [NAME [ARGS]]: starts the real OAuth2/OIDC server (tests/oidc/server.mjs,
# oidc-provider) on 127.0.0.1 and exports NAME_URL (the issuer), NAME_TOKEN_URL, NAME_PORT; NAME
# defaults to OIDC.
rig_start_oidc_provider() {
        local name=${1:-OIDC} scheme=http
        [ $# -eq 0 ] || shift
        rig_have_oidc_provider || {
                echo "rig: node or tests/oidc/node_modules missing (npm ci in tests/oidc)" >&2
                return 1
        }
        [[ " $* " == *" --tls "* ]] && scheme=https
        rig_spawn_port_server "$name" "$scheme" node "$abs_top_srcdir/tests/oidc/server.mjs" "$@" || return 1
        export "${name}_TOKEN_URL=$scheme://127.0.0.1:$(<"$RIG_DIR/$name.port")/token"
}
# rig_make_ca DIR: a test CA in DIR (ca.pem, ca.key; EC P-256, valid for two days). Output goes to
# DIR/openssl.log.
rig_make_ca() {
        mkdir -p "$1" &&
                openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1/ca.key" \
                        -out "$1/ca.pem" -days 2 -subj "/CN=tokenbroker test CA" \
                        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
                        >>"$1/openssl.log" 2>&1
}
# rig_make_cert DIR NAME SUBJECT USAGE [SAN]: DIR/NAME.pem and DIR/NAME.key (0600), signed by DIR's CA, or
# self-signed when USAGE is self-signed; USAGE serverAuth or clientAuth; SAN e.g. "IP:127.0.0.1,DNS:localhost".
rig_make_cert() {
        local dir=$1 name=$2 subject=$3 usage=$4 san=${5:-}
        local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
        (
                cd "$dir" || exit 1
                umask 077
                if [ "$usage" = self-signed ]; then
                        openssl req -x509 "${ec[@]}" -keyout "$name.key" -out "$name.pem" -days 2 -subj "$subject" \
                                -addext "extendedKeyUsage=clientAuth"
                        exit
                fi
                { [ -z "$san" ] || printf 'subjectAltName=%s\n' "$san"
                  printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=%s\n' "$usage"; } >"$name.ext" &&
                        openssl req "${ec[@]}" -keyout "$name.key" -out "$name.csr" -subj "$subject" &&
                        openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" \
                                -days 2 -extfile "$name.ext"
        ) >>"$dir/openssl.log" 2>&1
}

# ---------------------------------------------------------------------------------------------------------
# The daemon

RIG_DAEMON_ARGS=()

rig_daemon_ready() {
        busctl --user status org.tokenbroker.Broker1 >/dev/null 2>&1 &&
                [ -S "$XDG_RUNTIME_DIR/tokenbroker/bus" ]
}

# rig_start_daemon [ARGS]: starts tokenbrokerd (output appended to $TB_SESSION_ROOT/tokenbrokerd.log) and
# waits up to 10 s until it owns org.tokenbroker.Broker1 and its private socket exists.
rig_start_daemon() {
        local log="${TB_SESSION_ROOT:-$RIG_DIR}/tokenbrokerd.log" i
        RIG_DAEMON_ARGS=("$@")
        [ -z "${RIG_PIDS[tokenbrokerd]:-}" ] || {
                echo "rig: tokenbrokerd is already running" >&2
                return 1
        }
        echo "---- rig: starting tokenbrokerd $*" >>"$log"
        # RIG_DAEMON_WRAPPER: a command to run the daemon under, e.g. valgrind (.ci/run does).
        ${RIG_DAEMON_WRAPPER:-} "$TBD" "$@" >>"$log" 2>&1 </dev/null &
        RIG_PIDS[tokenbrokerd]=$!
        export TBD_PID=$!
        for ((i = 0; i < 200; i++)); do
                rig_daemon_ready && return 0
                rig_pid_alive "$TBD_PID" || break
                sleep 0.05
        done
        echo "rig: tokenbrokerd did not come up within 10 s:" >&2
        tail -n 30 "$log" >&2
        return 1
}

# rig_stop_daemon [SECONDS]: SIGTERM, then SIGKILL after SECONDS (10). Returns the daemon's exit status
# (also in RIG_DAEMON_STATUS): a clean stop is 0.
rig_stop_daemon() {
        rig_stop tokenbrokerd "${1:-10}"
        RIG_DAEMON_STATUS=$RIG_LAST_STATUS
        unset TBD_PID
        return "${RIG_DAEMON_STATUS:-0}"
}

# rig_bus_activates: whether the session bus would start a tokenbrokerd of its own (an installed package's
# activation file, as in the autopkgtest): then "no daemon" cannot be tested.
rig_bus_activates() {
        busctl --user list --activatable --no-legend 2>/dev/null | grep -q '^org.tokenbroker.Broker1 '
}

# rig_kill9_daemon: a crash: SIGKILL, no chance to clean up.
rig_kill9_daemon() {
        local pid=${RIG_PIDS[tokenbrokerd]:-}
        [ -n "$pid" ] || return 0
        rig_stop_pid "$pid" 5 KILL
        unset "RIG_PIDS[tokenbrokerd]" TBD_PID
}

# rig_restart_daemon [ARGS]: stops the daemon and starts it again, with ARGS or the previous arguments.
rig_restart_daemon() {
        local status=0
        [ $# -gt 0 ] || set -- "${RIG_DAEMON_ARGS[@]}"
        rig_stop_daemon 10 || status=$?
        [ "$status" -eq 0 ] || echo "rig: tokenbrokerd exited with status $status on SIGTERM" >&2
        rig_start_daemon "$@"
}

# rig_login NAME [ARGS]: `tokenbroker login`, the browser being $BROWSER (tests/integration/fake-browser.py),
# whose log $FAKE_BROWSER_LOG starts empty; the output in $out, the exit status in $rc.
rig_login() {
        : >"$FAKE_BROWSER_LOG"
        out=$(rig_tb login "$@" 2>&1)
        rc=$?
        sleep 0.2       # the browser may still be writing its last page
}

# rig_device_login NAME MODE [ARGS]: a device-code login of NAME against the oidc-provider named OIDC, in the
# background, approved (or refused) as fake-browser.py's MODE says at the verification URL it prints; the
# output in $out, the exit status in $rc.
rig_device_login() {
        local name=$1 mode=$2 log="$RIG_DIR/device.out" url pid i
        shift 2
        : >"$FAKE_BROWSER_LOG"
        rig_tb login "$name" "$@" >"$log" 2>&1 &
        pid=$!
        for ((i = 0; i < 100; i++)); do
                url=$(grep -o "$OIDC_URL/device?user_code=[A-Za-z0-9-]*" "$log" | head -n 1)
                [ -n "$url" ] && break
                sleep 0.1
        done
        FAKE_BROWSER_MODE=$mode "$BROWSER" "$url"
        wait "$pid"
        rc=$?
        out=$(cat "$log")
}

# rig_check_daemon_log DESC: a test that the daemon's log holds no sanitizer report and no secret-looking
# string the rig handed out (the servers' tokens start with "rt_"/"op_" or are JWTs).
rig_check_daemon_log() {
        local log="${TB_SESSION_ROOT:-$RIG_DIR}/tokenbrokerd.log" hits
        hits=$(grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|\b(rt|op)_[A-Za-z0-9_-]{20}|eyJ[A-Za-z0-9_-]{10,}\.eyJ' \
                "$log" 2>/dev/null | head -n 5 | sed -E 's/(rt_|op_|eyJ)[A-Za-z0-9_.-]+/\1<redacted>/g')
        if [ -z "$hits" ]; then
                tap_result 0 "${1:-daemon log is clean}"
        else
                tap_result 1 "${1:-daemon log is clean}"
                tap_diag "$hits"
        fi
}

# ---------------------------------------------------------------------------------------------------------
# A browser stand-in for the OIDC server's login pages (which approve at once, see tests/oidc/server.mjs)

# rig_oidc_browse NAME URL: follows redirects within the server NAME with a cookie jar, like a browser
# whose user logs in and consents; prints the first URL outside the server (the client's redirect_uri
# with code and state) without visiting it.
rig_oidc_browse() {
        local base next url=$2 i
        base=$(rig_server_url "$1") || return 1
        for ((i = 0; i < 20; i++)); do
                next=$(curl -s --max-time 10 -c "$RIG_DIR/$1.cookies" -b "$RIG_DIR/$1.cookies" -o /dev/null \
                        -w '%{redirect_url}' "$url") || return 1
                [ -n "$next" ] || {
                        echo "rig: $url did not redirect" >&2
                        return 1
                }
                case $next in
                "$base"/*) url=$next ;;
                *)
                        echo "$next"
                        return 0
                        ;;
                esac
        done
        echo "rig: too many redirects" >&2
        return 1
}

# rig_oidc_approve_device NAME USER_CODE: enters USER_CODE on the server's /device page, confirms it and
# completes the login, as the person with the second device would.
rig_oidc_approve_device() {
        local base jar="$RIG_DIR/$1.cookies" page xsrf next
        base=$(rig_server_url "$1") || return 1
        page=$(curl -s --max-time 10 -c "$jar" -b "$jar" "$base/device") || return 1
        xsrf=$(grep -oE 'name="xsrf" value="[^"]*"' <<<"$page" | sed 's/.*value="//; s/"$//')
        page=$(curl -s --max-time 10 -c "$jar" -b "$jar" --data-urlencode "xsrf=$xsrf" \
                --data-urlencode "user_code=$2" "$base/device") || return 1
        xsrf=$(grep -oE 'name="xsrf" value="[^"]*"' <<<"$page" | sed 's/.*value="//; s/"$//')
        next=$(curl -s --max-time 10 -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' \
                --data-urlencode "xsrf=$xsrf" --data-urlencode "user_code=$2" -d confirm=yes "$base/device") || return 1
        [ -n "$next" ] || return 1
        page=$(curl -s -L --max-redirs 10 --max-time 10 -c "$jar" -b "$jar" "$next") || return 1
        grep -q 'Sign-in Success' <<<"$page"
}

# ---------------------------------------------------------------------------------------------------------
# Provider emulators (tests/servers/provider-server.py, one module per service in tests/servers/providers/)

# rig_start_provider NAME PROVIDER [--set KEY=VALUE]...: starts the emulator of PROVIDER (flaik, floriday,
# flixcheck, flume, sharetribe) on 127.0.0.1 with an ephemeral port and exports NAME_URL
# (http://127.0.0.1:PORT) and NAME_PORT. rig_server_stats and rig_server_ctl then work with NAME.
rig_start_provider() {
        local name=$1 provider=$2
        shift 2
        rig_start_server_ "$name" "$abs_top_srcdir/tests/servers/provider-server.py" "$provider" "$@"
}
