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
stat() { rig_json_get "$1" "$(curl -s "$OIDC_URL/_stats")" || echo 0; }

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
a2=$(rig_tb token app)
tap_like "$(whoami "$a2")" '"sub": ?"alice"' "after a restart and an expiry, the stored refresh token works"
tap_isnt "$(secret-tool lookup account app kind refresh-token)" "$rt1" "... and rotated again"

bad=0
end=$((SECONDS + 8))
while [ $SECONDS -lt $end ]; do
        json=$(rig_tb token app --json)
        [ "$(rig_json_get expires_at "$json")" -gt "$(date +%s)" ] || bad=$((bad + 1))
        whoami "$(rig_json_get access_token "$json")" | grep -q '"sub": \?"alice"' || bad=$((bad + 1))
        sleep 0.25
done
tap_is "$bad" 0 "over 8 s of 3-second tokens, every token handed out was unexpired and accepted"
tap_is "$(stat rt_reuse)" 0 "oidc-provider never saw a rotated refresh token reused"
tap_ok "refreshes went upstream ($(stat grants.refresh_token))" test "$(stat grants.refresh_token)" -ge 3

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
