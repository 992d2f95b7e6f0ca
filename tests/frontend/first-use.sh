#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# First use and daily use through the real CLI, daemon, bus and keyring: the hint after `add` names what the
# account still lacks; presets bring the endpoints their services publish; `status` is one line per account
# (and `status NAME` the details), `status --json` and `list --json` keep their JSON types; `remove` asks on
# a terminal (or takes --yes) and says what it removed; `set-secret` names what it asks for and confirms.
# Prompts go through a pseudo-terminal (tests/lib/pty-run.py).
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
PTY="python3 $abs_top_srcdir/tests/lib/pty-run.py"
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(eval("d" + sys.argv[1])))' "$1"; }

# --- the hint after add ---------------------------------------------------------------------------------------
hint=$(rig_tb add cc --token-url "$TS_TOKEN_URL" --client-id basic-client 2>&1 >/dev/null)
tap_like "$hint" "Next:
  tokenbroker set-secret cc client-secret$" "a client_credentials account: its client secret, nothing else"
hint=$(rig_tb add pw --token-url "$TS_TOKEN_URL" --client-id basic-client --grant password --username u 2>&1)
tap_like "$hint" "set-secret pw client-secret
  tokenbroker set-secret pw password$" "a password account: the client secret and the password"
hint=$(rig_tb add dev --token-url "$TS_TOKEN_URL" --client-id public --grant device_code --client-auth none \
        --set DeviceAuthorizationURL="$TS_URL/device" 2>&1)
tap_like "$hint" "Next:
  tokenbroker login dev$" "a public device-code client: only a login"
tap_unlike "$hint" "set-secret" "... and no secret"
hint=$(rig_tb add fl --provider floriday --environment staging --client-id fc 2>&1)
tap_like "$hint" "set-secret fl client-secret
  tokenbroker set-secret fl api-key$" "Floriday: the client secret and the API key"
hint=$(rig_tb add fx --provider flixcheck --client-id fx-client 2>&1)
tap_like "$hint" "set-secret fx client-secret
  tokenbroker login fx$" "Flixcheck: the client secret, then a login"
hint=$(rig_tb add pk --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth private_key_jwt 2>&1)
tap_like "$hint" "tokenbroker keygen pk" "private_key_jwt: keygen"
hint=$(rig_tb add none --token-url "$TS_TOKEN_URL" --client-id anon --client-auth none 2>&1)
tap_like "$hint" "needs no secret: 'tokenbroker token none'" "a public client_credentials client: nothing to add"

# --- presets that carry the services' endpoints -------------------------------------------------------------------
rig_tb add fl2 --provider flume --client-id flume-client --username u >/dev/null 2>&1
tap_is "$(rig_tb status fl2 --json | json_field '["token-url"]')" '"https://api.flumewater.com/oauth/token"' \
        "--provider flume brings Flume's token URL"
tap_is "$(rig_tb status fl --json | json_field '["issuer"]')" \
        '"https://idm.staging.floriday.io/oauth2/ausmw6b47z1BnlHkw0h7"' "--environment staging: Floriday's staging issuer"
rig_tb add fl-live --provider floriday --environment live --client-id fc >/dev/null 2>&1
tap_is "$(rig_tb status fl-live --json | json_field '["issuer"]')" '"https://idm.floriday.io/oauth2/aus3testdcf2vyfs70i7"' \
        "--environment live: its live issuer"
tap_is "$(rig_tb status fx --json | json_field '["token-url"]')" '"https://api.flixcheck.com/guest/v7/oauth-tokens"' \
        "--provider flixcheck brings its token URL"
rig_tb add st --provider sharetribe --client-id st-client >/dev/null 2>&1
tap_is "$(rig_tb status st --json | json_field '["token-url"]')" '"https://flex-api.sharetribe.com/v1/auth/token"' \
        "--provider sharetribe brings the Marketplace API's"
out=$(rig_tb add fl3 --provider floriday --environment test --client-id fc 2>&1); rc=$?
tap_is "$rc" 9 "--environment test: refused (invalid account file, exit 9)"
tap_like "$out" "expected staging or live" "... naming the two"
out=$(rig_tb add fl4 --provider flume --environment live --client-id fc 2>&1)
tap_like "$out" "only Provider=floriday has environments" "--environment with another provider: refused"
out=$(rig_tb add fl5 --provider floriday --client-id fc 2>&1)
tap_like "$out" "Environment=staging or live" "Floriday without an issuer: the error names --environment's key"
out=$(rig_tb add fk --provider flaik --client-id fc 2>&1)
tap_like "$out" "TokenURL: required" "flaik (one host per customer): the token URL is still required"

# --- status at a glance ----------------------------------------------------------------------------------------
printf 'basic-secret' | rig_tb set-secret cc client-secret >/dev/null
rig_tb token cc >/dev/null
rig_tb token pw >/dev/null 2>&1
table=$(rig_tb status); rc=$?
tap_is "$rc" 0 "status: exit 0 when every file loaded"
tap_is "$(wc -l <<<"$table")" "$(($(rig_tb list | wc -l) + 1))" "status: a header and one line per account"
tap_like "$(head -n 1 <<<"$table")" "^ACCOUNT +GRANT +TOKEN +PROBLEM$" "... under a header"
tap_like "$table" $'\ncc +client_credentials +valid, [0-9]+ min left +-' "an account with a token: valid, and how long"
tap_like "$table" $'\npw +password +none +Account .pw. lacks its password' "an account that failed: its last error"
tap_like "$table" $'\ndev +device_code +none +' "a device-code account without a token"
details=$(rig_tb status cc)
tap_like "$details" "needed-secrets +client-secret" "status NAME: the secrets its file needs"
tap_like "$details" "secrets +client-secret" "... and those the daemon holds"
tap_like "$details" "problem +-" "... and no problem"

all=$(rig_tb status --json)
tap_is "$(json_field '[0]["name"]' <<<"$all")" '"cc"' "status --json: an array of accounts, in name order"
cc=$(rig_tb status cc --json)
tap_is "$(json_field '["token-cached"]' <<<"$cc")" true "status NAME --json: booleans are booleans"
tap_like "$(json_field '["expires-at"]' <<<"$cc")" "^[0-9]{10}$" "... times are numbers (seconds since the epoch)"
tap_is "$(json_field '["needed-secrets"]' <<<"$cc")" '["client-secret"]' "... lists are arrays"
tap_is "$(json_field '["problem"]' <<<"$cc")" null "... and no problem is null"
tap_is "$(rig_tb list --json | json_field '[0:2]')" '["cc", "dev"]' "list --json: an array of names"

# A refused file: on its own line, and in the JSON with loaded false.
accounts="$XDG_CONFIG_HOME/tokenbroker/accounts"
printf '[Account]\nTokenURL=%s\nClientID=x\n' "$TS_TOKEN_URL" >"$accounts/loose.conf"
chmod 0644 "$accounts/loose.conf"
rig_tb reload >/dev/null 2>&1
table=$(rig_tb status); rc=$?
tap_is "$rc" 9 "status with a refused file: exit 9"
tap_like "$table" $'\nloose +- +not loaded +The file of account .loose. is not loaded: .*chmod 0600' \
        "... the file on its own line, with the reason"
tap_like "$(rig_tb status --json)" '\{"name":"loose","loaded":false,"problem":"The file' "... and in the JSON"
rm -f "$accounts/loose.conf"
rig_tb reload >/dev/null 2>&1

# --- a missing secret shows in status once the daemon knows -----------------------------------------------------
rig_tb add cc2 --token-url "$TS_TOKEN_URL" --client-id basic-client >/dev/null 2>&1
rig_tb token cc2 >/dev/null 2>&1
tap_like "$(rig_tb status | grep '^cc2 ')" "lacks its client secret.*set-secret cc2 client-secret" \
        "an account without its secret: the fix on its line"

# --- set-secret and remove at a terminal ---------------------------------------------------------------------------
out=$($PTY --expect "The client-secret of account 'cc2': " --send basic-secret -- "$TB" set-secret cc2 client-secret)
rc=$?
tap_is "$rc" 0 "set-secret at a terminal"
tap_like "$out" "The client-secret of account 'cc2': " "... names the kind and the account in its prompt"
tap_unlike "$out" "basic-secret" "... does not echo the secret"
tap_like "$out" "Stored the client-secret of account 'cc2' in the keyring." "... and confirms"
tap_is "$(rel_whoami TS <<<"$(rig_tb token cc2 --force-new)")" basic-client "... and the secret is the one typed"

out=$($PTY --expect "Remove account 'cc2'.*\[y/N\] " --send n -- "$TB" remove cc2); rc=$?
tap_is "$rc" 1 "remove at a terminal, answered no: exit 1"
tap_like "$out" "revoke its grant, delete .*/cc2.conf and every secret of it" "... it asked, naming the file"
tap_like "$out" "Nothing removed." "... and said so"
tap_ok "... and the account is still there" bash -c "'$TB' list | grep -qx cc2"
out=$($PTY --expect "\[y/N\] " --send y -- "$TB" remove cc2); rc=$?
tap_is "$rc" 0 "answered yes: removed"
tap_like "$out" "Removed account 'cc2': .*/cc2.conf and its secrets in the keyring" "... saying what went"
tap_ok "... and it is gone" bash -c "! '$TB' list | grep -qx cc2"
out=$($PTY -- "$TB" remove dev --yes); rc=$?
tap_is "$rc" 0 "remove --yes at a terminal does not ask"
tap_unlike "$out" "\[y/N\]" "... no question"
out=$(rig_tb remove pk 2>&1 </dev/null); rc=$?
tap_is "$rc" 0 "remove from a script (no terminal) does not ask"
tap_like "$out" "Removed account 'pk'" "... and says what it removed"

# --- add at a terminal, with nothing but the command: it asks --------------------------------------------------
out=$($PTY --expect "Account name.*: " --send asked \
        --expect "Service \[generic flaik floriday flixcheck flume sharetribe\] \(generic\): " --send bogus \
        --expect "Please answer one of" --send "" \
        --expect "Issuer URL.*: " --send "" \
        --expect "Token URL: " --send "$TS_TOKEN_URL" \
        --expect "Grant \[.*\] \(client_credentials\): " --send "" \
        --expect "Client ID: " --send basic-client \
        --expect "Scopes.*: " --send "" \
        --expect "The client-secret of account 'asked' \(Enter: later\): " --send basic-secret \
        -- "$TB" add)
rc=$?
tap_is "$rc" 0 "add at a terminal with no arguments: asks, then adds"
tap_like "$out" "Please answer one of: generic flaik" "... an answer that is not a choice is asked again"
tap_unlike "$out" "basic-secret" "... the secret it asks for is not echoed"
tap_like "$out" "Account 'asked' added." "... the account is added"
tap_like "$out" "needs no secret: 'tokenbroker token asked'" "... and with its secret stored, nothing is left to do"
tap_is "$(rel_whoami TS <<<"$(rig_tb token asked)")" basic-client "... and it serves the token"
out=$($PTY --expect "Service .*: " --send flume --expect "Client ID: " --send flume-client \
        --expect "User name: " --send me@example.com --expect "Scopes.*: " --send "" \
        --expect "The client-secret of account 'home'.*: " --send "" \
        --expect "The password of account 'home'.*: " --send "" -- "$TB" add home)
tap_like "$out" "Account 'home' added.
.*
Next:
  tokenbroker set-secret home client-secret
  tokenbroker set-secret home password" "a name given, Flume: asks no token URL or grant, and secrets left for later are named"
tap_is "$(rig_tb status home --json | json_field '["token-url"]')" '"https://api.flumewater.com/oauth/token"' \
        "... with Flume's token URL"
out=$(rig_tb add </dev/null 2>&1); rc=$?
tap_is "$rc" 2 "add with no arguments and no terminal: a usage error, nothing asked"

rig_check_daemon_log
tap_done
