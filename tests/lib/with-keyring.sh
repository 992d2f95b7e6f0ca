#!/bin/bash
# Runs a command inside a throw-away desktop session: a temporary HOME and XDG dirs, a private session bus
# and a real gnome-keyring-daemon whose "login" collection is created and unlocked. Everything started here
# is stopped when the command ends, also when it fails.
#
#   tests/lib/with-keyring.sh COMMAND [ARGS...]
#
# Exports HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS,
# TOKENBROKER_SYSTEM_ACCOUNTS_DIR (the administrator's accounts folder, not made here) and
# TB_KEYRING_PASSWORD (the collection's password, for tests that lock and unlock it).
set -euo pipefail

if [ "${TB_INSIDE_SESSION:-}" != 1 ]; then
        root=$(mktemp -d "${TMPDIR:-/tmp}/tb-session.XXXXXX")
        trap 'rm -rf "$root"' EXIT
        mkdir -p "$root/home" "$root/config" "$root/data" "$root/runtime" "$root/cache"
        chmod 0700 "$root/runtime"
        # dbus-run-session starts a private bus, runs us again inside it and stops the bus afterwards.
        env HOME="$root/home" XDG_CONFIG_HOME="$root/config" XDG_DATA_HOME="$root/data" \
                XDG_CACHE_HOME="$root/cache" XDG_RUNTIME_DIR="$root/runtime" TB_SESSION_ROOT="$root" \
                TOKENBROKER_SYSTEM_ACCOUNTS_DIR="$root/system-accounts" \
                TB_INSIDE_SESSION=1 \
                timeout --kill-after=10 "${TB_SESSION_TIMEOUT:-600}" \
                dbus-run-session -- bash "$0" "$@" 2> >(grep -v 'Failed to set fd limit' >&2)
        exit $?
fi

export TB_KEYRING_PASSWORD=${TB_KEYRING_PASSWORD:-tokenbroker-test}
printf '%s' "$TB_KEYRING_PASSWORD" | gnome-keyring-daemon --foreground --unlock --components=secrets \
        >"$TB_SESSION_ROOT/keyring.log" 2>&1 &
keyring_pid=$!
cleanup() {
        kill "$keyring_pid" 2>/dev/null || true
        wait "$keyring_pid" 2>/dev/null || true
}
trap cleanup EXIT

# The keyring owns org.freedesktop.secrets within a fraction of a second; allow ten.
for _ in $(seq 1 200); do
        if busctl --user status org.freedesktop.secrets >/dev/null 2>&1; then
                break
        fi
        sleep 0.05
done
busctl --user status org.freedesktop.secrets >/dev/null 2>&1 || {
        echo "with-keyring: gnome-keyring-daemon did not come up:" >&2
        cat "$TB_SESSION_ROOT/keyring.log" >&2
        exit 99
}

set +e
"$@"
rc=$?
exit $rc
