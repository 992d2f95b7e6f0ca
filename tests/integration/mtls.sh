#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Mutual TLS (RFC 8705) against a real server (oidc-provider from npm over HTTPS, tests/oidc/server.mjs --tls):
# tls_client_auth with a CA-issued certificate and self_signed_tls_client_auth, the key in the keyring (kind
# tls-key) or in ClientKeyFile=, the server's mtls_endpoint_aliases, tokens bound to the certificate and
# used with it by tokenbroker curl, accounts with different certificates at one server never sharing a
# connection, and what is refused: a certificate the server does not know, a key file others can read, a
# key that is no key or is encrypted, a TLS method without a certificate.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

rig_have_oidc_provider || tap_skip_all "oidc-provider is not installed (npm ci in tests/oidc)"
command -v openssl >/dev/null || tap_skip_all "openssl is not installed"
pki="$RIG_DIR/pki"
{ rig_make_ca "$pki" &&
        rig_make_cert "$pki" server "/CN=127.0.0.1" serverAuth "IP:127.0.0.1" &&
        rig_make_cert "$pki" client "/CN=tokenbroker-client" clientAuth &&
        rig_make_cert "$pki" other "/CN=someone-else" clientAuth &&
        rig_make_cert "$pki" self "/CN=self-client" self-signed; } ||
        tap_bail "openssl could not make the test certificates: $(tail -n 5 "$pki/openssl.log")"
rig_start_oidc_provider OIDC --tls "$pki" || tap_bail "oidc-provider did not start over HTTPS"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

API="$OIDC_URL/api/whoami"
requests() { rig_json_get "requests.POST $1" "$(curl -s --cacert "$pki/ca.pem" "$OIDC_URL/_stats")"; }
# whoami TOKEN [CERT]: the resource server's answer, over a connection with CERT (and its key) or none.
whoami() {
        local cert=()
        [ -z "${2:-}" ] || cert=(--cert "$pki/$2.pem" --key "$pki/$2.key")
        curl -s --cacert "$pki/ca.pem" "${cert[@]}" -H "Authorization: Bearer $1" "$API"
}
add() { # NAME CLIENT AUTH CERT [KEY-FILE] [--set ...]
        local name=$1 id=$2 auth=$3 cert=$4 key=${5:-}
        shift 5
        rig_tb add "$name" --issuer "$OIDC_URL" --client-id "$id" --client-auth "$auth" --scopes "api:read" \
                --set CAFile="$pki/ca.pem" --set ClientCertFile="$pki/$cert.pem" \
                ${key:+--set ClientKeyFile="$pki/$key.key"} "$@"
}

# --- tls_client_auth, the key in the keyring ------------------------------------------------------------
add pki mtls-pki tls_client_auth client "" >/dev/null 2>&1
out=$(rig_tb token pki 2>&1); rc=$?
tap_is "$rc" 9 "tls_client_auth without the certificate's key: a missing secret (exit 9)"
tap_like "$out" "set-secret pki tls-key" "... saying how to store it"
rig_tb set-secret pki tls-key <"$pki/client.key"
tap_is "$?" 0 "set-secret takes the PEM key (several lines) as kind tls-key"
before_plain=$(requests /token)
token=$(rig_tb token pki); rc=$?
tap_is "$rc" 0 "tls_client_auth: the server authenticates the client by its certificate and issues a token"
tap_is "$(requests /mtls/token)" 1 "... at the metadata's mtls_endpoint_aliases token endpoint"
tap_is "$(requests /token)" "$before_plain" "... not at the plain one"
out=$(whoami "$token" client)
tap_is "$(rig_json_get client_id "$out")" "mtls-pki" "the token works over a connection with the certificate"
x5t=$(openssl x509 -in "$pki/client.pem" -outform DER | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
tap_is "$(rig_json_get x5t "$out")" "$x5t" "... bound to it (cnf x5t#S256 is the certificate's thumbprint)"
tap_like "$(whoami "$token")" "invalid_token" "... and is refused without it"
tap_like "$(whoami "$token" other)" "invalid_token" "... and with another certificate"
out=$(rig_tb curl pki -- -s --cacert "$pki/ca.pem" "$API" 2>&1)
tap_like "$out" "key of ClientCertFile= is in the keyring and stays in the daemon" \
        "tokenbroker curl cannot present a certificate whose key stays in the daemon, and says so"

# --- the key in ClientKeyFile=, tokenbroker curl --------------------------------------------------------
add pkf mtls-pki tls_client_auth client client >/dev/null 2>&1
out=$(rig_tb curl pkf -- -s --cacert "$pki/ca.pem" "$API"); rc=$?
tap_is "$rc:$(rig_json_get client_id "$out")" "0:mtls-pki" \
        "ClientKeyFile=: tokenbroker curl presents the certificate with the bound token"
tap_is "$(rig_json_get x5t "$out")" "$x5t" "... the same certificate the token is bound to"

# --- self_signed_tls_client_auth ---------------------------------------------------------------------------
add self mtls-self self_signed_tls_client_auth self self >/dev/null 2>&1
out=$(rig_tb curl self -- -s --cacert "$pki/ca.pem" "$API"); rc=$?
tap_is "$rc:$(rig_json_get client_id "$out")" "0:mtls-self" \
        "self_signed_tls_client_auth: the registered self-signed certificate authenticates the client"

# --- one server, two client identities: no connection is shared -----------------------------------------
ok=0
for _ in 1 2 3; do
        for pair in pki:client:mtls-pki self:self:mtls-self; do
                IFS=: read -r name cert id <<<"$pair"
                busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 \
                        Invalidate ss "$name" "" >/dev/null
                [ "$(rig_json_get client_id "$(whoami "$(rig_tb token "$name")" "$cert")")" = "$id" ] && ok=$((ok + 1))
        done
done
tap_is "$ok" 6 "two accounts with different certificates, fetched in turn six times: each token is its own client's"

# --- revocation goes with the certificate too ------------------------------------------------------------
before=$(requests /mtls/token/revocation)
rig_tb revoke pki >/dev/null 2>&1
tap_is "$?" 0 "revoke: the client authenticates by its certificate"
tap_is "$(requests /mtls/token/revocation)" "$(( ${before:-0} + 1 ))" "... at the revocation endpoint's alias"

# --- refused -----------------------------------------------------------------------------------------------
add stranger mtls-pki tls_client_auth other other >/dev/null 2>&1
out=$(rig_tb token stranger 2>&1); rc=$?
tap_is "$rc" 5 "a certificate whose subject is not the client's: the server refuses (exit 5)"
tap_like "$out" "invalid_client" "... invalid_client"
cp "$pki/client.key" "$pki/open.key"
chmod 0644 "$pki/open.key"
out=$(add open mtls-pki tls_client_auth client open 2>&1); rc=$?
tap_is "$rc" 9 "a ClientKeyFile= others may read: the account is refused (exit 9)"
tap_like "$out" "may be read by others" "... saying why"
out=$(rig_tb add nocert --issuer "$OIDC_URL" --client-id mtls-pki --client-auth tls_client_auth 2>&1); rc=$?
tap_is "$rc" 9 "ClientAuth=tls_client_auth without ClientCertFile=: refused (exit 9)"
tap_like "$out" "ClientCertFile" "... naming what is missing"
out=$(printf 'not a key\n' | rig_tb set-secret pki tls-key 2>&1); rc=$?
tap_is "$rc" 2 "a tls-key that is no PEM key: refused (exit 2)"
openssl pkey -in "$pki/client.key" -aes256 -passout pass:x -out "$pki/encrypted.key" 2>/dev/null
out=$(rig_tb set-secret pki tls-key <"$pki/encrypted.key" 2>&1); rc=$?
tap_is "$rc" 2 "an encrypted tls-key: refused (exit 2)"
tap_like "$out" "encrypted" "... saying why"
tap_is "$(rig_json_get client_id "$(whoami "$(rig_tb token pki)" client)")" "mtls-pki" \
        "... and the stored key is unchanged: the account still works"

rig_check_daemon_log "the daemon log has no sanitizer report and no secret"
tap_done
