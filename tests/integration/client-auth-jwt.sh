#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Client authentication with keys (RFC 7523) against a real server (oidc-provider from npm,
# tests/oidc/server.mjs): `tokenbroker keygen` makes the key in the daemon's keyring and prints the public JWK,
# which is registered with the server (RFC 7591); then client_credentials, a login (its pushed request and
# code exchange), its refresh and the revocation each authenticate with a fresh private_key_jwt assertion, and
# client_secret_jwt with the secret.
# The refusals: a key the server does not know, a wrong secret, a missing key, a second keygen.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_have_oidc_provider || tap_skip_all "oidc-provider is not installed (npm ci in tests/oidc)"
rig_start_oidc_provider OIDC --access-ttl 3 || tap_bail "oidc-provider did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

export BROWSER="$abs_top_srcdir/tests/integration/fake-browser.py"
export FAKE_BROWSER_LOG="$RIG_DIR/browser.log"
whoami() { curl -s -H "Authorization: Bearer $1" "$OIDC_URL/api/whoami"; }
rt_of() { secret-tool lookup account "$1" kind refresh-token; }
# register JSON: an RFC 7591 registration; prints the client_id the server assigned.
register() {
        curl -s -H 'Content-Type: application/json' -d "$1" "$OIDC_URL/reg" | rig_json_get client_id
}
# thumbprint JWK: RFC 7638, computed here independently of the daemon.
thumbprint() {
        "$PYTHON3" -c 'import base64, hashlib, json, sys
k = json.loads(sys.argv[1])
req = {"EC": ["crv", "kty", "x", "y"], "RSA": ["e", "kty", "n"], "OKP": ["crv", "kty", "x"]}[k["kty"]]
c = json.dumps({m: k[m] for m in req}, separators=(",", ":"), sort_keys=True)
print(base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode())' "$1"
}

# --- keygen: the key stays in the daemon, the public key comes out --------------------------------------
rig_tb add pk --token-url "$OIDC_TOKEN_URL" --client-id not-yet-registered --client-auth private_key_jwt \
        --scopes "api:read" >/dev/null 2>&1
out=$(rig_tb token pk 2>&1); rc=$?
tap_is "$rc" 9 "private_key_jwt without a key: a configuration error (exit 9)"
tap_like "$out" "tokenbroker keygen pk" "... saying how to make one"
jwks=$(rig_tb keygen pk --jwks 2>"$RIG_DIR/keygen.err"); rc=$?
tap_is "$rc" 0 "tokenbroker keygen makes a key"
jwk=$(rig_json_get keys.0 "$jwks")
tap_is "$(rig_json_get kty "$jwk") $(rig_json_get crv "$jwk") $(rig_json_get alg "$jwk")" "EC P-256 ES256" \
        "... an EC P-256 key for ES256 by default, printed in a JWKS document"
tap_is "$(rig_json_get d "$jwk")" "" "... with no private part in what is printed"
tap_is "$(rig_json_get kid "$jwk")" "$(thumbprint "$jwk")" "... its kid is the RFC 7638 thumbprint"
tap_like "$(cat "$RIG_DIR/keygen.err")" "Register the public key" "... and it says what to do with it"
tap_like "$(secret-tool lookup account pk kind private-key)" "BEGIN PRIVATE KEY" \
        "the private key is in the keyring (PKCS#8)"
x=$(rig_json_get x "$jwk")
tap_is "$(rig_json_get x "$(rig_tb public-key pk)")" "$x" "tokenbroker public-key prints the same public key again"
out=$(rig_tb keygen pk 2>&1); rc=$?
tap_is "$rc" 2 "a second keygen without --replace is refused (exit 2)"
tap_like "$out" "has a private key already" "... saying why"
tap_is "$(rig_json_get x "$(rig_tb public-key pk)")" "$x" "... and the key is unchanged"
out=$(printf 'x\n' | rig_tb set-secret pk private-key 2>&1); rc=$?
tap_isnt "$rc" 0 "a private key cannot be set through set-secret"
tap_like "$out" "keygen" "... which points to keygen"

# --- the server knows the key: tokens with private_key_jwt ---------------------------------------------
id=$(register "{\"jwks\": $jwks, \"token_endpoint_auth_method\": \"private_key_jwt\",
        \"grant_types\": [\"client_credentials\"], \"response_types\": [], \"redirect_uris\": [],
        \"scope\": \"api:read api:write\"}")
tap_like "$id" '.+' "the public key is registered with the server (RFC 7591)"
rig_tb add pk --token-url "$OIDC_TOKEN_URL" --client-id "$id" --client-auth private_key_jwt --scopes "api:read" \
        --replace >/dev/null 2>&1
t=$(rig_tb token pk)
tap_like "$(whoami "$t")" "\"client_id\": ?\"$id\"" "private_key_jwt: the server accepts the assertion and issues a token"
sleep 3.2
t2=$(rig_tb token pk)
tap_isnt "$t2" "$t" "... and again after that token expired: a fresh assertion (a new jti) each time"
tap_like "$(whoami "$t2")" "\"client_id\": ?\"$id\"" "... which the server accepts too"
rig_restart_daemon || tap_bail "tokenbrokerd did not restart"
out=$(rig_tb token pk 2>&1); rc=$?
tap_is "$rc" 0 "after a restart the key is read back from the keyring (PEM, lines and all)"
tap_like "$(whoami "$out")" "\"client_id\": ?\"$id\"" "... and signs assertions the server accepts"

rig_tb add stranger --token-url "$OIDC_TOKEN_URL" --client-id "$id" --client-auth private_key_jwt >/dev/null 2>&1
rig_tb keygen stranger >/dev/null 2>&1
out=$(rig_tb token stranger 2>&1); rc=$?
tap_is "$rc" 5 "a key the server never registered: the provider refuses (exit 5)"
tap_like "$out" "invalid_client" "... with invalid_client"

rig_tb add pk-kid --token-url "$OIDC_TOKEN_URL" --client-id x --client-auth private_key_jwt --set KeyID=my-key-1 \
        >/dev/null 2>&1
tap_is "$(rig_json_get kid "$(rig_tb keygen pk-kid 2>/dev/null)")" "my-key-1" "KeyID= names the key"

rig_tb add pk-rsa --token-url "$OIDC_TOKEN_URL" --client-id x --client-auth private_key_jwt --scopes "api:read" \
        >/dev/null 2>&1
jwks=$(rig_tb keygen pk-rsa --type rsa --jwks 2>/dev/null)
tap_is "$(rig_json_get keys.0.kty "$jwks") $(rig_json_get keys.0.alg "$jwks")" "RSA RS256" "keygen --type rsa: an RSA key for RS256"
id=$(register "{\"jwks\": $jwks, \"token_endpoint_auth_method\": \"private_key_jwt\",
        \"grant_types\": [\"client_credentials\"], \"response_types\": [], \"redirect_uris\": [],
        \"scope\": \"api:read\"}")
rig_tb add pk-rsa --token-url "$OIDC_TOKEN_URL" --client-id "$id" --client-auth private_key_jwt --scopes "api:read" \
        --replace >/dev/null 2>&1
tap_like "$(whoami "$(rig_tb token pk-rsa)")" "\"client_id\": ?\"$id\"" "... which the server accepts"

# --- client_secret_jwt --------------------------------------------------------------------------------
rig_tb add sj --token-url "$OIDC_TOKEN_URL" --client-id cc-jwt --client-auth client_secret_jwt --scopes "api:read" \
        >/dev/null 2>&1
rig_tb set-secret sj client-secret <<<"cc-jwt-secret-of-32-bytes-or-more"
tap_like "$(whoami "$(rig_tb token sj)")" '"client_id": ?"cc-jwt"' "client_secret_jwt: an HS256 assertion with the secret"
rig_tb add sj2 --token-url "$OIDC_TOKEN_URL" --client-id cc-jwt --client-auth client_secret_jwt >/dev/null 2>&1
rig_tb set-secret sj2 client-secret <<<"not-the-secret-of-this-client-at-all"
out=$(rig_tb token sj2 2>&1); rc=$?
tap_is "$rc" 5 "client_secret_jwt with the wrong secret: refused (exit 5)"
tap_like "$out" "invalid_client" "... with invalid_client"

# --- a login, its refresh and the revocation, each with an assertion ---------------------------------------
rig_tb add app --issuer "$OIDC_URL" --client-id placeholder --client-auth private_key_jwt --grant authorization_code \
        --scopes "openid offline_access api:read" --set RedirectURI=http://127.0.0.1:0/callback >/dev/null 2>&1
jwks=$(rig_tb keygen app --jwks 2>/dev/null)
id=$(register "{\"jwks\": $jwks, \"token_endpoint_auth_method\": \"private_key_jwt\", \"application_type\": \"native\",
        \"grant_types\": [\"authorization_code\", \"refresh_token\"], \"response_types\": [\"code\"],
        \"redirect_uris\": [\"http://127.0.0.1/callback\"], \"scope\": \"openid offline_access api:read\"}")
rig_tb add app --issuer "$OIDC_URL" --client-id "$id" --client-auth private_key_jwt --grant authorization_code \
        --scopes "openid offline_access api:read" --set RedirectURI=http://127.0.0.1:0/callback --set PAR=true \
        --replace >/dev/null 2>&1
out=$(rig_tb login app 2>&1); rc=$?
tap_is "$rc" 0 "a login of a private_key_jwt client: its pushed request and code exchange authenticate with assertions"
tap_like "$out" "request_uri=" "... the request was pushed (PAR=true)"
rt1=$(rt_of app)
tap_like "$rt1" '.+' "... and the refresh token is stored"
sleep 3.2
tap_like "$(whoami "$(rig_tb token app)")" '"sub": ?"alice"' "the refresh authenticates with an assertion too"
tap_isnt "$(rt_of app)" "$rt1" "... and the rotated refresh token was stored"
out=$(rig_tb revoke app); rc=$?
tap_is "$rc" 0 "the revocation authenticates with an assertion"
tap_like "$out" "refresh token revoked" "... and the refresh token is revoked"

# --- on D-Bus: the error classes GenerateKey and GetPublicKey promise ------------------------------------
err=$(busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 GenerateKey \
        'ssa{sv}' pk ec 0 2>&1)
tap_like "$err" "has a private key already" "GenerateKey on an account with a key, without replace: refused"
err=$(gdbus call --session --dest org.tokenbroker.Broker1 --object-path /org/tokenbroker/Broker1 \
        --method org.tokenbroker.Broker1.GenerateKey pk ec '{}' 2>&1)
tap_like "$err" "org.tokenbroker.Error.Exists" "... as org.tokenbroker.Error.Exists"
rig_tb add nokey --token-url "$OIDC_TOKEN_URL" --client-id x --client-auth private_key_jwt >/dev/null 2>&1
err=$(gdbus call --session --dest org.tokenbroker.Broker1 --object-path /org/tokenbroker/Broker1 \
        --method org.tokenbroker.Broker1.GetPublicKey nokey 2>&1)
tap_like "$err" "org.tokenbroker.Error.MissingSecret" "GetPublicKey without a key: org.tokenbroker.Error.MissingSecret"
tap_status 9 "... and tokenbroker public-key exits 9" rig_tb public-key nokey
out=$(gdbus call --session --dest org.tokenbroker.Broker1 --object-path /org/tokenbroker/Broker1 \
        --method org.tokenbroker.Broker1.GenerateKey nokey '' '{"replace": <true>}' 2>&1)
tap_like "$out" "ES256" "GenerateKey with type \"\" makes an EC key, and replace is accepted"
log="${TB_SESSION_ROOT:-$RIG_DIR}/tokenbrokerd.log"
tap_ok "the daemon logged (so the next check looks at something)" test -s "$log"
tap_unlike "$(cat "$log")" "PRIVATE KEY" "the private key is never logged"

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
