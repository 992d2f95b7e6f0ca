#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Flume through tokenbroker (providers.md section 4), against its emulator: the password grant with a JSON
# body, the token at data[0] of Flume's envelope (or bare with envelope=false), lower-case bearer, errors in
# the envelope, refresh tokens that rotate (old one kept valid, or strictly retired: both work), and the
# JWT's user_id exposed for the API's /users/{user_id}/ paths.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_start_provider FLUME flume || tap_bail "the flume emulator did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
stats() { rig_server_stats FLUME "$1"; }
token_posts() {
        curl -s "$FLUME_URL/_stats" |
                "$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin)["requests"].get("POST /oauth/token", 0))'
}
add() {
        local name=$1 user=$2 password=$3
        shift 3
        rig_tb add "$name" --provider flume --token-url "$FLUME_URL/oauth/token" --client-id flume-client \
                --username "$user" "$@" >/dev/null 2>&1
        rig_tb set-secret "$name" client-secret <<<"flume-secret"
        rig_tb set-secret "$name" password <<<"$password"
}

add home alice@example.com wonderland

# --- the documented happy path: JSON body, envelope, user_id from the JWT, an API call -------------------
asked=$(date +%s)
json=$(rig_tb token home --json); rc=$?
tap_is "$rc" 0 "Provider=flume: a token from the password grant"
tap_is "$(rig_json_get token_type "$json")" Bearer "... Flume's lower-case bearer handed out as Bearer"
user_id=$(rig_json_get claims.user_id "$json")
tap_is "$user_id" 1111 "--json exposes the JWT's user_id (ExposeClaims=user_id, preset)"
tap_like "$json" '"claims":\{"user_id":1111\}' "... as the number it is in the JWT, not a string"
tap_is "$(rig_json_get claims_verified "$json")" false "... saying the claims are unverified"
exp=$(rig_json_get expires_at "$json")
# Issued after it was asked for, however long the machine took: its expiry is 7 days from then or later.
tap_ok "... and the token lives 7 days" test "$exp" -ge $((asked + 604800)) -a "$exp" -le $(($(date +%s) + 604800))
out=$(rig_tb curl home -- -s "$FLUME_URL/users/$user_id/devices")
tap_like "$out" '"success": ?true' "GET /users/{user_id}/devices with the token: Flume answers"
tap_like "$(rig_tb curl home -- -s "$FLUME_URL/me/devices")" '"success": ?true' "... and /me/devices too"
tap_like "$(rig_tb curl home -- -s "$FLUME_URL/users/2222/devices")" '"http_code": ?401' \
        "another user's id: refused"
tap_like "$(secret-tool lookup account home kind refresh-token)" '^[0-9a-f]{40}$' "the refresh token is stored"

# --- expiry and renewal through the refresh token, both rotation variants -------------------------------
for rotation in keep strict; do
        rig_server_ctl FLUME "{\"config\": {\"access_ttl\": 2, \"rotation\": \"$rotation\"}}"
        busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 Invalidate ss home ""
        rt1=$(secret-tool lookup account home kind refresh-token)
        t1=$(rig_tb token home)
        # The renewed token lives long: its use below holds on a busy machine.
        rig_server_ctl FLUME '{"config": {"access_ttl": 604800}}'
        sleep 2.2
        t2=$(rig_tb token home)
        tap_isnt "$t2" "$t1" "rotation=$rotation: an expired token is renewed"
        tap_like "$(rig_tb curl home -- -s "$FLUME_URL/me/devices")" '"success": ?true' "... and works"
        tap_isnt "$(secret-tool lookup account home kind refresh-token)" "$rt1" "... with the newest refresh token kept"
done
tap_is "$(stats grants.password)" 1 "all of it on one password grant"
tap_is "$(stats rt_reuse)" 0 "... and no retired refresh token was ever presented again"
rig_server_ctl FLUME '{"config": {"access_ttl": 604800, "rotation": "keep"}}'

# --- envelope=false, and a form body where Flume takes one --------------------------------------------------
add bare alice@example.com wonderland --set TokenURLQuery=envelope=false
tap_like "$(rig_tb curl bare -- -s "$FLUME_URL/me/devices")" '"success": ?true' \
        "TokenURLQuery=envelope=false: the bare token object works too"
add form alice@example.com wonderland --set RequestEncoding=form
out=$(rig_tb token form 2>&1); rc=$?
tap_is "$rc" 5 "a form body, which the documentation forbids: refused (exit 5)"
rig_server_ctl FLUME '{"config": {"accept_form": true}}'
tap_status 0 "... and accepted where Flume tolerates it (unconfirmed)" rig_tb token form

# --- the documented errors ---------------------------------------------------------------------------------
add wrong alice@example.com not-the-password
out=$(rig_tb token wrong 2>&1); rc=$?
tap_is "$rc" 5 "a wrong password: Flume's 400 (exit 5)"
tap_like "$out" "HTTP 400" "... reported with its status"
tap_is "$(rig_tb status wrong | grep -c 'login required')" 0 "... and not mistaken for a dead refresh token"
add bob bob@example.com builder
out=$(rig_tb token bob 2>&1); rc=$?
tap_is "$rc" 5 "a user who did not finish signing up: Flume's 403 (exit 5)"
tap_like "$out" "HTTP 403" "... reported with its status"

# A refresh token Flume calls invalid: the password grant runs again, nobody needs to log in.
rig_tb set-secret home refresh-token <<<"0000000000000000000000000000000000000000"
rig_restart_daemon || tap_bail "restart failed"
before=$(stats grants.password)
tap_like "$(rig_tb curl home -- -s "$FLUME_URL/me/devices")" '"success": ?true' \
        "\"Refresh token is invalid.\": tokenbroker logs in with the password again"
tap_is "$(stats grants.password)" $((before + 1)) "... through one password grant"

rig_server_ctl FLUME '{"config": {"rate_limit": 1, "rate_window": 60}}'
rig_tb add limited --provider flume --token-url "$FLUME_URL/oauth/token" --client-id flume-client \
        --username alice@example.com >/dev/null 2>&1
rig_tb set-secret limited client-secret <<<"flume-secret"
rig_tb set-secret limited password <<<"wonderland"
curl -s -o /dev/null "$FLUME_URL/me/devices"         # the one request the window allows
before=$(token_posts)
out=$(rig_tb token limited 2>&1); rc=$?
tap_isnt "$rc" 0 "over Flume's rate limit: the call fails"
tap_like "$out" "Too many requests" "... with Flume's message"
n=$(($(token_posts) - before))
tap_ok "... after a bounded number of tries ($n, backing off)" test "$n" -ge 1 -a "$n" -le 4
rig_server_ctl FLUME '{"config": {"rate_limit": 0}}'

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
