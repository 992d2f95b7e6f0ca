#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A token endpoint that fails in every way the loopback server can: refused connections, answers slower
# than the account's Timeout=, 500/502/503/429 with and without Retry-After, HTML, truncated JSON, a 10 MiB
# body, a redirect, a dropped connection. Each gives the caller a clear message with the documented exit
# status (README: 5 the provider refused or answered garbage, 6 unreachable), or the still-valid cached
# token; requests are counted at the server, so retries are seen to be bounded (one request and at most
# three retries, FETCH_MAX_ATTEMPTS in dbus/engine/token-policy.h) and nothing keeps hammering the endpoint after a
# failure. Meanwhile an account on another endpoint keeps being served.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_token_server HEALTHY --access-ttl 3600 || tap_bail "no second token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

# attempts: requests that reached TS's token endpoint, answered or injected.
attempts() {
        local r
        r=$(rel_stat TS token_requests injected | paste -sd+) && echo $((r))
}
inject() {
        rig_server_ctl TS "{\"reset\": true}" && rig_server_ctl TS "{\"inject\": [$1]}"
}
# idle_after: no request reaches TS for 2 s: a failed fetch left nothing retrying in a loop.
idle_after() {
        local before
        before=$(attempts)
        sleep 2
        tap_is "$(attempts)" "$before" "$1"
}

rel_add_cc healthy "$HEALTHY_TOKEN_URL" || tap_bail "no healthy account"
tap_is "$(rig_tb token healthy | rel_whoami HEALTHY)" basic-client "the healthy account gets a token"

# --- connection refused -----------------------------------------------------------------------------------
closed=$("$REL_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
rel_add_cc refused "http://127.0.0.1:$closed/token" || tap_bail "could not add an account"
rel_fetch refused
tap_is "$RC" 6 "connection refused: unreachable (exit 6)"
tap_like "$OUT" "cannot be reached" "... with a message that says so"
tap_like "$(rig_tb status refused 2>&1)" "cannot be reached" "... and status shows it as the last error"

# --- slower than Timeout= -----------------------------------------------------------------------------------
# Every try takes the server 10 s; the account's Timeout= of 6 s is the budget of all its tries together.
# Meanwhile the healthy account is asked, fresh.
rel_add_cc slow "$TS_TOKEN_URL" --set Timeout=6 || tap_bail "could not add an account"
inject '{"kind": "delay", "seconds": 10, "count": 100, "path": "/token"}'
start=$(rel_ms)
rig_tb token slow >"$RIG_DIR/slow.out" 2>&1 &
slow_client=$!
sleep 0.5
rel_invalidate healthy
rel_fetch healthy
tap_is "$RC" 0 "while one endpoint hangs, another account's new token is fetched"
tap_ok "... and delivered while the hanging fetch is still going on" rig_pid_alive "$slow_client"
rel_wait_exit "$slow_client" 60
elapsed=$(($(rel_ms) - start))
tap_is "$REL_STATUS" 6 "an endpoint slower than Timeout=: unreachable (exit 6)"
tap_like "$(cat "$RIG_DIR/slow.out")" "did not answer within Timeout=6 s" "... the message says it timed out"
tap_is "$(rel_stat TS injected)" 1 "... after one try: no retry fits in what is left of Timeout="
tap_ok "... the caller heard it when Timeout= was spent (${elapsed} ms), not 4 tries later" test "$elapsed" -ge 5900
# The server finishes the delayed answer nobody waits for any more before the counters start over.
answered() { [ "$(rel_stat TS token_requests)" -ge 1 ]; }
rig_wait_for 30 answered
rig_server_ctl TS '{"reset": true}'

# Retry-After beyond the budget: a 503 asking for 3 s with Timeout=2 is not waited for.
rel_add_cc hurried "$TS_TOKEN_URL" --set Timeout=2 || tap_bail "could not add an account"
inject '{"kind": "status", "status": 503, "retry_after": 3, "count": 100, "path": "/token"}'
rel_fetch hurried
tap_is "$RC" 5 "a Retry-After that does not fit in Timeout=: the provider's error (exit 5)"
tap_is "$(attempts)" 1 "... after one request"
rig_server_ctl TS '{"reset": true}'

# --- 5xx and 429, without and with Retry-After ----------------------------------------------------------------
rel_add_cc flaky "$TS_TOKEN_URL" || tap_bail "could not add an account"
for status in 500 502 503 429; do
        rel_invalidate flaky
        inject "{\"kind\": \"status\", \"status\": $status, \"count\": 100, \"path\": \"/token\"}"
        rel_fetch flaky
        tap_is "$RC" 5 "HTTP $status to every try: the provider's error in the end (exit 5)"
        tap_like "$OUT" "HTTP $status" "... the message names the status"
        tap_is "$(attempts)" 4 "... after exactly four tries, with backoff"
done
idle_after "after the failures nothing keeps retrying"

for status in 503 429; do
        rel_invalidate flaky
        inject "{\"kind\": \"status\", \"status\": $status, \"retry_after\": 1, \"count\": 100, \"path\": \"/token\"}"
        start=$(rel_ms)
        rel_fetch flaky
        elapsed=$(($(rel_ms) - start))
        tap_is "$RC" 5 "HTTP $status with Retry-After: 1 to every try: exit 5"
        tap_is "$(attempts)" 4 "... after exactly four tries"
        tap_ok "... each retry waited as told (${elapsed} ms for three waits of 1 s)" test "$elapsed" -ge 2900
done

rel_invalidate flaky
inject '{"kind": "status", "status": 502, "count": 2, "path": "/token"}'
rel_fetch flaky
tap_is "$RC" 0 "two 502s, then an answer: the caller gets the token"
tap_is "$(rel_whoami TS <<<"$OUT")" basic-client "... which works"
tap_is "$(attempts)" 3 "... after three requests"

# The cached token still has an hour; a caller wanting more than that makes the daemon refresh, and gets the
# still-valid cached token when the endpoint fails.
cached=$(rig_tb token flaky)
inject '{"kind": "status", "status": 503, "count": 100, "path": "/token"}'
got=$(rel_call GetToken 'sa{sv}' flaky 1 min-validity u 7200 2>&1)
tap_like "$got" "^ssxa\\{ss\\} \"$cached\"" "a refresh failing with 503: the caller gets the cached token that is still valid"
sleep 5
rig_server_ctl TS '{"reset": true}'

# --- answers that are not a token: no retry, a clear message, exit 5 -------------------------------------------
check_garbage() { # KIND DESC REGEX
        rel_invalidate flaky
        inject "{\"kind\": \"$1\", \"count\": 100, \"path\": \"/token\"}"
        rel_fetch flaky
        tap_is "$RC" 5 "$2: exit 5"
        tap_like "$OUT" "$3" "... with a message that says what is wrong"
        tap_is "$(attempts)" 1 "... after one request, no retry"
}
check_garbage html "an HTML page with status 200" "not a token"
check_garbage truncated "truncated JSON" "not a token"
check_garbage huge "a 10 MiB body" "larger than 1 MiB"
check_garbage redirect "a 302 redirect" "HTTP 302"
tap_is "$(rel_stat TS 'requests.POST /token')" 1 "... the redirect was not followed"
idle_after "after the bad answers nothing keeps retrying"

# --- a dropped connection ---------------------------------------------------------------------------------------
rel_invalidate flaky
inject '{"kind": "drop", "count": 100, "path": "/token"}'
rel_fetch flaky
tap_is "$RC" 6 "a connection closed without an answer on every try: unreachable (exit 6)"
# libcurl sends a request once more on a new connection when a kept-alive one died under it: four tries are
# four or five requests.
n=$(attempts)
tap_ok "... after four tries ($n requests)" test "$n" -ge 4 -a "$n" -le 5
rig_server_ctl TS '{"reset": true}'
rel_fetch flaky
tap_is "$RC" 0 "the endpoint recovered: the next call gets a token"

tap_is "$(rig_tb token healthy | rel_whoami HEALTHY)" basic-client "the healthy account was served throughout"
rel_stop_daemon_checked
tap_done
