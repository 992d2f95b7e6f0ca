#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages, unpacked into a scratch root (dpkg -x), hold every file where the unit, the D-Bus
# activation file, PAM and the shells expect it, and nothing refers to a path the packages lack; the license
# and the documentation are shipped, the Multi-Arch fields hold, and the autopkgtest is well-formed.
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
# Debian's zsh searches vendor-completions; fish its pkg-config completionsdir, one file per command.
zshdir=/usr/share/zsh/vendor-completions
tap_ok "zsh completion is in $zshdir" test -f "$root$zshdir/_tokenbroker"
tap_like "$(head -n 1 "$root$zshdir/_tokenbroker" 2>/dev/null)" \
        '^#compdef tokenbroker git-credential-tokenbroker docker-credential-tokenbroker terraform-credentials-tokenbroker cargo-credential-tokenbroker$' \
        "... and completes all five commands"
tap_ok "the docker helper's bash completion is linked by its command name" \
        test -e "$root/usr/share/bash-completion/completions/docker-credential-tokenbroker"
tap_ok "the docker helper is installed" test -x "$root/usr/bin/docker-credential-tokenbroker"
tap_ok "the terraform helper is installed" test -x "$root/usr/bin/terraform-credentials-tokenbroker"
tap_ok "the cargo provider is installed" test -x "$root/usr/bin/cargo-credential-tokenbroker"
tap_is "$(readlink "$root/usr/bin/tokenbroker-credential-helper")" "tokenbroker" \
        "tokenbroker-credential-helper (Bazel's path to a helper) is the launcher by another name"
if command -v zsh >/dev/null; then
        tap_like " $(zsh -fc 'print -r -- $fpath') " " $zshdir " "zsh searches $zshdir"
fi
fishdir=$(pkg-config --variable=completionsdir fish 2>/dev/null)
[ -n "$fishdir" ] || fishdir=/usr/share/fish/vendor_completions.d
for b in tokenbroker git-credential-tokenbroker; do
        tap_ok "fish completion for $b is in $fishdir" test -f "$root$fishdir/$b.fish"
done
for page in man1/tokenbroker.1 man1/git-credential-tokenbroker.1 man5/tokenbroker.conf.5 \
            man5/org.tokenbroker.Broker1.5 man8/tokenbrokerd.8 man8/pam_tokenbroker.8; do
        tap_ok "$page is installed" test -f "$root/usr/share/man/$page.gz"
done
tap_is "$(ls "$root/usr/share/doc/tokenbroker/examples/" 2>/dev/null | grep -c '\.conf')" \
        "$(ls "$abs_top_srcdir/packaging/examples/" | grep -c '\.conf')" "every example is installed"
tap_ok "the administrator's account folder /etc/tokenbroker/accounts is made, empty" \
        bash -c "[ -d '$root/etc/tokenbroker/accounts' ] && [ -z \"\$(ls -A '$root/etc/tokenbroker/accounts')\" ]"

# PAM: the module where libpam looks (pam.pc's securedir; Debian 12's pam.pc names none, and its libpam
# looks in /lib/<multiarch>/security), the profile where pam-auth-update looks, and the profile names the
# module.
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
securedir=$(pkg-config --variable=securedir pam 2>/dev/null)
[ -n "$securedir" ] || securedir=/lib/$arch/security
tap_ok "pam_tokenbroker.so is in libpam's module directory, $securedir" test -f "$root$securedir/pam_tokenbroker.so"
tap_ok "the pam-auth-update profile is in /usr/share/pam-configs" test -f "$root/usr/share/pam-configs/tokenbroker"
tap_ok "the module exports pam_sm_open_session" \
        bash -c "nm -D --defined-only '$root$securedir/pam_tokenbroker.so' | grep -qw pam_sm_open_session"
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

# Multi-Arch: the PAM module is "same", so that each architecture's libpam finds its own build; its package
# may then ship a path outside a multiarch directory only with the same content on every architecture (no
# ELF file there). The daemon and the commands serve any architecture's module over D-Bus: "foreign", which
# lets the module of another architecture depend on this one.
tap_is "$(dpkg-deb -f "$main_deb" Multi-Arch)" foreign "tokenbroker is Multi-Arch: foreign"
tap_is "$(dpkg-deb -f "$pam_deb" Multi-Arch)" same "libpam-tokenbroker is Multi-Arch: same"
pam_root=$(mktemp -d "${TMPDIR:-/tmp}/tb-deb-pam.XXXXXX")
dpkg -x "$pam_deb" "$pam_root"
elf_outside=$(cd "$pam_root" && find . -type f ! -path "./lib/$arch/*" ! -path "./usr/lib/$arch/*" -exec sh -c \
        'head -c 4 "$1" | grep -q "ELF" && echo "$1"' _ {} \; | tr '\n' ' ')
rm -rf "$pam_root"
tap_is "$elf_outside" "" "libpam-tokenbroker has no binary outside /lib/$arch and /usr/lib/$arch"
shared=$(comm -12 <(dpkg-deb -c "$main_deb" | awk '$1 !~ /^d/ { print $6 }' | sort) \
        <(dpkg-deb -c "$pam_deb" | awk '$1 !~ /^d/ { print $6 }' | sort) | tr '\n' ' ')
tap_is "$shared" "" "the two packages share no file"

# The license: COPYING is the text of the license every source file's SPDX header names, and the package
# ships it beside debian/copyright, which names the same license.
doc=$root/usr/share/doc/tokenbroker
spdx=$(cd "$abs_top_srcdir" && grep -rhoE --exclude-dir=node_modules 'SPDX-License-Identifier: [A-Za-z0-9.+-]+' \
        dbus lib helper pam tests tools | sort -u | sed 's/.*: //')
tap_is "$spdx" LGPL-2.1-or-later "the SPDX headers name LGPL-2.1-or-later"
tap_like "$(head -n 3 "$abs_top_srcdir/COPYING")" "GNU LESSER GENERAL PUBLIC LICENSE.*Version 2\.1, February 1999" \
        "COPYING is the LGPL 2.1"
if [ -f /usr/share/common-licenses/LGPL-2.1 ]; then
        tap_ok "... word for word as Debian's copy, which debian/copyright refers to" \
                cmp "$abs_top_srcdir/COPYING" /usr/share/common-licenses/LGPL-2.1
fi
# doc_file NAME: NAME as installed in /usr/share/doc/tokenbroker, compressed or not.
doc_file() { zcat -f "$doc/$1.gz" 2>/dev/null || cat "$doc/$1" 2>/dev/null; }
tap_is "$(doc_file COPYING | md5sum)" "$(md5sum <"$abs_top_srcdir/COPYING")" "tokenbroker ships COPYING"
tap_like "$(cat "$doc/copyright" 2>/dev/null)" "License: LGPL-2\.1\+.*/usr/share/common-licenses/LGPL-2\.1" \
        "its copyright file names the same license"
# The documentation: README.md with its architecture, HACKING.md with the directory map and why the code is
# laid out as it is.
tap_like "$(doc_file README.md)" $'^# tokenbroker\n.*\n## Architecture\n' "tokenbroker ships README.md"
tap_like "$(doc_file HACKING.md)" $'^# Hacking on tokenbroker\n.*\n## Directory map\n' "tokenbroker ships HACKING.md"

# The autopkgtest: debian/tests/control parses as deb822, names only executable scripts in debian/tests and
# restrictions autopkgtest knows, and depends on the package it tests.
control_check=$("$PYTHON3" - "$abs_top_srcdir/debian/tests" <<'PY'
import os, re, sys
testsdir = sys.argv[1]
known_fields = {"tests", "test-command", "depends", "restrictions", "features", "classes", "architecture",
                "tests-directory"}
known_restrictions = {"allow-stderr", "breaks-testbed", "build-needed", "flaky", "hint-testsuite-triggers",
                      "isolation-container", "isolation-machine", "needs-internet", "needs-reboot", "needs-root",
                      "needs-sudo", "rw-build-tree", "skip-not-installable", "skippable", "superficial"}
problems, stanzas, current, field = [], [], {}, None
for n, line in enumerate(open(os.path.join(testsdir, "control")), 1):
    line = line.rstrip("\n")
    if line.startswith("#"):
        continue
    if not line.strip():
        if current:
            stanzas.append(current)
        current, field = {}, None
    elif line[0] in " 	":
        if field is None:
            problems.append("line %d: a continuation without a field" % n)
        else:
            current[field] += " " + line.strip()
    elif re.match(r"^[A-Za-z][A-Za-z0-9-]*:", line):
        field, value = line.split(":", 1)
        field = field.lower()
        if field in current:
            problems.append("line %d: %s twice" % (n, field))
        current[field] = value.strip()
    else:
        problems.append("line %d: not a field" % n)
if current:
    stanzas.append(current)
if not stanzas:
    problems.append("no test")
for s in stanzas:
    for f in s:
        if f not in known_fields:
            problems.append("unknown field %s" % f)
    if ("tests" in s) == ("test-command" in s):
        problems.append("a stanza needs Tests or Test-Command")
    for t in s.get("tests", "").replace(",", " ").split():
        path = os.path.join(testsdir, t)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            problems.append("test %s is not an executable file in debian/tests" % t)
    for r in s.get("restrictions", "").replace(",", " ").split():
        if r not in known_restrictions:
            problems.append("unknown restriction %s" % r)
    deps = [d.strip().split()[0] for d in s.get("depends", "@").split(",") if d.strip()]
    if not {"@", "tokenbroker"} & set(deps):
        problems.append("a test does not depend on tokenbroker")
    bad = [d for d in deps if not re.match(r"^(@|@builddeps@|[a-z0-9][a-z0-9+.-]+)$", d)]
    if bad:
        problems.append("bad dependencies: %s" % " ".join(bad))
print("; ".join(problems) if problems else "%d tests" % len(stanzas))
PY
)
tap_like "$control_check" '^[1-9][0-9]* tests$' "debian/tests/control is well-formed ($control_check)"
for t in "$abs_top_srcdir"/debian/tests/*; do
        [ "${t##*/}" = control ] && continue
        tap_ok "debian/tests/${t##*/} parses" bash -n "$t"
done

tap_done
