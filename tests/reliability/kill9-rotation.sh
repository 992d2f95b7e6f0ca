#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Refresh-token rotation survives crashes. An authorization_code account that lives on its refresh token
# alone (no password to fall back to) is refreshed a few hundred times against a server that rotates refresh
# tokens and detects reuse, while tokenbrokerd is killed with SIGKILL at random moments and restarted.
#
# What the design guarantees (HACKING.md, "Ordering that keeps refresh tokens safe"): a new refresh token is
# stored in the keyring before the access token that came with it is handed to anyone, and the keyring
# always holds a refresh token the server issued (the old one or the new one, never none). What it cannot
# guarantee: a crash after the server answered and before the keyring has the new token loses that token;
# the keyring then still holds the old one, which the server has retired, so the next refresh presents a
# spent token: a server with reuse detection revokes the grant and the account needs a new login. No client
# design can close that window (the new token exists only in the answer); servers offer a reuse grace
# period for it. So each kill is classified by what the server and the keyring show afterwards:
#
#   before    the server issued nothing: the keyring holds the old token, the restarted daemon refreshes
#   stored    the server issued a new token and the keyring has it: the restarted daemon refreshes
#   window    the server issued a new token and the keyring still holds the old one: the restarted daemon
#             presents the old one, the server counts one reuse, and the account says login required
#
# and the test requires: every kill is one of the three; the server's rt_reuse equals the number of
# "window" kills exactly (a reuse anywhere else is a bug); a caller that got a token from the refresh that was
# interrupted implies "stored"; the keyring never lacks the refresh token. The second part makes the window
# happen on purpose (the keyring stopped with SIGSTOP while a refresh is in flight) and shows both sides of
# it: a store that reached the keyring's queue survives the crash; one still queued in the daemon is lost.
#
# Tokens live 30 s, longer than an iteration, so no background refresh runs between the test's own: each
# refresh is caused by an Invalidate call, and each kill interrupts at most one. REL_KILLS sets the number of
# kills (60).
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

kills=${REL_KILLS:-60}

rig_start_token_server TS --access-ttl 30 || tap_bail "no token server"
# The keyring is stopped on purpose below, for longer than its default time-out of 10 s could allow on a busy
# machine: the time-out (which then hands out the token with its refresh token held in memory, see
# keyring-and-config.sh) is not what is tested here.
daemon_args=(--keyring-timeout-sec=300)
rig_start_daemon "${daemon_args[@]}" || tap_bail "tokenbrokerd did not start"
rel_add_code_account TS acct || tap_bail "could not set up the account"

tok=$(rig_tb token acct)
tap_is "$(rel_whoami TS <<<"$tok")" alice "an authorization_code account living on a refresh token gets a token"

# refresh: one forced refresh; its duration in ms in REFRESH_MS.
refresh() {
        local t0 rc
        t0=$(rel_ms)
        rel_invalidate acct || return 1
        rig_tb token acct >/dev/null 2>"$RIG_DIR/refresh.err"
        rc=$?
        REFRESH_MS=$(($(rel_ms) - t0))
        return "$rc"
}

durations=()
normal_fail=0
for _ in 1 2 3 4 5; do
        refresh || normal_fail=$((normal_fail + 1))
        durations+=("$REFRESH_MS")
done

n_before=0 n_stored=0 n_window=0 bad_class=0 handed_unstored=0 empty_keyring=0 restart_bad=0 reuse_bad=0
for ((i = 1; i <= kills; i++)); do
        # A few uninterrupted refreshes, timed: the random kill moment is spread over about twice that.
        for ((k = RANDOM % 3; k >= 0; k--)); do
                if refresh; then
                        durations=("${durations[@]: -9}" "$REFRESH_MS")
                else
                        normal_fail=$((normal_fail + 1))
                        tap_diag "iteration $i: a refresh without a kill failed: $(cat "$RIG_DIR/refresh.err")"
                fi
        done
        span=$(printf '%s\n' "${durations[@]}" | sort -n | sed -n "$(((${#durations[@]} + 1) / 2))p")
        delay_ms=$((RANDOM % (2 * span + 1)))

        rt_before=$(rel_keyring_rt acct)
        read -r issued_before reuse_before < <(rel_stat TS refresh_tokens_issued rt_reuse | tr '\n' ' ')
        rel_invalidate acct
        rig_tb token acct >"$RIG_DIR/kill.out" 2>&1 &
        client=$!
        sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
        rig_kill9_daemon 2>/dev/null
        rel_wait_exit "$client" 30
        client_rc=$REL_STATUS

        rel_server_settle TS || tap_diag "iteration $i: the token server did not settle"
        issued_after=$(rel_stat TS refresh_tokens_issued)
        rt_after=$(rel_keyring_rt acct)
        [ -n "$rt_after" ] || {
                empty_keyring=$((empty_keyring + 1))
                tap_diag "iteration $i: the keyring lost the refresh token"
        }
        if [ "$issued_after" -eq "$issued_before" ] && [ "$rt_after" = "$rt_before" ]; then
                class=before
        elif [ "$issued_after" -eq $((issued_before + 1)) ] && [ -n "$rt_after" ] && [ "$rt_after" != "$rt_before" ]; then
                class=stored
        elif [ "$issued_after" -eq $((issued_before + 1)) ] && [ "$rt_after" = "$rt_before" ]; then
                class=window
        else
                class=bad
                bad_class=$((bad_class + 1))
                tap_diag "iteration $i: issued $issued_before -> $issued_after, keyring token changed: $([ "$rt_after" != "$rt_before" ] && echo yes || echo no)"
        fi
        if [ "$client_rc" -eq 0 ] && [ "$class" != stored ]; then
                handed_unstored=$((handed_unstored + 1))
                tap_diag "iteration $i: a caller got a token whose refresh token is not in the keyring ($class)"
        fi

        rig_start_daemon "${daemon_args[@]}" || tap_bail "tokenbrokerd did not restart (iteration $i)"
        rig_tb token acct >"$RIG_DIR/after.out" 2>&1
        rc=$?
        reuse_delta=$(($(rel_stat TS rt_reuse) - reuse_before))
        case $class in
        before | stored)
                [ "$class" = before ] && n_before=$((n_before + 1)) || n_stored=$((n_stored + 1))
                if [ "$rc" -ne 0 ]; then
                        restart_bad=$((restart_bad + 1))
                        tap_diag "iteration $i ($class, killed after ${delay_ms} ms): no refresh after the restart (exit $rc): $(cat "$RIG_DIR/after.out")"
                fi
                [ "$reuse_delta" -eq 0 ] || {
                        reuse_bad=$((reuse_bad + 1))
                        tap_diag "iteration $i ($class): the server saw a refresh token reused"
                }
                ;;
        window)
                n_window=$((n_window + 1))
                # The crash lost the new refresh token: the old one is spent, the grant is revoked.
                if [ "$rc" -ne 4 ] || [ "$reuse_delta" -ne 1 ]; then
                        restart_bad=$((restart_bad + 1))
                        tap_diag "iteration $i (window): exit $rc and $reuse_delta reuse(s), expected login required (4) and 1"
                fi
                rel_seed_rt TS acct || tap_bail "could not give the account a new refresh token"
                ;;
        *)
                rel_seed_rt TS acct || tap_bail "could not give the account a new refresh token"
                ;;
        esac
done

refreshes=$(rel_stat TS grants.refresh_token)
tap_diag "$kills kills: $n_before before the server answered, $n_stored after the keyring had the new refresh token," \
        "$n_window in the window between the server's answer and the keyring write;" \
        "$refreshes refresh_token grants; median refresh $span ms"
tap_ok "a few hundred refreshes ran ($refreshes)" test "$refreshes" -ge $((kills * 3))
tap_is "$normal_fail" 0 "every refresh without a kill succeeded"
tap_is "$bad_class" 0 "after each kill the keyring holds the old or the new refresh token, and the server issued at most one"
tap_is "$empty_keyring" 0 "the keyring never lost the refresh token"
tap_is "$handed_unstored" 0 "no caller got an access token whose refresh token was not yet in the keyring"
tap_is "$restart_bad" 0 "after every restart the account refreshes (or, after a window kill, says login required)"
tap_is "$reuse_bad" 0 "no reuse after a kill outside the window"
tap_is "$(rel_stat TS rt_reuse)" "$n_window" "the server saw a rotated refresh token reused exactly once per window kill ($n_window)"

# --- the window, on purpose ------------------------------------------------------------------------------
# The keyring is stopped while a refresh is in flight: the daemon has the server's answer and waits for the
# keyring. The caller must not get the access token meanwhile; another account with a cached token is served.
rel_add_code_account TS other || tap_bail "could not set up a second account"
rig_tb token other >/dev/null
rig_tb token acct >/dev/null
tap_ok "the account refreshes before the window tests" rig_tb token acct
keyring=$(rel_keyring_pid)
[ -n "$keyring" ] || tap_bail "no keyring pid"

# window NAME EXTRA: stops the keyring, forces a refresh of acct and kills the daemon once the server has
# answered. With EXTRA "queued", a SetSecret of another account goes to the keyring first, so the refresh
# token's store waits in the daemon's own queue behind it. Sets W_OLD, W_NOW, W_CLIENT_RC, W_WAITING, W_OTHER.
window() {
        local issued client blocker="" i
        W_OLD=$(rel_keyring_rt acct)
        issued=$(rel_stat TS refresh_tokens_issued)
        rel_invalidate acct
        kill -STOP "$keyring"
        if [ "$2" = queued ]; then
                printf 'another-secret' | rig_tb set-secret other client-secret >/dev/null 2>&1 &
                blocker=$!
                sleep 0.2
        fi
        rig_tb token acct >"$RIG_DIR/window.out" 2>&1 &
        client=$!
        for ((i = 0; i < 200; i++)); do
                [ "$(rel_stat TS refresh_tokens_issued)" -gt "$issued" ] && break
                sleep 0.05
        done
        sleep 0.5
        W_WAITING=no
        rig_pid_alive "$client" && W_WAITING=yes
        # (Behind the stopped keyring, the other account's secrets could not be read after window A's restart.)
        W_OTHER=skipped
        [ "$2" = queued ] || W_OTHER=$(timeout 10 "$TB" token other >/dev/null 2>&1 && echo served || echo failed)
        rig_kill9_daemon 2>/dev/null
        kill -CONT "$keyring"
        rel_wait_exit "$client" 30
        W_CLIENT_RC=$REL_STATUS
        [ -z "$blocker" ] || rel_wait_exit "$blocker" 30
        rel_server_settle TS
        sleep 0.3
        W_NOW=$(rel_keyring_rt acct)
}

reuse0=$(rel_stat TS rt_reuse)
window A ""
tap_is "$W_WAITING" yes "keyring stopped after the server's answer: the caller is still waiting (no token before the store)"
tap_is "$W_OTHER" served "... while another account's cached token is served"
tap_isnt "$W_CLIENT_RC" 0 "... and the caller of the killed daemon got no token"
tap_ok "... the store had reached the keyring's queue: the new refresh token is kept after the crash" \
        test -n "$W_NOW" -a "$W_NOW" != "$W_OLD"
rig_start_daemon "${daemon_args[@]}" || tap_bail "tokenbrokerd did not restart"
tap_is "$(rig_tb token acct | rel_whoami TS)" alice "... and the restarted daemon refreshes with it"
tap_is "$(rel_stat TS rt_reuse)" "$reuse0" "... without any reuse"

window B queued
tap_is "$W_WAITING" yes "store queued in the daemon behind another keyring job: the caller is still waiting"
tap_isnt "$W_CLIENT_RC" 0 "... and got no token when the daemon was killed"
tap_is "$W_NOW" "$W_OLD" "... the new refresh token died with the daemon; the keyring still holds the old one"
rig_start_daemon "${daemon_args[@]}" || tap_bail "tokenbrokerd did not restart"
out=$(rig_tb token acct 2>&1)
rc=$?
tap_is "$rc" 4 "... which the server, having rotated it, refuses as reused: login required (the window's cost)"
tap_is "$(rel_stat TS rt_reuse)" $((reuse0 + 1)) "... the server counted exactly that one reuse"
tap_like "$out" "tokenbroker login acct" "... and the message says what to run"

rel_stop_daemon_checked
tap_done
