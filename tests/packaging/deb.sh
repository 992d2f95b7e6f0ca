#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages, unpacked into a scratch root (dpkg -x), hold every file where the unit, the D-Bus
# activation file and PAM expect it, and nothing refers to a path the packages lack.
#
# Uses the .deb files of `make deb` in $abs_top_builddir/deb, and builds them first (about half a minute)
# where dpkg-buildpackage and debhelper are installed, unless TOKENBROKER_TEST_BUILD_DEB=0.
. "$abs_top_srcdir/tests/lib/rig.sh"

"$abs_top_builddir/tokenbrokerd" --version >/dev/null 2>&1 ||
        tap_bail "$abs_top_builddir/tokenbrokerd is missing or does not run"
command -v dpkg-deb >/dev/null || tap_skip_all "dpkg-deb is not installed"
debdir="$abs_top_builddir/deb"
if ! ls "$debdir"/tokenbroker_*.deb >/dev/null 2>&1 && [ "${TOKENBROKER_TEST_BUILD_DEB:-1}" = 1 ] &&
        command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null; then
        make -C "$abs_top_builddir" deb >"$abs_top_builddir/deb-build.log" 2>&1 ||
                tap_bail "make deb failed; see deb-build.log"
fi
ls "$debdir"/tokenbroker_*.deb >/dev/null 2>&1 ||
        tap_skip_all "no packages in $debdir and no debhelper to build them (apt-get install debhelper)"

main_deb=$(ls -t "$debdir"/tokenbroker_*.deb | head -n 1)
pam_deb=$(ls -t "$debdir"/libpam-tokenbroker_*.deb 2>/dev/null | head -n 1)
root=$(mktemp -d "${TMPDIR:-/tmp}/tb-deb.XXXXXX")
trap 'rm -rf "$root"' EXIT

tap_ok "tokenbroker.deb unpacks" dpkg -x "$main_deb" "$root"
if [ -n "$pam_deb" ]; then
        tap_ok "libpam-tokenbroker.deb unpacks" dpkg -x "$pam_deb" "$root"
else
        tap_fail "libpam-tokenbroker.deb was built"
fi

# key FILE KEY: the value of the last KEY= line.
key() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

unitdir=/usr/lib/systemd/user
unit="$root$unitdir/tokenbrokerd.service"
activation="$root/usr/share/dbus-1/services/org.tokenbroker.Broker1.service"
tap_ok "the user unit is in $unitdir" test -f "$unit"
tap_ok "the activation file is in /usr/share/dbus-1/services" test -f "$activation"
exec_start=$(key "$unit" ExecStart)
tap_like "$exec_start" '^/usr/bin/' "ExecStart= is below /usr/bin ($exec_start)"
tap_ok "the binary ExecStart= names is in the package" test -x "$root$exec_start"
tap_is "$(key "$activation" Exec)" "$exec_start" "the activation file starts the same binary"
tap_ok "the unit SystemdService= names is in the package" test -f "$root$unitdir/$(key "$activation" SystemdService)"
tap_ok "the socket unit is in $unitdir" test -f "$root$unitdir/tokenbrokerd.socket"
tap_ok "its Service= is in the package" test -f "$root$unitdir/$(key "$root$unitdir/tokenbrokerd.socket" Service)"
warm=$(key "$root$unitdir/tokenbroker-warmup.service" ExecStart)
tap_ok "the warmup unit's binary (${warm%% *}) is in the package" test -x "$root${warm%% *}"
tap_ok "the introspection XML is in /usr/share/dbus-1/interfaces" \
        test -f "$root/usr/share/dbus-1/interfaces/org.tokenbroker.Broker1.xml"
for b in tokenbroker git-credential-tokenbroker; do
        tap_ok "/usr/bin/$b is in the package" test -x "$root/usr/bin/$b"
done
# The launchers exec() their full programs from the path compiled in: it must be where the package puts them.
for b in tokenbroker-cli git-credential-tokenbroker-bus; do
        tap_ok "/usr/libexec/tokenbroker/$b is in the package" test -x "$root/usr/libexec/tokenbroker/$b"
done
for b in tokenbroker git-credential-tokenbroker; do
        tap_ok "/usr/bin/$b looks for its full program in /usr/libexec/tokenbroker" \
                bash -c "strings '$root/usr/bin/$b' | grep -qx /usr/libexec/tokenbroker"
done
tap_ok "bash completion is where bash-completion loads it" \
        test -f "$root/usr/share/bash-completion/completions/tokenbroker"
tap_ok "the helper's completion is linked by its command name" \
        test -e "$root/usr/share/bash-completion/completions/git-credential-tokenbroker"
for page in man1/tokenbroker.1 man1/git-credential-tokenbroker.1 man5/tokenbroker.conf.5 \
            man5/org.tokenbroker.Broker1.5 man8/tokenbrokerd.8 man8/pam_tokenbroker.8; do
        tap_ok "$page is installed" test -f "$root/usr/share/man/$page.gz"
done
tap_is "$(ls "$root/usr/share/doc/tokenbroker/examples/" 2>/dev/null | grep -c '\.conf')" \
        "$(ls "$abs_top_srcdir/packaging/examples/" | grep -c '\.conf')" "every example is installed"

# PAM: the module where libpam looks (Debian: /lib/<multiarch>/security), the profile where
# pam-auth-update looks, and the profile names the module.
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
tap_ok "pam_tokenbroker.so is in /lib/$arch/security" test -f "$root/lib/$arch/security/pam_tokenbroker.so"
tap_ok "the pam-auth-update profile is in /usr/share/pam-configs" test -f "$root/usr/share/pam-configs/tokenbroker"
tap_ok "the module exports pam_sm_open_session" \
        bash -c "nm -D --defined-only '$root/lib/$arch/security/pam_tokenbroker.so' | grep -qw pam_sm_open_session"
tap_fails "no libtool archive is shipped" bash -c "find '$root' -name '*.la' | grep -q ."

# The packaged unit, started on the packaged binary, passes systemd's verification (--root= does not work
# with --user, so the unit's ExecStart= is pointed into the scratch root).
if command -v systemd-analyze >/dev/null; then
        mkdir -p "$root/tmp-units" "$root/tmp-runtime" && chmod 0700 "$root/tmp-runtime"
        sed "s|^ExecStart=|ExecStart=$root|" "$unit" >"$root/tmp-units/tokenbrokerd.service"
        out=$(XDG_RUNTIME_DIR="$root/tmp-runtime" systemd-analyze --user verify --man=no \
                "$root/tmp-units/tokenbrokerd.service" 2>&1)
        tap_is "$?:$out" "0:" "the packaged unit passes systemd-analyze verify"
fi

# Package metadata: the PAM package depends on the exact daemon version it talks to.
tap_like "$(dpkg-deb -f "$pam_deb" Depends)" "tokenbroker \(= $(dpkg-deb -f "$main_deb" Version)\)" \
        "libpam-tokenbroker depends on the same tokenbroker version"
tap_like "$(dpkg-deb -I "$pam_deb" postinst 2>/dev/null)" "pam-auth-update --package" \
        "libpam-tokenbroker enables its profile on install"

tap_done
