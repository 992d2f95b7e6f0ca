#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# git-credential-tokenbroker is spawned for every git HTTP request: it must stay lean. It links libc and
# libsystemd only; GLib, libsecret, libcurl and json-c belong to the daemon.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"

bin="$abs_top_builddir/git-credential-tokenbroker"
[ -x "$bin" ] || tap_skip_all "git-credential-tokenbroker not built"
command -v ldd >/dev/null 2>&1 || tap_skip_all "ldd is not installed"
# A libtool wrapper script keeps the real program in .libs/.
if ! head -c 4 "$bin" | grep -q 'ELF'; then
        bin="$abs_top_builddir/.libs/git-credential-tokenbroker"
fi

libs=$(ldd "$bin" 2>&1)
tap_is "$?" 0 "ldd reads the helper"
tap_like "$libs" 'libsystemd\.so' "it links libsystemd (so ldd saw the real program)"
for lib in glib gio gobject secret curl json-c gnutls ssl nghttp; do
        tap_is "$(grep -c "lib$lib" <<<"$libs")" 0 "no lib$lib"
done
tap_done
