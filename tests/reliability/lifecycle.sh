#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# When the daemon starts and ends. A second tokenbrokerd exits with a clear message before it touches the
# sockets of the running one, whether the runtime directory's lock or the bus name stops it. The daemon exits
# cleanly when its session bus goes away, and when it has been idle for --exit-idle-sec; a token in use, an
# account with Warmup=yes or a connected front end keep it alive. A SIGTERM while a server holds a refresh
# waits for its answer and keeps the refresh token it rotated; a second SIGTERM ends it at once.
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

# --- a stop while a refresh is at the server ------------------------------------------------------------------
# The server holds the refresh (a "hold" injection) until the test releases it: no guessed times.
log=$(rel_daemon_log)
# count TEXT: lines of the daemon's log holding TEXT.
count() { grep -c -F -- "$1" "$log"; }
# more TEXT N: more than N such lines.
more() { [ "$(count "$1")" -gt "$2" ]; }
held() { [ "$(rig_server_stats TS held)" = "$1" ]; }
rig_start_daemon --exit-idle-sec=0 || tap_bail "tokenbrokerd did not start"
rel_add_code_account TS rot && rel_add_cc cc "$TS_TOKEN_URL" || tap_bail "could not set up the accounts"
rig_tb token rot >/dev/null && rig_tb token cc >/dev/null || tap_bail "no first tokens"
rt_before=$(rel_keyring_rt rot)
rig_server_ctl TS '{"inject": [{"kind": "hold", "count": 1}]}' || tap_bail "no injection"
rel_invalidate rot || tap_bail "Invalidate failed"
rig_tb token rot >"$RIG_DIR/held.tok" 2>"$RIG_DIR/held.err" &
caller=$!
rig_wait_for 30 held 1 || tap_bail "the refresh did not reach the server"
sent=$(rig_server_stats TS token_requests)     # the held request is counted once it is answered
waiting=$(count "Stopping once the 1 requests in flight have ended")
pid=$TBD_PID
kill -TERM "$pid"
tap_ok "SIGTERM with a refresh at the server: the daemon says it waits for it" \
        rig_wait_for 30 more "Stopping once the 1 requests in flight have ended" "$waiting"
tap_ok "... and is still running" rig_pid_alive "$pid"
tap_is "$(rig_tb token cc | rel_whoami TS)" basic-client "... handing out a cached token meanwhile"
rel_add_cc fresh "$TS_TOKEN_URL" || tap_bail "could not add an account"
rel_fetch fresh
tap_is "$RC" 6 "... a token that needs a new request: exit status 6 (unreachable)"
tap_like "$OUT" "tokenbrokerd is stopping" "... saying why"
tap_is "$(rig_server_stats TS token_requests)" "$sent" "... and nothing new was sent to the server"
rig_server_ctl TS '{"release": true}' || tap_bail "could not release the refresh"
wait "$caller"
tap_is "$?" 0 "once the server answers, the caller that waited gets its token"
tap_is "$(rel_whoami TS <"$RIG_DIR/held.tok")" alice "... a valid one"
tap_ok "then the daemon exits" rig_wait_for 30 dead "$pid"
tap_is "$(exit_status "$pid")" 0 "... with status 0"
unset "RIG_PIDS[tokenbrokerd]" TBD_PID
tap_like "$(cat "$log")" "The requests in flight have ended: exiting" "... and says why"
rt_after=$(rel_keyring_rt rot)
tap_ok "the refresh token the server rotated is in the keyring" test -n "$rt_after" -a "$rt_after" != "$rt_before"
reuse=$(rig_server_stats TS rt_reuse)
rig_start_daemon --exit-idle-sec=0 || tap_bail "tokenbrokerd did not start again"
tap_is "$(rig_tb token rot --force-new 2>&1 | rel_whoami TS)" alice "after a restart the account refreshes with it"
tap_is "$(rig_server_stats TS rt_reuse)" "$reuse" "... presenting no retired refresh token"

rig_server_ctl TS '{"inject": [{"kind": "hold", "count": 1}]}' || tap_bail "no injection"
rel_invalidate rot || tap_bail "Invalidate failed"
rig_tb token rot >/dev/null 2>&1 &
caller=$!
rig_wait_for 30 held 1 || tap_bail "the refresh did not reach the server"
waiting=$(count "Stopping once the 1 requests in flight have ended")
pid=$TBD_PID
kill -TERM "$pid"
rig_wait_for 30 more "Stopping once the 1 requests in flight have ended" "$waiting" ||
        tap_bail "the daemon did not begin to stop"
kill -TERM "$pid"
tap_ok "a second SIGTERM ends the daemon while the refresh is still held" rig_wait_for 30 dead "$pid"
tap_is "$(exit_status "$pid")" 0 "... with status 0"
unset "RIG_PIDS[tokenbrokerd]" TBD_PID
tap_is "$(rig_server_stats TS held)" 1 "... before the server answered"
tap_like "$(cat "$log")" "A second signal: exiting" "... and says why"
rig_server_ctl TS '{"release": true}'
wait "$caller" 2>/dev/null

# --stop-timeout-sec bounds the wait: a server that never answers does not keep a stopping daemon.
rig_start_daemon --exit-idle-sec=0 --stop-timeout-sec=1 || tap_bail "tokenbrokerd did not start"
rig_server_ctl TS '{"inject": [{"kind": "hold", "count": 1}]}' || tap_bail "no injection"
rel_invalidate rot || tap_bail "Invalidate failed"
rig_tb token rot >/dev/null 2>&1 &
caller=$!
rig_wait_for 30 held 1 || tap_bail "the refresh did not reach the server"
pid=$TBD_PID
kill -TERM "$pid"
tap_ok "with --stop-timeout-sec=1 the daemon exits though the server holds the refresh" rig_wait_for 30 dead "$pid"
tap_is "$(exit_status "$pid")" 0 "... with status 0"
unset "RIG_PIDS[tokenbrokerd]" TBD_PID
tap_is "$(rig_server_stats TS held)" 1 "... before the server answered"
tap_like "$(cat "$log")" "1 requests still in flight after 1 s" "... and says what it left"
rig_server_ctl TS '{"release": true}'
wait "$caller" 2>/dev/null

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
