# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What each shell's completion must offer (completion.sh: bash, completion-zsh.sh, completion-fish.sh), in
# the world completion_setup makes. A case is "LINE|WANT|DESCRIPTION": LINE is typed and completed at its
# end, WANT is every word offered, sorted, each followed by a space.

completion_verbs="add credential-helper curl doctor dpop-proof exec goauth keygen kube-credential list login public-key reload remove revoke set-secret setup-docker setup-git status token warmup "

completion_cases=(
        "tokenbroker |$completion_verbs|verbs"
        "tokenbroker st|status |a verb by its prefix"
        "tokenbroker doctor ||nothing after doctor"
        "tokenbroker -|--help --version |options before the verb"
        "tokenbroker token |flume-home work |account names from the account files"
        "tokenbroker token w|work |an account name by its prefix"
        "tokenbroker token work --|--force-new --json --min-validity --resource --scope |token's options"
        "tokenbroker token --scope x w|work |an option's value is no argument"
        "tokenbroker set-secret work |api-key client-secret password refresh-token tls-key |secret kinds after the account"
        "tokenbroker add x --|--client-auth --client-id --environment --grant --hosts --issuer --provider --replace --scopes --set --token-url --username --warmup |add's options"
        "tokenbroker add x --client-auth |basic client_secret_jwt none post private_key_jwt self_signed_tls_client_auth tls_client_auth |client auth methods"
        "tokenbroker add x --environment |live staging |add's environments"
        "tokenbroker add x --provider f|flaik flixcheck floriday flume |add's providers"
        "tokenbroker add x --set Client|ClientAuth= ClientCertFile= ClientID= ClientKeyFile= |the mutual TLS keys for --set"
        "tokenbroker add x --set Tok|TokenParamNames= TokenPath= TokenURL= TokenURLQuery= |account file keys for --set"
        "tokenbroker dpop-proof work --|--no-token --nonce --resource --scope |dpop-proof's options"
        "tokenbroker dpop-proof work P|PATCH POST PUT |dpop-proof's methods after the account"
        "tokenbroker keygen work --type |ec rsa |keygen's key types"
        "tokenbroker keygen work --|--jwks --replace --type |keygen's options"
        "tokenbroker public-key |flume-home work |public-key takes an account name"
        "tokenbroker list --|--json |list's option"
        "tokenbroker status --|--json |status's option"
        "tokenbroker status |flume-home work |status takes an account name"
        "tokenbroker remove --|--yes |remove's option"
        "tokenbroker remove --yes |flume-home work |remove takes an account name after --yes"
        "tokenbroker remove work ||nothing after remove's one argument"
        "tokenbroker revoke |flume-home work |revoke takes an account name"
        "tokenbroker curl f|flume-home |curl takes an account name first"
        "tokenbroker curl work da|data.json |curl's own arguments after the account: files"
        "tokenbroker kube-credential |flume-home work |kube-credential takes an account name"
        "tokenbroker kube-credential work --|--scope |kube-credential's option"
        "tokenbroker credential-helper |get |credential-helper's operation"
        "tokenbroker credential-helper get ||nothing after get"
        "tokenbroker goauth ||goauth: a URL, nothing offered"
        "tokenbroker exec --|--env |exec's option"
        "tokenbroker exec --env GH_TOKEN=|GH_TOKEN=flume-home GH_TOKEN=work |exec's --env VAR= takes an account name"
        "tokenbroker setup-docker --|--auth-file --docker-config --registry |setup-docker's options"
        "tokenbroker setup-docker --registry ||setup-docker's --registry: a host name, nothing offered"
        "tokenbroker setup-docker --docker-config da|data.json |setup-docker's --docker-config takes a file"
        "tokenbroker setup-docker --registry r --auth-file da|data.json |setup-docker's --auth-file takes a file"
        "git-credential-tokenbroker --account |flume-home work |the helper's --account"
        "git-credential-tokenbroker -|--account |the helper's option"
        "git-credential-tokenbroker |erase get store |the helper's operations"
        "docker-credential-tokenbroker |erase get list store version |the docker helper's operations"
        "terraform-credentials-tokenbroker |forget get store |the terraform helper's operations"
        "terraform-credentials-tokenbroker get ||a host name: nothing offered"
        "cargo-credential-tokenbroker --|--account --cargo-plugin --help |the cargo provider's options"
        "cargo-credential-tokenbroker --account |flume-home work |--account takes an account name"
)

# completion_setup DIR: DIR/config is an XDG_CONFIG_HOME with the accounts work and flume-home (and a file
# that is no account), DIR/cwd a working directory with one file.
completion_setup() {
        mkdir -p "$1/config/tokenbroker/accounts" "$1/cwd" &&
                touch "$1/config/tokenbroker/accounts/work.conf" "$1/config/tokenbroker/accounts/flume-home.conf" \
                        "$1/config/tokenbroker/accounts/notes.txt" "$1/cwd/data.json"
}

# completion_keys: the account file keys the bash completion offers for --set, sorted, each followed by a
# space (docs.sh checks them against tokenbroker.conf(5)).
completion_keys() {
        sed -n "/local keys='/,/'/p" "$abs_top_srcdir/packaging/bash-completion/tokenbroker" | sed 's/local keys=//' |
                tr -s " '\t" '\n' | grep '=$' | sort | tr '\n' ' '
}
