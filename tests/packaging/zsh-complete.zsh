# SPDX-License-Identifier: LGPL-2.1-or-later
# zsh -f zsh-complete.zsh FPATH-DIR OUT-DIR LINE...: types each LINE into an interactive zsh on a
# pseudo-terminal (zsh/zpty) whose compinit loads the completion functions in FPATH-DIR, then Tab, and writes
# the words the completion offers for it, one per line, to OUT-DIR/N (N = 1, 2, ...). Every word given to
# compadd that matches what is typed counts, whatever zsh then shows. What the completion prints on standard
# error goes to OUT-DIR/stderr.
zmodload zsh/zpty || exit 77
fpath_dir=$1 out=$2
shift 2

cat >$out/init.zsh <<INIT
exec 2>>${(q)out}/stderr
PS1= RPS1=
unsetopt auto_list auto_menu beep
fpath=(${(q)fpath_dir} \$fpath)
autoload -Uz compinit && compinit -u -D
compadd() {
    # -O, -A and -D only ask compadd to filter words; they add nothing.
    if (( \${@[(I)-[OAD]*]} )); then
        builtin compadd "\$@"
        return
    fi
    local -a matched
    builtin compadd -O matched "\$@"
    (( \$#matched )) && print -rl -- \$matched >>\$TB_CASE_FILE
    builtin compadd "\$@"
}
capture-complete() {
    _main_complete
    local ret=\$?
    : >\$TB_CASE_FILE.done
    return ret
}
zle -C capture-complete complete-word capture-complete
bindkey '^I' capture-complete
: >${(q)out}/ready
INIT

# wait_for FILE: up to 10 s, reading what the terminal shows meanwhile so that zsh never blocks on it.
wait_for() {
    local i junk
    for i in {1..200}; do
        [[ -e $1 ]] && return 0
        zpty -r -t capture junk 2>/dev/null
        sleep 0.05
    done
    return 1
}

zpty -b capture zsh -f -i || exit 1
zpty -w capture ". ${(q)out}/init.zsh"
wait_for $out/ready || { print -u2 "zsh-complete: zsh did not start"; exit 1 }
n=0
for line in "$@"; do
    (( n++ ))
    : >$out/$n
    zpty -w capture "TB_CASE_FILE=${(q)out}/$n"
    zpty -w -n capture "$line"$'\t'
    wait_for $out/$n.done || { print -u2 "zsh-complete: no completion for '$line'"; exit 1 }
    rm -f $out/$n.done
    # Ctrl-U: the line is gone, whatever the completion inserted.
    zpty -w -n capture $'\C-u'
done
zpty -d capture
