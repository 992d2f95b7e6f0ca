#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Input meant to break the daemon's word, from a token endpoint, the keyring, callers and git:
#   - token sizes: one of 32 KiB (the limit) is carried by every front end; one of 900 KB is a bad response,
#     not a token that no transport can carry;
#   - a token that has expired on arrival (expires_in 0 or below) is not handed out, nor one that a Bearer
#     header cannot carry ("a b");
#   - callers choosing scope sets on an account without Scopes= cannot grow its cache without bound;
#   - a secret that another Secret Service client stored with a line break is not sent anywhere;
#   - error messages quote at most an excerpt of what a caller sent;
#   - CAFile= swapped for a FIFO after the account was loaded is refused when it is used, not read;
#   - a Hosts= path pattern is matched against the path as the server resolves it (no "team/../other").
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

# A client that may ask for any of 40 scopes.
scopes=$(for i in $(seq 40); do printf 's%d ' "$i"; done)
(umask 077 && "$REL_PYTHON" - "$scopes" >"$RIG_DIR/ts.json" <<'EOF'
import json, sys
print(json.dumps({"clients": [
    {"id": "basic-client", "secret": "basic-secret", "auth_methods": ["client_secret_basic"],
     "grants": ["client_credentials"], "scopes": ["read", "write"]},
    {"id": "many-scopes", "secret": "basic-secret", "auth_methods": ["client_secret_basic"],
     "grants": ["client_credentials"], "scopes": sys.argv[1].split()}]}))
EOF
)
rig_start_token_server TS --access-ttl 3600 --config "$RIG_DIR/ts.json" || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
ctl() { rig_server_ctl TS "{\"config\": $1}" >/dev/null; }
fresh() { # NAME: a client-credentials account, its token not cached
        rel_add_cc "$1" "$TS_TOKEN_URL" "${@:2}" || tap_bail "could not add $1"
}

# --- token sizes -----------------------------------------------------------------------------------------------
ctl '{"pad_claim": 23500}'
fresh big --hosts "https://big.example.com/"
n=$(rig_tb token big | tr -d '\n' | wc -c)
tap_ok "a token of $n bytes, close to the 32 KiB limit" test "$n" -gt 30000 -a "$n" -le 32768
tap_is "$(XDG_RUNTIME_DIR=/nonexistent rig_tb token big | tr -d '\n' | wc -c)" "$n" "... is carried over D-Bus too"
out=$(printf 'protocol=https\nhost=big.example.com\n\n' | "$abs_top_builddir/git-credential-tokenbroker" get)
tap_is "$(sed -n 's/^password=//p' <<<"$out" | tr -d '\n' | wc -c)" "$n" "... and to git"
ctl '{"pad_claim": 700000}'
fresh huge
rel_fetch huge
tap_is "$RC" 5 "a token of 900 KB: a bad response (exit 5)"
tap_like "$OUT" "32768" "... naming the limit"
ctl '{"pad_claim": 0}'

# --- tokens a caller cannot use ----------------------------------------------------------------------------------
for e in 0 -5; do
        ctl "{\"expires_in_literal\": $e}"
        fresh "expired$e"
        rel_fetch "expired$e"
        tap_is "$RC" 5 "expires_in $e: not handed out (exit 5)"
        tap_like "$OUT" "expired already" "... saying the token expired already"
done
ctl '{"expires_in_literal": null}'
ctl '{"access_token_literal": "a b"}'
fresh spaced
rel_fetch spaced
tap_is "$RC" 5 "an access token with a space in it: refused (exit 5)"
tap_like "$OUT" "Bearer" "... as something a Bearer header cannot carry"
ctl '{"access_token_literal": null}'

# --- scope sets chosen by callers --------------------------------------------------------------------------------
rig_tb add open --token-url "$TS_TOKEN_URL" --client-id many-scopes --client-auth basic >/dev/null 2>&1
printf 'basic-secret' | rig_tb set-secret open client-secret >/dev/null
for i in $(seq 40); do
        rig_tb token open --scope "s$i" >/dev/null || tap_bail "no token for scope s$i"
done
before=$(rel_stat TS token_requests)
rig_tb token open --scope s40 >/dev/null
tap_is "$(rel_stat TS token_requests)" "$before" "40 scope sets asked for: the latest is cached"
rig_tb token open --scope s1 >/dev/null
tap_is "$(rel_stat TS token_requests)" $((before + 1)) "... the one used longest ago was dropped (at most 32 a account)"

# --- a secret with a line break, stored by another keyring client -----------------------------------------------
fresh keyed --set ApiKeyHeader=X-Api-Key
printf 'ak-good' | rig_tb set-secret keyed api-key >/dev/null
tap_is "$(rig_tb token keyed --json | rig_json_get headers.X-Api-Key)" ak-good "an api-key stored with set-secret is handed out"
# The same attributes as the daemon's item, schema included: the keyring replaces it.
printf 'ak-evil\r\nX-Injected: 1' |
        secret-tool store --label "tokenbroker keyed api-key" xdg:schema org.tokenbroker.Secret account keyed kind api-key
rig_restart_daemon || tap_bail "tokenbrokerd did not restart"
before=$(rel_stat TS token_requests)
rel_fetch keyed
tap_is "$RC" 9 "an api-key with CR/LF in the keyring: not used (exit 9)"
tap_like "$OUT" "not valid" "... saying the stored secret is not valid"
tap_is "$(rel_stat TS token_requests)" "$before" "... and no request was sent with the account's secrets"
tap_like "$(cat "$(rel_daemon_log)")" "the keyring's api-key is not valid" "... the log names the kind"

# --- what callers sent, echoed ---------------------------------------------------------------------------------
long=$(head -c 100000 /dev/zero | tr '\0' a)
err=$(busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 GetToken \
        'sa{sv}' "$long" 0 2>&1)
tap_like "$err" "Invalid account name" "a 100 KB account name on D-Bus: InvalidArgs"
tap_ok "... whose message quotes an excerpt (${#err} bytes)" test "${#err}" -lt 300
err=$(busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 GetToken \
        'sa{sv}' open 1 scope s "$long" 2>&1)
tap_like "$err" "too long" "a 100 KB scope: refused as too long, before anything is sent"
tap_ok "... the message quotes an excerpt (${#err} bytes)" test "${#err}" -lt 300
reply=$("$REL_PYTHON" "$abs_top_srcdir/tests/frontend/wire-client.py" "$XDG_RUNTIME_DIR/tokenbroker/token" \
        call "$(head -c 60000 /dev/zero | tr '\0' m)" '{}' recv 2>&1)
tap_like "$reply" "Unknown method" "a 60 KB method name on the token socket: refused"
tap_ok "... with an excerpt of it (${#reply} bytes)" test "${#reply}" -lt 400

# --- CAFile= swapped after the load ----------------------------------------------------------------------------
cp /etc/ssl/certs/ca-certificates.crt "$RIG_DIR/ca.pem"
fresh pinned --set "CAFile=$RIG_DIR/ca.pem"
tap_is "$(rig_tb token pinned | rel_whoami TS)" basic-client "an account with a CAFile= works"
rm "$RIG_DIR/ca.pem"
mkfifo "$RIG_DIR/ca.pem"
rel_invalidate pinned
rel_fetch pinned
tap_is "$RC" 9 "CAFile= replaced by a FIFO after the load: refused when used (exit 9)"
tap_like "$OUT" "CAFile=" "... saying so"
tap_is "$(rig_tb token big | rel_whoami TS)" basic-client "... and the daemon goes on serving"

# --- Hosts= paths --------------------------------------------------------------------------------------------------
fresh team --hosts "https://git.example.com/team/"
get() { printf 'protocol=https\nhost=git.example.com\npath=%s\n\n' "$1" |
        "$abs_top_builddir/git-credential-tokenbroker" get | grep -c '^password='; }
tap_is "$(get team/repo.git)" 1 "Hosts= https://git.example.com/team/: team/repo.git is served"
tap_is "$(get team/../other/repo.git)" 0 "... team/../other/repo.git is not"
tap_is "$(get teamfoo/repo.git)" 0 "... nor teamfoo/repo.git"

rel_stop_daemon_checked
tap_done
