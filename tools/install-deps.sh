#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what building and testing tokenbroker needs on Debian 12 (as root). Used by .ci/run and by
# tools/demo.sh, so that the two never disagree about a package.
set -euo pipefail

packages=(
        # build
        build-essential autoconf automake libtool pkg-config scdoc
        libcurl4-gnutls-dev libgnutls28-dev libjson-c-dev libsecret-1-dev libsystemd-dev libglib2.0-dev libpam0g-dev
        libqrencode-dev
        # the real parts the tests run against
        gnome-keyring libsecret-tools dbus dbus-daemon libglib2.0-bin systemd procps psmisc pamtester
        git python3 curl ca-certificates openssl valgrind
        # skopeo for the container-registry end-to-end test (docker-credential-tokenbroker through credHelpers)
        skopeo
        # libFuzzer for the fuzz harnesses (make fuzz, .ci/run's bounded run)
        clang libclang-rt-14-dev
        # the benchmark's peer (oidc-token); make bench says "not installed" without it
        oidc-agent-cli
        # packaging checks; the shells whose completion is tested
        debhelper lintian bash-completion rpm groff-base fakeroot zsh fish
)
# The machine's own Node.js (with its npm) is used when there is one: Debian's npm cannot be installed beside
# a Node.js from elsewhere. Without one, Debian's nodejs and npm (Node 18) serve; tests/oidc pins an
# oidc-provider release that runs on Node 18.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        packages+=(nodejs npm)
fi

# kubectl for the exec credential plugin's end-to-end test: Debian's kubernetes-client, unless the machine has
# a kubectl of its own (another package's /usr/bin/kubectl would conflict with it).
if ! command -v kubectl >/dev/null 2>&1; then
        packages+=(kubernetes-client)
fi

if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: not root; install these with apt-get: ${packages[*]}" >&2
        exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "==== installing Debian packages ===="
apt-get update -q || echo "install-deps: apt-get update failed, trying with the lists at hand" >&2
apt-get install -y -q --no-install-recommends "${packages[@]}"
