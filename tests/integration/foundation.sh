#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The foundation through the real parts: a private session bus, a real gnome-keyring, tokenbrokerd from the
# build and the `tokenbroker` CLI. Accounts and secrets, the D-Bus API as served, the exit-status classes,
# and a client_credentials token from a loopback token server that the server itself accepts.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

accounts="$XDG_CONFIG_HOME/tokenbroker/accounts"

rig_start_token_server TS || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

# --- the API as served is the API in the tree ------------------------------------------------------------
served=$(busctl --user introspect --xml-interface org.tokenbroker.Broker1 /org/tokenbroker/Broker1)
tap_like "$served" 'interface name="org.tokenbroker.Broker1"' "busctl introspect shows org.tokenbroker.Broker1"
for member in GetToken ListAccounts GetAccount MatchAccount GitCredential InvalidateGitCredential Invalidate Reload Warmup AddAccount RemoveAccount \
              SetSecret TokenRefreshed AccountsChanged LoginRequired; do
        tap_like "$served" "name=\"$member\"" "the served interface has $member"
done
normalize='
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
for i in root.findall("interface"):
    if i.get("name") != "org.tokenbroker.Broker1":
        continue
    for m in i:
        print(m.tag, m.get("name"), [(a.get("type"), a.get("name"), a.get("direction")) for a in m.findall("arg")])
'
tap_is "$("$PYTHON3" -c "$normalize" <<<"$served")" \
       "$("$PYTHON3" -c "$normalize" <"$abs_top_srcdir/dbus/org.tokenbroker.Broker1.xml")" \
       "dbus/org.tokenbroker.Broker1.xml is exactly what the daemon serves"

# --- accounts and secrets -------------------------------------------------------------------------------
tap_is "$(rig_tb list)" "" "no accounts at first"
tap_status 0 "add writes an account" rig_tb add svc --token-url "$TS_TOKEN_URL" --client-id basic-client \
        --client-auth basic --scopes "read write"
tap_is "$(stat -c %a "$accounts/svc.conf")" 600 "the account file is private (0600)"
tap_is "$(stat -c %a "$accounts")" 700 "the accounts directory is private (0700)"
tap_status 0 "set-secret reads the secret from stdin" rig_tb set-secret svc client-secret <<<"basic-secret"
tap_is "$(rig_tb list)" "svc" "the account is listed"
tap_is "$(secret-tool lookup account svc kind client-secret)" "basic-secret" \
        "the secret is in the keyring under account=svc kind=client-secret"
tap_fails "the secret is nowhere in the config dir" grep -r -q "basic-secret" "$XDG_CONFIG_HOME"
tap_status 2 "add refuses an existing account" rig_tb add svc --token-url "$TS_TOKEN_URL" --client-id x
tap_status 2 "add refuses a secret in the account file" rig_tb add leaky --token-url "$TS_TOKEN_URL" \
        --client-id x --set ClientSecret=oops
tap_ok "a refused account leaves no file" test ! -e "$accounts/leaky.conf"

# --- a token from the loopback server, through the CLI ----------------------------------------------------
token=$(rig_tb token svc)
tap_status 0 "tokenbroker token exits 0" rig_tb token svc
tap_like "$token" '^[A-Za-z0-9._~+/=-]+$' "tokenbroker token prints the token alone"
tap_is "$(rig_json_get sub "$(curl -s -H "Authorization: Bearer $token" "$TS_URL/api/whoami")")" basic-client \
        "the token server accepts the handed-out token"
tap_is "$(rig_server_stats TS grants.client_credentials)" 1 "one client_credentials request upstream"
rig_tb token svc >/dev/null
tap_is "$(rig_server_stats TS token_requests)" 1 "a second call is served from the cache"
json=$(rig_tb token svc --json)
tap_is "$(rig_json_get access_token "$json")" "$token" "--json carries the same token"
tap_is "$(rig_json_get token_type "$json")" Bearer "--json says Bearer"
exp=$(rig_json_get expires_at "$json")
now=$(date +%s)
tap_ok "--json expires_at is about an hour ahead" test "$exp" -gt $((now + 3500)) -a "$exp" -le $((now + 3601))
tap_like "$(rig_tb status svc)" "token-cached +yes" "status shows the cached token"
no_secret_in() { ! grep -r -q -e "basic-secret" -e "$token" "$@"; }
tap_ok "neither the secret nor the token is in the daemon's log" no_secret_in "$TB_SESSION_ROOT/tokenbrokerd.log"

# --- git's get and erase on D-Bus: the daemon's one matcher, as on the token socket ----------------------
rig_tb add gitsvc --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic \
        --hosts "https://git.example.com/" --set GitUsername=gitbot >/dev/null 2>&1 &&
        rig_tb set-secret gitsvc client-secret <<<"basic-secret" >/dev/null || tap_bail "cannot add account gitsvc"
bus_call() { # METHOD ARGS...: gdbus's answer or error
        gdbus call --session --dest org.tokenbroker.Broker1 --object-path /org/tokenbroker/Broker1 \
                --method "org.tokenbroker.Broker1.$1" "${@:2}" 2>&1
}
out=$(bus_call GitCredential https git.example.com repo.git '')
tap_like "$out" "^\('gitsvc', 'gitbot', '[^']+', (int64 )?[0-9]+\)$" \
        "GitCredential finds the account by its Hosts= and answers its GitUsername= and token"
git_token=$(sed -E "s/^\('gitsvc', 'gitbot', '([^']+)'.*/\1/" <<<"$out")
tap_is "$(rig_tb token gitsvc)" "$git_token" "... the token GetToken hands out"
tap_like "$(bus_call GitCredential https other.example.com '' '')" "^\('', '', '', (int64 )?0\)$" \
        "no account serves another host: all empty"
tap_like "$(bus_call GitCredential https other.example.com '' gitsvc)" "^\('', '', '', (int64 )?0\)$" \
        "an account named for a host its Hosts= do not serve: all empty"
tap_like "$(bus_call GitCredential https git.example.com '' nope)" "org.tokenbroker.Error.NoSuchAccount" \
        "an account named that does not exist: NoSuchAccount"
tap_like "$(bus_call InvalidateGitCredential https git.example.com '' '' '')" "org.tokenbroker.Error.InvalidArgs" \
        "an erase without a token is refused: it would drop every token"
before=$(rig_server_stats TS token_requests)
tap_like "$(bus_call InvalidateGitCredential https git.example.com '' '' "$git_token")" "^\('gitsvc',\)$" \
        "InvalidateGitCredential drops the token and names the account"
rig_tb token gitsvc >/dev/null
tap_is "$(rig_server_stats TS token_requests)" $((before + 1)) "... and the next token is fetched anew"

# --- named errors and exit-status classes ----------------------------------------------------------------
err=$(busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 GetToken \
        'sa{sv}' nope 0 2>&1)
tap_like "$err" "No such account" "GetToken of an unknown account fails with a clear message"
err=$(gdbus call --session --dest org.tokenbroker.Broker1 --object-path /org/tokenbroker/Broker1 \
        --method org.tokenbroker.Broker1.GetToken nope '{}' 2>&1)
tap_like "$err" "org.tokenbroker.Error.NoSuchAccount" "the error is org.tokenbroker.Error.NoSuchAccount"
tap_status 3 "no such account: exit 3" rig_tb token nope
tap_status 2 "usage error: exit 2" rig_tb frobnicate
tap_status 2 "token without a name: exit 2" rig_tb token
rig_tb add wrong --token-url "$TS_TOKEN_URL" --client-id basic-client >/dev/null 2>&1
rig_tb set-secret wrong client-secret <<<"not-the-secret"
out=$(rig_tb token wrong 2>&1); rc=$?
tap_is "$rc" 5 "a refused client secret: exit 5 (provider)"
tap_like "$out" "invalid_client" "the message carries the server's error"
rig_tb add nosecret --token-url "$TS_TOKEN_URL" --client-id basic-client >/dev/null 2>&1
out=$(rig_tb token nosecret 2>&1); rc=$?
tap_is "$rc" 9 "a missing client secret: exit 9"
tap_like "$out" "set-secret nosecret client-secret" "the message says how to set it"
rig_tb add dead --token-url "http://127.0.0.1:9/token" --client-id x >/dev/null 2>&1
rig_tb set-secret dead client-secret <<<"x"
tap_status 6 "a dead token endpoint: exit 6 (unreachable)" rig_tb token dead
tap_status 9 "an http:// token URL to a remote host is refused (config: exit 9)" rig_tb add plain --token-url "http://example.com/token" \
        --client-id x

# --- a malformed account file is reported with its line; the others still work ----------------------------
printf '[Account]\nTokenURL=%s\nClientID=x\nClientAuth=sideways\n' "$TS_TOKEN_URL" >"$accounts/broken.conf"
chmod 0600 "$accounts/broken.conf"
printf '[Account]\nTokenURL=%s\nClientID=basic-client\nFrobnicate=1\n' "$TS_TOKEN_URL" >"$accounts/extra.conf"
chmod 0600 "$accounts/extra.conf"
printf '[Account]\nTokenURL=%s\nClientID=basic-client\n' "$TS_TOKEN_URL" >"$accounts/open.conf"
chmod 0644 "$accounts/open.conf"
out=$(rig_tb reload 2>"$RIG_DIR/reload.err"); rc=$?
tap_is "$rc" 9 "reload with a broken file present: exit 9, a file was refused"
tap_like "$out" "accounts? loaded: .*extra" "... it says what it loaded"
tap_like "$(cat "$RIG_DIR/reload.err")" "reload: broken not loaded: .*ClientAuth" "... and what it refused, and why"
tap_like "$(cat "$RIG_DIR/reload.err")" "reload: open not loaded: " "... every refused file"
log=$(cat "$TB_SESSION_ROOT/tokenbrokerd.log")
tap_like "$log" "broken\.conf:4: ClientAuth" "the bad value is reported with file, line and key"
tap_like "$log" "extra\.conf:4: Frobnicate" "an unknown key is reported with file, line and key"
tap_like "$log" "open\.conf.*(readable|permission|0600)" "a world-readable account file is refused with a reason"
names=$(rig_tb list | tr '\n' ' ')
tap_like "$names" "extra" "a file with only an unknown key still loads"
tap_unlike "$names" "broken|open" "the broken and the open file are not loaded"
tap_is "$(rig_tb token svc)" "$token" "the other accounts keep working"

# --- remove deletes the file and every secret -------------------------------------------------------------
tap_status 0 "remove succeeds" rig_tb remove svc --yes
tap_ok "the account file is gone" test ! -e "$accounts/svc.conf"
tap_is "$(secret-tool lookup account svc kind client-secret)" "" "the secret is gone from the keyring"
tap_status 3 "a removed account is no more" rig_tb token svc

# --- the daemon stops cleanly; without it the CLI says how to start it -----------------------------------
rig_stop_daemon
tap_is "$RIG_DAEMON_STATUS" 0 "tokenbrokerd exits 0 on SIGTERM"
tap_ok "the private socket is removed" test ! -e "$XDG_RUNTIME_DIR/tokenbroker/bus"
if rig_bus_activates; then
        tap_skip "no daemon (and no activation): exit 6" "the bus can activate an installed daemon"
        tap_skip "the message says how to start the daemon" "the bus can activate an installed daemon"
else
        out=$(rig_tb list 2>&1); rc=$?
        tap_is "$rc" 6 "no daemon (and no activation): exit 6"
        tap_like "$out" "tokenbrokerd" "the message says how to start the daemon"
fi
rig_check_daemon_log "the daemon log has no sanitizer report and no secret"

tap_done
