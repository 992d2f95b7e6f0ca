#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Another user of the machine against a login in progress. The authorization URL (its state, the PKCE
# challenge and the loopback port) is in the browser's command line, which every user can read. Two attacks,
# as uid "nobody" through setpriv:
#   - hijack: complete that URL at the authorization server as oneself (mallory) and deliver the redirect,
#     with its code and the victim's state, to the victim's listener, so that the victim's account would
#     hold mallory's grant;
#   - kill: send the listener a redirect with a wrong state, which used to end the login.
# Both are refused before a byte is read (the peer socket's owner, from sock_diag); a wrong state from the
# user's own processes gets an error page and the login goes on. The login then completes with the real
# user's redirect, and the account holds alice's tokens, not mallory's.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root to run a process as another user (setpriv)"
other=65534
getent passwd "$other" >/dev/null || tap_skip_all "no user 'nobody' (uid $other)"
rig_have_oidc_provider || tap_skip_all "oidc-provider is not installed (npm ci in tests/oidc)"

rig_start_oidc_provider OIDC --access-ttl 3600 || tap_bail "oidc-provider did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
ctl() { curl -s -d "$1" -H 'Content-Type: application/json' "$OIDC_URL/_control" >/dev/null; }
stat() { rig_json_get "$1" "$(curl -s "$OIDC_URL/_stats")" || echo 0; }
# as_other URL: what uid nobody's GET of URL gets: the HTTP status, 000 when no answer came.
as_other_get() {
        rel_as_other "$other" curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$1"
}

rig_tb add victim --issuer "$OIDC_URL" --client-id public --client-auth none --grant authorization_code \
        --scopes "openid offline_access api:read" --set RedirectURI=http://127.0.0.1:0/callback >/dev/null 2>&1 ||
        tap_bail "could not add the account"

# The victim's login, waiting for a browser that never comes: the URL is all an attacker needs.
timeout -k 5 120 "$TB" login victim --no-browser >"$RIG_DIR/login.out" 2>&1 &
login_pid=$!
rig_wait_for 30 grep -q "$OIDC_URL/auth?" "$RIG_DIR/login.out" || tap_bail "the login printed no URL"
url=$(grep -o "$OIDC_URL/auth?[^ ]*" "$RIG_DIR/login.out" | head -n 1)
tap_like "$url" 'state=' "the login's authorization URL, with its state"

# --- the hijack -------------------------------------------------------------------------------------------
ctl '{"user": "mallory"}'
back=$(rig_oidc_browse OIDC "$url")
rm -f "$RIG_DIR/OIDC.cookies"
ctl '{"user": "alice"}'
tap_like "$back" '^http://127\.0\.0\.1:[0-9]+/callback\?.*code=' "mallory completes the URL at the server and gets a redirect"
tap_is "$(as_other_get "$back")" 000 "uid $other delivering it to the listener: refused, no answer"
tap_ok "... and the victim's login goes on" rig_pid_alive "$login_pid"
tap_is "$(stat grants.authorization_code)" 0 "... mallory's code was never redeemed"

# --- the kill ------------------------------------------------------------------------------------------------
base=${back%%\?*}
tap_is "$(as_other_get "$base?code=x&state=wrong")" 000 "uid $other sending a wrong state: refused, no answer"
tap_ok "... and the login goes on" rig_pid_alive "$login_pid"
page=$(curl -s -w '\n%{http_code}' --max-time 10 "$base?code=x&state=wrong")
tap_is "${page##*$'\n'}" 400 "a wrong state from the user's own process: an error page"
tap_like "$page" "does not match" "... saying the state does not match"
tap_ok "... and the login goes on" rig_pid_alive "$login_pid"

# --- the real user completes it --------------------------------------------------------------------------------
back=$(rig_oidc_browse OIDC "$url")
page=$(curl -s --max-time 10 "$back")
tap_like "$page" "Login succeeded" "the user's own redirect completes the login"
wait "$login_pid"
tap_is "$?" 0 "... tokenbroker login succeeds"
json=$(rig_tb token victim --json)
tap_is "$(curl -s -H "Authorization: Bearer $(rig_json_get access_token "$json")" "$OIDC_URL/api/whoami" |
        rig_json_get sub)" alice "the account holds alice's tokens, not mallory's"
tap_like "$(cat "$(rel_daemon_log)")" "refused a connection to the login's redirect listener from uid $other" \
        "the daemon logs the refusal with the uid"

rel_stop_daemon_checked
tap_done
