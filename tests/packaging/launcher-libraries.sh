#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The launchers load what helper/local.mk says and no more: libc, and json-c unless configure built it in
# (LAUNCHER_JSONC, from --enable/--disable-static-json-c); never libsystemd (with libgcrypt, libzstd, liblzma,
# ...), GLib, libsecret or libcurl. A library that creeps in costs every git, curl and script call its
# loading time. The full programs they exec() are tests/git/test-helper-deps.sh's.
. "$abs_top_srcdir/tests/lib/rig.sh"

launchers=(tokenbroker git-credential-tokenbroker docker-credential-tokenbroker
           terraform-credentials-tokenbroker cargo-credential-tokenbroker)
tap_plan $((${#launchers[@]} + 1))

# needed FILE: the shared libraries FILE names (DT_NEEDED), one per line, sorted; not the dynamic loader,
# which runs every program anyway (json-c's archive names it for its thread-local storage), nor the
# sanitizers' runtimes.
needed() {
        readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p' | grep -v '^\(lib\(asan\|ubsan\)\.\|ld-linux\)' |
                sort
}

case "${LAUNCHER_JSONC:-}" in
static) want=$(printf 'libc.so.6\n') ;;
shared) want=$(printf 'libc.so.6\nlibjson-c.so.5\n') ;;
*) tap_bail "LAUNCHER_JSONC is '${LAUNCHER_JSONC:-}': run through make check" ;;
esac
for l in "${launchers[@]}"; do
        tap_is "$(needed "$abs_top_builddir/$l" | paste -sd' ')" "$(paste -sd' ' <<<"$want")" \
                "$l loads $(paste -sd' ' <<<"$want") only (json-c $LAUNCHER_JSONC)"
done
tap_like "$(needed "$abs_top_builddir/tokenbrokerd" | paste -sd' ')" "libjson-c" \
        "the daemon still uses the shared json-c"
tap_done
