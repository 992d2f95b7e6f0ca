#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Account files say where secrets are sent, so only the user's own, private files count: `tokenbroker add`
# creates them 0600 in a 0700 directory (whatever the umask), and the daemon refuses a file that others may
# read or write, one owned by another user, and a symbolic link, each with a message naming the file and what
# to do, while the other accounts keep working. A file that turns unsafe after it was loaded is refused at
# the next reload as on a fresh start: the account is no longer served. An accounts directory that others
# may write to, or that leads to another user's directory, is refused as a whole. An account whose CAFile=
# names no regular file of at most 1 MiB (a FIFO, /dev/zero) is refused when it is loaded, so that the daemon
# never blocks on reading it. `tokenbroker add` never writes a file the daemon would refuse to load, a file
# over its 64 KiB included.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

accounts="$XDG_CONFIG_HOME/tokenbroker/accounts"
log=$(rel_daemon_log)
rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_token_server OTHER --access-ttl 3600 || tap_bail "no second token server"
# The daemon writes the files; it is started with a umask that would let everyone read them.
old_umask=$(umask)
umask 000
rig_start_daemon || tap_bail "tokenbrokerd did not start"
umask "$old_umask"

tap_ok "no accounts directory yet" test ! -e "$XDG_CONFIG_HOME/tokenbroker"
rig_tb add good --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic >/dev/null 2>&1
printf 'basic-secret' | rig_tb set-secret good client-secret >/dev/null
tap_is "$(stat -c %a "$accounts")" 700 "tokenbroker add (daemon started with umask 000) creates the accounts directory 0700"
tap_is "$(stat -c %a "$XDG_CONFIG_HOME/tokenbroker")" 700 "... and its parent it creates, 0700"
tap_is "$(stat -c %a "$accounts/good.conf")" 600 "... and the account file 0600"
tap_is "$(stat -c %u "$accounts/good.conf")" "$(id -u)" "... owned by the user"
tap_is "$(rig_tb token good | rel_whoami TS)" basic-client "the account works"

# file NAME MODE: a valid account file written by hand with MODE.
file() {
        printf '[Account]\nTokenURL=%s\nClientID=basic-client\n' "$TS_TOKEN_URL" >"$accounts/$1.conf"
        chmod "$2" "$accounts/$1.conf"
}
file worldread 0644
file groupwrite 0620
file foreign 0600
chown 65534:65534 "$accounts/foreign.conf" 2>/dev/null || rm -f "$accounts/foreign.conf"
file target 0600
mv "$accounts/target.conf" "$RIG_DIR/target.conf"
ln -s "$RIG_DIR/target.conf" "$accounts/symlink.conf"
for a in worldread groupwrite foreign symlink; do
        printf 'basic-secret' | rig_tb set-secret "$a" client-secret >/dev/null 2>&1
done
rig_tb reload >/dev/null 2>&1

rel_fetch worldread
tap_is "$RC" 9 "a world-readable account file is refused (the account file is invalid, exit 9)"
tap_like "$(cat "$log")" "worldread.conf: readable or writable by other users \(mode 0644\), refusing; fix with: chmod 0600" \
        "... and the daemon says which file, why, and how to fix it"
tap_like "$OUT" "account 'worldread' is not loaded: .*worldread.conf: readable or writable by other users \(mode 0644\).*chmod 0600" \
        "... and so does tokenbroker token, to the person who ran it"
rel_fetch groupwrite
tap_is "$RC" 9 "a group-writable account file is refused"
tap_like "$(cat "$log")" "groupwrite.conf: readable or writable by other users \(mode 0620\)" "... with its mode in the message"
if [ -e "$accounts/foreign.conf" ]; then
        rel_fetch foreign
        tap_is "$RC" 9 "an account file owned by another user is refused"
        tap_like "$(cat "$log")" "foreign.conf: owned by uid 65534, not by us \(uid $(id -u)\), refusing" \
                "... with the owner in the message"
else
        tap_skip "an account file owned by another user is refused" "cannot chown as uid $(id -u)"
        tap_skip "... with the owner in the message" "cannot chown"
fi
rel_fetch symlink
tap_is "$RC" 9 "a symbolic link as account file is refused"
tap_like "$(cat "$log")" "symlink.conf: is a symbolic link, refusing" "... with a message saying so"
tap_like "$OUT" "symlink.conf: is a symbolic link, refusing" "... to the caller too"
rm -f "$accounts/symlink.conf"
rig_tb reload >/dev/null 2>&1
rel_fetch symlink
tap_is "$RC" 3 "once the refused file is gone, the account simply does not exist (exit 3)"
tap_like "$(rig_tb list 2>&1)" "good" "the refused files do not stop the good account from being listed"
status=$(rig_tb status 2>&1)
tap_is "$?" 9 "tokenbroker status exits 9 while account files are refused"
tap_like "$status" "worldread +- +not loaded +The file of account 'worldread' is not loaded: .*chmod 0600" \
        "... and shows each on its line with the reason"
tap_like "$status" "good" "... beside the loaded accounts"
tap_is "$(rig_tb token good | rel_whoami TS)" basic-client "... nor from working"

# CAFile= naming a FIFO or /dev/zero: the daemon would block, or read for ever, when it hands the file to
# libcurl for a request. Such an account is refused when its file is loaded, and the daemon keeps serving.
mkfifo "$RIG_DIR/ca-fifo"
printf '[Account]\nTokenURL=%s\nClientID=basic-client\nCAFile=%s\n' "$TS_TOKEN_URL" "$RIG_DIR/ca-fifo" \
        >"$accounts/cafifo.conf"
printf '[Account]\nTokenURL=%s\nClientID=basic-client\nCAFile=/dev/zero\n' "$TS_TOKEN_URL" >"$accounts/cazero.conf"
chmod 0600 "$accounts/cafifo.conf" "$accounts/cazero.conf"
out=$(rig_tb reload 2>&1); rc=$?
tap_is "$rc" 9 "a reload with CAFile= naming a FIFO and /dev/zero returns, saying it refused them (exit 9)"
tap_like "$out" "cafifo not loaded: .*CAFile" "... naming the file and the key"
rel_fetch cafifo
tap_is "$RC" 9 "CAFile= naming a FIFO: the account is refused (exit 9)"
tap_like "$OUT" "cafifo.conf:4: CAFile: \"$RIG_DIR/ca-fifo\" is not a regular file" "... saying which file and why"
rel_fetch cazero
tap_is "$RC" 9 "CAFile=/dev/zero: the account is refused"
tap_is "$(rig_tb token good | rel_whoami TS)" basic-client "... and the other accounts keep working"
rig_tb add cadir --token-url "$TS_TOKEN_URL" --client-id basic-client --set "CAFile=$RIG_DIR" >/dev/null 2>&1
tap_is "$?" 9 "tokenbroker add refuses CAFile= naming a directory"
tap_ok "... and writes no file" test ! -e "$accounts/cadir.conf"
rm -f "$accounts/cafifo.conf" "$accounts/cazero.conf"

# What tokenbroker add writes, the daemon loads: a ClientID that makes the file larger than a loaded file may
# be is refused before anything is written.
out=$(rig_tb add huge --token-url "$TS_TOKEN_URL" --client-id "$(head -c 70000 /dev/zero | tr '\0' x)" 2>&1)
tap_is "$?" 9 "tokenbroker add refuses settings that make a file over 64 KiB"
tap_like "$out" "larger than 65536 bytes" "... saying why"
tap_ok "... and writes no file" test ! -e "$accounts/huge.conf"

# A loaded account whose file turns writable by others and is rewritten: the reload refuses it as a fresh
# start would, and it is served no more, neither as it was nor as it now says.
printf '[Account]\nTokenURL=%s\nClientID=basic-client\n' "$OTHER_TOKEN_URL" >"$accounts/good.conf"
chmod 0666 "$accounts/good.conf"
rig_tb reload >/dev/null 2>&1
rel_fetch good
tap_is "$RC" 9 "a loaded account whose file was made world-writable: refused at the reload (exit 9)"
tap_like "$OUT" "good.conf: readable or writable by other users \(mode 0666\).*chmod 0600" \
        "... the caller hears which file and how to fix it"
tap_like "$(rig_tb status 2>&1)" "good +- +not loaded" "... and status lists it as refused"
tap_is "$(rel_stat OTHER token_requests)" 0 "... and nothing was sent to the endpoint written into the unsafe file"
tap_is "$(rel_stat TS token_requests)" 1 "... nor to the one it had (no token fetched with its secret since)"
printf '[Account]\nTokenURL=%s\nClientID=basic-client\n' "$TS_TOKEN_URL" >"$accounts/good.conf"
chmod 0600 "$accounts/good.conf"
rig_tb reload >/dev/null 2>&1
tap_is "$(rig_tb token good | rel_whoami TS)" basic-client "made private again, it is served again"

# The accounts directory itself: writable by others, every account is refused.
chmod 0777 "$accounts"
rig_tb reload >/dev/null 2>&1
rel_fetch good
tap_is "$RC" 9 "an accounts directory writable by others: every account is refused (exit 9)"
tap_like "$OUT" "accounts directory .* is writable by other users \(mode 0777\).*chmod 0700" "... saying why and the fix"
tap_like "$(rig_tb status 2>&1)" "accounts directory" "... and status shows it"
chmod 0700 "$accounts"
rig_tb reload >/dev/null 2>&1
tap_is "$(rig_tb token good | rel_whoami TS)" basic-client "made private again, its accounts are served again"

# A symbolic link to another user's directory, holding a file that would be valid.
if [ "$(id -u)" -eq 0 ]; then
        mkdir -m 0700 "$RIG_DIR/theirs"
        cp -p "$accounts/good.conf" "$RIG_DIR/theirs/good.conf"
        chown -R 65534:65534 "$RIG_DIR/theirs"
        chown 0:0 "$RIG_DIR/theirs/good.conf"
        mv "$accounts" "$accounts.mine"
        ln -s "$RIG_DIR/theirs" "$accounts"
        rig_tb reload >/dev/null 2>&1
        rel_fetch good
        tap_is "$RC" 9 "the accounts directory a symbolic link to another user's directory: refused (exit 9)"
        tap_like "$OUT" "belongs to uid 65534" "... saying whose it is"
        rm "$accounts"
        mv "$accounts.mine" "$accounts"
        rig_tb reload >/dev/null 2>&1
else
        tap_skip "the accounts directory a symbolic link to another user's directory" "needs root to chown"
        tap_skip "... saying whose it is" "needs root"
fi

rel_stop_daemon_checked
tap_done
