#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# DPoP (RFC 9449) against a real server (oidc-provider from npm, tests/oidc/server.mjs, which requires server
# nonces) and a resource server that checks proofs with node's jose: the account's key made once and kept in
# the keyring, a proof on every token request, the server's nonce (use_dpop_nonce) answered once and then
# remembered, tokens handed out as DPoP, proofs for resource requests (tokenbroker curl, dpop-proof, the token
# socket), a resource server's nonce, logins whose code is bound to the key (dpop_jkt), and what is refused.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_have_oidc_provider || tap_skip_all "oidc-provider is not installed (npm ci in tests/oidc)"
rig_start_oidc_provider OIDC || tap_bail "oidc-provider did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

export BROWSER="$abs_top_srcdir/tests/integration/fake-browser.py"
export FAKE_BROWSER_LOG="$RIG_DIR/browser.log"
API="$OIDC_URL/api/whoami"
stat() { rig_json_get "$1" "$(curl -s "$OIDC_URL/_stats")"; }
dpop_key() { secret-tool lookup account "$1" kind dpop-key; }
# The JOSE header or the claims of a compact JWS, as JSON.
jws_part() {
        "$PYTHON3" -c 'import base64,sys; p=sys.argv[1].split(".")[int(sys.argv[2])]; print(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())' "$1" "$2"
}
# RFC 7638 thumbprint of the EC key in a proof's header.
jkt_of_proof() {
        "$PYTHON3" -c '
import base64, hashlib, json, sys
p = sys.argv[1].split(".")[0]
k = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["jwk"]
c = json.dumps({m: k[m] for m in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
print(base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode())' "$1"
}

rig_tb add svc --issuer "$OIDC_URL" --client-id cc-basic --client-auth basic --scopes "api:read" \
        --set DPoP=true >/dev/null 2>&1
rig_tb set-secret svc client-secret <<<"cc-basic-secret"

# --- the token endpoint: a proof on every request, the server's nonce -------------------------------------
tap_is "$(dpop_key svc)" "" "before the first token the account has no DPoP key"
before=$(stat token_requests)
json=$(rig_tb token svc --json); rc=$?
tap_is "$rc" 0 "a DPoP account gets a token"
tap_is "$(rig_json_get token_type "$json")" "DPoP" "... handed out with its real type, DPoP"
tap_is "$(( $(stat token_requests) - before ))" 2 \
        "... after two requests: the first refused for want of the server's nonce (use_dpop_nonce), then again"
tap_is "$(stat dpop_token_requests)" "$(stat token_requests)" "... each with a DPoP proof"
key=$(dpop_key svc)
tap_like "$key" "BEGIN PRIVATE KEY" "the key was made on first use and is in the keyring (kind dpop-key)"
token=$(rig_json_get access_token "$json")

before=$(stat token_requests)
rig_tb token svc --resource urn:tokenbroker:other-api >/dev/null
tap_is "$(( $(stat token_requests) - before ))" 1 "the next token request carries the remembered nonce: one request"
tap_is "$(dpop_key svc)" "$key" "... signed with the same key"

# --- resource requests --------------------------------------------------------------------------------
out=$(curl -s -H "Authorization: Bearer $token" "$API")
tap_like "$out" "invalid_token" "the bound token is refused as a Bearer token by the resource server"

out=$(rig_tb curl svc -- -s "$API"); rc=$?
tap_is "$rc" 0 "tokenbroker curl with a DPoP token"
tap_is "$(rig_json_get method "$out")" "GET" "... the resource server accepted its proof for GET"
jkt=$(rig_json_get jkt "$out")
tap_like "$jkt" "^[A-Za-z0-9_-]{43}$" "... and the token is bound to a key (cnf.jkt)"

out=$(rig_tb curl svc -- -s -d x=1 "$API/items?page=2"); rc=$?
tap_is "$(rig_json_get method "$out")" "POST" "a POST with a query: the proof names POST and the URL without its query"
out=$(rig_tb curl svc -- -s -X PUT -o "$RIG_DIR/put.json" "$API/items/1"); rc=$?
tap_is "$rc:$(rig_json_get method "$(cat "$RIG_DIR/put.json")")" "0:PUT" "-X PUT with -o FILE: accepted, the body in the file"

proof=$(rig_tb dpop-proof svc GET "$API"); rc=$?
tap_is "$rc" 0 "tokenbroker dpop-proof prints a proof"
tap_is "$(rig_json_get typ "$(jws_part "$proof" 0)")" "dpop+jwt" "... typed dpop+jwt"
tap_is "$(jkt_of_proof "$proof")" "$jkt" "... carrying the public key the token is bound to"
tap_unlike "$(jws_part "$proof" 0)" '"d"' "... and never its private part"
claims=$(jws_part "$proof" 1)
tap_is "$(rig_json_get htm "$claims"):$(rig_json_get htu "$claims")" "GET:$API" "... for the method and URL given"
token=$(rig_tb token svc)
out=$(rig_tb token svc | sed 's/^/Authorization: DPoP /' |
        curl -s -H @- -H "DPoP: $(rig_tb dpop-proof svc GET "$API")" "$API")
tap_is "$(rig_json_get method "$out")" "GET" \
        "tokenbroker(1)'s example: the token on curl's stdin, the proof from dpop-proof, accepted"
out=$(curl -s -H "Authorization: DPoP $token" -H "DPoP: $proof" "$API")
tap_is "$(rig_json_get method "$out")" "GET" "the proof printed before is good for a request too"
out=$(curl -s -H "Authorization: DPoP $token" -H "DPoP: $proof" "$API")
tap_like "$out" "invalid_dpop_proof" "... once: the same proof again is a replay"
out=$(curl -s -X DELETE -H "Authorization: DPoP $token" -H "DPoP: $(rig_tb dpop-proof svc GET "$API")" "$API")
tap_like "$out" "invalid_dpop_proof" "a proof for GET does not serve a DELETE"

sock="$XDG_RUNTIME_DIR/tokenbroker/token"
out=$(timeout -k 5 60 "$PYTHON3" "$abs_top_srcdir/tests/frontend/wire-client.py" "$sock" call \
        org.tokenbroker.Broker1.GetDPoPProof "{\"account\": \"svc\", \"method\": \"PATCH\", \"url\": \"$API\", \"access-token\": \"$token\"}" recv)
proof=$(rig_json_get parameters.proof "$out")
out=$(curl -s -X PATCH -H "Authorization: DPoP $token" -H "DPoP: $proof" "$API")
tap_is "$(rig_json_get method "$out")" "PATCH" "the token socket's GetDPoPProof: a proof the resource server accepts"

# --- a resource server's nonce ------------------------------------------------------------------------
rig_server_ctl OIDC '{"rs_nonce": "rs-nonce-1"}'
out=$(rig_tb curl svc -- -s "$API"); rc=$?
tap_is "$rc:$(rig_json_get method "$out")" "0:GET" \
        "a resource server that wants its nonce: tokenbroker curl sends the request again with it"
tap_is "$(printf '%s' "$out" | grep -c error)" 0 "... and prints only the final answer, not the refusal"
tap_is "$(stat rs_nonce_challenges)" 1 "... after one challenge"
out=$(rig_tb curl svc -- -s "$API")
tap_is "$(rig_json_get method "$out"):$(stat rs_nonce_challenges)" "GET:1" "the daemon remembers that server's nonce"
claims=$(jws_part "$(rig_tb dpop-proof svc GET "$API")" 1)
tap_is "$(rig_json_get nonce "$claims")" "rs-nonce-1" "... and dpop-proof puts it in its proofs"
claims=$(jws_part "$(rig_tb dpop-proof svc GET "$API" --nonce rs-nonce-2)" 1)
tap_is "$(rig_json_get nonce "$claims")" "rs-nonce-2" "--nonce names another"
rig_server_ctl OIDC '{"rs_nonce": "rs-nonce-3"}'
out=$(rig_tb curl svc -- -s -w '\nstatus=%{http_code}\n' "$API" | tail -n 1)
tap_is "$out" "status=401" "with -w (more than the body on stdout) nothing is held back: curl runs once"
rig_server_ctl OIDC '{"rs_nonce": null}'

# --- the key outlives the daemon -----------------------------------------------------------------------
rig_restart_daemon || tap_bail "tokenbrokerd did not restart"
out=$(rig_tb curl svc -- -s "$API")
tap_is "$(rig_json_get jkt "$out")" "$jkt" "after a restart the account's tokens are bound to the same key"
tap_is "$(dpop_key svc)" "$key" "... the one kept in the keyring"

# --- a login: the code bound to the key, refreshes with proofs -------------------------------------------
rig_tb add app --issuer "$OIDC_URL" --client-id public --client-auth none --grant authorization_code \
        --scopes "openid offline_access api:read" --set RedirectURI=http://127.0.0.1:0/callback \
        --set DPoP=true >/dev/null 2>&1
rig_login app
tap_is "$rc" 0 "a login of a DPoP account succeeds"
tap_like "$out" "dpop_jkt=[A-Za-z0-9_-]{43}" "... its authorization request names the key (dpop_jkt)"
out=$(rig_tb curl app -- -s "$API")
tap_is "$(rig_json_get sub "$out")" "alice" "... and its token works with proofs"
app_jkt=$(rig_json_get jkt "$out")
tap_isnt "$app_jkt" "$jkt" "each account has its own key"
refreshes=$(rig_json_get grants.refresh_token "$(curl -s "$OIDC_URL/_stats")")
busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 Invalidate ss app "" >/dev/null
out=$(rig_tb curl app -- -s "$API")
tap_is "$(rig_json_get jkt "$out")" "$app_jkt" "a refresh of the bound refresh token, with a proof of the same key"
tap_is "$(rig_json_get grants.refresh_token "$(curl -s "$OIDC_URL/_stats")")" "$(( ${refreshes:-0} + 1 ))" \
        "... which the server granted"

rig_tb add dev --issuer "$OIDC_URL" --client-id public --client-auth none --grant device_code \
        --scopes "openid offline_access api:read" --set DPoP=true >/dev/null 2>&1
rig_device_login dev approve
tap_is "$rc" 0 "a device login of a DPoP account succeeds (polls with proofs)"
tap_is "$(rig_json_get token_type "$(rig_tb token dev --json)")" "DPoP" "... and its token is a DPoP token"

# --- refused ---------------------------------------------------------------------------------------------
rig_tb add gitdp --issuer "$OIDC_URL" --client-id cc-basic --client-auth basic --scopes "api:read" \
        --hosts "https://git.example.com/" --set DPoP=true >/dev/null 2>&1
rig_tb set-secret gitdp client-secret <<<"cc-basic-secret"
out=$(printf 'protocol=https\nhost=git.example.com\n\n' | "$abs_top_builddir/git-credential-tokenbroker" get 2>&1); rc=$?
tap_is "$rc" 9 "git's helper refuses an account with DPoP=true (exit 9): git cannot send a proof"
tap_like "$out" "DPoP=true" "... saying why"
tap_unlike "$out" "password=" "... and hands out no token"
mkdir -p "$RIG_DIR/no-socket" && chmod 0700 "$RIG_DIR/no-socket"
out=$(printf 'protocol=https\nhost=git.example.com\n\n' |
        env XDG_RUNTIME_DIR="$RIG_DIR/no-socket" "$abs_top_builddir/git-credential-tokenbroker" get 2>&1); rc=$?
tap_is "$rc" 9 "... on the session bus too"

rig_tb add plain --issuer "$OIDC_URL" --client-id cc-basic --client-auth basic --scopes "api:read" >/dev/null 2>&1
rig_tb set-secret plain client-secret <<<"cc-basic-secret"
tap_is "$(rig_json_get token_type "$(rig_tb token plain --json)")" "Bearer" "without DPoP=true: Bearer tokens"
out=$(rig_tb dpop-proof plain GET "$API" 2>&1); rc=$?
tap_is "$rc" 9 "dpop-proof for an account without DPoP=true: refused (exit 9)"
tap_like "$out" "does not use DPoP" "... saying why"
out=$(rig_tb dpop-proof svc GET relative/path 2>&1); rc=$?
tap_is "$rc" 2 "a URL that is not absolute http(s): refused (exit 2)"
out=$(rig_tb dpop-proof svc "GET X" "$API" 2>&1); rc=$?
tap_is "$rc" 2 "a method that is not an HTTP token: refused (exit 2)"
out=$(rig_tb dpop-proof svc GET "$API" --nonce 'a"b' 2>&1); rc=$?
tap_is "$rc" 2 "a nonce a proof cannot carry: refused (exit 2)"
out=$(rig_tb curl svc -- -s "$API" "$API/other" 2>&1); rc=$?
tap_is "$rc" 2 "tokenbroker curl with two URLs and a DPoP token: refused (exit 2)"
tap_like "$out" "more than one URL" "... saying why"
out=$(printf 'x' | rig_tb set-secret svc dpop-key 2>&1); rc=$?
tap_is "$rc" 2 "set-secret refuses the dpop-key kind (exit 2)"
tap_is "$(dpop_key svc)" "$key" "... and the key is unchanged"

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
