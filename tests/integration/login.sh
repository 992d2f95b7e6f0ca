#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Interactive logins against a real OAuth 2.0 / OIDC server (oidc-provider from npm, tests/oidc/server.mjs):
# the authorization code flow with PKCE and the daemon's loopback redirect, for a public client and for
# confidential clients of both auth methods; the device flow; and every way a login can go wrong (denial,
# a forged state, which is turned away while the login goes on, a second use of the redirect, a time-out,
# Ctrl-C), none of which stores a token. The
# "browser" is tests/integration/fake-browser.py, run through $BROWSER as a desktop would run a real one.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_have_oidc_provider || tap_skip_all "oidc-provider is not installed (npm ci in tests/oidc)"
rig_start_oidc_provider OIDC --access-ttl 3 || tap_bail "oidc-provider did not start"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

export BROWSER="$abs_top_srcdir/tests/integration/fake-browser.py"
export FAKE_BROWSER_LOG="$RIG_DIR/browser.log"
# token_whoami NAME: the account's token as the server judges it at the moment it was asked for. Tokens here live
# 3 s; how long a loaded machine then takes to ask the server must not matter.
token_whoami() {
        local asked t
        asked=$(date +%s.%N)
        t=$(rig_tb token "$1")
        curl -s -H "Authorization: Bearer $t" "$OIDC_URL/api/whoami?at=$asked"
}
stat() { rig_json_get "$1" "$(curl -s "$OIDC_URL/_stats")" || echo 0; }
rt_of() { secret-tool lookup account "$1" kind refresh-token; }
# The last page the fake browser saw, and its status.
last_page() { tail -n 1 "$FAKE_BROWSER_LOG" | rig_json_get body; }
last_status() { tail -n 1 "$FAKE_BROWSER_LOG" | rig_json_get status; }
add_code_account() {
        local name=$1 client=$2 auth=$3
        shift 3
        # oidc-provider registers native clients' redirect as http://127.0.0.1/callback, any port (RFC 8252).
        rig_tb add "$name" --issuer "$OIDC_URL" --client-id "$client" --client-auth "$auth" \
                --grant authorization_code --scopes "openid offline_access api:read" \
                --set RedirectURI=http://127.0.0.1:0/callback "$@" >/dev/null 2>&1
}

# --- authorization code with PKCE, a public client -----------------------------------------------------------
add_code_account pub public none
rig_login pub
tap_is "$rc" 0 "tokenbroker login: the public client's login succeeds"
tap_like "$out" "$OIDC_URL/auth\\?" "... the authorization URL is printed"
tap_like "$out" "code_challenge_method=S256" "... with PKCE S256"
tap_like "$(last_page)" "Login succeeded" "... the browser lands on a page that says so"
tap_like "$(rt_of pub)" '.+' "... and the refresh token is in the keyring"
tap_like "$(token_whoami pub)" '"sub": ?"alice"' "the account's token is alice's"
tap_is "$(stat rt_reuse)" 0 "no refresh token was used twice"

# Living on the refresh token: it rotates, and the newest is kept across expiries.
rt1=$(rt_of pub)
sleep 3.2
tap_like "$(token_whoami pub)" '"sub": ?"alice"' "after the token expired, the refresh token got a new one"
tap_isnt "$(rt_of pub)" "$rt1" "... and the rotated refresh token replaced the old one"

# --- confidential clients, each auth method: the secret stays in the daemon ----------------------------------
add_code_account basic cc-basic basic
rig_tb set-secret basic client-secret <<<"cc-basic-secret"
rig_login basic
tap_is "$rc" 0 "a confidential client (client_secret_basic) logs in"
tap_like "$(token_whoami basic)" '"client_id": ?"cc-basic"' "... and its token works"
add_code_account post cc-post post
rig_tb set-secret post client-secret <<<"cc-post-secret"
rig_login post
tap_is "$rc" 0 "a confidential client (client_secret_post) logs in"
tap_like "$(token_whoami post)" '"client_id": ?"cc-post"' "... and its token works"
tap_is "$(grep -c cc-post-secret <<<"$out")" 0 "... and the secret appears nowhere in what login printed"

# --- what must fail, cleanly, with nothing stored ----------------------------------------------------------
add_code_account denied public none
curl -s -d '{"approve": false}' -H 'Content-Type: application/json' "$OIDC_URL/_control" >/dev/null
rig_login denied
curl -s -d '{"approve": true}' -H 'Content-Type: application/json' "$OIDC_URL/_control" >/dev/null
tap_is "$rc" 4 "the user refuses: the login fails (exit 4)"
tap_like "$out" "access_denied" "... saying the server refused: access_denied"
tap_like "$(last_page)" "Login failed" "... the browser's page says the login failed"
tap_is "$(rt_of denied)" "" "... and no token was stored"

# A forged state is turned away with an error page, and the login goes on: nobody can end a login by sending
# one redirect to its port.
add_code_account forged public none --set LoginTimeout=3
FAKE_BROWSER_MODE=tamper-state rig_login forged
tap_is "$(last_status)" 400 "a redirect with a forged state is answered with an error"
tap_like "$(last_page)" "state does not match" "... a page saying so"
tap_is "$rc" 4 "... and the login goes on until it times out (exit 4)"
tap_like "$out" "timed out" "... saying so"
tap_is "$(rt_of forged)" "" "... and no token was stored"
add_code_account forged2 public none
FAKE_BROWSER_MODE=tamper-then-consent rig_login forged2
tap_is "$(head -n 1 "$FAKE_BROWSER_LOG" | rig_json_get status)" 400 "a forged redirect first, then the real one"
tap_is "$rc" 0 "... and the real redirect completes the login"
tap_like "$(last_page)" "Login succeeded" "... as the browser's page says"

add_code_account replayed public none
FAKE_BROWSER_MODE=replay rig_login replayed
tap_is "$rc" 0 "a login whose redirect is visited twice succeeds once"
tap_is "$(last_status)" 0 "... the second visit finds nobody listening"

add_code_account slow public none --set LoginTimeout=2
FAKE_BROWSER_MODE=ignore rig_login slow
tap_is "$rc" 4 "nobody completes the login: it times out (exit 4)"
tap_like "$out" "timed out" "... saying so"
tap_is "$(rt_of slow)" "" "... and no token was stored"

port=$("$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
add_code_account pinned public none --set RedirectURI=http://127.0.0.1:$port/callback
rig_login pinned
tap_is "$rc" 0 "RedirectURI= with a fixed port: the listener is there"
tap_like "$out" "redirect_uri=http%3A%2F%2F127.0.0.1%3A$port%2Fcallback" "... and the URI is sent as written"

rig_tb add cc --token-url "$OIDC_TOKEN_URL" --client-id cc-basic >/dev/null 2>&1
rig_login cc
tap_is "$rc" 2 "login for a client_credentials account: nothing to log in to (exit 2)"

# --- the device flow (RFC 8628) ------------------------------------------------------------------------------
rig_tb add dev --issuer "$OIDC_URL" --client-id public --client-auth none --grant device_code \
        --scopes "openid offline_access api:read" >/dev/null 2>&1
rig_device_login dev consent --qr
tap_is "$rc" 0 "device flow: approved at the verification page, the login succeeds"
tap_like "$out" "enter the code" "... the user code is shown"
tap_like "$out" $'\u2588' "... with a QR code"
tap_like "$(token_whoami dev)" '"sub": ?"alice"' "... and the token is alice's"
tap_like "$(rt_of dev)" '.+' "... living on a stored refresh token"

rig_tb add dev2 --issuer "$OIDC_URL" --client-id public --client-auth none --grant device_code \
        --scopes "openid offline_access api:read" >/dev/null 2>&1
rig_device_login dev2 abort --qr
tap_is "$rc" 4 "device flow: refused at the verification page, the login fails"
tap_like "$out" "refused" "... saying so"
tap_is "$(rt_of dev2)" "" "... and no token was stored"

# At a terminal of a desktop, the device flow opens the verification page in the browser as well, and says
# that it waits and how long is left; the browser (approving there) finishes the login.
rig_tb add dev3 --issuer "$OIDC_URL" --client-id public --client-auth none --grant device_code \
        --scopes "openid offline_access api:read" >/dev/null 2>&1
: >"$FAKE_BROWSER_LOG"
out=$(FAKE_BROWSER_MODE=consent python3 "$abs_top_srcdir/tests/lib/pty-run.py" --timeout 60 -- "$TB" login dev3)
rc=$?
tap_is "$rc" 0 "device flow at a terminal: the login succeeds through the browser it opened"
tap_like "$out" "Opening it in your browser as well." "... saying it opened it"
tap_like "$(head -n 1 "$FAKE_BROWSER_LOG")" "/device" "... the verification page, in the browser"
tap_like "$out" "Waiting for the login to finish: [0-9]+:[0-9]{2} left \(Ctrl-C cancels\)" \
        "... and showed that it waits, and how long is left"
tap_like "$out" "Logged in: account 'dev3'" "... until it was done"
"$TB" login dev2 --no-browser </dev/null >"$RIG_DIR/wait.out" 2>&1 &
pid=$!
rig_wait_for 20 grep -q "Waiting for the login" "$RIG_DIR/wait.out"
kill -INT "$pid" 2>/dev/null
wait "$pid"
tap_like "$(cat "$RIG_DIR/wait.out")" "Waiting for the login to finish \\(up to [0-9]+ s\\)" \
        "without a terminal: one line saying it waits"

# Ctrl-C ends the login in the daemon too.
"$TB" login dev2 --no-browser >"$RIG_DIR/int.out" 2>&1 &
pid=$!
rig_wait_for 10 grep -q "enter the code" "$RIG_DIR/int.out"
kill -INT "$pid"
wait "$pid"
tap_is "$?" 130 "Ctrl-C cancels the login (exit 130)"
tap_like "$(cat "$RIG_DIR/int.out")" "cancelled" "... saying so"
out=$(busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 CancelLogin s dev2)
tap_is "$out" "b false" "... and the daemon has no login left for the account"

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
