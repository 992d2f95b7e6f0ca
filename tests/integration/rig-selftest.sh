#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test rig on its own, without the daemon: the session, the TAP helpers, the loopback token server
# (grants, client authentication, failure injection, counters) and the cleanup of everything started.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

# --- the session --------------------------------------------------------------------------------------
tap_like "$HOME" "^${TB_SESSION_ROOT}/" "HOME is a private directory of this session"
tap_ok "a private session bus answers" busctl --user status org.freedesktop.DBus
tap_ok "the keyring owns org.freedesktop.secrets" busctl --user status org.freedesktop.secrets

# --- the TAP helpers: a failure is reported, the script goes on, the exit status tells ----------------
out=$(bash -c '. "$abs_top_srcdir/tests/lib/rig.sh"; tap_is a b "differs"; tap_ok "goes on" true;
        tap_status 3 "status" sh -c "exit 3"; tap_done' 2>&1)
rc=$?
tap_is "$(grep -E '^(not )?ok|^1\.\.' <<<"$out" | tr '\n' '|')" \
        "not ok 1 - differs|ok 2 - goes on|ok 3 - status|1..3|" "a failed tap_is does not stop the script"
tap_is "$rc" 1 "tap_done exits 1 after a failure"

# --- the token server -----------------------------------------------------------------------------------
cat >"$RIG_DIR/ts.json" <<'EOF'
{
  "access_ttl": 300,
  "clients": [
    {"id": "basic-client", "secret": "basic-secret", "auth_methods": ["client_secret_basic"],
     "grants": ["client_credentials"], "scopes": ["read", "write"]},
    {"id": "svc:a b", "secret": "p@ss w:rd+%", "auth_methods": ["client_secret_basic"],
     "grants": ["client_credentials"], "scopes": ["read"]},
    {"id": "public-client", "secret": null, "auth_methods": ["none"],
     "grants": ["password", "refresh_token"], "scopes": ["read", "offline_access"]}
  ],
  "users": {"alice": "wonderland"}
}
EOF
tap_ok "token server starts" rig_start_token_server TS --config "$RIG_DIR/ts.json" || tap_bail "no token server"
tap_like "$TS_URL" '^http://127\.0\.0\.1:[0-9]+$' "TS_URL is a loopback URL with the bound port"
tap_is "$TS_TOKEN_URL" "$TS_URL/token" "TS_TOKEN_URL is the token endpoint"

# post_token ARGS...: curl against the token endpoint; prints the body, then the status on its own line.
post_token() {
        curl -s --max-time 10 -w '\n%{http_code}' "$@" "$TS_TOKEN_URL"
}

reply=$(post_token -u basic-client:basic-secret -d grant_type=client_credentials -d scope=read)
tap_is "${reply##*$'\n'}" 200 "client_credentials with Basic authentication is answered 200"
body=${reply%$'\n'*}
tap_is "$(rig_json_get token_type "$body")" Bearer "token_type is Bearer"
tap_is "$(rig_json_get expires_in "$body")" 300 "expires_in is the configured lifetime"
tap_is "$(rig_json_get scope "$body")" read "the requested scope is granted"
token=$(rig_json_get access_token "$body")
who=$(curl -s --max-time 10 -H "Authorization: Bearer $token" "$TS_URL/api/whoami")
tap_is "$(rig_json_get sub "$who")" basic-client "the token is accepted by /api/whoami"
tap_is "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' "$TS_URL/api/whoami")" 401 \
        "/api/whoami refuses an unknown token"
tap_is "$(rig_server_stats TS token_requests)" 1 "the token request is counted"
tap_is "$(rig_server_stats TS grants.client_credentials)" 1 "the grant is counted"

# RFC 6749 2.3.1: id and secret are form-urlencoded before the Basic encoding.
basic=$("$PYTHON3" -c 'import base64, urllib.parse as u
print(base64.b64encode((u.quote_plus("svc:a b") + ":" + u.quote_plus("p@ss w:rd+%")).encode()).decode())')
reply=$(post_token -H "Authorization: Basic $basic" -d grant_type=client_credentials)
tap_is "${reply##*$'\n'}" 200 "Basic credentials are form-urldecoded after base64"

headers=$(curl -s --max-time 10 -D - -o /dev/null -u basic-client:wrong -d grant_type=client_credentials \
        "$TS_TOKEN_URL" | tr -d '\r')
tap_like "$headers" '^HTTP/1.1 401' "a wrong secret is answered 401"
tap_like "$headers" $'\nWWW-Authenticate: Basic' "with a WWW-Authenticate challenge"
reply=$(post_token -u basic-client:basic-secret -d grant_type=client_credentials -d client_secret=basic-secret)
tap_like "$reply" 'invalid_request.*400$' "credentials in header and body are refused"
reply=$(post_token -u basic-client:basic-secret -d grant_type=client_credentials -d scope=admin)
tap_like "$reply" 'invalid_scope.*400$' "an unknown scope is invalid_scope"

# --- refresh token rotation and reuse detection -------------------------------------------------------
body=$(post_token -d grant_type=password -d client_id=public-client -d username=alice -d password=wonderland)
rt1=$(rig_json_get refresh_token "${body%$'\n'*}")
body=$(post_token -d grant_type=refresh_token -d client_id=public-client --data-urlencode "refresh_token=$rt1")
tap_is "${body##*$'\n'}" 200 "a refresh token is accepted once"
rt2=$(rig_json_get refresh_token "${body%$'\n'*}")
tap_isnt "$rt2" "$rt1" "and rotated"
tap_is "$(rig_server_stats TS rt_reuse)" 0 "no reuse counted so far"
body=$(post_token -d grant_type=refresh_token -d client_id=public-client --data-urlencode "refresh_token=$rt1")
tap_like "$body" 'invalid_grant.*400$' "a rotated refresh token is refused"
tap_is "$(rig_server_stats TS rt_reuse)" 1 "and counted as reuse"
body=$(post_token -d grant_type=refresh_token -d client_id=public-client --data-urlencode "refresh_token=$rt2")
tap_like "$body" 'invalid_grant.*400$' "reuse revoked the whole grant family"

# --- failure injection ----------------------------------------------------------------------------------
tap_ok "injection is accepted" rig_server_ctl TS '{"inject": {"kind": "status", "status": 503, "retry_after": 2}}'
headers=$(curl -s --max-time 10 -D - -o /dev/null -u basic-client:basic-secret -d grant_type=client_credentials \
        "$TS_TOKEN_URL" | tr -d '\r')
tap_like "$headers" '^HTTP/1.1 503' "the next response is the injected 503"
tap_like "$headers" $'\nRetry-After: 2' "with Retry-After"
reply=$(post_token -u basic-client:basic-secret -d grant_type=client_credentials)
tap_is "${reply##*$'\n'}" 200 "the one after it is normal again"

rig_server_ctl TS '{"inject": [{"kind": "truncated"}, {"kind": "huge"}, {"kind": "redirect"}]}'
reply=$(post_token -u basic-client:basic-secret -d grant_type=client_credentials)
tap_fails "truncated JSON does not parse" rig_json_get access_token "${reply%$'\n'*}"
size=$(curl -s --max-time 10 -o /dev/null -w '%{size_download}' -u basic-client:basic-secret \
        -d grant_type=client_credentials "$TS_TOKEN_URL")
tap_ok "a huge body is over 10 MiB" test "$size" -gt $((10 << 20))
tap_is "$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -u basic-client:basic-secret \
        -d grant_type=client_credentials "$TS_TOKEN_URL")" 302 "a redirect is injected"
tap_is "$(rig_server_stats TS injected)" 4 "every injection is counted"

# Three requests held for a second each overlap; the server sees them at once.
rig_server_ctl TS '{"inject": {"kind": "delay", "seconds": 1, "count": 3}}'
curls=()
for i in 1 2 3; do
        curl -s --max-time 10 -o "$RIG_DIR/par$i" -u basic-client:basic-secret -d grant_type=client_credentials \
                "$TS_TOKEN_URL" &
        curls+=($!)
done
wait "${curls[@]}"
tap_is "$(rig_server_stats TS concurrent_max)" 3 "concurrent requests are counted"

# A short lifetime set live: the token stops working once it expired.
rig_server_ctl TS '{"config": {"access_ttl": 1}}'
reply=$(post_token -u basic-client:basic-secret -d grant_type=client_credentials)
token=$(rig_json_get access_token "${reply%$'\n'*}")
sleep 1.2
tap_is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$TS_URL/api/whoami")" 401 \
        "an expired token is refused"

# --- the real OAuth2 server, when its node modules are installed --------------------------------------
if rig_have_oidc_provider; then
        tap_ok "oidc-provider starts" rig_start_oidc_provider OIDC
        for c in basic post; do
                if [ $c = basic ]; then
                        auth=(-u cc-basic:cc-basic-secret)
                else
                        auth=(-d client_id=cc-post -d client_secret=cc-post-secret)
                fi
                reply=$(curl -s --max-time 10 -w '\n%{http_code}' "${auth[@]}" -d grant_type=client_credentials \
                        -d scope=api:read "$OIDC_TOKEN_URL")
                tap_is "${reply##*$'\n'}" 200 "oidc-provider: client_credentials with client_secret_$c"
        done
        token=$(rig_json_get access_token "${reply%$'\n'*}")
        who=$(curl -s --max-time 10 -H "Authorization: Bearer $token" "$OIDC_URL/api/whoami")
        tap_is "$(rig_json_get client_id "$who")" cc-post "oidc-provider: its token is accepted by /api/whoami"
        reply=$(curl -s --max-time 10 -w '\n%{http_code}' -d client_id=public -d grant_type=client_credentials \
                "$OIDC_TOKEN_URL")
        tap_like "$reply" '400$' "oidc-provider: a public client may not use client_credentials (RFC 6749 4.4)"
        reply=$(curl -s --max-time 10 -w '\n%{http_code}' -u cc-basic:wrong -d grant_type=client_credentials \
                "$OIDC_TOKEN_URL")
        tap_like "$reply" 'invalid_client.*401$' "oidc-provider: a wrong secret is invalid_client"

        # The login pages approve by themselves: an authorization request ends at the redirect_uri.
        verifier=$("$PYTHON3" -c 'import secrets; print(secrets.token_urlsafe(48))')
        challenge=$("$PYTHON3" -c 'import base64, hashlib, sys
print(base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).rstrip(b"=").decode())' "$verifier")
        redirect=$(rig_oidc_browse OIDC "$OIDC_URL/auth?client_id=public&response_type=code&scope=openid%20api%3Aread&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&code_challenge=$challenge&code_challenge_method=S256&state=s1")
        tap_like "$redirect" '^http://127\.0\.0\.1:9/callback\?code=[^&]+&state=s1' "oidc-provider: login and consent need no person"
        code=$("$PYTHON3" -c 'import sys, urllib.parse as u
print(u.parse_qs(u.urlparse(sys.argv[1]).query)["code"][0])' "$redirect")
        reply=$(curl -s --max-time 10 -w '\n%{http_code}' -d grant_type=authorization_code -d client_id=public \
                --data-urlencode "code=$code" -d redirect_uri=http://127.0.0.1:9/callback \
                -d "code_verifier=$verifier" "$OIDC_TOKEN_URL")
        tap_is "${reply##*$'\n'}" 200 "oidc-provider: the code is exchanged with its PKCE verifier"

        device=$(curl -s --max-time 10 -d client_id=public -d scope=api:read "$OIDC_URL/device/auth")
        tap_ok "oidc-provider: a device user code is approved" \
                rig_oidc_approve_device OIDC "$(rig_json_get user_code "$device")"
        reply=$(curl -s --max-time 10 -w '\n%{http_code}' -d grant_type=urn:ietf:params:oauth:grant-type:device_code \
                -d client_id=public --data-urlencode "device_code=$(rig_json_get device_code "$device")" "$OIDC_TOKEN_URL")
        tap_is "${reply##*$'\n'}" 200 "oidc-provider: and the device code yields tokens"
else
        tap_skip "oidc-provider" "tests/oidc/node_modules is not installed"
fi

# --- cleanup --------------------------------------------------------------------------------------------
pids="${RIG_PIDS[*]}"
rig_cleanup
left=
for pid in $pids; do
        ! kill -0 "$pid" 2>/dev/null || left="$left $pid"
done
tap_is "$left" "" "cleanup stopped every server"
# A command substitution of one simple command execs it in the forked child, and pgrep leaves itself out.
tap_is "$(pgrep -P $$)" "" "no child process is left"
tap_done
