#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A process of the user floods the daemon's sockets, with the daemon under the 1,024 open files a systemd
# user service gets by default: 1,100 connections held open on the token socket, 990 idle authenticated D-Bus
# peers on the private socket, and a client that sends thousands of requests without reading an answer.
# The daemon must not spin or flood its log when accept() runs out of descriptors, must keep serving other
# callers meanwhile (a token from the cache, and one that needs the keyring, whose GLib aborts the process
# when it cannot make a pipe), must close idle peers, must not hold the unread answers, and must never exit.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

command -v prlimit >/dev/null || tap_skip_all "prlimit (util-linux) is not installed"
flood="$abs_top_srcdir/tests/security/flood.py"
rundir="$XDG_RUNTIME_DIR/tokenbroker"

# cpu_ticks: the daemon's user plus system time, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$TBD_PID/stat"; }
fds() { ls "/proc/$TBD_PID/fd" | wc -l; }
few_fds() { [ "$(fds)" -lt 60 ]; }
log_lines() { grep -c "$1" "$(rel_daemon_log)"; }
# busy_cpu DESC: over 2 s, the daemon used at most a tenth of a core (a busy loop uses half a core or more).
quiet_cpu() {
        local before after hz
        hz=$(getconf CLK_TCK)
        before=$(cpu_ticks)
        sleep 2
        after=$(cpu_ticks)
        tap_ok "$1 ($((after - before)) ticks of $((2 * hz)) in 2 s)" test $((after - before)) -le $((hz / 5))
}
# start_flood NAME ARGS...: flood.py ARGS in the background, fed from a FIFO that holds it until stop_flood.
start_flood() {
        local name=$1
        shift
        mkfifo "$RIG_DIR/$name.in"
        "$REL_PYTHON" "$flood" "$@" <"$RIG_DIR/$name.in" >"$RIG_DIR/$name.out" 2>&1 &
        eval "${name}_pid=$!"
        exec {fd}>"$RIG_DIR/$name.in"
        eval "${name}_fd=$fd"
        rig_wait_for 60 grep -qE '^(open|sent) ' "$RIG_DIR/$name.out"
}
stop_flood() {
        local fdvar="${1}_fd" pidvar="${1}_pid"
        eval "exec ${!fdvar}>&-"
        wait "${!pidvar}" 2>/dev/null
}

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
export RIG_DAEMON_WRAPPER="prlimit --nofile=1024:1024 ${RIG_DAEMON_WRAPPER:-}"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
tap_is "$(prlimit --pid "$TBD_PID" --nofile --output SOFT --noheadings | tr -d ' ')" 1024 \
        "the daemon runs with 1024 open files"
rel_add_cc warm "$TS_TOKEN_URL" && rel_add_cc cold "$TS_TOKEN_URL" || tap_bail "could not add the accounts"
tap_is "$(rig_tb token warm | rel_whoami TS)" basic-client "before the flood: a token"
# A new start, so that the cold account's secrets are not in memory: its first call needs the keyring.
rig_restart_daemon || tap_bail "restart failed"
tap_is "$(rig_tb token warm | rel_whoami TS)" basic-client "after a restart: a token"

# --- 1,100 connections held on the token socket ---------------------------------------------------------
start_flood tok hold "$rundir/token" 1100
tap_like "$(cat "$RIG_DIR/tok.out")" '^open [0-9]+' "the flood holds its connections ($(cat "$RIG_DIR/tok.out"))"
quiet_cpu "while 1,100 connections are held, the daemon does not spin"
tap_ok "... and uses fewer than 1024 descriptors ($(fds))" test "$(fds)" -lt 1000
tap_is "$(rig_tb token warm | rel_whoami TS)" basic-client "... another client gets a cached token"
tap_is "$(rig_tb token cold | rel_whoami TS)" basic-client "... and one that needs the keyring"
tap_ok "... and the daemon is alive" rig_pid_alive "$TBD_PID"
n=$(log_lines "connection(s) refused")
tap_ok "... and logs the refusals a few times, not once each ($n lines)" test "$n" -le 4
stop_flood tok
tap_is "$(rig_tb token warm | rel_whoami TS)" basic-client "after the flood ends, callers are served"

# --- 990 idle authenticated peers on the private socket -------------------------------------------------
start_flood priv hold "$rundir/bus" 990 --dbus
tap_like "$(cat "$RIG_DIR/priv.out")" '^open [0-9]+' "990 D-Bus peers connect ($(cat "$RIG_DIR/priv.out"))"
quiet_cpu "while they sit idle, the daemon does not spin"
tap_ok "... and uses fewer than 1024 descriptors ($(fds))" test "$(fds)" -lt 1000
tap_like "$(rig_tb status warm 2>&1)" "warm" "... a full front end on the private socket is served"
tap_is "$(rig_tb token cold | rel_whoami TS)" basic-client "... and the token socket too"
tap_ok "idle peers are closed after their idle time (15 s)" rig_wait_for 60 few_fds
stop_flood priv
tap_ok "the daemon is alive" rig_pid_alive "$TBD_PID"

# --- requests without reading the answers -----------------------------------------------------------------
rss_before=$(rel_rss_kib "$TBD_PID")
start_flood pipe pipeline "$rundir/token" warm 200000
sleep 1
rss_after=$(rel_rss_kib "$TBD_PID")
tap_ok "a client that sends requests and reads no answer costs little memory ($((rss_after - rss_before)) KiB)" \
        test $((rss_after - rss_before)) -lt 8192
tap_is "$(rig_tb token warm | rel_whoami TS)" basic-client "... and other callers are served meanwhile"
stop_flood pipe

tap_ok "the daemon never exited" rig_pid_alive "$TBD_PID"
rel_stop_daemon_checked
tap_done
