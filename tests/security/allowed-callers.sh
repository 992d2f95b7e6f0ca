#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# AllowedCallers=: only the named executables may have an account's token. The daemon learns the caller's
# executable from /proc/PID/exe of the process the bus daemon (sd-bus credentials) or SO_PEERCRED (the
# private socket) names, so both paths are tested; the path is the resolved one, so a copy of a binary is
# another caller, and AllowedCallers= must name the real file, not a symbolic link to it. A refusal is AccessDenied (exit 8),
# says which program was refused, and is logged. It is defence in depth only: a process of the same user can
# ptrace an allowed program (see tokenbroker.conf(5)).
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

log=$(rel_daemon_log)
tb=$(readlink -f "$TB")
helper=$(readlink -f "$abs_top_builddir/git-credential-tokenbroker")
busctl=$(readlink -f "$(command -v busctl)")
mkdir -p "$RIG_DIR/bin"
cp "$tb" "$RIG_DIR/bin/tb-copy"
ln -s "$tb" "$RIG_DIR/bin/tb-link"
copy="$RIG_DIR/bin/tb-copy"

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

add() { # NAME ALLOWED...
        local name=$1
        shift
        rel_add_cc "$name" "$TS_TOKEN_URL" --hosts "https://$name.example.com/" --set "AllowedCallers=$*"
}
# via_bus CMD...: CMD without the private socket, so that it talks to the daemon through the session bus.
via_bus() {
        env XDG_RUNTIME_DIR="$RIG_DIR/no-runtime" "$@"
}
get_busctl() { # NAME: GetToken through busctl (the session bus); prints "ok", "denied" or the error
        local out
        if out=$(rel_call GetToken 'sa{sv}' "$1" 0 2>&1); then
                echo ok
        elif [[ $out == *"Access denied: $busctl is not an allowed caller"* ]]; then
                echo denied
        else
                echo "$out"
        fi
}
mkdir -p "$RIG_DIR/no-runtime"
chmod 0700 "$RIG_DIR/no-runtime"

add gitonly /usr/bin/git || tap_bail "could not add an account"
out=$(rig_tb token gitonly 2>&1)
tap_is "$?" 8 "AllowedCallers=/usr/bin/git: tokenbroker token is refused (exit 8)"
tap_like "$out" "Access denied: $tb is not an allowed caller" "... and told which program was refused"
tap_like "$(cat "$log")" "Refused a token to $tb: not in the account's AllowedCallers" "... and the daemon logs it"
tap_status 8 "... also through the session bus" via_bus "$TB" token gitonly
out=$(printf 'protocol=https\nhost=gitonly.example.com\n\n' | "$helper" get 2>&1)
tap_isnt "$?" 0 "... and git's helper: the program asking is git-credential-tokenbroker, not git"
tap_unlike "$out" "password=" "... which gets no token"

add tbonly "$tb" || tap_bail "could not add an account"
tap_is "$(rig_tb token tbonly | rel_whoami TS)" basic-client "AllowedCallers naming tokenbroker: its token call works (private socket)"
tap_is "$(via_bus "$TB" token tbonly | rel_whoami TS)" basic-client "... and through the session bus"
tap_is "$(get_busctl tbonly)" denied "... while busctl, another program, gets AccessDenied"
rel_call GetTokenInfo 'sa{sv}' tbonly 0 >/dev/null 2>&1
tap_isnt "$?" 0 "... also from GetTokenInfo"
out=$(rel_call GetDPoPProof 'sssa{sv}' tbonly GET https://tbonly.example.com/ 0 2>&1)
tap_like "$out" "is not an allowed caller" "... and from GetDPoPProof: a proof is a credential too"
tap_status 8 "a copy of the allowed binary elsewhere is another program: refused" "$copy" token tbonly
tap_status 0 "a symbolic link to the allowed binary runs that binary: served" "$RIG_DIR/bin/tb-link" token tbonly
add linkonly "$RIG_DIR/bin/tb-link" || tap_bail "could not add an account"
tap_status 8 "AllowedCallers naming a symbolic link: refused, what runs is the link's target" \
        "$RIG_DIR/bin/tb-link" token linkonly

add copyonly "$copy" || tap_bail "could not add an account"
tap_is "$("$copy" token copyonly | rel_whoami TS)" basic-client "AllowedCallers naming the copy: the copy gets the token"
tap_status 8 "... and the original does not" "$TB" token copyonly

add several /usr/bin/git "$busctl" "$helper" || tap_bail "could not add an account"
tap_is "$(get_busctl several)" ok "several programs allowed: busctl, one of them, is served over the bus"
out=$(printf 'protocol=https\nhost=several.example.com\n\n' | "$helper" get 2>&1)
tap_like "$out" "password=" "... git's helper, another, gets the token"
tap_status 8 "... tokenbroker, not listed, does not" "$TB" token several

add open || tap_bail "could not add an account"
tap_is "$(rig_tb token open | rel_whoami TS)" basic-client "without AllowedCallers every program of the user is served"
tap_like "$(rig_tb list 2>&1)" "gitonly" "refused accounts are still listed (listing reveals no token)"

rel_stop_daemon_checked
tap_done
