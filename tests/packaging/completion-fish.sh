#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The fish completions (packaging/fish-completion/), loaded by fish from its completion path as for a
# command it finds on $PATH, and asked with `complete -C LINE`: what they offer for the cases of
# completion-cases.sh, and every account file key the bash completion offers.
. "$abs_top_srcdir/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/packaging/completion-cases.sh"

command -v fish >/dev/null || tap_skip_all "fish is not installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tb-completion-fish.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
completion_setup "$tmp" && mkdir -p "$tmp/home" "$tmp/data" "$tmp/bin" || tap_bail "cannot set up $tmp"
# fish loads the completions of a command only when there is such a command.
for cmd in tokenbroker git-credential-tokenbroker docker-credential-tokenbroker terraform-credentials-tokenbroker \
           cargo-credential-tokenbroker; do
        printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/$cmd" && chmod +x "$tmp/bin/$cmd"
done

# complete_line LINE: what fish offers for LINE (the cursor at its end), sorted, each followed by a space.
complete_line() {
        (cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" \
                XDG_DATA_HOME="$tmp/data" timeout -k 5 30 fish --no-config -c '
                        set -p fish_complete_path $argv[1]
                        complete -C $argv[2]' "$abs_top_srcdir/packaging/fish-completion" "$1" </dev/null \
                2>>"$tmp/stderr") | cut -f1 | sort | tr '\n' ' '
}
# account_function FILE: how FILE defines __tokenbroker_accounts, as fish prints it back.
account_function() {
        HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" fish --no-config -c \
                'source $argv[1]; functions __tokenbroker_accounts' "$abs_top_srcdir/packaging/fish-completion/$1" |
                grep -v '^# Defined in'
}

for c in "${completion_cases[@]}"; do
        IFS='|' read -r line want desc <<<"$c"
        tap_is "$(complete_line "$line")" "$want" "$desc"
done
tap_is "$(complete_line "tokenbroker add x --set ")" "$(completion_keys)" \
        "every account file key of the bash completion for --set"
tap_is "$(complete_line "tokenbroker add x --environment=s")" "--environment=staging " "an option's value after ="
rm -rf "$tmp/config/tokenbroker"
tap_is "$(complete_line "tokenbroker status ")" "" "no accounts directory, no names and no error"
tap_is "$(head -n 10 "$tmp/stderr")" "" "fish printed no error"
# fish loads one file per command: each defines the function that lists the accounts, and the same way.
tap_is "$(account_function git-credential-tokenbroker.fish)" "$(account_function tokenbroker.fish)" \
        "both files list the accounts alike"

tap_done
