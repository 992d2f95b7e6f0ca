#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job on an embedded default, from a fresh Debian 12 machine:
#
#   sudo bash tools/demo.sh
#
# installs what the build needs, builds tokenbroker (in build-demo/), then, in a throw-away desktop session
# (a private session bus, a real gnome-keyring unlocked for the demo, a temporary HOME), starts a loopback
# demo OAuth2 provider and tokenbrokerd, adds a demo account, stores its client secret in the keyring, and
# asks for a token with `tokenbroker token demo` — and shows that the provider accepts that token and that
# git gets it through git-credential-tokenbroker. Nothing outside build-demo/ and /tmp is touched (besides
# the packages).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# TB_DEMO_BUILD: an already built tree to run the demo from (tests/integration/demo.sh uses it).
build="${TB_DEMO_BUILD:-$top/build-demo}"

if [ "${TB_DEMO_INSIDE:-}" != 1 ]; then
        if [ "$(id -u)" -eq 0 ]; then
                bash "$top/tools/install-deps.sh"
        else
                echo "demo: not root, assuming the packages are installed (run as root to install them)"
        fi
        echo "==== building tokenbroker in $build ===="
        (cd "$top" && ./autogen.sh >/dev/null 2>&1)
        mkdir -p "$build"
        (cd "$build" && "$top/configure" >configure.out 2>&1 && make -j"$(nproc)" >make.out 2>&1) || {
                echo "demo: the build failed; see $build/configure.out and $build/make.out" >&2
                exit 1
        }
        echo "==== running the demo in a private session ===="
        TB_DEMO_INSIDE=1 exec "$top/tests/lib/with-keyring.sh" "$0" "$@"
fi

# --- inside the private session --------------------------------------------------------------------------
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
PATH="$build:$PATH"

port_file="$TB_SESSION_ROOT/provider.port"
python3 "$top/tests/servers/token-server.py" --port-file "$port_file" --access-ttl 600 \
        >"$TB_SESSION_ROOT/provider.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$port_file" ] && break; sleep 0.05; done
provider="http://127.0.0.1:$(cat "$port_file")"
echo "demo provider (OAuth2 token endpoint on loopback): $provider/token"

tokenbrokerd 2>"$TB_SESSION_ROOT/tokenbrokerd.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/tokenbroker/bus" ] && break; sleep 0.05; done

say tokenbroker add demo --token-url "$provider/token" --client-id basic-client --scopes read \
        --hosts "http://127.0.0.1"
tokenbroker add demo --token-url "$provider/token" --client-id basic-client --scopes read --hosts "http://127.0.0.1"

say "echo basic-secret | tokenbroker set-secret demo client-secret"
echo basic-secret | tokenbroker set-secret demo client-secret
echo "(the secret is in the keyring:) $(secret-tool search account demo 2>&1 | grep -c 'attribute.kind = client-secret') item"

say tokenbroker list
tokenbroker list

say tokenbroker token demo
token=$(tokenbroker token demo)
echo "$token"

say tokenbroker token demo --json
tokenbroker token demo --json

say "tokenbroker curl demo -- -s $provider/api/whoami   (the token reaches curl outside its argv)"
tokenbroker curl demo -- -s "$provider/api/whoami"
echo

# git reads the demo's own global config, never the machine's.
export GIT_CONFIG_GLOBAL="$TB_SESSION_ROOT/gitconfig" GIT_CONFIG_NOSYSTEM=1
say "tokenbroker setup-git   (git's global config is the demo's own: $GIT_CONFIG_GLOBAL)"
tokenbroker setup-git

say "printf 'protocol=http\\nhost=127.0.0.1\\n\\n' | git credential fill"
printf 'protocol=http\nhost=127.0.0.1\n\n' | git credential fill | sed 's/^password=.*/password=<the access token>/'

say tokenbroker status demo
tokenbroker status demo

echo
echo "demo: done. The provider saw $(curl -s "$provider/_stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token_requests"])') token request(s) for all of the above."
