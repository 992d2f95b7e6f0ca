#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The five provider emulators (tests/servers/provider-server.py) against what providers.md says each real
# service enforces: the happy path, every documented error with its exact status and fields, client
# authentication in the wrong place, request encodings, single-use codes, refresh-token rotation and reuse,
# expiry, the API routes, and both variants of each [unconfirmed] switch. Pure HTTP: no bus, no keyring.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_init

# ---------------------------------------------------------------------------------------------------------
# Helpers

# http CURL-ARGS...: one request; sets STATUS, BODY and HEADERS (CRs removed).
http() {
        local out
        out=$(curl -s --max-time 10 -D "$RIG_DIR/headers" -w '\n%{http_code}' "$@")
        STATUS=${out##*$'\n'}
        BODY=${out%$'\n'*}
        HEADERS=$(tr -d '\r' <"$RIG_DIR/headers")
}

# post_json URL JSON [CURL-ARGS...]
post_json() {
        local url=$1 json=$2
        shift 2
        http -H 'Content-Type: application/json' --data-binary "$json" "$@" "$url"
}

# get PATH [JSON]: a value of BODY (or JSON), as rig_json_get prints it; "<none>" when it is absent.
get() {
        rig_json_get "$1" "${2-$BODY}" || echo "<none>"
}

# keys PATH [JSON]: the keys of the object at PATH, in order, comma-separated.
keys() {
        rig_json_get "$1" "${2-$BODY}" | "$PYTHON3" -c 'import json, sys; print(",".join(json.load(sys.stdin)))'
}

# compact [JSON]: BODY (or JSON) re-encoded without spaces, keys kept in order: compares exact bodies.
compact() {
        printf '%s' "${1-$BODY}" | "$PYTHON3" -c 'import json, sys
print(json.dumps(json.load(sys.stdin), separators=(",", ":")))' 2>/dev/null || echo "<not JSON>"
}

# claims JWT: the JWT's payload (not verified), as JSON.
claims() {
        "$PYTHON3" -c 'import base64, sys
p = sys.argv[1].split(".")[1]
print(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())' "$1" 2>/dev/null || echo "<not a JWT>"
}

# header NAME: the value of response header NAME in HEADERS.
header() {
        sed -n "s/^$1: //Ip" <<<"$HEADERS" | head -n 1
}

# tokens_same 0|1 DESC A B: A equals B (1) or differs (0), without printing either: they are tokens.
tokens_same() {
        local same=1
        [ "$3" = "$4" ] || same=0
        [ -n "$3" ] && [ -n "$4" ] || same=-1
        tap_result "$((same != $1))" "$2"
}

# tamper TOKEN: TOKEN with its last character changed (a broken signature).
tamper() {
        if [ "${1: -1}" = A ]; then echo "${1%?}B"; else echo "${1%?}A"; fi
}

# ok_status WANT DESC: STATUS is WANT; the body goes to diagnostics otherwise.
ok_status() {
        tap_is "$STATUS" "$1" "$2" || tap_diag "body: ${BODY:0:300}"
}

# stat NAME PATH: a counter of server NAME.
stat() {
        rig_server_stats "$1" "$2"
}

# ctl NAME JSON: live config or injections; the test fails loudly when the server refuses.
ctl() {
        rig_server_ctl "$1" "$2" || tap_fail "control request accepted by $1" "$2"
}

form=application/x-www-form-urlencoded
for p in flaik floriday flixcheck flume sharetribe; do
        tap_ok "$p emulator starts" rig_start_provider "${p^^}" "$p" || tap_bail "no $p emulator"
done

# ---------------------------------------------------------------------------------------------------------
# The launcher and the shared control

tap_fails "an unknown --set key is refused at start" timeout 10 "$PYTHON3" \
        "$abs_top_srcdir/tests/servers/provider-server.py" flaik --set no_such_key=1
tap_ok "--set values are JSON when they parse" rig_start_provider SHT sharetribe --set error_body=text \
        --set access_ttl=77
http -d client_id=sharetribe-client -d grant_type=client_credentials -d scope=public-read "$SHT_URL/v1/auth/token"
tap_is "$(get expires_in)" 77 "--set access_ttl=77 is an integer"
http -d client_id=nobody -d grant_type=client_credentials -d scope=public-read "$SHT_URL/v1/auth/token"
tap_is "$BODY" Unauthorized "--set error_body=text is a string"
rig_stop SHT
tap_fails "/_control refuses an unknown config key" rig_server_ctl FLAIK '{"config": {"no_such_key": 1}}'

# =========================================================================================================
# flaikConnect

TOK=$FLAIK_URL/connect/token
ALL="flaik.connect.api.read flaik.connect.api.write"
http -u flaik-client:flaik-secret -d grant_type=client_credentials --data-urlencode "scope=$ALL" "$TOK"
ok_status 200 "flaik: client_credentials with Basic"
tap_is "$(keys '')" access_token,token_type,expires_in,scope "flaik: the documented fields, in order"
tap_is "$(get token_type),$(get expires_in),$(get scope)" "Bearer,600,$ALL" "flaik: Bearer, 600 s, the scopes"
tap_is "$(get refresh_token)" "<none>" "flaik: no refresh token"
flaik_at=$(get access_token)
tap_like "$(claims "$flaik_at")" '"client_id":"flaik-client"' "flaik: the access token is a JWT"

http -u flaik-reader:flaik-reader-secret -d grant_type=client_credentials "$TOK"
tap_is "$STATUS:$(get scope)" "200:flaik.connect.api.read" "flaik: no scope asked grants the assigned ones"
http -u flaik-reader:flaik-reader-secret -d grant_type=client_credentials --data-urlencode "scope=$ALL" "$TOK"
tap_is "$STATUS:$(get error)" 400:invalid_scope "flaik: an unassigned scope is 400 invalid_scope"
http -u flaik-client:wrong -d grant_type=client_credentials "$TOK"
tap_is "$STATUS $(compact)" '400 {"error":"invalid_client","error_description":"Client authentication failed"}' \
        "flaik: a wrong secret is 400 with the documented body"
http -d client_id=flaik-client -d client_secret=flaik-secret -d grant_type=client_credentials "$TOK"
tap_is "$STATUS:$(get error)" 400:invalid_client "flaik: client_secret_post is refused by default"
http -u flaik-client:flaik-secret -H 'Content-Type: application/json' \
        --data-binary '{"grant_type":"client_credentials"}' "$TOK"
tap_is "$STATUS:$(get error)" 400:invalid_request "flaik: a JSON body is 400 invalid_request"
http -u flaik-client:flaik-secret "$TOK"
tap_is "$STATUS:$(get error)" 400:invalid_request "flaik: GET on the token endpoint is 400 invalid_request"
http -u flaik-client:flaik-secret -d grant_type=password -d username=a -d password=b "$TOK"
tap_is "$STATUS:$(get error)" 400:unsupported_grant_type "flaik: another grant is unsupported_grant_type"

# The doc's own example sends a Content-Type and an empty body with its GETs.
http -H "Authorization: Bearer $flaik_at" -H "Content-Type: $form" "$FLAIK_URL/health"
tap_is "$STATUS $(compact)" \
        '200 {"id":1,"accountName":"your_account","region":"us-west-2","environment":"staging","appName":"Connect"}' \
        "flaik: /health answers the documented JSON, a Content-Type on GET tolerated"
http -H "Authorization: Bearer $flaik_at" "$FLAIK_URL/api/globalsettings/resort"
tap_like "$STATUS $BODY" '^200 \{' "flaik: /api/globalsettings/resort answers JSON"
http "$FLAIK_URL/health"
tap_is "$STATUS|$BODY|$(header WWW-Authenticate)" "401||Bearer" \
        "flaik: no token: 401, empty body, WWW-Authenticate: Bearer"
http -H "Authorization: Bearer $(tamper "$flaik_at")" "$FLAIK_URL/api/globalsettings/resort"
ok_status 401 "flaik: a tampered token is refused"
tap_is "$(stat FLAIK api_ok),$(stat FLAIK api_fail)" 2,2 "flaik: API answers are counted"
tap_is "$(stat FLAIK grants.client_credentials),$(stat FLAIK tokens_issued)" 5,2 \
        "flaik: grants and issued tokens are counted"

ctl FLAIK '{"config": {"invalid_client_status": 401, "allow_client_secret_post": true}}'
http -u flaik-client:wrong -d grant_type=client_credentials "$TOK"
tap_is "$STATUS:$(get error)" 401:invalid_client "flaik: invalid_client_status=401 switches the status"
http -d client_id=flaik-client -d client_secret=flaik-secret -d grant_type=client_credentials "$TOK"
ok_status 200 "flaik: allow_client_secret_post=true accepts the secret in the body"
ctl FLAIK '{"config": {"invalid_client_status": 400, "allow_client_secret_post": false}}'

http "$FLAIK_URL/.well-known/openid-configuration"
ok_status 404 "flaik: no discovery document by default"
ctl FLAIK '{"config": {"discovery": true}}'
http "$FLAIK_URL/.well-known/openid-configuration"
tap_is "$STATUS $(get token_endpoint)" "200 $TOK" "flaik: discovery=true serves one naming the token endpoint"

ctl FLAIK '{"inject": {"kind": "status", "status": 503, "retry_after": 3}}'
http -u flaik-client:flaik-secret -d grant_type=client_credentials "$TOK"
tap_is "$STATUS:$(header Retry-After)" 503:3 "flaik: a failure injected on the token endpoint by default"
http -u flaik-client:flaik-secret -d grant_type=client_credentials "$TOK"
tap_is "$STATUS:$(stat FLAIK injected)" 200:1 "flaik: only once, and counted"
ctl FLAIK '{"reset": true}'
tap_is "$(stat FLAIK token_requests)" 0 "flaik: reset clears the counters"

# =========================================================================================================
# Floriday (Okta)

ASID=ausmw6b47z1BnlHkw0h7
ISS=$FLORIDAY_URL/oauth2/$ASID
TOK=$ISS/v1/token
SCOPES="role:app catalog:read supply:write"
http "$ISS/.well-known/oauth-authorization-server?client_id=floriday-client"
ok_status 200 "floriday: metadata at the authorization server's path (with ?client_id=)"
tap_is "$(get issuer) $(get token_endpoint) $(get revocation_endpoint)" "$ISS $TOK $ISS/v1/revoke" \
        "floriday: issuer, token and revocation endpoints"
tap_is "$(get jwks_uri),$(get request_parameter_supported)" "$ISS/v1/keys,true" \
        "floriday: Okta's other keys are there for a client to ignore"
legacy=$(compact)
http "$FLORIDAY_URL/.well-known/oauth-authorization-server/oauth2/$ASID"
tap_is "$STATUS $(compact)" "200 $legacy" "floriday: the same metadata at the RFC 8414 path"
http "$FLORIDAY_URL/oauth2/nope/.well-known/oauth-authorization-server"
tap_is "$STATUS $(get errorCode) $(get errorLink) $(get errorCauses)" "404 E0000007 E0000007 []" \
        "floriday: an unknown authorization server is Okta's 404 E0000007"
tap_is "$(get errorSummary)" "Not found: Resource not found: nope (AuthorizationServer)" \
        "floriday: with Okta's errorSummary"
http -d grant_type=client_credentials "$FLORIDAY_URL/oauth2/nope/v1/token"
ok_status 404 "floriday: the token endpoint of an unknown server is 404 too"

post_creds=(-d client_id=floriday-client -d client_secret=floriday-secret)
http -H 'Accept: application/json' -d grant_type=client_credentials "${post_creds[@]}" \
        --data-urlencode "scope=$SCOPES" "$TOK"
ok_status 200 "floriday: client_credentials with the secret in the body"
tap_is "$(keys '')" token_type,expires_in,access_token,scope "floriday: Okta's field order"
tap_is "$(get token_type),$(get expires_in),$(get scope),$(get refresh_token)" "Bearer,3600,$SCOPES,<none>" \
        "floriday: Bearer, 3600 s, the scopes, no refresh token"
flo_at=$(get access_token)
jwt=$(claims "$flo_at")
tap_is "$(keys '' "$jwt")" ver,jti,iss,aud,iat,exp,cid,scp,sub "floriday: the JWT carries Okta's claims"
tap_is "$(get iss "$jwt") $(get cid "$jwt") $(get sub "$jwt") $(get scp "$jwt")" \
        "$ISS floriday-client floriday-client [\"role:app\", \"catalog:read\", \"supply:write\"]" \
        "floriday: iss, cid, sub and scp (an array)"

http -u floriday-client:floriday-secret -d grant_type=client_credentials --data-urlencode "scope=$SCOPES" "$TOK"
tap_is "$STATUS $(compact)" \
        '401 {"error":"invalid_client","error_description":"The client secret supplied for a confidential client is invalid."}' \
        "floriday: Basic alone is refused as Okta does"
http -u floriday-client:floriday-secret "${post_creds[@]}" -d grant_type=client_credentials \
        --data-urlencode "scope=$SCOPES" "$TOK"
tap_is "$STATUS:$(get error)" 400:invalid_request "floriday: credentials in header and body: 400 invalid_request"
http -d grant_type=client_credentials --data-urlencode "scope=$SCOPES" "$TOK"
tap_is "$STATUS $(compact)" '401 {"error":"invalid_client","error_description":"No client credentials found."}' \
        "floriday: no credentials: 401 No client credentials found."
http -d client_id=floriday-client -d client_secret=wrong -d grant_type=client_credentials \
        --data-urlencode "scope=$SCOPES" "$TOK"
tap_is "$STATUS:$(get error)" 401:invalid_client "floriday: a wrong secret is 401 invalid_client"
http "${post_creds[@]}" -d grant_type=client_credentials -d scope=admin:everything "$TOK"
unconfigured="One or more scopes are not configured for the authorization server resource."
tap_is "$STATUS $(compact)" "400 {\"error\":\"invalid_scope\",\"error_description\":\"$unconfigured\"}" \
        "floriday: an unknown scope is 400 invalid_scope"
http "${post_creds[@]}" -d grant_type=password -d username=a -d password=b "$TOK"
tap_is "$STATUS:$(get error)" 400:unsupported_grant_type "floriday: another grant is unsupported_grant_type"
http -H 'Content-Type: application/json' --data-binary '{"grant_type":"client_credentials"}' "$TOK"
tap_is "$STATUS:$(get error)" 400:invalid_request "floriday: a JSON body is 400 invalid_request"

KEY=$FLORIDAY_URL/suppliers-api-2025v2/auth/key
http -H "Authorization: Bearer $flo_at" -H "X-Api-Key: floriday-api-key" "$KEY"
tap_is "$STATUS $(get clientId) $(get organizationId)" "200 floriday-client 8b3d3a5e-0000-4000-8000-000000000001" \
        "floriday: auth/key with Bearer and X-Api-Key names the client and organisation"
http -H "Authorization: Bearer $flo_at" "$KEY"
ok_status 401 "floriday: no X-Api-Key is refused (401 by default)"
http -H "Authorization: Bearer $flo_at" -H "X-Api-Key: wrong" "$KEY"
ok_status 401 "floriday: a wrong X-Api-Key is refused"
http -H "X-Api-Key: floriday-api-key" "$KEY"
ok_status 401 "floriday: the key without a Bearer is refused"
ctl FLORIDAY '{"config": {"api_key_status": 403}}'
http -H "Authorization: Bearer $flo_at" -H "X-Api-Key: wrong" "$KEY"
tap_like "$STATUS $BODY" '^403 \{"message"' "floriday: api_key_status=403 answers 403 with a JSON body"
ctl FLORIDAY '{"config": {"api_key_status": 401}}'

http -u floriday-client:floriday-secret --data-urlencode "token=$flo_at" "$ISS/v1/revoke"
ok_status 401 "floriday: revocation takes the same client authentication"
http "${post_creds[@]}" --data-urlencode "token=$flo_at" -d token_type_hint=access_token "$ISS/v1/revoke"
tap_is "$STATUS|$BODY" "200|" "floriday: RFC 7009 revocation answers 200, empty"
http -H "Authorization: Bearer $flo_at" -H "X-Api-Key: floriday-api-key" "$KEY"
ok_status 401 "floriday: a revoked token is refused"
tap_is "$(stat FLORIDAY revocations),$(stat FLORIDAY api_ok),$(stat FLORIDAY api_fail)" 1,1,5 \
        "floriday: revocations and API answers are counted"

# =========================================================================================================
# Flixcheck

AUTH=$FLIXCHECK_URL/portal/oauth/authorize
TOK=$FLIXCHECK_URL/guest/v7/oauth-tokens
CB=http://127.0.0.1:9/cb
q="clientId=flix-client&redirectUri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code&scope=readwrite"
http "$AUTH?$q&state=open"
tap_is "$STATUS $(header Content-Type)" "200 text/html;charset=UTF-8" "flixcheck: the consent page is HTML"
tap_like "$BODY" '<form method="post" action="/portal/oauth/authorize">' "flixcheck: with a form posting back"
tap_like "$BODY" 'name="decision" value="allow".*name="decision" value="deny"' \
        "flixcheck: and a submit each for allow and deny"
page=$BODY

# fields PAGE: the page's hidden fields as a form body.
fields() {
        "$PYTHON3" -c 'import html, re, sys, urllib.parse as u
pairs = re.findall(r"<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">", sys.argv[1])
print(u.urlencode([(k, html.unescape(v)) for k, v in pairs]))' "$1"
}
# code_of URL: the code parameter of a redirect.
code_of() {
        "$PYTHON3" -c 'import sys, urllib.parse as u
print(u.parse_qs(u.urlsplit(sys.argv[1]).query).get("code", [""])[0])' "$1"
}

http --data-binary "$(fields "$page")&decision=allow" "$AUTH"
loc=$(header Location)
tap_like "$STATUS $loc" "^302 $CB\\?code=[A-Za-z0-9_-]+&state=open\$" "flixcheck: allow redirects with code and state"
code=$(code_of "$loc")
http --data-binary "$(fields "$page")&decision=deny" "$AUTH"
tap_is "$STATUS $(header Location)" "302 $CB?error=access_denied&state=open" "flixcheck: deny redirects with access_denied"
http "$AUTH?$q"
http --data-binary "$(fields "$BODY")&decision=allow" "$AUTH"
tap_like "$(header Location)" "^$CB\\?code=[A-Za-z0-9_-]+\$" "flixcheck: no state asked, none echoed"
snake="client_id=flix-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code"
http "$AUTH?$snake"
tap_like "$STATUS $(header Content-Type)" '^400 text/html' "flixcheck: snake_case client_id/redirect_uri get a 400 page"
http "$AUTH?clientId=flix-client&redirectUri=https%3A%2F%2Fevil.example%2F&response_type=code"
ok_status 400 "flixcheck: an unregistered redirectUri gets a 400 page"
http "$AUTH?${q/response_type=code/response_type=token}"
ok_status 400 "flixcheck: response_type other than code gets a 400 page"
ctl FLIXCHECK '{"config": {"accept_snake_case": true}}'
http "$AUTH?$snake"
ok_status 200 "flixcheck: accept_snake_case=true takes client_id/redirect_uri"
ctl FLIXCHECK '{"config": {"accept_snake_case": false}}'

exchange='{"grant_type":"authorization_code","code":"CODE","client_id":"flix-client","client_secret":"flix-secret"}'
post_json "$TOK" "${exchange/CODE/$code}"
ok_status 200 "flixcheck: the code is exchanged with a JSON body and no redirect_uri"
tap_is "$(keys '')" access_token,refresh_token,token_type,expires_in "flixcheck: flat response by default"
tap_is "$(get token_type),$(get expires_in)" Bearer,3600 "flixcheck: Bearer, 3600 s"
jwt=$(claims "$(get access_token)")
tap_is "$(( $(get exp "$jwt") - $(get iat "$jwt") ))" 3600 "flixcheck: the JWT's exp is iat + 3600"
fx_rt=$(get refresh_token)
post_json "$TOK" "${exchange/CODE/$code}"
tap_is "$STATUS:$(get error)" 400:invalid_grant "flixcheck: a code works once"
tap_is "$(stat FLIXCHECK codes.reused)" 1 "flixcheck: and its reuse is counted"
http -d grant_type=authorization_code -d "code=$code" -d client_id=flix-client -d client_secret=flix-secret "$TOK"
tap_is "$STATUS:$(get error)" 415:invalid_request "flixcheck: a form body is refused (415)"
ctl FLIXCHECK '{"config": {"form_status": 400}}'
http -d grant_type=authorization_code -d "code=$code" -d client_id=flix-client -d client_secret=flix-secret "$TOK"
tap_is "$STATUS:$(get error)" 400:invalid_request "flixcheck: form_status=400 switches it to 400"

http --data-binary "$(fields "$page")&decision=allow" "$AUTH"
code=$(code_of "$(header Location)")
post_json "$TOK" "${exchange/flix-secret/wrong}"
tap_is "$STATUS:$(get error)" 401:invalid_client "flixcheck: a wrong secret is 401 invalid_client"
post_json "$TOK" '{"grant_type":"authorization_code","code":"'"$code"'"}' -u flix-client:flix-secret
tap_is "$STATUS:$(get error)" 401:invalid_client "flixcheck: Basic instead of the body is invalid_client"
post_json "$TOK" "${exchange/CODE/$code}"
ok_status 200 "flixcheck: the code still works after refused attempts"

post_json "$FLIXCHECK_URL/user/v7/oauth-codes" '{"resource":{"clientId":"flix-client"}}' \
        -H 'X-Flixcheck-UserId: 4711' -H 'X-Flixcheck-ApiKey: flix-user-api-key'
tap_is "$STATUS $(keys '') $(keys resource)" "200 resource code" "flixcheck: the code API answers {resource:{code}}"
post_json "$TOK" "${exchange/CODE/$(get resource.code)}"
ok_status 200 "flixcheck: a code from the API is exchanged too"
post_json "$FLIXCHECK_URL/user/v7/oauth-codes" '{"resource":{"clientId":"flix-client"}}' \
        -H 'X-Flixcheck-UserId: 4711' -H 'X-Flixcheck-ApiKey: wrong'
ok_status 401 "flixcheck: the code API needs the user's API key"
post_json "$FLIXCHECK_URL/user/v7/oauth-codes" '{"clientId":"flix-client"}' \
        -H 'X-Flixcheck-UserId: 4711' -H 'X-Flixcheck-ApiKey: flix-user-api-key'
ok_status 400 "flixcheck: the code API wants the resource wrapper"

fx_refresh='{"grant_type":"refresh_token","refresh_token":"RT","client_id":"flix-client","client_secret":"flix-secret"}'
post_json "$TOK" "${fx_refresh/RT/$fx_rt}"
ok_status 200 "flixcheck: refresh_token grant"
fx_rt2=$(get refresh_token)
tokens_same 0 "flixcheck: rotation on by default: a new refresh token" "$fx_rt" "$fx_rt2"
post_json "$TOK" "${fx_refresh/RT/$fx_rt}"
tap_is "$STATUS:$(get error):$(stat FLIXCHECK rt_reuse)" 400:invalid_grant:1 \
        "flixcheck: the rotated-away one is refused and counted as reuse"
ctl FLIXCHECK '{"config": {"rotate_refresh_tokens": false}}'
post_json "$TOK" "${fx_refresh/RT/$fx_rt2}"
tokens_same 1 "flixcheck: rotate_refresh_tokens=false gives the same refresh token back" "$fx_rt2" "$(get refresh_token)"
post_json "$TOK" "${fx_refresh/RT/$fx_rt2}"
tap_is "$STATUS:$(stat FLIXCHECK rt_reuse)" 200:1 "flixcheck: which keeps working"
fx_at=$(get access_token)

ctl FLIXCHECK '{"config": {"response_shape": "resource"}}'
post_json "$TOK" "${fx_refresh/RT/$fx_rt2}"
tap_is "$STATUS $(keys '') $(keys resource)" "200 resource access_token,refresh_token,expires_in" \
        "flixcheck: response_shape=resource wraps the token"
ctl FLIXCHECK '{"config": {"include_expires_in": false}}'
post_json "$TOK" "${fx_refresh/RT/$fx_rt2}"
tap_is "$(keys resource)" access_token,refresh_token "flixcheck: include_expires_in=false leaves it out"
ctl FLIXCHECK '{"config": {"response_shape": "flat"}}'
post_json "$TOK" "${fx_refresh/RT/$fx_rt2}"
tap_is "$(keys '')" access_token,refresh_token,token_type "flixcheck: flat without expires_in too"
ctl FLIXCHECK '{"config": {"include_expires_in": true, "rotate_refresh_tokens": true}}'

http --data-binary "$(fields "$page")&decision=allow" "$AUTH"
code=$(code_of "$(header Location)")
with_redirect=${exchange/CODE/$code}
post_json "$TOK" "${with_redirect%\}},\"redirect_uri\":\"$CB\"}"
tap_is "$STATUS:$(stat FLIXCHECK unexpected.redirect_uri)" 200:1 \
        "flixcheck: a redirect_uri in the exchange is tolerated and counted as unexpected"

http -H "Authorization: Bearer $fx_at" "$FLIXCHECK_URL/user/v7/me"
tap_is "$STATUS $(get resource.id)" "200 4711" "flixcheck: the API takes the Bearer token"
http -H 'X-Flixcheck-UserId: 4711' -H 'X-Flixcheck-ApiKey: flix-user-api-key' "$FLIXCHECK_URL/user/v7/me"
ok_status 401 "flixcheck: the API route accepts only a Bearer token"

# =========================================================================================================
# Flume

TOK=$FLUME_URL/oauth/token
pw='{"grant_type":"password","client_id":"flume-client","client_secret":"flume-secret",'
pw+='"username":"alice@example.com","password":"wonderland"}'
post_json "$TOK" "$pw" -H 'Accept: application/json'
ok_status 200 "flume: password grant with a JSON body"
tap_is "$(keys '')" success,code,message,http_code,http_message,detailed,data,count,pagination \
        "flume: the envelope's keys, in the order seen live"
values=
for k in success code message http_code http_message detailed count pagination; do
        values+="$(get $k),"
done
tap_is "$values" "true,602,Request OK,200,OK,null,1,null," "flume: the envelope's values"
tap_is "$(keys data.0)" token_type,access_token,expires_in,refresh_token "flume: the token is data[0]"
tap_is "$(get data.0.token_type),$(get data.0.expires_in)" bearer,604800 "flume: bearer (lowercase), 604800 s"
tap_like "$(get data.0.refresh_token)" '^[0-9a-f]{40}$' "flume: the refresh token is 40 hex digits"
fl_at=$(get data.0.access_token)
fl_rt=$(get data.0.refresh_token)
jwt=$(claims "$fl_at")
tap_is "$(keys '' "$jwt")" user_id,type,scope,iat,exp,iss,sub "flume: the JWT payload's fields"
tap_is "$(get user_id "$jwt"),$(get type "$jwt"),$(get iss "$jwt"),$(( $(get exp "$jwt") - $(get iat "$jwt") ))" \
        "1111,USER,flume_oauth,604800" "flume: user_id an integer, USER, flume_oauth, exp = iat + 604800"
tap_like "$(get scope "$jwt")" '^\[' "flume: scope is an array"

post_json "$TOK?envelope=false" "$pw"
tap_is "$STATUS $(keys '')" "200 token_type,access_token,expires_in,refresh_token" "flume: envelope=false is the bare token"
post_json "$TOK" "${pw/wonderland/wrong}"
tap_is "$STATUS $(get success) $(get http_code) $(get http_message)" "400 false 400 Bad Request" \
        "flume: bad user credentials are 400 in the envelope"
post_json "$TOK" "${pw/flume-secret/wrong}"
tap_is "$STATUS $(get success)" "400 false" "flume: bad client credentials are 400"
post_json "$TOK" "${pw/alice@example.com/alice}"
ok_status 400 "flume: a username that is not an email is refused"
bob=${pw/alice@example.com/bob@example.com}
post_json "$TOK" "${bob/wonderland/builder}"
tap_is "$STATUS $(get http_code)" "403 403" "flume: signup not finished is 403"
form_pw=(-d grant_type=password -d client_id=flume-client -d client_secret=flume-secret
        -d username=alice@example.com -d password=wonderland)
http "${form_pw[@]}" "$TOK?envelope=false"
tap_is "$STATUS $(get success)" "400 false" "flume: a form body is refused by default"
ctl FLUME '{"config": {"accept_form": true}}'
http "${form_pw[@]}" "$TOK?envelope=false"
tap_is "$STATUS $(get token_type)" "200 bearer" "flume: accept_form=true takes it"
ctl FLUME '{"config": {"accept_form": false}}'

fl_refresh='{"grant_type":"refresh_token","refresh_token":"RT","client_id":"flume-client","client_secret":"flume-secret"}'
post_json "$TOK" "${fl_refresh/RT/$fl_rt}"
ok_status 200 "flume: refresh_token grant"
fl_rt2=$(get data.0.refresh_token)
tokens_same 0 "flume: every refresh returns a new refresh token" "$fl_rt" "$fl_rt2"
post_json "$TOK" "${fl_refresh/RT/$fl_rt}"
tap_is "$STATUS:$(stat FLUME rt_reuse)" 200:0 "flume: rotation=keep leaves the old one valid"
ctl FLUME '{"config": {"rotation": "strict"}}'
post_json "$TOK" "${fl_refresh/RT/$fl_rt2}"
ok_status 200 "flume: rotation=strict refreshes"
post_json "$TOK" "${fl_refresh/RT/$fl_rt2}"
tap_is "$STATUS $(get success) $(get detailed)" '400 false ["Refresh token is invalid."]' \
        "flume: rotation=strict refuses the old one: Refresh token is invalid."
tap_is "$(stat FLUME rt_reuse)" 1 "flume: and counts the reuse"
post_json "$TOK" "${fl_refresh/RT/0000000000000000000000000000000000000000}"
tap_is "$STATUS $(get detailed.0)" "400 Refresh token is invalid." "flume: an unknown refresh token"
ctl FLUME '{"config": {"rotation": "keep"}}'

http -H "Authorization: Bearer $fl_at" "$FLUME_URL/users/1111/devices?user=false&location=false"
tap_is "$STATUS $(get success) $(get data.0.user_id) $(get count)" "200 true 1111 1" \
        "flume: /users/{user_id}/devices with the token's user_id"
http -H "Authorization: Bearer $fl_at" "$FLUME_URL/me/devices?location=true"
tap_is "$STATUS $(get data.0.user_id)" "200 1111" "flume: the /me/devices alias"
http -H "Authorization: Bearer $fl_at" "$FLUME_URL/users/2222/devices"
tap_is "$STATUS $(get success) $(get http_code)" "401 false 401" "flume: another user's id is 401 in the envelope"
http "$FLUME_URL/me/devices"
ok_status 401 "flume: no token is 401"

ctl FLUME '{"reset": true, "config": {"rate_limit": 2}}'
http -H "Authorization: Bearer $fl_at" "$FLUME_URL/me/devices"
http -H "Authorization: Bearer $fl_at" "$FLUME_URL/me/devices"
ok_status 200 "flume: requests within the rate limit pass"
post_json "$TOK" "$pw"
tap_is "$STATUS $(get message) $(get http_code)" "429 Too many requests, please try again later. 429" \
        "flume: over rate_limit is 429 with Flume's message"
ctl FLUME '{"config": {"rate_limit": 0}}'
post_json "$TOK" "$pw"
ok_status 200 "flume: rate_limit=0 turns it off"
ctl FLUME '{"inject": {"kind": "drop", "path": "/me/devices"}}'
http -H "Authorization: Bearer $fl_at" "$FLUME_URL/me/devices"
tap_is "$STATUS" 000 "flume: an injection on an API path (a dropped connection)"

# =========================================================================================================
# Sharetribe

TOK=$SHARETRIBE_URL/v1/auth/token
MKT=$SHARETRIBE_URL/v1/api/marketplace/show
INTEG=$SHARETRIBE_URL/v1/integration_api/marketplace/show
http -H 'Accept: application/json' -d client_id=sharetribe-client -d grant_type=client_credentials \
        -d scope=public-read "$TOK"
ok_status 200 "sharetribe: anonymous client_credentials without a secret"
tap_is "$(keys '')" access_token,token_type,expires_in,scope "sharetribe: no refresh token for public-read"
tap_is "$(get token_type),$(get expires_in),$(get scope)" bearer,86400,public-read \
        "sharetribe: bearer (lowercase), 86400 s, public-read"
st_anon=$(get access_token)
http -d client_id=sharetribe-client -d grant_type=client_credentials "$TOK"
tap_is "$STATUS $(compact)" '401 {"error":"invalid_scope"}' "sharetribe: anonymous without scope=public-read is 401"
http -d client_id=sharetribe-integ -d client_secret=sharetribe-integ-secret -d grant_type=client_credentials \
        -d scope=integ "$TOK"
tap_is "$STATUS $(keys '') $(get scope)" "200 access_token,token_type,expires_in,scope,refresh_token integ" \
        "sharetribe: integration client_credentials: scope integ and a refresh token"
st_integ=$(get access_token)
http -d client_id=sharetribe-integ -d client_secret=wrong -d grant_type=client_credentials -d scope=integ "$TOK"
ok_status 401 "sharetribe: a wrong secret is 401"
http -H 'Content-Type: application/json' \
        --data-binary '{"client_id":"sharetribe-client","grant_type":"client_credentials","scope":"public-read"}' "$TOK"
ok_status 401 "sharetribe: a JSON body is refused (401)"

http -d client_id=sharetribe-client -d grant_type=password -d username=alice@example.com -d password=wonderland \
        -d scope=user "$TOK"
tap_is "$STATUS $(get scope) $(get refresh_token | cut -c1-3)" "200 user rt_" \
        "sharetribe: password grant: user and a refresh token"
st_user=$(get access_token)
st_rt=$(get refresh_token)
http -d client_id=sharetribe-client -d grant_type=password -d username=alice@example.com -d password=wrong "$TOK"
tap_is "$STATUS $(compact)" '401 {"error":"invalid_grant"}' "sharetribe: a wrong password is 401"

http -d client_id=sharetribe-client -d client_secret=sharetribe-secret -d grant_type=token_exchange \
        --data-urlencode "subject_token=$st_user" "$TOK"
tap_is "$STATUS $(get scope)" "200 trusted:user" "sharetribe: token_exchange without scope gives trusted:user"
http -d client_id=sharetribe-client -d client_secret=sharetribe-secret -d grant_type=token_exchange \
        -d scope=trusted%3Auser --data-urlencode "subject_token=$st_user" "$TOK"
tap_is "$STATUS $(get scope)" "200 trusted:user" "sharetribe: and with scope=trusted%3Auser"
http -d client_id=sharetribe-client -d grant_type=token_exchange --data-urlencode "subject_token=$st_user" "$TOK"
ok_status 401 "sharetribe: token_exchange needs the client secret"
http -d client_id=sharetribe-client -d client_secret=sharetribe-secret -d grant_type=token_exchange \
        --data-urlencode "subject_token=$st_anon" "$TOK"
ok_status 401 "sharetribe: token_exchange needs a user token as subject"
http -d client_id=sharetribe-client -d client_secret=sharetribe-secret \
        -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange --data-urlencode "subject_token=$st_user" "$TOK"
tap_is "$STATUS:$(get error)" 401:unsupported_grant_type "sharetribe: the RFC 8693 URN is not the grant's name"

http -d grant_type=refresh_token --data-urlencode "refresh_token=$st_rt" "$TOK"
tap_is "$STATUS $(get scope) $(get token_type)" "200 user bearer" "sharetribe: refresh without client_id or secret"
st_rt2=$(get refresh_token)
tokens_same 0 "sharetribe: rotation on by default" "$st_rt" "$st_rt2"
http -d client_id=sharetribe-client -d grant_type=refresh_token --data-urlencode "refresh_token=$st_rt" "$TOK"
tap_is "$STATUS:$(stat SHARETRIBE rt_reuse)" 401:1 "sharetribe: the rotated-away one is 401 and counted as reuse"
http -d client_id=sharetribe-client -d client_secret=sharetribe-secret -d grant_type=refresh_token \
        --data-urlencode "refresh_token=$st_rt2" "$TOK"
tap_is "$STATUS:$(stat SHARETRIBE unexpected.client_secret)" 200:1 \
        "sharetribe: a secret on refresh is not expected: accepted, counted"
st_rt3=$(get refresh_token)
ctl SHARETRIBE '{"config": {"refresh_without_client_id": false}}'
http -d grant_type=refresh_token --data-urlencode "refresh_token=$st_rt3" "$TOK"
ok_status 401 "sharetribe: refresh_without_client_id=false wants the client_id"
ctl SHARETRIBE '{"config": {"refresh_without_client_id": true, "rotate_refresh_tokens": false}}'
http -d client_id=sharetribe-client -d grant_type=refresh_token --data-urlencode "refresh_token=$st_rt3" "$TOK"
tokens_same 1 "sharetribe: rotate_refresh_tokens=false gives the same refresh token back" "$st_rt3" "$(get refresh_token)"
http -d client_id=sharetribe-client -d grant_type=refresh_token --data-urlencode "refresh_token=$st_rt3" "$TOK"
ok_status 200 "sharetribe: which keeps working"
ctl SHARETRIBE '{"config": {"rotate_refresh_tokens": true, "error_body": "text"}}'
http -d client_id=sharetribe-client -d grant_type=password -d username=alice@example.com -d password=wrong "$TOK"
tap_is "$STATUS|$BODY|$(header Content-Type)" "401|Unauthorized|text/plain;charset=UTF-8" \
        "sharetribe: error_body=text answers the plain text Unauthorized"
ctl SHARETRIBE '{"config": {"error_body": "json"}}'

login_as=(-d client_id=sharetribe-client -d grant_type=authorization_code -d code=loginas-code
        -d redirect_uri=http://127.0.0.1/login-as -d code_verifier=loginas-verifier)
http "${login_as[@]}" "$TOK"
tap_is "$STATUS $(get scope)" "200 user:limited" "sharetribe: authorization_code gives user:limited"
http "${login_as[@]}" "$TOK"
ok_status 401 "sharetribe: its code works once"

http -H "Authorization: Bearer $st_user" --data-urlencode "token=$st_rt3" "$SHARETRIBE_URL/v1/auth/revoke"
tap_is "$STATUS $(compact)" '200 {"action":"revoked"}' "sharetribe: revoke with Bearer and token=<RT> answers 200"
http -d client_id=sharetribe-client -d grant_type=refresh_token --data-urlencode "refresh_token=$st_rt3" "$TOK"
tap_is "$STATUS:$(stat SHARETRIBE revocations):$(stat SHARETRIBE rt_reuse)" 401:1:1 \
        "sharetribe: the revoked refresh token is dead (not counted as reuse)"
http --data-urlencode "token=$st_rt3" "$SHARETRIBE_URL/v1/auth/revoke"
ok_status 401 "sharetribe: revoke without a Bearer is 401"
ctl SHARETRIBE '{"config": {"revoke_reply": {"revoked": true}}}'
http -H "Authorization: Bearer $st_user" --data-urlencode "token=$st_rt3" "$SHARETRIBE_URL/v1/auth/revoke"
tap_is "$STATUS $(compact)" '200 {"revoked":true}' "sharetribe: revoke_reply switches the unconfirmed body"

http -H "Authorization: Bearer $st_anon" -H 'Accept: application/transit+json' "$MKT"
tap_is "$STATUS $(get data.type)" "200 marketplace" "sharetribe: the Marketplace API takes the anonymous token"
http -H "Authorization: Bearer $st_integ" "$INTEG"
ok_status 200 "sharetribe: the Integration API takes the integ token"
http -H "Authorization: Bearer $st_integ" "$MKT"
tap_is "$STATUS $(get errors.0.status) $(keys errors.0)" "401 401 status,code,meta" \
        "sharetribe: a wrong token is 401 {errors:[{status,code,meta}]}"
http "$INTEG"
ok_status 401 "sharetribe: no token is 401"

# =========================================================================================================
# Expiry, for all five: a token past access_ttl is refused by the API route.

# api_with P TOKEN: P's API route called with TOKEN.
api_with() {
        case $1 in
        flaik) http -H "Authorization: Bearer $2" "$FLAIK_URL/health" ;;
        floriday) http -H "Authorization: Bearer $2" -H "X-Api-Key: floriday-api-key" "$KEY" ;;
        flixcheck) http -H "Authorization: Bearer $2" "$FLIXCHECK_URL/user/v7/me" ;;
        flume) http -H "Authorization: Bearer $2" "$FLUME_URL/me/devices" ;;
        sharetribe) http -H "Authorization: Bearer $2" "$MKT" ;;
        esac
}

# Tokens that live 8 s (the servers count whole seconds: 7 to 8 s), each checked right after it is issued,
# and all of them again once past their lifetime: a slow machine (sanitizers) cannot make a fresh one stale.
declare -A short
for p in flaik floriday flixcheck flume sharetribe; do
        ctl "${p^^}" '{"config": {"access_ttl": 8}}'
done
issue_short() {
        case $1 in
        flaik) http -u flaik-client:flaik-secret -d grant_type=client_credentials "$FLAIK_URL/connect/token" ;;
        floriday) http "${post_creds[@]}" -d grant_type=client_credentials -d scope=role:app \
                "$FLORIDAY_URL/oauth2/$ASID/v1/token" ;;
        flixcheck) post_json "$FLIXCHECK_URL/guest/v7/oauth-tokens" "${fx_refresh/RT/$fx_rt2}" ;;
        flume) post_json "$FLUME_URL/oauth/token?envelope=false" "$pw" ;;
        sharetribe) http -d client_id=sharetribe-client -d grant_type=client_credentials -d scope=public-read "$TOK" ;;
        esac
}
for p in flaik floriday flixcheck flume sharetribe; do
        issue_short "$p"
        short[$p]=$(get access_token)
        api_with "$p" "${short[$p]}"
        ok_status 200 "$p: a fresh token with access_ttl=8 is accepted"
done
sleep 8.2
for p in flaik floriday flixcheck flume sharetribe; do
        api_with "$p" "${short[$p]}"
        ok_status 401 "$p: past access_ttl it is refused"
done

# ---------------------------------------------------------------------------------------------------------
# The logs name method, path and status only: never a token or a secret.

logs=$(cat "$RIG_DIR"/*.log 2>/dev/null)
tap_like "$logs" $'\nflume: GET /me/devices 200\n' "the logs name method, path and status"
if grep -qE 'eyJ[A-Za-z0-9_-]{10}|rt_[A-Za-z0-9_-]{20}|[0-9a-f]{40}|secret|wonderland|api-key|code=' <<<"$logs"; then
        tap_fail "no token or secret in the emulators' logs"
else
        tap_pass "no token or secret in the emulators' logs"
fi

tap_done
