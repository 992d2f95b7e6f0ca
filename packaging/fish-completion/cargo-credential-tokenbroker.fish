# fish completion for cargo-credential-tokenbroker(1)
#
# It offers what the bash completion offers: its options, and account names after --account. fish loads one
# file per command: the account names are read as tokenbroker.fish reads them, from the account files, so
# that completing never starts the daemon.

function __tokenbroker_accounts --description 'Account names, from the account files'
    set -l config $HOME/.config
    test -n "$XDG_CONFIG_HOME"; and set config $XDG_CONFIG_HOME
    for f in $config/tokenbroker/accounts/*.conf
        string replace -r '^.*/(.*)\.conf$' '$1' -- $f
    end
end

complete -c cargo-credential-tokenbroker -f
complete -c cargo-credential-tokenbroker -l account -x -a '(__tokenbroker_accounts)' -d 'Use this account'
complete -c cargo-credential-tokenbroker -l cargo-plugin -d "Speak cargo's credential provider protocol"
complete -c cargo-credential-tokenbroker -l help -d 'Show the help'
