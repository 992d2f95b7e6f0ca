# fish completion for tokenbroker(1)
#
# It offers what the bash completion offers. Account names come from the account files, so that completing
# never starts the daemon. git-credential-tokenbroker.fish defines __tokenbroker_accounts the same way.

function __tokenbroker_accounts --description 'Account names, from the account files'
    set -l config $HOME/.config
    test -n "$XDG_CONFIG_HOME"; and set config $XDG_CONFIG_HOME
    for f in $config/tokenbroker/accounts/*.conf
        string replace -r '^.*/(.*)\.conf$' '$1' -- $f
    end
end

# Prints the verb (empty before it), the number of arguments given to it (options and their values are not
# counted), and 1 when the word being completed is the value of an option, else 0.
function __tokenbroker_state
    set -l value_options --token-url --client-id --client-auth --grant --scopes --scope --set --provider \
        --environment --issuer --username --hosts --type --resource --nonce --min-validity --env --registry \
        --docker-config --auth-file
    set -l verb
    set -l nargs 0
    set -l prev
    for w in (commandline -opc)[2..-1]
        if test -z "$verb"
            string match -q -- '-*' $w; or set verb $w
        else if not string match -q -- '-*' $w; and not contains -- $prev $value_options
            set nargs (math $nargs + 1)
        end
        set prev $w
    end
    set -l value 0
    test -n "$verb"; and contains -- $prev $value_options; and set value 1
    printf '%s\n' "$verb" $nargs $value
end

# __tokenbroker_at VERB [N]: the command line has VERB (for its options), and the word being completed is its
# argument N (0: the first) when N is given.
function __tokenbroker_at --argument-names verb n
    set -l state (__tokenbroker_state)
    test "$state[1]" = "$verb"; or return 1
    test -z "$n"; or test "$state[3]" = 0 -a "$state[2]" = "$n"
end

# __tokenbroker_curl_part options|arguments: the word being completed is among curl's own options (before the
# account name, or the value of one), or among curl's arguments (after it).
function __tokenbroker_curl_part --argument-names part
    set -l state (__tokenbroker_state)
    test "$state[1]" = curl; or return 1
    if test $part = options
        test "$state[2]" = 0 -o "$state[3]" = 1
    else
        test "$state[2]" -gt 0 -a "$state[3]" = 0
    end
end

# __tokenbroker_exec_part options|command: the word being completed is among exec's options (or the value of
# one: before its command and any "--"), or is its command or one of the command's arguments.
function __tokenbroker_exec_part --argument-names part
    set -l state (__tokenbroker_state)
    test "$state[1]" = exec; or return 1
    set -l rest (__tokenbroker_exec_command)
    if test $part = options
        test (count $rest) = 0
    else
        test "$state[3]" = 0; and begin
            test (count $rest) -gt 0; or not string match -q -- '-*' (commandline -ct)
        end
    end
end

# The words of exec's command before the one being completed, after "--" (printed as the first word when it
# is there) or after the options and their values.
function __tokenbroker_exec_command
    set -l words (commandline -opc)
    set -l i (contains -i -- exec $words)
    or return
    set i (math $i + 1)
    while test $i -le (count $words)
        switch $words[$i]
            case --
                printf '%s\n' $words[$i..-1]
                return
            case --env
                set i (math $i + 2)
            case '-*'
                set i (math $i + 1)
            case '*'
                printf '%s\n' $words[$i..-1]
                return
        end
    end
end

# exec's command and its arguments: what fish completes for them as a command line of their own.
function __tokenbroker_exec_complete
    set -l cmd (__tokenbroker_exec_command)
    test "$cmd[1]" = --; and set -e cmd[1]
    set -l line (string escape -- $cmd) (commandline -ct)
    complete --do-complete=(string join -- ' ' $line)
end

# The value of exec's --env, VAR=NAME: nothing for the variable, account names after "VAR=".
function __tokenbroker_env_value
    set -l token (commandline -ct)
    string match -q -- '*=*' $token; or return
    set -l var (string split -m 1 = -- $token)[1]
    for name in (__tokenbroker_accounts)
        printf '%s=%s\tAccount\n' $var $name
    end
end

complete -c tokenbroker -f

# No verb yet.
set -l no_verb 'test -z (__tokenbroker_state)[1]'
complete -c tokenbroker -n $no_verb -l help -d 'Show the help'
complete -c tokenbroker -n $no_verb -l version -d 'Show the version'
complete -c tokenbroker -n $no_verb -a add -d 'Create an account file'
complete -c tokenbroker -n $no_verb -a set-secret -d 'Store a secret of an account in the keyring'
complete -c tokenbroker -n $no_verb -a list -d 'Print the names of all accounts'
complete -c tokenbroker -n $no_verb -a status -d 'Show an account, its secrets and its token'
complete -c tokenbroker -n $no_verb -a doctor -d 'Check the bus, the daemon, the keyring and every account'
complete -c tokenbroker -n $no_verb -a token -d 'Print an access token'
complete -c tokenbroker -n $no_verb -a login -d 'Log in to an account with an interactive grant'
complete -c tokenbroker -n $no_verb -a curl -d 'Run curl with the token'
complete -c tokenbroker -n $no_verb -a revoke -d 'Revoke the grant at the server and forget its tokens'
complete -c tokenbroker -n $no_verb -a remove -d 'Delete an account, its file and its secrets'
complete -c tokenbroker -n $no_verb -a warmup -d 'Fetch tokens for the accounts with Warmup=yes'
complete -c tokenbroker -n $no_verb -a reload -d 'Read the account files again'
complete -c tokenbroker -n $no_verb -a setup-git -d 'Make git use the credential helper'
complete -c tokenbroker -n $no_verb -a setup-docker -d 'Make docker and podman use the docker credential helper'
complete -c tokenbroker -n $no_verb -a keygen -d 'Make the private key of an account'
complete -c tokenbroker -n $no_verb -a public-key -d 'Print the public key of an account'
complete -c tokenbroker -n $no_verb -a dpop-proof -d 'Print a DPoP proof for one request'
complete -c tokenbroker -n $no_verb -a kube-credential \
    -d "Answer kubectl's exec credential plugin with the account's token"
complete -c tokenbroker -n $no_verb -a credential-helper -d "Answer Bazel's credential helper protocol"
complete -c tokenbroker -n $no_verb -a goauth -d "Answer Go's GOAUTH command with the accounts' tokens"
complete -c tokenbroker -n $no_verb -a exec -d 'Run a command with access tokens in its environment'

# The first argument of these verbs is an account.
for verb in set-secret status token curl login keygen public-key dpop-proof revoke remove kube-credential
    complete -c tokenbroker -n "__tokenbroker_at $verb 0" -a '(__tokenbroker_accounts)' -d Account
end

# add
complete -c tokenbroker -n '__tokenbroker_at add' -l token-url -x -d 'The token endpoint'
complete -c tokenbroker -n '__tokenbroker_at add' -l client-id -x -d 'The client identifier'
complete -c tokenbroker -n '__tokenbroker_at add' -l client-auth -x -d 'How the client authenticates' \
    -a 'basic post none private_key_jwt client_secret_jwt tls_client_auth self_signed_tls_client_auth'
complete -c tokenbroker -n '__tokenbroker_at add' -l grant -x -d 'The grant' \
    -a 'client_credentials password authorization_code device_code token_exchange'
complete -c tokenbroker -n '__tokenbroker_at add' -l scopes -x -d 'Space-separated scopes to ask for'
complete -c tokenbroker -n '__tokenbroker_at add' -l provider -x -d 'A provider profile' \
    -a 'generic flaik floriday flixcheck flume sharetribe'
complete -c tokenbroker -n '__tokenbroker_at add' -l environment -x -d "The provider's environment" \
    -a 'staging live'
complete -c tokenbroker -n '__tokenbroker_at add' -l issuer -x -d 'The issuer, for discovery'
complete -c tokenbroker -n '__tokenbroker_at add' -l username -x \
    -d 'The resource owner of the password grant'
complete -c tokenbroker -n '__tokenbroker_at add' -l hosts -x -d 'URL patterns for git'
complete -c tokenbroker -n '__tokenbroker_at add' -l warmup -d 'Fetch a token at login'
complete -c tokenbroker -n '__tokenbroker_at add' -l set -x -d 'Any other key of the account file' \
    -a 'Provider= TokenURL= Issuer= Environment= ClientID= ClientAuth= Grant= Scopes= Username= Hosts=
        Warmup= GitUsername= DockerUsername= CargoTokenPrefix= RefreshSkew= DefaultLifetime= Timeout= LoginTimeout= CAFile= RequestEncoding=
        TokenPath= TokenURLQuery= ExtraParams= GrantTypeValue= AuthorizeURL= DeviceAuthorizationURL=
        RedirectURI= AuthorizeParamNames= TokenParamNames= ClientCertFile= ClientKeyFile= RevocationURL=
        RevocationAuth= SubjectAccount= ActorAccount= Audience= Resource= KeyID= PAR= DPoP= ApiKeyHeader=
        ExposeClaims= AllowedCallers='
complete -c tokenbroker -n '__tokenbroker_at add' -l replace -d 'Overwrite an existing account'

# set-secret
complete -c tokenbroker -n '__tokenbroker_at set-secret 1' -d 'Secret kind' \
    -a 'client-secret password api-key refresh-token tls-key'

# list, status, remove
complete -c tokenbroker -n '__tokenbroker_at list' -l json -d 'Print the names as a JSON array'
complete -c tokenbroker -n '__tokenbroker_at status' -l json -d 'Print the same as JSON'
complete -c tokenbroker -n '__tokenbroker_at remove' -l yes -d 'Do not ask'

# token and dpop-proof choose a token alike, and so does curl.
for verb in token dpop-proof
    complete -c tokenbroker -n "__tokenbroker_at $verb" -l scope -x -d 'A narrower set of scopes'
    complete -c tokenbroker -n "__tokenbroker_at $verb" -l resource -x -d 'A token for this resource'
end
complete -c tokenbroker -n '__tokenbroker_at token' -l min-validity -x -d 'At least this many seconds left'
complete -c tokenbroker -n '__tokenbroker_at token' -l force-new -d 'Fetch a new token'
complete -c tokenbroker -n '__tokenbroker_at token' -l json \
    -d 'Print the token, its type, expiry and headers'

# curl: its options before the account name; after it the words are curl's own: files, as curl's completion
# would.
complete -c tokenbroker -n '__tokenbroker_curl_part options' -l scope -x -d 'A narrower set of scopes'
complete -c tokenbroker -n '__tokenbroker_curl_part options' -l resource -x -d 'A token for this resource'
complete -c tokenbroker -n '__tokenbroker_curl_part options' -l no-retry -d 'Keep the first answer'
complete -c tokenbroker -n '__tokenbroker_curl_part arguments' -F

# login
complete -c tokenbroker -n '__tokenbroker_at login' -l no-browser -d 'Only print the authorization URL'
complete -c tokenbroker -n '__tokenbroker_at login' -l qr -d 'Print a QR code for a device login'

# keygen, public-key
complete -c tokenbroker -n '__tokenbroker_at keygen' -l type -x -a 'ec rsa' -d 'The key type'
complete -c tokenbroker -n '__tokenbroker_at keygen' -l jwks -d 'Print the public key as a JWKS document'
complete -c tokenbroker -n '__tokenbroker_at keygen' -l replace -d 'Replace an existing key'
complete -c tokenbroker -n '__tokenbroker_at public-key' -l jwks -d 'Print a JWKS document'

# dpop-proof
complete -c tokenbroker -n '__tokenbroker_at dpop-proof' -l nonce -x -d "The resource server's nonce"
complete -c tokenbroker -n '__tokenbroker_at dpop-proof' -l no-token -d 'No hash of the token in the proof'
complete -c tokenbroker -n '__tokenbroker_at dpop-proof 1' -d 'HTTP method' \
    -a 'GET POST PUT PATCH DELETE HEAD OPTIONS'

# kube-credential
complete -c tokenbroker -n '__tokenbroker_at kube-credential' -l scope -x -d 'A narrower set of scopes'

# credential-helper: its one operation.
complete -c tokenbroker -n '__tokenbroker_at credential-helper 0' -a get \
    -d 'Print the headers for the URI read on standard input'

# setup-docker: a registry is a host name, nothing to offer for it; the two configuration files are files.
complete -c tokenbroker -n '__tokenbroker_at setup-docker' -l registry -x -d 'A registry (HOST or HOST:PORT)'
complete -c tokenbroker -n '__tokenbroker_at setup-docker' -l docker-config -r -F -d "Docker's config.json"
complete -c tokenbroker -n '__tokenbroker_at setup-docker' -l auth-file -r -F -d "The containers' auth.json"

# exec: --env before the command; the command and its arguments as fish completes them on their own.
complete -c tokenbroker -n '__tokenbroker_exec_part options' -l env -x -a '(__tokenbroker_env_value)' \
    -d 'The token of an account in a variable'
complete -c tokenbroker -n '__tokenbroker_exec_part command' -a '(__tokenbroker_exec_complete)'
