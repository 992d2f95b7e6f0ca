#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's first command, tools/demo.sh, run on this build tree (TB_DEMO_BUILD) in its own throw-away
# session: it must end with a token the demo provider accepts, git's fill answered through what
# `tokenbroker setup-git` configured, and one token request at the provider for all of it.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"

[ -x "$TBD" ] && "$TBD" --version >/dev/null 2>&1 || tap_bail "tokenbrokerd is missing or does not run ($TBD)"
command -v git >/dev/null 2>&1 || tap_skip_all "git is not installed"

out=$(TB_DEMO_INSIDE=1 TB_DEMO_BUILD="$abs_top_builddir" timeout -k 5 120 \
        "$abs_top_srcdir/tests/lib/with-keyring.sh" bash "$abs_top_srcdir/tools/demo.sh" 2>&1)
tap_is "$?" 0 "tools/demo.sh succeeds"
tap_like "$out" "Account 'demo' added" "it adds the demo account"
tap_like "$out" '\{"sub": "basic-client", "client_id": "basic-client", "scope": "read"' \
        "tokenbroker curl reaches the provider's API with the token"
tap_like "$out" "git now uses $abs_top_builddir/git-credential-tokenbroker" "tokenbroker setup-git configures git"
tap_like "$out" "username=oauth2
password=<the access token>" "git credential fill gets the token"
tap_like "$out" "demo: done. The provider saw 1 token request\\(s\\)" "one token request served all of it"
errors=$(grep -E "Cannot run|^tokenbroker: |^demo: .*(failed|not)" <<<"$out")
tap_is "$errors" "" "no error on the way"
tap_done
