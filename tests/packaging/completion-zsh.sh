#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The zsh completion (packaging/zsh-completion/_tokenbroker), loaded by compinit in an interactive zsh on a
# pseudo-terminal and asked with a Tab (zsh-complete.zsh): what it offers for the cases of
# completion-cases.sh, and every account file key the bash completion offers.
. "$abs_top_srcdir/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/packaging/completion-cases.sh"

command -v zsh >/dev/null || tap_skip_all "zsh is not installed"
zsh -fc 'zmodload zsh/zpty' 2>/dev/null || tap_skip_all "zsh has no zsh/zpty module"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tb-completion-zsh.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
completion_setup "$tmp" && mkdir -p "$tmp/home" "$tmp/out" "$tmp/out-none" || tap_bail "cannot set up $tmp"

# Where zsh differs, by design: it offers a command's options where no argument is left to complete, without
# a "-" typed first.
declare -A zsh_case=(
        ["tokenbroker remove work "]="--yes |after remove's one argument, its option only (zsh's way)"
)

# complete_lines OUT-DIR LINE...: OUT-DIR/N holds what zsh offers for the Nth LINE.
complete_lines() {
        local out=$1
        shift
        (cd "$tmp/cwd" && HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" timeout -k 5 120 \
                zsh -f "$abs_top_srcdir/tests/packaging/zsh-complete.zsh" "$abs_top_srcdir/packaging/zsh-completion" \
                "$out" "$@" </dev/null)
}
# offered OUT-DIR N: the words of OUT-DIR/N, sorted, each followed by a space.
offered() { sort "$1/$2" | tr '\n' ' '; }

lines=()
for c in "${completion_cases[@]}"; do
        IFS='|' read -r line want desc <<<"$c"
        lines+=("$line")
done
lines+=("tokenbroker add x --set ")
out=$(complete_lines "$tmp/out" "${lines[@]}" 2>&1) || tap_bail "zsh-complete.zsh failed: $out"

n=0
for c in "${completion_cases[@]}"; do
        IFS='|' read -r line want desc <<<"$c"
        n=$((n + 1))
        [ -z "${zsh_case[$line]:-}" ] || IFS='|' read -r want desc <<<"${zsh_case[$line]}"
        tap_is "$(offered "$tmp/out" $n)" "$want" "$desc"
done
n=$((n + 1))
tap_is "$(offered "$tmp/out" $n)" "$(completion_keys)" "every account file key of the bash completion for --set"

rm -rf "$tmp/config/tokenbroker"
out=$(complete_lines "$tmp/out-none" "tokenbroker status ") || tap_bail "zsh-complete.zsh failed: $out"
tap_is "$(offered "$tmp/out-none" 1)" "" "no accounts directory, no names and no error"
tap_is "$(cat "$tmp/out/stderr" "$tmp/out-none/stderr" 2>/dev/null | head -n 10)" "" "zsh printed no error"

tap_done
