# fish completion for git-credential-tokenbroker(1)
#
# It offers what the bash completion offers. fish loads one file per command: the account names are read
# as tokenbroker.fish reads them, from the account files, so that completing never starts the daemon.

function __tokenbroker_accounts --description 'Account names, from the account files'
    set -l config $HOME/.config
    test -n "$XDG_CONFIG_HOME"; and set config $XDG_CONFIG_HOME
    for f in $config/tokenbroker/accounts/*.conf
        string replace -r '^.*/(.*)\.conf$' '$1' -- $f
    end
end

complete -c git-credential-tokenbroker -f
complete -c git-credential-tokenbroker -l account -x -a '(__tokenbroker_accounts)' -d 'Use this account'
complete -c git-credential-tokenbroker -a get -d 'Print a token for git'
complete -c git-credential-tokenbroker -a store -d 'Accepted and ignored'
complete -c git-credential-tokenbroker -a erase -d 'Forget a rejected token'
