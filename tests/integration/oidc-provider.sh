#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The token engine against a real OAuth 2.0 / OIDC server implementation (oidc-provider from npm, see
# tests/oidc/server.mjs): client_secret_basic, client_secret_post, a wrong secret, and a public client living
# on a rotating refresh token across a daemon restart, with short-lived tokens that are never handed out
# expired.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_have_oidc_provider || tap_skip_all "oidc-provider is not installed (npm ci in tests/oidc)"
rig_start_oidc_provider OIDC --access-ttl 3 || tap_bail "oidc-provider did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

whoami() { curl -s -H "Authorization: Bearer $1" "$OIDC_URL/api/whoami"; }
# whoami_at TOKEN T: the server's judgement of the token at the Unix time T (when it was handed out), which no
# delay of a loaded machine between then and this request can change.
whoami_at() { curl -s -H "Authorization: Bearer $1" "$OIDC_URL/api/whoami?at=$2"; }
stat() { rig_json_get "$1" "$(curl -s "$OIDC_URL/_stats")" || echo 0; }
# Requests the server saw for "METHOD /path" (paths have dots, so not through rig_json_get's dotted paths).
requests_for() {
        curl -s "$OIDC_URL/_stats" | "$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin)["requests"].get(sys.argv[1], 0))' "$1"
}

# --- confidential clients: client_secret_basic and client_secret_post ----------------------------------------
rig_tb add basic --token-url "$OIDC_TOKEN_URL" --client-id cc-basic --client-auth basic --scopes "api:read" \
        >/dev/null 2>&1
rig_tb set-secret basic client-secret <<<"cc-basic-secret"
t=$(rig_tb token basic)
tap_like "$(whoami "$t")" '"client_id": ?"cc-basic"' "client_secret_basic: oidc-provider accepts the token"
rig_tb add post --token-url "$OIDC_TOKEN_URL" --client-id cc-post --client-auth post --scopes "api:read" \
        >/dev/null 2>&1
rig_tb set-secret post client-secret <<<"cc-post-secret"
t=$(rig_tb token post)
tap_like "$(whoami "$t")" '"client_id": ?"cc-post"' "client_secret_post: oidc-provider accepts the token"
exp=$(rig_json_get expires_at "$(rig_tb token post --json)")
tap_ok "expires_at follows the server's expires_in (3 s)" test "$exp" -le $(($(date +%s) + 4))

rig_tb add wrong --token-url "$OIDC_TOKEN_URL" --client-id cc-basic --client-auth basic >/dev/null 2>&1
rig_tb set-secret wrong client-secret <<<"not-the-secret"
out=$(rig_tb token wrong 2>&1); rc=$?
tap_is "$rc" 5 "a wrong client secret: the provider refused (exit 5)"
tap_like "$out" "invalid_client" "... with oidc-provider's invalid_client"
err=$(gdbus call --session --dest org.tokenbroker.Broker1 --object-path /org/tokenbroker/Broker1 \
        --method org.tokenbroker.Broker1.GetToken wrong '{}' 2>&1)
tap_like "$err" "org.tokenbroker.Error.Provider" "... as org.tokenbroker.Error.Provider on D-Bus"

# --- a public client on a rotating refresh token ------------------------------------------------------------
# One consent, done here by hand (authorization code with PKCE), gives the refresh token the account lives on.
verifier=$("$PYTHON3" -c 'import secrets; print(secrets.token_urlsafe(48))')
challenge=$("$PYTHON3" -c 'import base64, hashlib, sys
print(base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).rstrip(b"=").decode())' "$verifier")
redirect="http://127.0.0.1:1234/callback"
auth="$OIDC_URL/auth?response_type=code&client_id=public&redirect_uri=$redirect&scope=openid%20offline_access%20api:read"
auth="$auth&state=s1&code_challenge=$challenge&code_challenge_method=S256&resource=urn:tokenbroker:test-api&prompt=consent"
back=$(rig_oidc_browse OIDC "$auth")
code=$("$PYTHON3" -c 'import sys, urllib.parse as u; print(u.parse_qs(u.urlsplit(sys.argv[1]).query)["code"][0])' "$back")
tap_like "$code" '.+' "the consent gives an authorization code"
resp=$(curl -s -d grant_type=authorization_code -d client_id=public -d "code=$code" -d "redirect_uri=$redirect" \
        -d "code_verifier=$verifier" -d resource=urn:tokenbroker:test-api "$OIDC_TOKEN_URL")
rt=$(rig_json_get refresh_token "$resp")
tap_like "$rt" '.+' "the code exchange gives a refresh token"

rig_tb add app --token-url "$OIDC_TOKEN_URL" --client-id public --client-auth none --grant authorization_code \
        --set ExtraParams="resource=urn:tokenbroker:test-api" >/dev/null 2>&1
rig_tb set-secret app refresh-token <<<"$rt"
a1=$(rig_tb token app)
tap_like "$(whoami "$a1")" '"sub": ?"alice"' "the public client's token (from the refresh token) is alice's"
rt1=$(secret-tool lookup account app kind refresh-token)
tap_isnt "$rt1" "$rt" "the rotated refresh token replaced the one set by hand"

rig_restart_daemon || tap_bail "restart failed"
sleep 3.2
asked=$(date +%s.%N)
a2=$(rig_tb token app)
tap_like "$(whoami_at "$a2" "$asked")" '"sub": ?"alice"' "after a restart and an expiry, the stored refresh token works"
tap_isnt "$(secret-tool lookup account app kind refresh-token)" "$rt1" "... and rotated again"

# Each token is judged by the server as of the moment it was asked for: valid then, with its whole-second
# expiry beyond that second. How long the machine then takes to ask the server does not matter.
bad=0
for i in $(seq 32); do
        asked=$(date +%s.%N)
        json=$(rig_tb token app --json)
        [ "$(rig_json_get expires_at "$json")" -gt "${asked%.*}" ] ||
                { bad=$((bad + 1)); tap_diag "asked at $asked, expires_at $(rig_json_get expires_at "$json")"; }
        whoami_at "$(rig_json_get access_token "$json")" "$asked" | grep -q '"sub": \?"alice"' ||
                { bad=$((bad + 1)); tap_diag "not valid at $asked"; }
        sleep 0.25
done
tap_is "$bad" 0 "over 8 s of 3-second tokens, every token handed out was unexpired and accepted"
tap_is "$(stat rt_reuse)" 0 "oidc-provider never saw a rotated refresh token reused"
tap_ok "refreshes went upstream ($(stat grants.refresh_token))" test "$(stat grants.refresh_token)" -ge 3

# --- discovery: Issuer= alone finds the token and revocation endpoints ----------------------------------
rig_tb add disco --issuer "$OIDC_URL" --client-id cc-basic --client-auth basic --scopes "api:read" >/dev/null 2>&1
rig_tb set-secret disco client-secret <<<"cc-basic-secret"
t=$(rig_tb token disco)
tap_like "$(whoami "$t")" '"client_id": ?"cc-basic"' "Issuer= alone: the token endpoint comes from discovery"
tap_ok "... found through OIDC discovery" test "$(requests_for 'GET /.well-known/openid-configuration')" -ge 1
rig_tb add disco2 --issuer "$OIDC_URL/" --client-id cc-post --client-auth post --scopes "api:read" >/dev/null 2>&1
rig_tb set-secret disco2 client-secret <<<"cc-post-secret"
before=$(requests_for 'GET /.well-known/openid-configuration')
t=$(rig_tb token disco2)
tap_like "$(whoami "$t")" '"client_id": ?"cc-post"' "an issuer with a trailing slash is the same issuer"
rig_tb add disco3 --issuer "$OIDC_URL" --client-id cc-post --client-auth post --scopes "api:write" >/dev/null 2>&1
rig_tb set-secret disco3 client-secret <<<"cc-post-secret"
rig_tb token disco3 >/dev/null
tap_is "$(requests_for 'GET /.well-known/openid-configuration')" "$before" \
        "the metadata is fetched once per issuer and kept"
rig_tb add elsewhere --issuer "http://127.0.0.1:$OIDC_PORT/other" --client-id cc-basic >/dev/null 2>&1
rig_tb set-secret elsewhere client-secret <<<"cc-basic-secret"
out=$(rig_tb token elsewhere 2>&1); rc=$?
tap_isnt "$rc" 0 "an issuer that serves no metadata of its own: an error"
tap_like "$out" "[Dd]iscovery" "... that says discovery failed"

# --- GetTokenInfo and the JSON output: scope, headers, unverified claims -------------------------------------
rig_tb add claims --issuer "$OIDC_URL" --client-id cc-basic --client-auth basic --scopes "api:read" \
        --set ExposeClaims="client_id aud missing" >/dev/null 2>&1
rig_tb set-secret claims client-secret <<<"cc-basic-secret"
json=$(rig_tb token claims --json)
tap_is "$(rig_json_get claims.client_id "$json")" cc-basic "--json shows the exposed claim client_id"
tap_is "$(rig_json_get claims.aud "$json")" "urn:tokenbroker:test-api" "... and aud"
tap_is "$(rig_json_get claims_verified "$json")" false "... saying the claims are not verified"
tap_is "$(rig_json_get scope "$json")" "api:read" "... and the scope"
info=$(busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 \
        GetTokenInfo 'sa{sv}' claims 0 2>&1)
tap_like "$info" '"claims" a\{ss\} [0-9]+ "client_id" "cc-basic"' "GetTokenInfo carries the claims on D-Bus"

# --- tokenbroker curl: the token reaches curl, not its argv ---------------------------------------------------
out=$(rig_tb curl claims -- -s "$OIDC_URL/api/whoami")
tap_like "$out" '"client_id": ?"cc-basic"' "tokenbroker curl calls the API with the account's token"

# --- revocation (RFC 7009) at the discovered endpoint --------------------------------------------------------
rig_tb add revo --issuer "$OIDC_URL" --client-id public --client-auth none --grant authorization_code \
        --set ExtraParams="resource=urn:tokenbroker:test-api" >/dev/null 2>&1
auth="$OIDC_URL/auth?response_type=code&client_id=public&redirect_uri=$redirect&scope=openid%20offline_access%20api:read"
auth="$auth&state=s2&code_challenge=$challenge&code_challenge_method=S256&resource=urn:tokenbroker:test-api&prompt=consent"
back=$(rig_oidc_browse OIDC "$auth")
code=$("$PYTHON3" -c 'import sys, urllib.parse as u; print(u.parse_qs(u.urlsplit(sys.argv[1]).query)["code"][0])' "$back")
resp=$(curl -s -d grant_type=authorization_code -d client_id=public -d "code=$code" -d "redirect_uri=$redirect" \
        -d "code_verifier=$verifier" -d resource=urn:tokenbroker:test-api "$OIDC_TOKEN_URL")
rig_tb set-secret revo refresh-token <<<"$(rig_json_get refresh_token "$resp")"
rig_tb token revo >/dev/null
rt=$(secret-tool lookup account revo kind refresh-token)
tap_like "$rt" '.+' "an account living on a refresh token"
out=$(rig_tb revoke revo); rc=$?
tap_is "$rc" 0 "tokenbroker revoke succeeds"
tap_like "$out" "refresh token revoked" "... and says what it revoked"
tap_is "$(secret-tool lookup account revo kind refresh-token)" "" "... the refresh token is gone from the keyring"
resp=$(curl -s -d grant_type=refresh_token -d client_id=public -d "refresh_token=$rt" "$OIDC_TOKEN_URL")
tap_is "$(rig_json_get error "$resp")" invalid_grant "... and the server refuses it now"
tap_status 4 "... the account needs a new login" rig_tb token revo
tap_like "$(rig_tb revoke revo)" "nothing to revoke" "revoking again: nothing to revoke"
rig_tb add norevoke --token-url "$OIDC_TOKEN_URL" --client-id cc-basic >/dev/null 2>&1
tap_status 9 "an account without a revocation endpoint: a configuration error" rig_tb revoke norevoke
tap_ok "... and remove still removes it" rig_tb remove norevoke --yes

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
