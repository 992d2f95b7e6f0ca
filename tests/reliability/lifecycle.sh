#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# When the daemon starts and ends. A second tokenbrokerd exits with a clear message before it touches the
# sockets of the running one, whether the runtime directory's lock or the bus name stops it. The daemon exits
# cleanly when its session bus goes away, and when it has been idle for --exit-idle-sec; a token in use, an
# account with Warmup=yes or a connected front end keep it alive.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"
trap 'rig_cleanup; rel_cleanup_dirs' EXIT

rundir="$XDG_RUNTIME_DIR/tokenbroker"
inode() { stat -c %i "$1" 2>/dev/null; }
# dead PID: the process has exited (reaped or not).
dead() { ! rig_pid_alive "$1"; }
# exit_status PID: reaps an exited child of this shell and prints its status.
exit_status() {
        wait "$1" 2>/dev/null
        echo $?
}

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
rel_add_cc acct "$TS_TOKEN_URL" || tap_bail "could not add an account"
tap_is "$(rig_tb token acct | rel_whoami TS)" basic-client "the daemon serves a token"

# --- a second daemon ---------------------------------------------------------------------------------------
tok_inode=$(inode "$rundir/token") bus_inode=$(inode "$rundir/bus")
out=$(timeout -k 5 20 "$TBD" 2>&1)
tap_is "$?" 1 "a second tokenbrokerd in the same session exits with status 1"
tap_like "$out" "Another tokenbrokerd with pid $TBD_PID is serving" "... saying which daemon runs already"
tap_is "$(inode "$rundir/token")" "$tok_inode" "... and the token socket is the running daemon's still"
tap_is "$(inode "$rundir/bus")" "$bus_inode" "... and so is the private socket"
tap_is "$(rig_tb token acct | rel_whoami TS)" basic-client "... on which the running daemon still answers"
tap_ok "... through the token socket" test -S "$rundir/token"

mkdir -m 0700 "$RIG_DIR/other-run"
out=$(XDG_RUNTIME_DIR="$RIG_DIR/other-run" timeout -k 5 20 "$TBD" 2>&1)
tap_is "$?" 1 "a second daemon on the same bus with its own runtime directory exits with status 1"
tap_like "$out" "Failed to acquire org.tokenbroker.Broker1" "... because the bus name is taken"
tap_is "$(ls "$RIG_DIR/other-run/tokenbroker" 2>/dev/null | grep -cv '^lock$')" 0 "... before it made any socket"
tap_ok "the first daemon is alive" rig_pid_alive "$TBD_PID"

# --- idle exit -----------------------------------------------------------------------------------------------
rig_stop_daemon
rig_start_daemon --exit-idle-sec=2 || tap_bail "tokenbrokerd did not start"
pid=$TBD_PID
tap_ok "with nothing in use, the daemon exits after its idle time" rig_wait_for 30 dead "$pid"
tap_is "$(exit_status "$pid")" 0 "... with status 0"
unset "RIG_PIDS[tokenbrokerd]" TBD_PID
tap_like "$(cat "$(rel_daemon_log)")" "Idle for 2 s: exiting" "... and says why"
tap_ok "... removing its token socket" test ! -e "$rundir/token"
tap_ok "... and its private socket" test ! -e "$rundir/bus"

rig_start_daemon --exit-idle-sec=2 || tap_bail "tokenbrokerd did not start"
tap_is "$(rig_tb token acct | rel_whoami TS)" basic-client "a new start serves the account again"
sleep 6
tap_ok "a token asked for within its lifetime keeps the daemon alive past its idle time" rig_pid_alive "$TBD_PID"
rig_stop_daemon

accounts="$XDG_CONFIG_HOME/tokenbroker/accounts"
sed 's/^Warmup=.*//; $a Warmup=yes' "$accounts/acct.conf" >"$accounts/warm.conf"
chmod 0600 "$accounts/warm.conf"
rm -f "$accounts/acct.conf"
rig_start_daemon --exit-idle-sec=2 || tap_bail "tokenbrokerd did not start"
sleep 6
tap_ok "an account with Warmup=yes keeps the daemon alive" rig_pid_alive "$TBD_PID"
rig_stop_daemon
rm -f "$accounts/warm.conf"

rig_start_daemon --exit-idle-sec=2 || tap_bail "tokenbrokerd did not start"
mkfifo "$RIG_DIR/hold.in"
"$REL_PYTHON" "$abs_top_srcdir/tests/security/flood.py" hold "$rundir/token" 1 <"$RIG_DIR/hold.in" \
        >"$RIG_DIR/hold.out" 2>&1 &
holder=$!
exec {hold_fd}>"$RIG_DIR/hold.in"
sleep 6
tap_ok "a front end connected keeps it alive (until the connection's own idle time-out, 10 s)" \
        rig_pid_alive "$TBD_PID"
exec {hold_fd}>&-
wait "$holder" 2>/dev/null
rig_stop_daemon

# --- the session bus goes away ------------------------------------------------------------------------------
rel_start_open_bus GONE || tap_bail "the second bus did not come up"
mkdir -m 0700 "$RIG_DIR/gone-run"
DBUS_SESSION_BUS_ADDRESS=$GONE_BUS XDG_RUNTIME_DIR="$RIG_DIR/gone-run" "$TBD" --exit-idle-sec=0 \
        >"$RIG_DIR/gone.log" 2>&1 </dev/null &
gone=$!
rig_wait_for 20 test -S "$RIG_DIR/gone-run/tokenbroker/token" || tap_bail "the daemon on the second bus did not start"
rig_stop GONE
tap_ok "when its session bus goes away, the daemon exits" rig_wait_for 30 dead "$gone"
tap_is "$(exit_status "$gone")" 0 "... with status 0"
tap_like "$(cat "$RIG_DIR/gone.log")" "session bus went away" "... and says why"
tap_ok "... removing its sockets" test ! -e "$RIG_DIR/gone-run/tokenbroker/token"

tap_done
