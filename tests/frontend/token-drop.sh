#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A token you can drop: `tokenbroker token --force-new` (forget the cached token, fetch anew) and
# `--min-validity SECONDS`, and `tokenbroker curl` after the server revoked the token it holds: one more run
# with a fresh token, the refused one invalidated first, only the second answer printed; `--no-retry` keeps
# the 401. Against the token server's own counters and its revoke_all (every token it issued dies).
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
rel_add_cc acct "$TS_TOKEN_URL" || tap_bail "could not add an account"
requests() { rel_stat TS token_requests; }
API="$TS_URL/api/whoami"

t1=$(rig_tb token acct)
before=$(requests)
t2=$(rig_tb token acct --force-new); rc=$?
tap_is "$rc" 0 "token --force-new"
tap_isnt "$t2" "$t1" "... forgets the cached token and hands out a new one"
tap_is "$(($(requests) - before))" 1 "... after one token request"
tap_is "$(rig_tb token acct)" "$t2" "... which is cached from then on"
json=$(rig_tb token acct --force-new --json)
tap_isnt "$(rig_json_get access_token "$json")" "$t2" "--force-new with --json"

before=$(requests)
rig_tb token acct --min-validity 60 >/dev/null
tap_is "$(requests)" "$before" "--min-validity 60 with an hour left: the cached token"
rig_tb token acct --min-validity 7200 >/dev/null
tap_is "$(($(requests) - before))" 1 "--min-validity 7200 with an hour left: a new token is fetched"
out=$(rig_tb token acct --min-validity soon 2>&1); rc=$?
tap_is "$rc" 2 "--min-validity takes seconds (exit 2 otherwise)"

# --- the server revokes every token: curl's second run with a fresh one -----------------------------------
rig_tb token acct >/dev/null
rig_server_ctl TS '{"revoke_all": true}'
before=$(requests)
out=$(rig_tb curl acct -- -s "$API"); rc=$?
tap_is "$rc:$(rig_json_get sub "$out")" "0:basic-client" \
        "tokenbroker curl after the server revoked the token: a 401, then a fresh token, accepted"
tap_unlike "$out" "invalid_token" "... and only the second answer is printed"
tap_is "$(($(requests) - before))" 1 "... one token request for it"
tap_is "$(rel_whoami TS <<<"$(rig_tb token acct)")" "basic-client" "... and the fresh token is the cached one"

rig_server_ctl TS '{"revoke_all": true}'
rig_tb curl acct -- -s -o "$RIG_DIR/out.json" "$API"
tap_is "$(rig_json_get sub "$(cat "$RIG_DIR/out.json")")" "basic-client" "with -o FILE: the file holds the second answer"

rig_server_ctl TS '{"revoke_all": true}'
before=$(requests)
out=$(rig_tb curl acct --no-retry -- -s "$API"); rc=$?
tap_like "$out" "invalid_token" "--no-retry: the 401 is what curl prints"
out=$(rig_tb curl --no-retry acct -s "$API")
tap_like "$out" "invalid_token" "... the option may come before the account name, and -- may be left out"
tap_is "$(requests)" "$before" "... and no new token is fetched"
out=$(printf 'x=1' | rig_tb curl acct -- -s -G --data-binary @- "$API")
tap_like "$out" "invalid_token" "a request that reads stdin runs once: the 401 stands"
out=$(rig_tb curl acct -- -s "$API")
tap_is "$(rig_json_get sub "$out")" "basic-client" "... and the next call renews the token"

# --- the same against the five-service emulator: Flume's 7-day token revoked at the service ------------------
# Without the retry, `tokenbroker curl` would get 401 for the rest of the week.
rig_start_provider FLUME flume || tap_bail "the flume emulator did not start"
rig_tb add home --provider flume --token-url "$FLUME_URL/oauth/token" --client-id flume-client \
        --username alice@example.com >/dev/null 2>&1
rig_tb set-secret home client-secret <<<"flume-secret"
rig_tb set-secret home password <<<"wonderland"
user_id=$(rig_json_get claims.user_id "$(rig_tb token home --json)")
tap_like "$(rig_tb curl home -- -s "$FLUME_URL/users/$user_id/devices")" '"success": ?true' "Flume: the API takes the token"
rig_server_ctl FLUME '{"revoke_all": true}'
tap_like "$(rig_tb curl home --no-retry -- -s "$FLUME_URL/users/$user_id/devices")" '"success": ?false' \
        "... revoked at Flume: with --no-retry the API refuses it"
out=$(rig_tb curl home -- -s "$FLUME_URL/users/$user_id/devices"); rc=$?
tap_is "$rc" 0 "... and tokenbroker curl, refused, fetches a fresh token and runs once more"
tap_like "$out" '"success": ?true' "... which Flume takes"

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
