# fish completion for docker-credential-tokenbroker(1)
#
# It offers what the bash completion offers: an operation (the first argument only), or --help.

set -l first 'test (count (commandline -opc)) = 1'
complete -c docker-credential-tokenbroker -f
complete -c docker-credential-tokenbroker -n $first -l help -d 'Show the help'
complete -c docker-credential-tokenbroker -n $first -a get -d 'Print the credentials for a registry'
complete -c docker-credential-tokenbroker -n $first -a store -d 'Accepted and ignored'
complete -c docker-credential-tokenbroker -n $first -a erase -d 'Forget the token for a registry'
complete -c docker-credential-tokenbroker -n $first -a list -d 'Print the registries and their user names'
complete -c docker-credential-tokenbroker -n $first -a version -d 'Print the version'
