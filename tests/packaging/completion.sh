#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion, run in bash as readline would: verbs, options, secret kinds, and account names read
# from the account files (without starting the daemon), for the cases of completion-cases.sh.
. "$abs_top_srcdir/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/packaging/completion-cases.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tb-completion.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
completion_setup "$tmp" || tap_bail "cannot set up $tmp"

# complete_line LINE: what the completion offers for LINE (the cursor at its end), sorted, on one line.
complete_line() {
        (cd "$tmp/cwd" && XDG_CONFIG_HOME="$tmp/config" bash --norc --noprofile -c '
                . "$1"
                read -ra COMP_WORDS <<<"$2"
                [[ $2 == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMP_LINE=$2 COMP_POINT=${#2}
                spec=$(complete -p "${COMP_WORDS[0]}")
                fn=${spec#*-F }; fn=${fn%% *}
                "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                ((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
        ' _ "$abs_top_srcdir/packaging/bash-completion/tokenbroker" "$1")
}

for c in "${completion_cases[@]}"; do
        IFS='|' read -r line want desc <<<"$c"
        tap_is "$(complete_line "$line")" "$want" "$desc"
done
tap_is "$(complete_line "tokenbroker add x --set ")" "$(completion_keys)" "every account file key for --set"
rm -rf "$tmp/config/tokenbroker"
tap_is "$(complete_line "tokenbroker status ")" "" "no accounts directory, no names and no error"

tap_done
