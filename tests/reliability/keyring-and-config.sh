#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon's surroundings failing under it, and recovering without a restart of the daemon:
#   - the keyring locked (through the Secret Service API): secrets that must be read give the caller exit 7
#     and a clear message; a rotated refresh token that cannot be stored is kept in memory, shown as such,
#     and stored the moment the keyring is unlocked (HACKING.md, ordering rule 3); everything works again.
#   - the keyring hung (SIGSTOP): calls that need it fail after the keyring time-out with Unavailable, not
#     a front end's generic time-out; served again once it runs.
#   - gnome-keyring stopped and started again: the daemon's next keyring jobs go to the new instance.
#   - account files edited while the daemon runs, then `tokenbroker reload`: new, changed, broken and removed
#     files.
#   - the disk full while an account file is written (a small tmpfs over the accounts directory, as root):
#     a clear error, no partial or temporary file left, a replaced file intact.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

accounts="$XDG_CONFIG_HOME/tokenbroker/accounts"
mkdir -p "$accounts"
chmod 0700 "$XDG_CONFIG_HOME/tokenbroker" "$accounts"
tmpfs=
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k,mode=0700 tb-accounts "$accounts" 2>/dev/null; then
        tmpfs=$accounts
        trap 'rig_cleanup; umount -l "$tmpfs" 2>/dev/null' EXIT
fi

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_token_server OTHER --access-ttl 3600 || tap_bail "no second token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

rel_add_cc loaded "$TS_TOKEN_URL" && rel_add_cc fresh "$TS_TOKEN_URL" && rel_add_cc later "$TS_TOKEN_URL" &&
        rel_add_code_account TS rot ||
        tap_bail "could not set up the accounts"
# A restart empties the daemon's memory: secrets are read from the keyring again, when first needed.
rig_restart_daemon || tap_bail "tokenbrokerd did not restart"
rig_tb token loaded >/dev/null && rig_tb token rot >/dev/null || tap_bail "no tokens to start with"

# --- the keyring locked ---------------------------------------------------------------------------------------
rt_before_lock=$(rel_keyring_rt rot)
rel_keyring_lock
tap_ok "the login collection is locked through the Secret Service API" rel_keyring_locked
rel_fetch fresh
tap_is "$RC" 7 "an account whose secrets must be read from the locked keyring: exit 7"
tap_like "$OUT" "keyring is locked" "... with a message that says so"
tap_like "$(rig_tb status fresh 2>&1)" "locked" "... also in its status"
rel_fetch loaded
tap_is "$RC" 0 "an account whose secrets are in memory is served meanwhile"

rel_invalidate rot
rel_fetch rot
tap_is "$RC" 0 "a refresh whose rotated refresh token cannot be stored still hands out the token (rule 3)"
tap_like "$(cat "$(rel_daemon_log)")" "failed to store the rotated refresh token" "... and the daemon logs the failed store"
memory_only() { rig_tb status rot 2>&1 | grep -qE 'refresh-token-memory-only +yes'; }
tap_ok "... and status shows the refresh token is held in memory only" memory_only
tap_like "$(rel_call GetAccount s rot)" '"refresh-token-memory-only" b true' "... as GetAccount does"
requests_before=$(rel_stat TS token_requests)

rel_keyring_unlock
tap_ok "the collection is unlocked again (no daemon restart)" test -z "$(rel_keyring_locked && echo locked)"
stored() { ! memory_only; }
tap_ok "once unlocked, the refresh token held in memory is stored, without another refresh" rig_wait_for 40 stored
tap_isnt "$(rel_keyring_rt rot)" "$rt_before_lock" "... the keyring holds the rotated one now"
tap_is "$(rel_stat TS token_requests)" "$requests_before" "... and no request went upstream for it"
rel_fetch fresh
tap_is "$RC" 0 "after the unlock the same account gets its token, without restarting the daemon"
tap_is "$(rel_whoami TS <<<"$OUT")" basic-client "... which works"
# A crash now loses nothing: the stored refresh token is the newest.
rig_kill9_daemon
rig_start_daemon || tap_bail "tokenbrokerd did not restart"
rel_invalidate rot
rel_fetch rot
tap_is "$RC" 0 "a crash after the write loses nothing: the stored refresh token works"
tap_is "$(rel_stat TS rt_reuse)" 0 "... and it was not a spent one"
rt_kept=$(rel_keyring_rt rot)
rel_invalidate rot
rel_fetch rot
tap_is "$RC" 0 "the next refresh works"
tap_isnt "$(rel_keyring_rt rot)" "$rt_kept" "... and its rotated successor is now stored"
rig_restart_daemon || tap_bail "tokenbrokerd did not restart"
rel_fetch rot
tap_is "$RC" 0 "after a restart the stored refresh token works"
tap_is "$(rel_stat TS rt_reuse)" 0 "... and the server never saw a refresh token reused"

# --- the keyring hung ------------------------------------------------------------------------------------------------
# The restart above left "loaded" with its secrets in the keyring only.
hung_keyring=$(rel_keyring_pid)
[ -n "$hung_keyring" ] || tap_bail "no keyring pid"
kill -STOP "$hung_keyring"
start=$(rel_ms)
rel_fetch loaded
elapsed=$(($(rel_ms) - start))
kill -CONT "$hung_keyring"
tap_is "$RC" 6 "a keyring that does not answer: Unavailable (exit 6)"
tap_like "$OUT" "did not answer in time" "... with a message that says so"
tap_ok "... after the keyring's time-out of 10 s, well before a front end's 90 s (${elapsed} ms)" \
        test "$elapsed" -ge 9500 -a "$elapsed" -lt 60000
rel_fetch loaded
tap_is "$RC" 0 "once the keyring runs again, the account is served"

# --- gnome-keyring restarted under the daemon ---------------------------------------------------------------------
old_keyring=$(rel_keyring_pid)
[ -n "$old_keyring" ] || tap_bail "no keyring pid"
kill -TERM "$old_keyring"
rig_wait_for 10 sh -c '! busctl --user status org.freedesktop.secrets' || tap_bail "the keyring did not stop"
rig_spawn keyring2 sh -c 'printf "%s" "$TB_KEYRING_PASSWORD" |
        exec gnome-keyring-daemon --foreground --unlock --components=secrets'
rig_wait_for 10 busctl --user status org.freedesktop.secrets || tap_bail "the new keyring did not come up"
tap_isnt "$(rel_keyring_pid)" "$old_keyring" "gnome-keyring was stopped and started again"
rel_fetch later
tap_is "$RC" 0 "the daemon reads a not yet loaded account's secrets from the new keyring instance"
[ "$RC" -eq 0 ] || tap_diag "$OUT"
rt_before=$(rel_keyring_rt rot)
rel_invalidate rot
rel_fetch rot
tap_is "$RC" 0 "a refresh with rotation after the keyring restart works"
tap_isnt "$(rel_keyring_rt rot)" "$rt_before" "... and its new refresh token is stored in the new instance"
rig_restart_daemon || tap_bail "tokenbrokerd did not restart"
rel_fetch rot
tap_is "$RC" 0 "... from which a restarted daemon refreshes"
tap_is "$(rel_stat TS rt_reuse)" 0 "... without any reuse"

# --- account files edited while the daemon runs, then reload -------------------------------------------------------
write_file() { # NAME TS
        local var="${2}_TOKEN_URL"
        (umask 077 && printf '[Account]\nTokenURL=%s\nClientID=basic-client\nClientAuth=basic\n' "${!var}" \
                >"$accounts/.$1.tmp" && mv "$accounts/.$1.tmp" "$accounts/$1.conf")
}
# (The folder watch may find the file first, within a second: accounts-watch.sh tests that. Here the reload
# is what makes it certain, whenever it comes.)
write_file byhand TS
tap_ok "tokenbroker reload" rig_tb reload
printf 'basic-secret' | rig_tb set-secret byhand client-secret >/dev/null
rel_fetch byhand
tap_is "$(rel_whoami TS <<<"$OUT")" basic-client "an account file written by hand works after the reload"

write_file byhand OTHER
rig_tb reload >/dev/null 2>&1
rel_fetch byhand
tap_is "$(rel_whoami OTHER <<<"$OUT")" basic-client "an edited TokenURL takes effect at the reload (a token of the new server)"

good=$(cat "$accounts/byhand.conf")
printf '[Account\nTokenURL=%s\n' "$TS_TOKEN_URL" >"$accounts/byhand.conf"
rig_tb reload >/dev/null 2>&1
rel_fetch byhand
tap_is "$(rel_whoami OTHER <<<"$OUT")" basic-client "a file broken by an edit keeps the account as it was loaded"
tap_like "$(cat "$(rel_daemon_log)")" "byhand.conf:1: invalid group header" "... and the daemon logs file, line and problem"
printf '%s\n' "$good" >"$accounts/byhand.conf"

rm -f "$accounts/byhand.conf"
rig_tb reload >/dev/null 2>&1
rel_fetch byhand
tap_is "$RC" 3 "a removed account file: no such account after the reload (exit 3)"
rel_fetch loaded
tap_is "$RC" 0 "the other accounts are served throughout"

# --- disk full while writing an account file ------------------------------------------------------------------
if [ -z "$tmpfs" ]; then
        tap_skip "disk full while writing an account file" "needs root to mount a small tmpfs over the accounts directory"
else
        before=$(cat "$accounts/loaded.conf")
        dd if=/dev/zero of="$accounts/.filler" bs=4k >/dev/null 2>&1
        tap_fails "the accounts file system is full" dd if=/dev/zero of="$accounts/.probe" bs=4k count=1
        rm -f "$accounts/.probe"
        out=$(rig_tb add full --token-url "$TS_TOKEN_URL" --client-id basic-client 2>&1)
        rc=$?
        tap_isnt "$rc" 0 "adding an account on a full disk fails (exit $rc)"
        tap_like "$out" "[Nn]o space left on device" "... with a message that says why"
        tap_is "$(ls -A "$accounts" | grep -v '^\.filler$' | grep -c 'full')" 0 "... and leaves no file, partial or temporary"
        out=$(rig_tb add loaded --token-url "$OTHER_TOKEN_URL" --client-id basic-client --replace 2>&1)
        tap_isnt "$?" 0 "replacing an account on a full disk fails"
        tap_is "$(cat "$accounts/loaded.conf")" "$before" "... and the old file is intact"
        tap_is "$(ls -A "$accounts" | grep -c '^\.#')" 0 "... with no temporary file left behind"
        rel_fetch loaded
        tap_is "$RC" 0 "the daemon keeps serving the account"
        rm -f "$accounts/.filler"
        tap_ok "with space again, the account is added" rig_tb add full --token-url "$TS_TOKEN_URL" --client-id basic-client
fi

rel_stop_daemon_checked
tap_done
