#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `tokenbroker doctor` against the real daemon, bus and keyring: all well, then one thing wrong at a time (a
# missing secret, a login not made, a refused file, a token endpoint that does not answer, a locked
# keyring, no daemon), each found, with its fix and the exit status of its class.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
rel_add_cc good "$TS_TOKEN_URL" || tap_bail "could not add an account"
doctor() { OUT=$(rig_tb doctor 2>&1); RC=$?; }

doctor
tap_is "$RC" 0 "all well: exit 0"
tap_like "$OUT" "ok +session bus: " "... the session bus"
tap_like "$OUT" "ok +daemon: tokenbrokerd answers" "... the daemon"
tap_like "$OUT" "ok +socket .*/tokenbroker/bus: present, ours, 0600" "... its private socket"
tap_like "$OUT" "ok +socket .*/tokenbroker/token: accepts connections" "... its token socket"
tap_like "$OUT" "ok +keyring: collection /org/freedesktop/secrets/(aliases/default|collection/login) is unlocked" \
        "... the keyring, unlocked"
tap_like "$OUT" "ok +account good: secrets in the keyring; $TS_TOKEN_URL answers" "... the account and its endpoint"
tap_like "$OUT" "No problems found." "... and says so"
before=$(rel_stat TS token_requests)
tap_is "$before" 0 "... without asking for a token"

# A secret missing, and a login not made.
rig_tb add nosecret --token-url "$TS_TOKEN_URL" --client-id basic-client >/dev/null 2>&1
rig_tb add dev --token-url "$TS_TOKEN_URL" --client-id public --grant device_code --client-auth none \
        --set DeviceAuthorizationURL="$TS_URL/device" >/dev/null 2>&1
doctor
tap_is "$RC" 4 "two accounts wrong: the exit status of the first (dev: a login, 4)"
tap_like "$OUT" "FAIL +account nosecret: its client-secret is not in the keyring
 +fix: tokenbroker set-secret nosecret client-secret" "... naming the secret and the fix"
tap_like "$OUT" "FAIL +account dev: needs a login .*
 +fix: tokenbroker login dev" "a device-code account without a login: the fix is a login"
tap_like "$OUT" "2 problems found." "... two problems"
rig_tb remove dev --yes >/dev/null 2>&1
doctor
tap_is "$RC" 9 "an account without its client secret alone: exit 9"
rig_tb remove nosecret --yes >/dev/null 2>&1

# A refused file.
accounts="$XDG_CONFIG_HOME/tokenbroker/accounts"
printf '[Account]\nTokenURL=%s\nClientID=x\nBogus=1\nTimeout=soon\n' "$TS_TOKEN_URL" >"$accounts/broken.conf"
chmod 0600 "$accounts/broken.conf"
rig_tb reload >/dev/null 2>&1
doctor
tap_is "$RC" 9 "a refused account file: exit 9"
tap_like "$OUT" "FAIL +account broken: not loaded: .*broken.conf:5: Timeout" "... with its file, line and key"
rm -f "$accounts/broken.conf"
rig_tb reload >/dev/null 2>&1

# A token endpoint that does not answer.
# The port stays bound, never listening, for the rest of the test: no other server can take it, and a
# connection to it is refused.
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1], flush=True); time.sleep(600)' \
        >"$RIG_DIR/dead-port" &
holder=$!
rig_wait_for 10 test -s "$RIG_DIR/dead-port"
port=$(cat "$RIG_DIR/dead-port")
rig_tb add dead --token-url "http://127.0.0.1:$port/token" --client-id c --client-auth none >/dev/null 2>&1
doctor
tap_is "$RC" 6 "a token endpoint nobody listens on: exit 6"
tap_like "$OUT" "FAIL +account dead: token endpoint http://127.0.0.1:$port/token: .*
 +fix: check the network" "... saying which endpoint, why, and where to look"
tap_like "$OUT" "ok +account good:" "... the other account is still fine"
rig_tb remove dead --yes >/dev/null 2>&1
kill "$holder" 2>/dev/null

# A locked keyring.
rel_keyring_lock
rig_tb reload >/dev/null 2>&1
doctor
tap_is "$RC" 7 "a locked keyring: exit 7"
tap_like "$OUT" "FAIL +keyring: collection .* is locked
 +fix: unlock it" "... with the fix"
rel_keyring_unlock
rig_check_daemon_log

# No daemon, and none to activate (the rig's bus has no activation file for it; where the package is
# installed, as in the autopkgtest, the bus would start one).
rig_stop_daemon
if rig_bus_activates; then
        tap_skip "no daemon: exit 6" "the bus can activate an installed daemon"
        tap_skip "... and how to start it" "the bus can activate an installed daemon"
else
        doctor
        tap_is "$RC" 6 "no daemon: exit 6"
        tap_like "$OUT" "FAIL +daemon: not reachable: .*
 +fix: systemctl --user start tokenbrokerd" "... and how to start it"
fi

tap_done
