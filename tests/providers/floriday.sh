#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Floriday through tokenbroker (providers.md section 2), against its emulator: an Okta authorization server
# found by discovery from Issuer= alone, client_secret_post, and the organisation's X-Api-Key handed out with
# every token as a header the caller must send.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_start_provider FLORIDAY floriday || tap_bail "the floriday emulator did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
stats() { rig_server_stats FLORIDAY "$1"; }
requests_for() {
        curl -s "$FLORIDAY_URL/_stats" |
                "$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin)["requests"].get(sys.argv[1], 0))' "$1"
}
ISSUER="$FLORIDAY_URL/oauth2/ausmw6b47z1BnlHkw0h7"
SCOPES="role:app organization:read catalog:read"
API="$FLORIDAY_URL/suppliers-api-2025v2/auth/key"

rig_tb add fd --provider floriday --issuer "$ISSUER" --client-id floriday-client --scopes "$SCOPES" >/dev/null 2>&1
rig_tb set-secret fd client-secret <<<"floriday-secret"
rig_tb set-secret fd api-key <<<"floriday-api-key"

# --- discovery, client_secret_post, the API with both headers ---------------------------------------------
asked=$(date +%s)
json=$(rig_tb token fd --json); rc=$?
tap_is "$rc" 0 "Provider=floriday with Issuer= only: a token"
tap_is "$(requests_for "GET /.well-known/oauth-authorization-server/oauth2/ausmw6b47z1BnlHkw0h7")" 1 \
        "... the endpoint found through RFC 8414 metadata"
tap_is "$(rig_json_get headers.X-Api-Key "$json")" floriday-api-key "--json carries the X-Api-Key header"
exp=$(rig_json_get expires_at "$json")
# An hour from when it was asked for or later, however long the machine took, and not from the future.
tap_ok "... and Okta's one-hour lifetime" test "$exp" -ge $((asked + 3600)) -a "$exp" -le $(($(date +%s) + 3600))
out=$(rig_tb curl fd -- -s "$API")
tap_like "$out" '"organizationId": ?"8b3d3a5e-0000-4000-8000-000000000001"' \
        "tokenbroker curl sends the token and the key: Floriday's identity check answers"
info=$(busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 \
        GetToken 'sa{sv}' fd 0)
tap_like "$info" ' 1 "X-Api-Key" "floriday-api-key"$' "GetToken's headers over D-Bus carry the key too"

t=$(rig_json_get access_token "$json")
tap_is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" "$API")" 401 \
        "the token without the key is refused by the API"
for status in 401 403; do
        rig_server_ctl FLORIDAY "{\"config\": {\"api_key_status\": $status}}"
        tap_is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" -H "X-Api-Key: wrong" "$API")" \
                "$status" "a wrong key: $status (the unconfirmed status, either way)"
done

# An account without the key: no token, and the reason, rather than a token the API refuses.
rig_tb add nokey --provider floriday --issuer "$ISSUER" --client-id floriday-client --scopes "$SCOPES" >/dev/null 2>&1
rig_tb set-secret nokey client-secret <<<"floriday-secret"
before=$(rig_server_stats FLORIDAY token_requests)
out=$(rig_tb token nokey 2>&1); rc=$?
tap_is "$rc" 9 "without its api-key secret: no token (missing secret, exit 9)"
tap_like "$out" "lacks its API key \(ApiKeyHeader=X-Api-Key\): run 'tokenbroker set-secret nokey api-key'" "... saying which"
after=$(rig_server_stats FLORIDAY token_requests)
tap_is "$after" "$before" "... before any token request"
rig_tb set-secret nokey api-key <<<"floriday-api-key"
tap_is "$(rig_json_get headers.X-Api-Key "$(rig_tb token nokey --json)")" floriday-api-key "... and with it, the token"

# --- the documented errors -----------------------------------------------------------------------------------
rig_tb add basic --provider floriday --issuer "$ISSUER" --client-id floriday-client --client-auth basic \
        --scopes "$SCOPES" >/dev/null 2>&1
rig_tb set-secret basic client-secret <<<"floriday-secret"
rig_tb set-secret basic api-key <<<"floriday-api-key"
out=$(rig_tb token basic 2>&1); rc=$?
tap_is "$rc" 5 "client_secret_basic, which this Okta app does not take: refused (exit 5)"
tap_like "$out" "invalid_client: The client secret supplied for a confidential client is invalid" "... in Okta's words"
rig_tb add scope --provider floriday --issuer "$ISSUER" --client-id floriday-client --scopes "role:admin" \
        >/dev/null 2>&1
rig_tb set-secret scope client-secret <<<"floriday-secret"
rig_tb set-secret scope api-key <<<"floriday-api-key"
out=$(rig_tb token scope 2>&1)
tap_like "$out" "invalid_scope" "an unconfigured scope: invalid_scope"
rig_tb add other --provider floriday --issuer "$FLORIDAY_URL/oauth2/aus0nosuchserver" --client-id floriday-client \
        >/dev/null 2>&1
rig_tb set-secret other client-secret <<<"floriday-secret"
rig_tb set-secret other api-key <<<"floriday-api-key"
out=$(rig_tb token other 2>&1); rc=$?
tap_is "$rc" 5 "an unknown authorization server (Okta's 404 E0000007): fails (exit 5)"
tap_like "$out" "serves no metadata" "... saying discovery found nothing"

# --- expiry and renewal --------------------------------------------------------------------------------------
rig_server_ctl FLORIDAY '{"config": {"access_ttl": 2}}'
busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 Invalidate ss fd ""
t1=$(rig_tb token fd)
# The renewed token lives long: what it is used for below must not depend on how busy the machine is.
rig_server_ctl FLORIDAY '{"config": {"access_ttl": 3600}}'
sleep 2.2
tap_is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t1" -H "X-Api-Key: floriday-api-key" "$API")" \
        401 "an expired token is refused by the API"
tap_like "$(rig_tb curl fd -- -s "$API")" organizationId "tokenbroker renews it: the API answers again"

# --- revocation at the discovered endpoint --------------------------------------------------------------------
t=$(rig_tb token fd)
out=$(rig_tb revoke fd); rc=$?
tap_is "$rc" 0 "tokenbroker revoke at Okta's discovered /v1/revoke"
tap_like "$out" "access token revoked" "... revoked the access token (client credentials: no refresh token)"
tap_is "$(stats revocations)" 1 "... one revocation at the server"
tap_is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" -H "X-Api-Key: floriday-api-key" "$API")" \
        401 "... after which the API refuses that token"

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
