#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tokenbroker setup-git with real git: it names git-credential-tokenbroker by the absolute path git would
# find on $PATH; running it twice changes nothing; a "tokenbroker" entry is replaced where it stands, so the
# user's other helpers keep their order; --file writes where it is told; a helper missing from $PATH or a path
# the shell would split is refused with exit 9 and a message; and git credential fill through the configured
# helper gets the daemon's token.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"

command -v git >/dev/null 2>&1 || tap_skip_all "git is not installed"
[ -x "$abs_top_builddir/git-credential-tokenbroker" ] || tap_bail "git-credential-tokenbroker is missing"
rig_run_in_session "$0" "$@"

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$RIG_DIR/gitconfig" GIT_TERMINAL_PROMPT=0
unset GIT_ASKPASS SSH_ASKPASS
export PATH="$abs_top_builddir:$PATH"
helper="$abs_top_builddir/git-credential-tokenbroker"
helpers() { git config --global --get-all credential.helper | paste -sd'|'; }

out=$(rig_tb setup-git)
tap_is "$?" 0 "setup-git on an empty global config succeeds"
tap_is "$(helpers)" "$helper" "... and sets credential.helper to the helper's absolute path"
tap_like "$out" "git now uses $helper" "... and says so"
out=$(rig_tb setup-git)
tap_is "$(helpers)" "$helper" "a second run adds nothing"
tap_like "$out" "git already uses" "... and says it was already set up"

printf '[credential]\n\thelper = cache\n\thelper = tokenbroker\n\thelper = store\n' >"$GIT_CONFIG_GLOBAL"
rig_tb setup-git >/dev/null
tap_is "$(helpers)" "cache|$helper|store" "a bare \"tokenbroker\" is replaced in place, the other helpers kept in order"

printf '[credential]\n\thelper = cache\n' >"$GIT_CONFIG_GLOBAL"
rig_tb setup-git >/dev/null
tap_is "$(helpers)" "cache|$helper" "with other helpers only, ours is appended after them"

rig_tb setup-git --file "$RIG_DIR/other.cfg" >/dev/null
tap_is "$(git config --file "$RIG_DIR/other.cfg" --get-all credential.helper)" "$helper" "--file writes that file"
tap_is "$(helpers)" "cache|$helper" "... and leaves the global config alone"

: >"$GIT_CONFIG_GLOBAL"
out=$(PATH=/usr/bin:/bin rig_tb setup-git 2>&1)
tap_is "$?" 9 "no git-credential-tokenbroker on \$PATH: exit 9"
tap_like "$out" "git-credential-tokenbroker is not on \\\$PATH" "... with a message saying so"
tap_is "$(helpers)" "" "... and the config untouched"

mkdir -p "$RIG_DIR/a dir"
ln -s "$helper" "$RIG_DIR/a dir/git-credential-tokenbroker"
out=$(PATH="$RIG_DIR/a dir:/usr/bin:/bin" rig_tb setup-git 2>&1)
tap_is "$?" 9 "a helper path with a space, which git's sh -c would split: exit 9"
tap_like "$out" "credential.helper tokenbroker" "... naming the form that works"

# The configured helper answers git for real.
rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
rig_tb add acct --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic \
        --hosts "https://git.example.test/" >/dev/null 2>&1 &&
        rig_tb set-secret acct client-secret <<<"basic-secret" >/dev/null || tap_bail "cannot add an account"
rig_tb setup-git >/dev/null
fill=$(printf 'protocol=https\nhost=git.example.test\n\n' | timeout -k 5 30 git credential fill)
tap_is "$(sed -n 's/^password=//p' <<<"$fill")" "$(rig_tb token acct)" \
        "git credential fill through the configured helper gets the daemon's token"
tap_done
