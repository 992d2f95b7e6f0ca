#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# flaikConnect through tokenbroker (providers.md section 1), against its emulator: Provider=flaik presets
# client_credentials with HTTP Basic, no refresh token, 10-minute tokens; errors come as 400 even for
# invalid_client (IdentityServer), or as 401 (unconfirmed: both work).
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_start_provider FLAIK flaik || tap_bail "the flaik emulator did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
stats() { rig_server_stats FLAIK "$1"; }

rig_tb add flaik --provider flaik --token-url "$FLAIK_URL/connect/token" --client-id flaik-client \
        --scopes "flaik.connect.api.read flaik.connect.api.write" >/dev/null 2>&1
rig_tb set-secret flaik client-secret <<<"flaik-secret"

# --- the documented happy path, and an API call with what tokenbroker hands out -----------------------------
asked=$(date +%s)
json=$(rig_tb token flaik --json); rc=$?
tap_is "$rc" 0 "Provider=flaik: a token from /connect/token"
tap_is "$(rig_json_get token_type "$json")" Bearer "... of type Bearer"
exp=$(rig_json_get expires_at "$json")
# 600 s from when it was asked for or later, however long the machine took, and not from the future.
tap_ok "... living 600 s ($((exp - $(date +%s))) s left)" test "$exp" -ge $((asked + 600)) -a "$exp" -le $(($(date +%s) + 600))
out=$(rig_tb curl flaik -- -s "$FLAIK_URL/health")
tap_like "$out" '"accountName": ?"your_account"' "GET /health with the token: flaik's health JSON"
out=$(rig_tb curl flaik -- -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded' \
        "$FLAIK_URL/api/globalsettings/resort")
tap_is "$out" 200 "GET /api/globalsettings/resort, with the doc's stray Content-Type: 200"
tap_is "$(stats grants.client_credentials)" 1 "one client_credentials grant, authenticated with Basic (the emulator takes nothing else by default)"
tap_is "$(stats unexpected.client_secret)" 0 "the secret went in the Basic header, not the body"

# A narrower scope gets its own token, with just that scope.
rig_tb token flaik --scope flaik.connect.api.read >/dev/null
tap_is "$(stats grants.client_credentials)" 2 "--scope flaik.connect.api.read: a second grant"
tap_is "$(curl -s -o /dev/null -w '%{http_code}' "$FLAIK_URL/health")" 401 "the API refuses a call without a token"

# --- expiry and renewal: no refresh token, so client_credentials again -------------------------------------
rig_server_ctl FLAIK '{"config": {"access_ttl": 2}}'
busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 Invalidate ss flaik ""
t1=$(rig_tb token flaik)
rig_server_ctl FLAIK '{"config": {"access_ttl": 600}}'  # the renewed token lives long: its use below holds
sleep 2.2
tap_is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t1" "$FLAIK_URL/health")" 401 \
        "a 2-second token is refused by the API once expired"
t2=$(rig_tb token flaik)
tap_isnt "$t2" "$t1" "tokenbroker hands out a new one"
tap_is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t2" "$FLAIK_URL/health")" 200 \
        "... which the API accepts"
tap_is "$(stats grants.refresh_token)" 0 "no refresh grant was ever tried (flaik issues no refresh tokens)"

# --- the documented errors ----------------------------------------------------------------------------------
rig_tb add wrong --provider flaik --token-url "$FLAIK_URL/connect/token" --client-id flaik-client >/dev/null 2>&1
rig_tb set-secret wrong client-secret <<<"not-the-secret"
for status in 400 401; do
        rig_server_ctl FLAIK "{\"config\": {\"invalid_client_status\": $status}}"
        out=$(rig_tb token wrong 2>&1); rc=$?
        tap_is "$rc" 5 "a wrong secret, invalid_client as HTTP $status: the provider refused (exit 5)"
        tap_like "$out" "invalid_client: Client authentication failed \\(HTTP $status\\)" "... with flaik's words"
done
err=$(busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 \
        GetToken 'sa{sv}' wrong 0 2>&1)
tap_like "$err" "invalid_client" "... the same over D-Bus"
tap_is "$(rig_tb status wrong | grep -c 'login required')" 0 "... and the account is not marked as needing a login"

rig_tb add reader --provider flaik --token-url "$FLAIK_URL/connect/token" --client-id flaik-reader \
        --scopes "flaik.connect.api.read flaik.connect.api.write" >/dev/null 2>&1
rig_tb set-secret reader client-secret <<<"flaik-reader-secret"
out=$(rig_tb token reader 2>&1); rc=$?
tap_is "$rc" 5 "a scope the client is not assigned: refused (exit 5)"
tap_like "$out" "invalid_scope" "... as invalid_scope"

# The secret in the body (client_secret_post) is unconfirmed: refused by default, fine where allowed.
rig_tb add post --provider flaik --token-url "$FLAIK_URL/connect/token" --client-id flaik-client \
        --client-auth post >/dev/null 2>&1
rig_tb set-secret post client-secret <<<"flaik-secret"
tap_status 5 "ClientAuth=post against the default emulator: refused" rig_tb token post
rig_server_ctl FLAIK '{"config": {"allow_client_secret_post": true}}'
tap_status 0 "... and accepted where flaik allows it" rig_tb token post

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
