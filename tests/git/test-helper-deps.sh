#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The front ends are spawned for every git HTTP request and every `tokenbroker token`: they must stay lean.
# The launchers git and scripts run load libc (and json-c, unless it is built in) and nothing else: no
# libsystemd, whose dependencies (libgcrypt, libzstd, liblzma, ...) would cost most of a spawn; that is
# tests/packaging/launcher-libraries.sh. The full programs they exec() for everything else (tokenbroker-cli,
# git-credential-tokenbroker-bus) link libc and libsystemd; tokenbroker-cli json-c too, for the other tools'
# JSON files it edits (setup-docker). GLib, libsecret and libcurl belong to the daemon alone: here.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"

command -v ldd >/dev/null 2>&1 || tap_skip_all "ldd is not installed"

# deps PROGRAM: ldd's list for the program (a libtool wrapper script keeps the real one in .libs/).
deps() {
        local bin="$abs_top_builddir/$1"
        head -c 4 "$bin" 2>/dev/null | grep -q 'ELF' || bin="$abs_top_builddir/.libs/$1"
        ldd "$bin" 2>&1
}

# check PROGRAM WANT FORBIDDEN...: PROGRAM links libWANT (so ldd saw the real program) and none of the rest.
check() {
        local prog=$1 want=$2 libs lib
        shift 2
        if [ ! -x "$abs_top_builddir/$prog" ]; then
                tap_skip "$prog" "not built"
                return
        fi
        libs=$(deps "$prog")
        tap_is "$?" 0 "ldd reads $prog"
        tap_like "$libs" "lib$want\\.so" "$prog links lib$want"
        for lib in "$@"; do
                tap_is "$(grep -c "lib$lib" <<<"$libs")" 0 "$prog: no lib$lib"
        done
}

check git-credential-tokenbroker-bus systemd glib gio gobject secret curl json-c gnutls ssl nghttp
check tokenbroker-cli systemd glib gio gobject secret curl gnutls ssl nghttp
tap_done
