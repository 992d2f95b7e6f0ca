#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Accounts that appear by themselves: the daemon watches its accounts folder (made after it started, too)
# and the administrator's, and reloads on its own when a file is added, edited, made unsafe or removed; no
# `tokenbroker reload`. A user's file of the same name takes the place of the administrator's, which the
# user cannot remove. Each change is waited for (up to 20 s: a loaded machine), never timed.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
accounts="$XDG_CONFIG_HOME/tokenbroker/accounts"
system="$TOKENBROKER_SYSTEM_ACCOUNTS_DIR"
rm -rf "$XDG_CONFIG_HOME/tokenbroker"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

listed() { rig_tb list | grep -qx "$1"; }
not_listed() { ! rig_tb list | grep -qx "$1"; }
status_of() { rig_tb status "$1" 2>&1; }
# account_file FILE CLIENT: a client_credentials account of the token server's basic-client.
account_file() {
        printf '[Account]\nTokenURL=%s\nClientID=%s\nClientAuth=basic\n' "$TS_TOKEN_URL" "$2" >"$1.tmp"
        chmod "${3:-0600}" "$1.tmp"
        mv "$1.tmp" "$1"
}

# --- the user's folder, made after the daemon started ---------------------------------------------------------
mkdir -p "$accounts"
chmod 0700 "$XDG_CONFIG_HOME/tokenbroker" "$accounts"
account_file "$accounts/work.conf" basic-client
rig_wait_for 20 listed work
tap_ok "a file copied into a folder made after the daemon started is loaded without a reload" listed work
printf 'basic-secret' | rig_tb set-secret work client-secret >/dev/null
tap_is "$(rel_whoami TS <<<"$(rig_tb token work)")" "basic-client" "... and serves tokens once its secret is set"

sed -i 's/^ClientID=.*/ClientID=other-client/' "$accounts/work.conf"
rig_wait_for 20 bash -c "[ \"\$($TB status work 2>&1 | grep -c other-client)\" -gt 0 ]"
tap_like "$(status_of work)" "other-client" "an edit (sed -i: a new file renamed over the old) is loaded"

log="${TB_SESSION_ROOT:-$RIG_DIR}/tokenbrokerd.log"
echo "not a [group" >"$accounts/work.conf"
tap_ok "a file broken by an edit is read again" rig_wait_for 20 grep -q "work.conf' not loaded" "$log"
tap_like "$(status_of work)" "other-client" "a file broken by an edit keeps the account as it was"

account_file "$accounts/work.conf" basic-client
rig_wait_for 20 bash -c "$TB status work 2>&1 | grep -q 'basic-client'"
chmod 0644 "$accounts/work.conf"
rig_wait_for 20 not_listed work
tap_ok "a file made readable by others (chmod alone) is refused" not_listed work
tap_like "$(status_of work)" "readable or writable by other users" "... saying why"

chmod 0600 "$accounts/work.conf"
rig_wait_for 20 listed work
tap_ok "... and loaded again when fixed" listed work

touch "$accounts/notes.txt" "$accounts/.work.conf.swp"
account_file "$accounts/second.conf" basic-client
rig_wait_for 20 listed second
tap_ok "a second file is loaded" listed second
rm "$accounts/second.conf"
rig_wait_for 20 not_listed second
tap_ok "a removed file takes its account away" not_listed second
tap_like "$(status_of second; echo "rc=$?")" "rc=3" "... (status: no such account, exit 3)"

# --- the administrator's folder ----------------------------------------------------------------------------
mkdir -p "$system"
chmod 0755 "$system"
account_file "$system/fleet.conf" basic-client 0644
rig_wait_for 20 listed fleet
tap_ok "an account the administrator provisioned (a folder made after the start) is loaded" listed fleet
printf 'basic-secret' | rig_tb set-secret fleet client-secret >/dev/null
tap_is "$(rel_whoami TS <<<"$(rig_tb token fleet)")" "basic-client" "... serves tokens with the user's secret"
tap_like "$(status_of fleet)" "provisioned +yes" "status says it is the administrator's"
out=$(rig_tb remove fleet 2>&1 </dev/null); rc=$?
tap_is "$rc" 8 "the user cannot remove it (refused: exit 8)"
tap_like "$out" "provisioned by the administrator" "... saying whose it is"
tap_ok "... and it is still there" listed fleet
out=$(dbus-send --session --print-reply --dest=org.tokenbroker.Broker1 /org/tokenbroker/Broker1 \
        org.tokenbroker.Broker1.RemoveAccount string:fleet 2>&1)
tap_like "$out" "provisioned by the administrator" "RemoveAccount on the bus refuses it too"

account_file "$accounts/fleet.conf" user-client
rig_wait_for 20 bash -c "$TB status fleet 2>&1 | grep -q user-client"
tap_like "$(status_of fleet)" "user-client" "a user's file of the same name takes its place"
out=$(rig_tb remove fleet --yes 2>&1); rc=$?
tap_is "$rc" 0 "the user removes their own file of that name"
tap_like "$out" "Removed .*/accounts/fleet.conf; the administrator's account 'fleet' .* is served again, its secrets kept" \
        "... and hears that the administrator's is back"
tap_like "$(status_of fleet)" "client-id +basic-client" "... which it is"
tap_is "$(rel_whoami TS <<<"$(rig_tb token fleet --force-new)")" "basic-client" "... with the secret the user stored, kept"

chmod 0777 "$system"
rig_wait_for 20 not_listed fleet
tap_ok "an administrator's folder others may write: none of its accounts is loaded" not_listed fleet
chmod 0755 "$system"
rig_wait_for 20 listed fleet

# --- many changes at once: one reload, a daemon still serving ----------------------------------------------
for i in $(seq 1 50); do account_file "$accounts/many$i.conf" basic-client; done
rig_wait_for 20 listed many50
tap_is "$(rig_tb list | grep -c '^many')" 50 "fifty files written at once are all loaded"
tap_is "$(rel_whoami TS <<<"$(rig_tb token work)")" "basic-client" "... and the daemon still serves"

rig_check_daemon_log
tap_done
