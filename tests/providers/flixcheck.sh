#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Flixcheck through tokenbroker (providers.md section 3), against its emulator: tokenbroker login through
# its authorize page with camelCase clientId and redirectUri, a JSON token endpoint that takes neither
# redirect_uri nor code_verifier, the token flat or in a "resource" wrapper, with or without expires_in (the
# expiry then comes from the JWT), refresh tokens rotating or not: every unconfirmed variant works.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_start_provider FLIX flixcheck || tap_bail "the flixcheck emulator did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
export BROWSER="$abs_top_srcdir/tests/integration/fake-browser.py"
export FAKE_BROWSER_LOG="$RIG_DIR/browser.log"
stats() { rig_server_stats FLIX "$1"; }
ctl() { rig_server_ctl FLIX "{\"config\": $1}"; }
me() { rig_tb curl "$1" -- -s "$FLIX_URL/user/v7/me"; }
jwt_exp() { "$PYTHON3" -c 'import base64, json, sys
p = sys.argv[1].split(".")[1]
print(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["exp"])' "$1"; }
add() {
        local name=$1
        shift
        rig_tb add "$name" --token-url "$FLIX_URL/guest/v7/oauth-tokens" --client-id flix-client --scopes readwrite \
                --set AuthorizeURL="$FLIX_URL/portal/oauth/authorize" "$@" >/dev/null 2>&1
        rig_tb set-secret "$name" client-secret <<<"flix-secret"
}
login() {
        : >"$FAKE_BROWSER_LOG"
        out=$(rig_tb login "$@" 2>&1)
        rc=$?
}

# --- the documented login: camelCase authorize page, JSON code exchange -------------------------------------
add flix --provider flixcheck
login flix
tap_is "$rc" 0 "Provider=flixcheck: tokenbroker login through Flixcheck's authorize page"
tap_like "$out" "clientId=flix-client&redirectUri=http%3A%2F%2F127.0.0.1%3A" "... which gets clientId and redirectUri"
tap_is "$(grep -c 'client_id=\|redirect_uri=' <<<"$out")" 0 "... and not client_id or redirect_uri"
tap_is "$(stats codes.redeemed)" 1 "the code was exchanged once"
tap_is "$(stats unexpected.redirect_uri)" 0 "... without redirect_uri"
tap_is "$(stats unexpected.code_verifier)" 0 "... and without code_verifier, as Flixcheck documents"
tap_like "$(me flix)" '"resource"' "the token works at Flixcheck's API"
tap_like "$(secret-tool lookup account flix kind refresh-token)" '.+' "the refresh token is in the keyring"

# --- response variants: flat or in "resource", expires_in or the JWT's exp, rotation or not ----------------
for shape in resource flat; do
        for with_expiry in false true; do
                ctl "{\"response_shape\": \"$shape\", \"include_expires_in\": $with_expiry, \"access_ttl\": 1800}"
                busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 \
                        Invalidate ss flix ""
                asked=$(date +%s)
                json=$(rig_tb token flix --json)
                t=$(rig_json_get access_token "$json")
                exp=$(rig_json_get expires_at "$json")
                tap_like "$(me flix)" '"resource"' "shape=$shape, expires_in=$with_expiry: a working token"
                if [ "$with_expiry" = false ]; then
                        tap_is "$exp" "$(jwt_exp "$t")" "... expiring when its JWT says"
                else
                        # The earlier of the JWT's exp and expires_in counted from when the request left: the
                        # JWT's, unless a second of the clock ended between the request and the server's answer.
                        # Never later than the JWT says, never earlier than expires_in from before the call.
                        tap_ok "... expiring when its JWT says, or as expires_in counts from the request ($exp, $(jwt_exp "$t"))" \
                                test "$exp" -le "$(jwt_exp "$t")" -a "$exp" -ge $((asked + 1800))
                fi
        done
done
for rotate in true false; do
        ctl "{\"rotate_refresh_tokens\": $rotate}"
        rt1=$(secret-tool lookup account flix kind refresh-token)
        busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 Invalidate ss flix ""
        rig_tb token flix >/dev/null
        rt2=$(secret-tool lookup account flix kind refresh-token)
        if [ "$rotate" = true ]; then
                tap_isnt "$rt2" "$rt1" "rotation on: the new refresh token replaced the old one"
        else
                tap_is "$rt2" "$rt1" "rotation off: the same refresh token, kept"
        fi
done
tap_is "$(stats rt_reuse)" 0 "no rotated refresh token was presented again"

# --- expiry and renewal --------------------------------------------------------------------------------------
ctl '{"access_ttl": 2}'
busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 Invalidate ss flix ""
t1=$(rig_tb token flix)
ctl '{"access_ttl": 3600}'      # the renewed token lives long: its use below holds on a busy machine
sleep 2.2
tap_is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t1" "$FLIX_URL/user/v7/me")" 401 \
        "an expired token is refused by the API"
tap_like "$(me flix)" '"resource"' "tokenbroker renews it through the refresh token"

# --- what fails ---------------------------------------------------------------------------------------------
add denied --provider flixcheck
FAKE_BROWSER_MODE=abort login denied
tap_is "$rc" 4 "the user presses Deny: the login fails (exit 4)"
tap_like "$out" "access_denied" "... saying so"
tap_is "$(secret-tool lookup account denied kind refresh-token)" "" "... and nothing was stored"

add generic --grant authorization_code --set LoginTimeout=2 --set RequestEncoding=json --client-auth post
login generic
tap_is "$rc" 4 "without the profile (snake_case names) Flixcheck's page refuses; the login times out"
tap_like "$(tail -n 1 "$FAKE_BROWSER_LOG")" "this page takes clientId and redirectUri" "... as the page says"

rig_tb set-secret flix refresh-token <<<"not-a-refresh-token"
rig_restart_daemon || tap_bail "restart failed"
out=$(rig_tb token flix 2>&1); rc=$?
tap_is "$rc" 4 "a refresh token Flixcheck refuses: login required (exit 4)"
tap_like "$out" "tokenbroker login flix" "... saying what to run"

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
