#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Resource indicators (RFC 8707) against a real server (oidc-provider from npm, tests/oidc/server.mjs, with two
# APIs): Resource= in the account, --resource on the command line (the token socket's fast path and D-Bus),
# tokens cached per resource set with the audience of their API, the resource in a login's authorization
# request, and what is refused: a relative URI here, an unknown API at the server.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_have_oidc_provider || tap_skip_all "oidc-provider is not installed (npm ci in tests/oidc)"
rig_start_oidc_provider OIDC || tap_bail "oidc-provider did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

API=urn:tokenbroker:test-api
OTHER=urn:tokenbroker:other-api
export BROWSER="$abs_top_srcdir/tests/integration/fake-browser.py"
export FAKE_BROWSER_LOG="$RIG_DIR/browser.log"
token_requests() { rig_json_get token_requests "$(curl -s "$OIDC_URL/_stats")"; }
aud_of() { rig_json_get claims.aud "$1"; }

rig_tb add svc --issuer "$OIDC_URL" --client-id cc-basic --client-auth basic --scopes "api:read" \
        --set ExposeClaims=aud >/dev/null 2>&1
rig_tb set-secret svc client-secret <<<"cc-basic-secret"

# --- tokens per resource, each cached --------------------------------------------------------------------
own=$(rig_tb token svc --json)
tap_is "$(aud_of "$own")" "$API" "without a resource: the server's default API"
other=$(rig_tb token svc --resource "$OTHER" --json)
tap_is "$(aud_of "$other")" "$OTHER" "--resource: a token whose audience is that API"
tap_is "$(rig_json_get resource "$(busctl --user --json=short call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 \
        org.tokenbroker.Broker1 GetTokenInfo 'sa{sv}' svc 1 resource s "$OTHER" | \
        "$PYTHON3" -c 'import json,sys; print(json.dumps({k: v["data"] for k, v in json.load(sys.stdin)["data"][0].items()}))')")" \
        "$OTHER" "GetTokenInfo names the resource"
before=$(token_requests)
fast=$(rig_tb token svc --resource "$OTHER")
tap_is "$fast" "$(rig_json_get access_token "$other")" "the token socket's fast path hands out the same cached token"
tap_is "$(rig_tb token svc)" "$(rig_json_get access_token "$own")" "... and the default one is cached beside it"
tap_is "$(token_requests)" "$before" "... neither went to the server again"

# --- Resource= in the account -----------------------------------------------------------------------------
rig_tb add svc2 --issuer "$OIDC_URL" --client-id cc-basic --client-auth basic --scopes "api:read" \
        --set ExposeClaims=aud --set Resource="$OTHER" >/dev/null 2>&1
rig_tb set-secret svc2 client-secret <<<"cc-basic-secret"
json=$(rig_tb token svc2 --json)
tap_is "$(aud_of "$json")" "$OTHER" "Resource= in the account: its tokens are for that API"
before=$(token_requests)
tap_is "$(rig_tb token svc2 --resource "$OTHER")" "$(rig_json_get access_token "$json")" \
        "... and --resource naming the same set is the account's own cached token"
tap_is "$(token_requests)" "$before" "... not fetched again"

rig_tb add svc2 --issuer "$OIDC_URL" --client-id cc-basic --client-auth basic --scopes "api:read" \
        --set ExposeClaims=aud --set Resource="$API" --replace >/dev/null 2>&1
tap_is "$(aud_of "$(rig_tb token svc2 --json)")" "$API" \
        "Resource= changed in the file: the token cached for the old API is dropped"

# --- a login asks for the resource too (RFC 8707 section 2.1) -----------------------------------------
rig_tb add app --issuer "$OIDC_URL" --client-id public --client-auth none --grant authorization_code \
        --scopes "openid offline_access api:read" --set RedirectURI=http://127.0.0.1:0/callback \
        --set Resource="$OTHER" --set ExposeClaims=aud >/dev/null 2>&1
out=$(rig_tb login app 2>&1); rc=$?
tap_is "$rc" 0 "a login of an account with Resource= succeeds"
tap_like "$out" "resource=urn%3Atokenbroker%3Aother-api" "... its authorization request names the resource"
tap_is "$(aud_of "$(rig_tb token app --json)")" "$OTHER" "... and the token is for that API"

# --- refused ----------------------------------------------------------------------------------------------
out=$(rig_tb token svc --resource relative/path 2>&1); rc=$?
tap_is "$rc" 2 "a resource that is not an absolute URI: refused here (exit 2)"
tap_like "$out" "absolute URI" "... saying why"
out=$(rig_tb token svc --resource urn:tokenbroker:unknown 2>&1); rc=$?
tap_is "$rc" 5 "an API the server does not know: the provider refuses (exit 5)"
tap_like "$out" "invalid_target" "... with RFC 8707's invalid_target"

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
