# fish completion for terraform-credentials-tokenbroker(1)
#
# It offers what the bash completion offers: an operation (the first argument only), or --help; then a host
# name, which is not completed.

set -l first 'test (count (commandline -opc)) = 1'
complete -c terraform-credentials-tokenbroker -f
complete -c terraform-credentials-tokenbroker -n $first -l help -d 'Show the help'
complete -c terraform-credentials-tokenbroker -n $first -a get -d 'Print the token for a host'
complete -c terraform-credentials-tokenbroker -n $first -a store -d 'Accepted for a host an account serves'
complete -c terraform-credentials-tokenbroker -n $first -a forget -d 'Forget the token for a host'
