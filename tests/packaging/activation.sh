#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# D-Bus activation with the built activation file: on a private bus whose service directory holds it (with
# Exec= pointing at the built daemon), the first call to org.tokenbroker.Broker1 starts tokenbrokerd, which
# then answers from the account files of the caller's environment.
. "$abs_top_srcdir/tests/lib/rig.sh"

daemon="$abs_top_builddir/tokenbrokerd"
activation="$abs_top_builddir/packaging/org.tokenbroker.Broker1.service"
"$daemon" --version >/dev/null 2>&1 || tap_bail "$daemon is missing or does not run"
command -v dbus-daemon >/dev/null || tap_skip_all "dbus-daemon is not installed"
command -v busctl >/dev/null || tap_skip_all "busctl is not installed"
[ -f "$activation" ] || make -C "$abs_top_builddir" packaging/org.tokenbroker.Broker1.service >/dev/null 2>&1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tb-activation.XXXXXX")
bus_pid=
daemon_pid=
cleanup() {
        [ -z "$daemon_pid" ] || rig_stop_pid "$daemon_pid" 5
        [ -z "$bus_pid" ] || rig_stop_pid "$bus_pid" 5
        rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/services" "$tmp/home" "$tmp/config/tokenbroker/accounts" "$tmp/runtime" "$tmp/cache"
chmod 0700 "$tmp/runtime" "$tmp/config/tokenbroker" "$tmp/config/tokenbroker/accounts"
sed "s|^Exec=.*|Exec=$daemon|" "$activation" >"$tmp/services/org.tokenbroker.Broker1.service"
# Without Warmup=yes, which would keep the daemon from its idle exit.
sed 's/^Warmup=yes/Warmup=no/' "$abs_top_srcdir/packaging/examples/flaik.conf" >"$tmp/config/tokenbroker/accounts/ski.conf"
chmod 0600 "$tmp/config/tokenbroker/accounts/ski.conf"
cat >"$tmp/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$tmp/bus</listen>
  <servicedir>$tmp/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF

# Activated services inherit the bus daemon's environment: give it a throw-away session.
# A short idle time, so that the exit and the next activation are seen here.
env -u DBUS_SESSION_BUS_ADDRESS HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/runtime" \
        XDG_CACHE_HOME="$tmp/cache" TOKENBROKER_EXIT_IDLE_SEC=2 dbus-daemon --config-file="$tmp/bus.conf" --nofork --nopidfile \
        >"$tmp/bus.log" 2>&1 </dev/null &
bus_pid=$!
address="unix:path=$tmp/bus"
rig_wait_for 10 test -S "$tmp/bus" || tap_bail "the private bus did not come up"
bc() { busctl --address="$address" "$@"; }

tap_ok "the bus lists org.tokenbroker.Broker1 as activatable" \
        bash -c "busctl --address='$address' list --activatable --no-legend | grep -q '^org.tokenbroker.Broker1 '"
tap_fails "nothing owns the name before the first call" bc status org.tokenbroker.Broker1

out=$(timeout 30 busctl --address="$address" call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 \
        org.tokenbroker.Broker1 ListAccounts 2>&1)
tap_is "$out" 'as 1 "ski"' "the first call starts the daemon, which lists the account of the session"

daemon_pid=$(bc status org.tokenbroker.Broker1 2>/dev/null | sed -n 's/^PID=//p')
tap_like "$daemon_pid" '^[0-9]+$' "the name now has an owner"
tap_is "$(readlink "/proc/$daemon_pid/exe")" "$(readlink -f "$daemon")" "the owner is the daemon the activation file names"
tap_is "$(tr '\0' '\n' <"/proc/$daemon_pid/environ" 2>/dev/null | sed -n 's/^DBUS_STARTER_BUS_TYPE=//p')" "session" \
        "it was started by the bus, as a session service"
tap_ok "it serves the private socket in the session's runtime directory" test -S "$tmp/runtime/tokenbroker/bus"

# A second call goes to the same process.
bc call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 ListAccounts >/dev/null 2>&1
tap_is "$(bc status org.tokenbroker.Broker1 2>/dev/null | sed -n 's/^PID=//p')" "$daemon_pid" \
        "a second call is served by the same daemon"

# Idle, it exits; the next call starts it again.
gone() { ! kill -0 "$daemon_pid" 2>/dev/null; }
tap_ok "idle for TOKENBROKER_EXIT_IDLE_SEC, the daemon exits" rig_wait_for 30 gone
tap_fails "... and the name has no owner" bc status org.tokenbroker.Broker1
out=$(timeout 30 busctl --address="$address" call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 \
        org.tokenbroker.Broker1 ListAccounts 2>&1)
tap_is "$out" 'as 1 "ski"' "the next call activates it again"
new_pid=$(bc status org.tokenbroker.Broker1 2>/dev/null | sed -n 's/^PID=//p')
tap_ok "... as a new process ($new_pid)" test -n "$new_pid" -a "$new_pid" != "$daemon_pid"
daemon_pid=$new_pid

# A front end with no D-Bus of its own (docker-credential-tokenbroker) finds no token socket, runs the full
# command line once, whose call activates the daemon, and asks it over the token socket then.
tap_ok "idle again, the daemon exits" rig_wait_for 30 gone
out=$(printf 'registry.example.com' | env DBUS_SESSION_BUS_ADDRESS="$address" HOME="$tmp/home" \
        XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/runtime" TOKENBROKER_LIBEXECDIR="$abs_top_builddir" \
        timeout 30 "$abs_top_builddir/docker-credential-tokenbroker" get 2>&1)
tap_is "$out" "credentials not found in native keychain" \
        "docker-credential-tokenbroker get with no daemon running: it is started, and answers (no account serves the registry)"
new_pid=$(bc status org.tokenbroker.Broker1 2>/dev/null | sed -n 's/^PID=//p')
tap_ok "... by D-Bus activation ($new_pid)" test -n "$new_pid" -a "$new_pid" != "$daemon_pid"
daemon_pid=$new_pid

tap_done
