#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# OpenID Connect logins checked as a relying party must (OIDC Core 3.1.3.7, RFC 9207), against a real server
# (oidc-provider from npm, tests/oidc/server.mjs): a nonce in every openid authorization request, the ID token's
# signature by the issuer's published keys (fetched again once when the issuer rotated them), its iss, aud,
# exp and nonce, and the iss of the authorization response. The server spoils its own ID tokens on request
# (re-signed with other claims, or with keys it does or does not publish), and the browser stand-in strips or
# forges the response's iss; each spoiled login fails and stores nothing.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_have_oidc_provider || tap_skip_all "oidc-provider is not installed (npm ci in tests/oidc)"
rig_start_oidc_provider OIDC || tap_bail "oidc-provider did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

export BROWSER="$abs_top_srcdir/tests/integration/fake-browser.py"
export FAKE_BROWSER_LOG="$RIG_DIR/browser.log"
rt_of() { secret-tool lookup account "$1" kind refresh-token; }
last_page() { tail -n 1 "$FAKE_BROWSER_LOG" | rig_json_get body; }
control() { curl -s -d "$1" -H 'Content-Type: application/json' "$OIDC_URL/_control" >/dev/null; }
requests_for() {
        curl -s "$OIDC_URL/_stats" | "$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin)["requests"].get(sys.argv[1], 0))' "$1"
}
# add_account NAME SCOPES [ARGS]: a login account of the client $CLIENT (default: public, no secret).
add_account() {
        local name=$1 scopes=$2
        shift 2
        rig_tb add "$name" --issuer "$OIDC_URL" --client-id "${CLIENT:-public}" --client-auth "${AUTH:-none}" \
                --grant authorization_code \
                --scopes "$scopes" --set RedirectURI=http://127.0.0.1:0/callback "$@" >/dev/null 2>&1
}
# spoiled NAME CONTROL WHAT DESCRIPTION: a login while the server spoils its ID tokens as CONTROL says fails
# (exit 4) with a message matching WHAT, and stores nothing.
spoiled() {
        add_account "$1" "openid offline_access api:read"
        control "$2"
        rig_login "$1"
        control '{"id_token": null, "id_token_key": null}'
        tap_is "$rc" 4 "$4: the login fails (exit 4)"
        tap_like "$out" "ID token was refused: .*$3" "... saying why ($3)"
        tap_is "$(rt_of "$1")" "" "... and nothing was stored"
}

# --- an OpenID Connect login: nonce sent, ID token checked -------------------------------------------------
add_account oidc "openid offline_access api:read"
rig_login oidc
tap_is "$rc" 0 "an openid login succeeds"
tap_like "$out" "[?&]nonce=[A-Za-z0-9_-]{22}" "... its authorization request carries a nonce"
tap_like "$(rt_of oidc)" '.+' "... and the refresh token is stored"
tap_ok "... after the ID token's signature was checked with the issuer's keys ($(requests_for 'GET /jwks') fetch)" \
        test "$(requests_for 'GET /jwks')" -eq 1
nonce1=$(grep -o 'nonce=[A-Za-z0-9_-]*' <<<"$out")
add_account oidc2 "openid api:read"
rig_login oidc2
tap_is "$rc" 0 "a second openid login succeeds"
tap_isnt "$(grep -o 'nonce=[A-Za-z0-9_-]*' <<<"$out")" "$nonce1" "... with a nonce of its own"
tap_is "$(requests_for 'GET /jwks')" 1 "... and the issuer's key set was kept, not fetched again"

add_account plain "offline_access api:read"
rig_login plain
tap_is "$rc" 0 "a login without openid succeeds"
tap_unlike "$out" "nonce=" "... and sends no nonce"

# --- ID tokens that must be refused -------------------------------------------------------------------------
spoiled wrongnonce '{"id_token": {"nonce": "not-this-login"}}' "nonce" "an ID token with another login's nonce"
spoiled nononce '{"id_token": {"nonce": null}}' "no nonce" "an ID token without the nonce"
spoiled wrongaud '{"id_token": {"aud": "someone-else"}}' "aud" "an ID token issued to another client"
spoiled wrongiss '{"id_token": {"iss": "https://mix-up.example"}}' "iss" "an ID token of another issuer"
spoiled expired '{"id_token": {"exp": 1000000000, "iat": 999999000}}' "expired" "an expired ID token"
spoiled badsig '{"id_token_key": "bad-signature"}' "signature" "an ID token with a spoiled signature"
spoiled dropped '{"id_token_key": "drop"}' "has none" "a token response without an ID token"
before=$(requests_for 'GET /jwks')
spoiled stray '{"id_token_key": "stray"}' "key" "an ID token signed with a key the issuer never published"
tap_is "$(requests_for 'GET /jwks')" $((before + 1)) "... after fetching the key set again, once"

# --- an ID token signed with the client secret (HS256) ----------------------------------------------------
CLIENT=cc-hs256 AUTH=basic add_account hs "openid offline_access api:read"
rig_tb set-secret hs client-secret <<<"cc-hs256-secret-of-32-bytes-or-more"
rig_login hs
tap_is "$rc" 0 "a confidential client whose ID tokens are signed with its secret (HS256): the login succeeds"
tap_like "$(rt_of hs)" '.+' "... and the refresh token is stored"

# --- a key rotation: the new key is fetched, once -----------------------------------------------------------
add_account rotated "openid offline_access api:read"
before=$(requests_for 'GET /jwks')
control '{"id_token_key": "rotated"}'
rig_login rotated
control '{"id_token": null, "id_token_key": null}'
tap_is "$rc" 0 "the issuer rotated its keys (ES256 now): the login succeeds"
tap_is "$(requests_for 'GET /jwks')" $((before + 1)) "... with the key set fetched again, once"
tap_like "$(rt_of rotated)" '.+' "... and the refresh token stored"

# --- RFC 9207: the authorization response's iss ---------------------------------------------------------
add_account noiss "openid offline_access api:read"
FAKE_BROWSER_MODE=strip-iss rig_login noiss
tap_is "$rc" 4 "an authorization response without iss, which the issuer promises: the login fails"
tap_like "$out" "lacks the iss" "... saying so"
tap_like "$(last_page)" "Login failed" "... on the browser's page too"
tap_is "$(rt_of noiss)" "" "... and nothing was stored"
add_account mixup "openid offline_access api:read"
before=$(curl -s "$OIDC_URL/_stats" | rig_json_get token_requests)
FAKE_BROWSER_MODE=forge-iss rig_login mixup
tap_is "$rc" 4 "an authorization response naming another issuer (a mix-up): the login fails"
tap_like "$out" "another issuer" "... saying so"
tap_is "$(curl -s "$OIDC_URL/_stats" | rig_json_get token_requests)" "$before" \
        "... before its code went to the token endpoint"
tap_is "$(rt_of mixup)" "" "... and nothing was stored"

# --- the device flow: the ID token is checked too (no nonce in this flow) ---------------------------------
rig_tb add dev --issuer "$OIDC_URL" --client-id public --client-auth none --grant device_code \
        --scopes "openid offline_access api:read" >/dev/null 2>&1
control '{"id_token": {"aud": "someone-else"}}'
rig_device_login dev consent
control '{"id_token": null, "id_token_key": null}'
tap_is "$rc" 4 "device flow: an ID token for another client fails the login"
tap_like "$out" "ID token was refused: .*aud" "... saying why"
tap_is "$(rt_of dev)" "" "... and nothing was stored"
rig_device_login dev consent
tap_is "$rc" 0 "device flow: with the server's own ID token, the login succeeds"

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
