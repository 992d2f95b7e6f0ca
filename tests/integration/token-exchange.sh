#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# RFC 8693 token exchange against the loopback token server: the subject token is another account's
# access token (SubjectAccount=, fetched first when it has none), the actor token a third account's
# (ActorAccount=), with audience and resource; concurrent callers share one exchange; circles of accounts
# and missing accounts are configuration errors; a subject that cannot get a token fails the exchange with a
# message that names it. Sharetribe's literal exchange is in tests/providers/sharetribe.sh.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_start_token_server TS || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
whoami() { curl -s -H "Authorization: Bearer $1" "$TS_URL/api/whoami"; }
claim() { "$PYTHON3" -c 'import base64, json, sys
p = sys.argv[1].split(".")[1]
print(json.dumps(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))).get(sys.argv[2])))' "$1" "$2"; }
add() { rig_tb add "$@" >/dev/null 2>&1 || tap_bail "cannot add account $1"; }

add user --token-url "$TS_TOKEN_URL" --client-id public-client --client-auth none --grant password \
        --username alice --scopes read
rig_tb set-secret user password <<<"wonderland"
add robot --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic --scopes read
rig_tb set-secret robot client-secret <<<"basic-secret"
add svc --token-url "$TS_TOKEN_URL" --client-id exchange-client --client-auth basic --grant token_exchange \
        --scopes read --set SubjectAccount=user --set ActorAccount=robot \
        --set Audience=https://api.example.com --set Resource=https://api.example.com/v1
rig_tb set-secret svc client-secret <<<"exchange-secret"

t=$(rig_tb token svc); rc=$?
tap_is "$rc" 0 "a token-exchange account gets a token"
tap_like "$(whoami "$t")" '"sub": ?"alice"' "... it is the subject's (alice)"
tap_like "$(whoami "$t")" '"client_id": ?"exchange-client"' "... issued to the exchanging client"
tap_is "$(claim "$t" act)" '{"sub": "basic-client"}' "... acting for the actor account's client"
tap_is "$(claim "$t" aud)" '"https://api.example.com"' "... for the audience"
tap_is "$(rig_server_stats TS exchange.resource)" "https://api.example.com/v1" "... and the resource was sent"
tap_is "$(rig_server_stats TS grants.password)" 1 "the subject's token was fetched first (one password grant)"
tap_is "$(rig_server_stats TS grants.client_credentials)" 1 "... and the actor's (one client_credentials grant)"
tap_is "$(rig_server_stats TS "grants.urn:ietf:params:oauth:grant-type:token-exchange")" 1 "... then one exchange"

# Twenty cold callers at once: one exchange, the subject's cached token reused.
busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 Invalidate ss svc ""
pids=()
for i in $(seq 20); do
        (rig_tb token svc >"$RIG_DIR/x.$i" 2>&1; echo $? >"$RIG_DIR/x.$i.rc") &
        pids+=($!)
done
wait "${pids[@]}"
tap_is "$(cat "$RIG_DIR"/x.*.rc | sort -u | tr '\n' ' ')" "0 " "20 concurrent callers all succeed"
tap_is "$(cat "$RIG_DIR"/x.? "$RIG_DIR"/x.?? | sort -u | wc -l)" 1 "... with one token"
tap_is "$(rig_server_stats TS "grants.urn:ietf:params:oauth:grant-type:token-exchange")" 2 "... from one exchange"
tap_is "$(rig_server_stats TS grants.password)" 1 "... and the subject's cached token"

# --- configuration mistakes -----------------------------------------------------------------------------------
add loop1 --token-url "$TS_TOKEN_URL" --client-id exchange-client --grant token_exchange --set SubjectAccount=loop2
add loop2 --token-url "$TS_TOKEN_URL" --client-id exchange-client --grant token_exchange --set SubjectAccount=loop1
rig_tb set-secret loop1 client-secret <<<"exchange-secret"
out=$(rig_tb token loop1 2>&1); rc=$?
tap_is "$rc" 9 "accounts that exchange each other's tokens: a configuration error (exit 9)"
tap_like "$out" "circle" "... saying they form a circle"
add orphan --token-url "$TS_TOKEN_URL" --client-id exchange-client --grant token_exchange --set SubjectAccount=nobody
rig_tb set-secret orphan client-secret <<<"exchange-secret"
out=$(rig_tb token orphan 2>&1); rc=$?
tap_is "$rc" 9 "a SubjectAccount= that names no account: exit 9"
tap_like "$out" "SubjectAccount=nobody names no account" "... saying which"
out=$(rig_tb add nosubject --token-url "$TS_TOKEN_URL" --client-id exchange-client --grant token_exchange 2>&1)
tap_like "$out" "SubjectAccount.*required" "Grant=token_exchange without SubjectAccount= is refused when added"

# --- a subject that cannot get a token ------------------------------------------------------------------------
add baduser --token-url "$TS_TOKEN_URL" --client-id public-client --client-auth none --grant password \
        --username alice
rig_tb set-secret baduser password <<<"not-the-password"
add badsvc --token-url "$TS_TOKEN_URL" --client-id exchange-client --grant token_exchange \
        --set SubjectAccount=baduser
rig_tb set-secret badsvc client-secret <<<"exchange-secret"
out=$(rig_tb token badsvc 2>&1); rc=$?
tap_is "$rc" 5 "the subject's provider refuses: the exchange fails with the provider's error (exit 5)"
tap_like "$out" "account 'baduser'.*invalid_grant" "... naming the subject account and its error"

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
