#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The example accounts and the pam-auth-update profile: no secret in an example, each tells how to store
# the secrets it needs, all are installed.
. "$abs_top_srcdir/tests/lib/rig.sh"

ex="$abs_top_srcdir/packaging/examples"
mk="$abs_top_srcdir/packaging/local.mk"

# key FILE KEY: the value of KEY= in FILE.
key() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

for f in "$ex"/*.conf; do
        name=$(basename "$f" .conf)
        tap_ok "$name: is installed (listed in packaging/local.mk)" grep -q "examples/$name.conf" "$mk"
        tap_is "$(grep -c '^\[Account\]$' "$f")" 1 "$name: one [Account] group"
        # A key that holds a secret has no place in an account file; so have no values that look like one.
        tap_is "$(grep -iE '^[^#]*(secret|password|passwd|token|apikey|api_key|credential)[^=]*=' "$f" |
                        grep -vE '^(TokenURL|TokenURLQuery|TokenPath|ApiKeyHeader|RevocationURL)=')" "" \
                "$name: no secret-bearing key"
        tap_is "$(grep -vE '^#' "$f" | grep -E '=[^ ]*(eyJ[A-Za-z0-9_-]{10,}|[A-Fa-f0-9]{32,}|[A-Za-z0-9+/]{40,})')" "" \
                "$name: no value that looks like a key or a token"

        # Each secret the account needs is named in a `tokenbroker set-secret NAME KIND` line.
        needs=client-secret
        [ "$(key "$f" ClientAuth)" = none ] && needs=
        # A private_key_jwt client's key is made by keygen, which the example must name instead.
        if [ "$(key "$f" ClientAuth)" = private_key_jwt ]; then
                needs=
                tap_ok "$name: says how to make its key" grep -qE "^# +tokenbroker keygen $name( |\$)" "$f"
        fi
        # A mutual TLS client's secret is its certificate's key, unless a key file is named.
        case $(key "$f" ClientAuth) in
        tls_client_auth | self_signed_tls_client_auth)
                needs=
                [ -n "$(key "$f" ClientKeyFile)" ] || needs=tls-key
                ;;
        esac
        [ "$(key "$f" Grant)" = password ] && needs="$needs password"
        case $(key "$f" Provider) in floriday) needs="$needs api-key" ;; esac
        for kind in $needs; do
                tap_ok "$name: says how to store its $kind" grep -qE "^# +tokenbroker set-secret $name $kind( <.*)?\$" "$f"
        done
done
tap_is "$(ls "$ex"/*.conf | wc -l)" 9 \
        "an example for each of the five services, a generic OIDC server, private_key_jwt, DPoP and mutual TLS"

# The pam-auth-update profile (pam-auth-update(8): "Field: value" lines, stanza lines indented).
pam="$abs_top_srcdir/packaging/pam-configs/tokenbroker"
tap_like "$(sed -n 's/^Name: //p' "$pam")" "." "pam profile: has a Name"
tap_is "$(sed -n 's/^Default: //p' "$pam")" "yes" "pam profile: enabled by default"
tap_is "$(sed -n 's/^Session-Type: //p' "$pam")" "Additional" "pam profile: an additional session module"
tap_like "$(sed -n '/^Session:$/,/^[A-Z]/p' "$pam" | grep -E '^[[:space:]]')" \
        '^[[:space:]]+optional[[:space:]]+pam_tokenbroker\.so$' "pam profile: session optional pam_tokenbroker.so"
tap_fails "pam profile: never in the auth, account or password stacks" grep -qE '^(Auth|Account|Password)' "$pam"

tap_done
