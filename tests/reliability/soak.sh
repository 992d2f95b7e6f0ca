#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A soak: many concurrent callers ask for tokens of three accounts (client credentials, a password grant with
# refresh-token rotation, an authorization_code account living on its refresh token) whose tokens expire
# every 3 s, half of them through the private socket and half through the session bus, for SOAK_SECONDS
# (15 in make check; `make soak` runs 75). Every call must succeed, every token checked at the server (one in
# five) must have been valid when it was asked for, no refresh token may be reused, and the daemon's resident
# memory may grow only a little between the end of the warm-up and the end (with AddressSanitizer, whose quarantine holds up to
# 256 MiB of freed memory, the bound is that much larger; LeakSanitizer then checks for leaks at the exit).
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

seconds=${SOAK_SECONDS:-15}
workers=${SOAK_WORKERS:-8}
if rel_sanitized; then
        bound_kib=$((320 * 1024))
else
        bound_kib=$((8 * 1024))
fi

rig_start_token_server TS --access-ttl 3 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
rel_add_cc cc "$TS_TOKEN_URL" &&
        rig_tb add pw --token-url "$TS_TOKEN_URL" --client-id public-client --client-auth none --grant password \
                --username alice --scopes read >/dev/null 2>&1 &&
        printf 'wonderland' | rig_tb set-secret pw password >/dev/null &&
        rel_add_code_account TS code || tap_bail "could not set up the accounts"
for a in cc pw code; do
        rig_tb token "$a" >/dev/null || tap_bail "no first token for $a"
done

# worker N: calls until the deadline; counts in $RIG_DIR/soak/N.{calls,failed,checked,rejected}.
worker() {
        local n=$1 deadline=$2 calls=0 failed=0 checked=0 rejected=0 account tok sub asked
        local accounts=(cc pw code) expect=(basic-client alice alice)
        local env=()
        # Odd workers go through the session bus: without the runtime directory there is no private socket.
        [ $((n % 2)) -eq 1 ] && env=(env XDG_RUNTIME_DIR=/nonexistent)
        while [ "$(rel_ms)" -lt "$deadline" ]; do
                i=$(((calls + n) % 3))
                account=${accounts[$i]}
                calls=$((calls + 1))
                asked=$(date +%s.%N)
                if ! tok=$(timeout -k 5 60 "${env[@]}" "$TB" token "$account" 2>>"$RIG_DIR/soak/$n.err"); then
                        failed=$((failed + 1))
                        continue
                fi
                if [ $((calls % 5)) -eq 0 ]; then
                        checked=$((checked + 1))
                        sub=$(rel_whoami TS "$asked" <<<"$tok")
                        [ "$sub" = "${expect[$i]}" ] || {
                                rejected=$((rejected + 1))
                                echo "call $calls ($account): the server did not accept the token" >>"$RIG_DIR/soak/$n.err"
                        }
                fi
        done
        echo "$calls $failed $checked $rejected" >"$RIG_DIR/soak/$n.counts"
}

mkdir -p "$RIG_DIR/soak"
start=$(rel_ms)
deadline=$((start + seconds * 1000))
pids=()
for ((n = 0; n < workers; n++)); do
        worker "$n" "$deadline" &
        pids+=($!)
done
# The warm-up: a fifth of the run (at least 2 s), then the first memory reading; more every second.
sleep "$(((seconds / 5) > 2 ? seconds / 5 : 2))"
rss_start=$(rel_rss_kib "$TBD_PID")
rss_max=$rss_start
while [ "$(rel_ms)" -lt "$deadline" ]; do
        sleep 1
        r=$(rel_rss_kib "$TBD_PID")
        [ -n "$r" ] && [ "$r" -gt "$rss_max" ] && rss_max=$r
done
for p in "${pids[@]}"; do
        rel_wait_exit "$p" 120
done
rss_end=$(rel_rss_kib "$TBD_PID")

read -r calls failed checked rejected < <(cat "$RIG_DIR"/soak/*.counts |
        awk '{c += $1; f += $2; k += $3; r += $4} END {print c + 0, f + 0, k + 0, r + 0}')
refreshes=$(rel_stat TS token_requests)
tap_diag "$calls calls by $workers callers in $seconds s ($((calls / seconds)) a second), $refreshes token requests upstream," \
        "daemon RSS $rss_start KiB after the warm-up, at most $rss_max, $rss_end KiB at the end ($(((rss_end - rss_start))) KiB more)"
tap_ok "the callers made calls ($calls)" test "$calls" -ge "$workers"
tap_is "$failed" 0 "no call failed"
[ "$failed" -eq 0 ] || tap_diag "$(cat "$RIG_DIR"/soak/*.err | sort | uniq -c | sort -rn | head -n 5)"
tap_ok "tokens were checked at the server ($checked)" test "$checked" -gt 0
tap_is "$rejected" 0 "every checked token was accepted by the server"
tap_ok "tokens expired and were renewed during the run ($refreshes requests)" test "$refreshes" -ge $((seconds / 3))
tap_is "$(rel_stat TS rt_reuse)" 0 "no refresh token was reused"
tap_ok "the daemon's memory grew by $((rss_end - rss_start)) KiB, under $bound_kib KiB" \
        test $((rss_end - rss_start)) -lt "$bound_kib"
rel_stop_daemon_checked
tap_done
