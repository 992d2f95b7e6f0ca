#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Pushed authorization requests (RFC 9126) against a real server (oidc-provider from npm,
# tests/oidc/server.mjs): with PAR=true the login's authorization request goes to the server first, the
# client authenticated as at the token endpoint, and the browser gets client_id and request_uri only; a
# server whose metadata requires PAR gets it without PAR=; a refused push ends the login before the browser
# is involved.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_have_oidc_provider || tap_skip_all "oidc-provider is not installed (npm ci in tests/oidc)"
rig_start_oidc_provider OIDC || tap_bail "oidc-provider did not start"
rig_start_oidc_provider STRICT --require-par || tap_bail "oidc-provider (--require-par) did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

export BROWSER="$abs_top_srcdir/tests/integration/fake-browser.py"
export FAKE_BROWSER_LOG="$RIG_DIR/browser.log"
rt_of() { secret-tool lookup account "$1" kind refresh-token; }
# pushes SERVER: how many pushed authorization requests SERVER (OIDC or STRICT) has seen.
pushes() {
        local url
        url=$(eval echo "\$$1_URL")
        curl -s "$url/_stats" | "$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin)["requests"].get("POST /request", 0))'
}
# add NAME ISSUER CLIENT AUTH [ARGS]
add() {
        local name=$1 issuer=$2 client=$3 auth=$4
        shift 4
        rig_tb add "$name" --issuer "$issuer" --client-id "$client" --client-auth "$auth" --grant authorization_code \
                --scopes "openid offline_access api:read" --set RedirectURI=http://127.0.0.1:0/callback "$@" >/dev/null 2>&1
}

# --- PAR=true: the request is pushed, the browser gets a reference ------------------------------------------
add pub "$OIDC_URL" public none --set PAR=true
rig_login pub
tap_is "$rc" 0 "PAR=true: a public client's login succeeds"
tap_is "$(pushes OIDC)" 1 "... its authorization request was pushed to the server"
url=$(grep -o "$OIDC_URL/auth?[^ ]*" <<<"$out" | head -n 1)
tap_like "$url" "[?&]request_uri=urn" "... the browser's URL names the pushed request"
tap_like "$url" "[?&]client_id=public" "... and the client"
tap_unlike "$url" "code_challenge|scope=|nonce=|state=" "... and nothing else of the request"
tap_like "$(rt_of pub)" '.+' "... and the refresh token is stored"

add conf "$OIDC_URL" cc-basic basic --set PAR=true
rig_tb set-secret conf client-secret <<<"cc-basic-secret"
rig_login conf
tap_is "$rc" 0 "PAR=true: a confidential client authenticates its push (client_secret_basic)"
tap_is "$(pushes OIDC)" 2 "... which the server took"

add wrong "$OIDC_URL" cc-basic basic --set PAR=true
rig_tb set-secret wrong client-secret <<<"not-the-secret"
rig_login wrong
tap_is "$rc" 4 "a push the server refuses (a wrong client secret): the login fails"
tap_like "$out" "pushed authorization request was refused: invalid_client" "... saying so"
tap_is "$(wc -l <"$FAKE_BROWSER_LOG")" 0 "... before any browser was opened"
tap_is "$(rt_of wrong)" "" "... and nothing was stored"

add plain "$OIDC_URL" public none
before=$(pushes OIDC)
rig_login plain
tap_is "$rc" 0 "without PAR=, a server that does not require it gets the classic request"
tap_is "$(pushes OIDC)" "$before" "... nothing pushed"
tap_like "$out" "code_challenge=" "... the request in the browser's URL"

# --- a server that requires PAR (its metadata says so) ----------------------------------------------------
add strict "$STRICT_URL" public none
rig_login strict
tap_is "$rc" 0 "a server whose metadata requires PAR: the login pushes without PAR="
tap_is "$(pushes STRICT)" 1 "... one push"
tap_like "$(rt_of strict)" '.+' "... and the refresh token is stored"

rig_tb add noissuer --token-url "$OIDC_TOKEN_URL" --client-id public --client-auth none --grant authorization_code \
        --scopes "openid offline_access api:read" --set RedirectURI=http://127.0.0.1:0/callback \
        --set AuthorizeURL="$OIDC_URL/auth" --set PAR=true >/dev/null 2>&1
rig_login noissuer
tap_is "$rc" 4 "PAR=true on an account without Issuer=: the login fails"
tap_like "$out" "needs Issuer=" "... saying why"

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
