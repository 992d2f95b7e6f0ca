#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sharetribe Flex through tokenbroker (providers.md section 5), against its emulator: one form-only token
# endpoint for every grant; the client secret only for integration client credentials and token exchange,
# never for password or refresh; the literal grant_type=token_exchange with subject_token only; rotating
# refresh tokens; every failure a 401 whose body is not to be relied on; revocation with a bearer token.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_start_provider ST sharetribe || tap_bail "the sharetribe emulator did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
stats() { rig_server_stats ST "$1"; }
TOKEN_URL="$ST_URL/v1/auth/token"
MARKET="$ST_URL/v1/api/marketplace/show"
INTEG="$ST_URL/v1/integration_api/marketplace/show"
api() { rig_tb curl "$1" -- -s -o /dev/null -w '%{http_code}' "$2"; }
add() {
        local name=$1
        shift
        rig_tb add "$name" --provider sharetribe --token-url "$TOKEN_URL" "$@" >/dev/null 2>&1 ||
                tap_bail "cannot add $name"
}

# --- the four grants --------------------------------------------------------------------------------------
add anon --client-id sharetribe-client --client-auth none --scopes public-read
tap_is "$(api anon "$MARKET")" 200 "a public marketplace client (no secret, scope public-read): the Marketplace API answers"

add integ --client-id sharetribe-integ --scopes integ
rig_tb set-secret integ client-secret <<<"sharetribe-integ-secret"
tap_is "$(api integ "$INTEG")" 200 "an integration client (with its secret): the Integration API answers"
tap_like "$(secret-tool lookup account integ kind refresh-token)" '.+' "... and its refresh token is stored"
tap_is "$(api anon "$INTEG")" 401 "the Integration API refuses a marketplace token"

add user --client-id sharetribe-client --grant password --username alice@example.com --scopes user
rig_tb set-secret user password <<<"wonderland"
tap_is "$(api user "$MARKET")" 200 "the password grant (no secret sent): a user token that works"
tap_like "$(secret-tool lookup account user kind refresh-token)" '.+' "... living on a stored refresh token"

add trusted --client-id sharetribe-client --grant token_exchange --scopes trusted:user --set SubjectAccount=user
rig_tb set-secret trusted client-secret <<<"sharetribe-secret"
json=$(rig_tb token trusted --json); rc=$?
tap_is "$rc" 0 "grant_type=token_exchange with the user's token as subject_token: a trusted token"
tap_is "$(stats grants.token_exchange)" 1 "... through Sharetribe's literal grant name"
tap_is "$(rig_json_get scope "$json")" "trusted:user" "... with scope trusted:user"
tap_is "$(api trusted "$MARKET")" 200 "... which the Marketplace API takes"

# --- refresh: no secret, rotation, and the secret never sent where it is not wanted ------------------------
for a in user integ; do
        # A 2-second token, renewed as one that lives long: its use below holds on a busy machine.
        rig_server_ctl ST '{"config": {"access_ttl": 2}}'
        busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 Invalidate ss $a ""
        rt1=$(secret-tool lookup account $a kind refresh-token)
        rig_tb token $a >/dev/null
        rig_server_ctl ST '{"config": {"access_ttl": 86400}}'
        sleep 2.2
        tap_is "$(api $a "$([ $a = user ] && echo "$MARKET" || echo "$INTEG")")" 200 "$a: an expired token is renewed"
        tap_isnt "$(secret-tool lookup account $a kind refresh-token)" "$rt1" "$a: ... and the rotated refresh token kept"
done
tap_ok "refreshes happened ($(stats grants.refresh_token))" test "$(stats grants.refresh_token)" -ge 2
tap_is "$(stats unexpected.client_secret)" 0 "no secret was sent with a password or refresh grant"
tap_is "$(stats rt_reuse)" 0 "no rotated refresh token was presented again"
rig_server_ctl ST '{"config": {"access_ttl": 86400}}'

# --- revocation: Bearer plus token=<refresh token> at /v1/auth/revoke --------------------------------------
rt=$(secret-tool lookup account user kind refresh-token)
out=$(rig_tb revoke user); rc=$?
tap_is "$rc" 0 "tokenbroker revoke at /v1/auth/revoke"
tap_like "$out" "refresh token revoked" "... revoked the refresh token"
tap_is "$(stats revocations)" 1 "... at the server"
tap_is "$(secret-tool lookup account user kind refresh-token)" "" "... and forgot it"
before=$(stats grants.password)
tap_is "$(api user "$MARKET")" 200 "the password account simply logs in again"
tap_is "$(stats grants.password)" $((before + 1)) "... through the password grant"

# --- failures are 401, whatever the body -------------------------------------------------------------------
add wrong --client-id sharetribe-client --grant password --username alice@example.com --scopes user
rig_tb set-secret wrong password <<<"not-the-password"
for body in json text; do
        rig_server_ctl ST "{\"config\": {\"error_body\": \"$body\"}}"
        out=$(rig_tb token wrong 2>&1); rc=$?
        tap_is "$rc" 5 "a wrong password, error body $body: refused (exit 5)"
        tap_like "$out" "HTTP 401" "... a 401"
done
tap_like "$out" "Unauthorized" "the text body is shown as it is"

# A dead refresh token answered with a bare 401: an account with nothing else to fall back on needs a login.
add login --client-id sharetribe-client --grant authorization_code --client-auth none
rig_tb set-secret login refresh-token <<<"not-a-refresh-token"
out=$(rig_tb token login 2>&1); rc=$?
tap_is "$rc" 4 "a refresh token refused with a bare 401 (text body): login required (exit 4)"
rig_server_ctl ST '{"config": {"error_body": "json"}}'

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
