#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The systemd user units and the D-Bus activation file, as built: systemd accepts them without a warning,
# and they agree with each other and with the bus name the code uses.
. "$abs_top_srcdir/tests/lib/rig.sh"

pkg="$abs_top_builddir/packaging"
src="$abs_top_srcdir/packaging"
service="$pkg/tokenbrokerd.service"
warmup="$pkg/tokenbroker-warmup.service"
socket="$src/tokenbrokerd.socket"
activation="$pkg/org.tokenbroker.Broker1.service"

for f in "$service" "$warmup" "$activation"; do
        [ -f "$f" ] || make -C "$abs_top_builddir" "packaging/${f##*/}" >/dev/null 2>&1
done

# key FILE KEY: the value of the last KEY= line.
key() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tb-units.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- substitution
tap_fails "no @bindir@ is left in the generated files" grep -l '@bindir@' "$service" "$warmup" "$activation"

# --- systemd-analyze verify on test copies whose binaries exist
if command -v systemd-analyze >/dev/null; then
        mkdir -p "$tmp/units" "$tmp/runtime" "$tmp/config"
        chmod 0700 "$tmp/runtime"
        daemon="$abs_top_builddir/tokenbrokerd"
        [ -x "$daemon" ] || daemon=/bin/true
        cli="$abs_top_builddir/tokenbroker"
        [ -x "$cli" ] || cli=/bin/true
        sed "s|^ExecStart=.*|ExecStart=$daemon|" "$service" >"$tmp/units/tokenbrokerd.service"
        sed "s|^ExecStart=[^ ]*|ExecStart=$cli|" "$warmup" >"$tmp/units/tokenbroker-warmup.service"
        cp "$socket" "$tmp/units/"
        for u in tokenbrokerd.service tokenbrokerd.socket tokenbroker-warmup.service; do
                out=$(cd "$tmp/units" && XDG_RUNTIME_DIR="$tmp/runtime" XDG_CONFIG_HOME="$tmp/config" \
                        systemd-analyze --user verify --man=no "$tmp/units/$u" 2>&1)
                rc=$?
                tap_is "$rc" 0 "systemd-analyze --user verify $u"
                # Unknown or misspelt settings are only warnings to systemd; here they are failures.
                tap_is "$(printf '%s\n' "$out" | grep -v '^$')" "" "$u: systemd reports nothing (no unknown key, no bad value)"
        done

        # verify really rejects: a unit whose binary is missing and one with a misspelt key.
        sed "s|^ExecStart=.*|ExecStart=$tmp/no-such-daemon|" "$service" >"$tmp/units/broken.service"
        tap_fails "verify rejects a unit whose ExecStart is missing" \
                env XDG_RUNTIME_DIR="$tmp/runtime" systemd-analyze --user verify --man=no "$tmp/units/broken.service"
        { cat "$tmp/units/tokenbrokerd.service"; echo "[Service]"; echo "ProtectSytem=strict"; } \
                >"$tmp/units/misspelt.service"
        out=$(XDG_RUNTIME_DIR="$tmp/runtime" systemd-analyze --user verify --man=no "$tmp/units/misspelt.service" 2>&1)
        tap_like "$out" "Unknown key" "a misspelt key would be reported"

        # Exposure as systemd rates it, offline: the sandbox must stay in place.
        if out=$(XDG_RUNTIME_DIR="$tmp/runtime" systemd-analyze security --user --offline=true --no-pager \
                        --threshold=50 "$tmp/units/tokenbrokerd.service" 2>&1); then
                level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
                tap_like "$level" '^[0-4]\.[0-9]$' "the daemon's unit has an exposure level below 5.0 ($level)"
        else
                tap_skip "exposure level" "systemd-analyze security --offline is not supported here"
        fi
else
        tap_skip "systemd-analyze verify" "systemd-analyze not installed"
fi

# --- one bus name everywhere
code_name=$(sed -n 's/^#define BROKER_BUS_NAME "\(.*\)"$/\1/p' "$abs_top_srcdir/lib/bus/bus-api.h")
tap_isnt "$code_name" "" "bus-api.h defines the bus name"
tap_is "$(key "$service" BusName)" "$code_name" "the unit's BusName= is the code's bus name"
tap_is "$(sed -n 's/^Name=//p' "$activation")" "$code_name" "the activation file's Name= is the code's bus name"
tap_is "$(grep -c '^\[D-BUS Service\]$' "$activation")" 1 "the activation file has its [D-BUS Service] group"
tap_is "$(key "$activation" SystemdService)" "tokenbrokerd.service" "SystemdService= names the unit"
tap_is "$(key "$activation" Exec)" "$(key "$service" ExecStart)" "D-Bus and systemd start the same binary"
tap_is "$(key "$service" Type)" "dbus" "the unit is Type=dbus, so systemd waits for the name"
tap_is "$(key "$socket" Service)" "tokenbrokerd.service" "the socket unit starts the daemon's unit"

# The socket unit listens where the front ends look: $XDG_RUNTIME_DIR/<subdir>/<name>, the directory from
# wire-api.h (shared with the token socket), the name from bus-api.h.
subdir=$(sed -n 's/^#define BROKER_RUNTIME_SUBDIR "\(.*\)"$/\1/p' "$abs_top_srcdir/lib/wire/wire-api.h")
sockname=$(sed -n 's/^#define BROKER_SOCKET_NAME "\(.*\)"$/\1/p' "$abs_top_srcdir/lib/bus/bus-api.h")
tap_is "$(key "$socket" ListenStream)" "%t/$subdir/$sockname" "the socket unit listens on the private socket path"
tap_is "$(key "$service" RuntimeDirectory)" "$subdir" "the unit keeps the private socket's directory writable"
tap_is "$(key "$socket" SocketMode)$(key "$socket" DirectoryMode)$(key "$service" RuntimeDirectoryMode)" \
        "060007000700" "socket 0600 in a 0700 directory, as the daemon demands"
tap_is "$(key "$service" ConfigurationDirectory)" "tokenbroker" \
        "the account files' directory is writable in the sandbox"

# The daemon bounds its connections by its descriptor limit; the unit gives it room for a thousand callers
# (the connections a thousand concurrent front ends hold), and a limit the test of a flood runs under too.
nofile=$(key "$service" LimitNOFILE)
tap_ok "the unit sets LimitNOFILE= above the default 1024 ($nofile)" test "${nofile:-0}" -gt 1024
tap_done
