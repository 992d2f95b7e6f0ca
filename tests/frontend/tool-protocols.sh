#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Other tools' credential protocols at the wire, through the real programs, daemon, bus and keyring:
# docker-credential-tokenbroker (the docker-credential-helpers protocol: exact JSON, the not-found answer and
# exit status, store refused or accepted, erase dropping the cached token, list), `tokenbroker
# kube-credential` (client-go's ExecCredential, v1 and v1beta1, its RFC 3339 expiry) and `tokenbroker exec`
# (tokens in a program's environment). Each front end stays free of the heavy libraries (ldd).
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

DOCKER="$abs_top_builddir/docker-credential-tokenbroker"
rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
rel_add_cc reg "$TS_TOKEN_URL" --hosts "https://registry.example.com https://ghcr.example.com/acme/*" ||
        tap_bail "could not add an account"
rel_add_cc cluster "$TS_TOKEN_URL" || tap_bail "could not add an account"
requests() { rel_stat TS token_requests; }
docker() { timeout -k 5 30 "$DOCKER" "$@"; }

# --- docker-credential-tokenbroker ------------------------------------------------------------------------------
out=$(printf 'https://registry.example.com' | docker get); rc=$?
tap_is "$rc" 0 "docker get for a registry an account's Hosts= serve"
tap_like "$out" '^\{"ServerURL":"https://registry.example.com","Username":"oauth2accesstoken","Secret":"[^"]+"\}$' \
        "... answers {ServerURL, Username, Secret}, the username the registries' convention"
tap_is "$(rel_whoami TS <<<"$(rig_json_get Secret "$out")")" "basic-client" "... and the secret is the account's token"
tap_is "$(printf 'registry.example.com\n' | docker get | rig_json_get ServerURL)" "registry.example.com" \
        "a bare registry name (https, as docker takes it) is served too, its ServerURL as it came"
before=$(requests)
printf 'https://registry.example.com/v2/' | docker get >/dev/null
tap_is "$(requests)" "$before" "... and /v2/ is the registry itself: the cached token, no new request"
tap_is "$(printf 'https://ghcr.example.com/acme/app' | docker get | rig_json_get Username)" "oauth2accesstoken" \
        "a path pattern of Hosts= matches a repository under it"
out=$(printf 'https://other.example.com' | docker get); rc=$?
tap_is "$rc:$out" "1:credentials not found in native keychain" \
        "no account for the registry: the protocol's not-found answer on stdout, exit 1"

rig_tb add reg2 --token-url "$TS_TOKEN_URL" --client-id basic-client --hosts "https://quay.example.com" \
        --set DockerUsername=robot >/dev/null 2>&1
printf 'basic-secret' | rig_tb set-secret reg2 client-secret >/dev/null
tap_is "$(printf 'quay.example.com' | docker get | rig_json_get Username)" "robot" "DockerUsername= names the username"

t1=$(printf 'registry.example.com' | docker get | rig_json_get Secret)
printf 'registry.example.com' | docker erase; rc=$?
tap_is "$rc" 0 "docker erase"
t2=$(printf 'registry.example.com' | docker get | rig_json_get Secret)
tap_isnt "$t2" "$t1" "... drops the cached token: the next get has a new one"
printf 'other.example.com' | docker erase; rc=$?
tap_is "$rc" 0 "erase for a registry no account serves: nothing to do, exit 0"

out=$(printf '{"ServerURL":"https://registry.example.com","Username":"u","Secret":"typed-password"}' | docker store 2>&1)
rc=$?
tap_is "$rc" 0 "store for a registry an account serves: accepted (its tokens come from the broker)"
tap_unlike "$(rig_tb status reg)" "typed-password" "... and the typed secret is kept nowhere"
out=$(printf '{"ServerURL":"https://other.example.com","Username":"u","Secret":"p"}' | docker store 2>/dev/null); rc=$?
tap_is "$rc" 1 "store for another registry: refused"
tap_like "$out" "tokens for other.example.com come from tokenbroker, not from 'docker login'" \
        "... saying why and what to do, on stdout (the only output the tools show)"
out=$(printf 'not json' | docker store 2>&1); rc=$?
tap_is "$rc" 1 "store with garbage on stdin: refused"

out=$(docker list); rc=$?
tap_is "$rc" 0 "docker list"
tap_is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(f"{k}={v}" for k, v in sorted(d.items())))' <<<"$out")" \
        "https://ghcr.example.com/acme/*=oauth2accesstoken https://quay.example.com=robot https://registry.example.com=oauth2accesstoken" \
        "... names each Hosts= URL with its username"
tap_like "$(docker version)" "^docker-credential-tokenbroker [0-9]" "docker version"
out=$(docker frobnicate 2>&1); rc=$?
tap_is "$rc" 1 "an unknown operation: exit 1"
out=$(head -c 20000 /dev/zero | tr '\0' a | docker get 2>&1); rc=$?
tap_is "$rc" 1 "a server URL longer than any: refused"

# --- kube-credential --------------------------------------------------------------------------------------------
out=$(KUBERNETES_EXEC_INFO='{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}' \
        rig_tb kube-credential cluster); rc=$?
tap_is "$rc" 0 "kube-credential with KUBERNETES_EXEC_INFO v1"
tap_is "$(rig_json_get apiVersion "$out"):$(rig_json_get kind "$out")" "client.authentication.k8s.io/v1:ExecCredential" \
        "... answers an ExecCredential of the same apiVersion"
tap_is "$(rel_whoami TS <<<"$(rig_json_get status.token "$out")")" "basic-client" "... with the account's token"
exp=$(rig_json_get status.expirationTimestamp "$out")
tap_like "$exp" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "... and its expiry in RFC 3339, UTC"
tap_is "$(date -u -d "$exp" +%s)" "$(rig_json_get expires_at "$(rig_tb token cluster --json)")" \
        "... the token's own expiry"
out=$(KUBERNETES_EXEC_INFO='{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{}}' \
        rig_tb kube-credential cluster)
tap_is "$(rig_json_get apiVersion "$out")" "client.authentication.k8s.io/v1beta1" "v1beta1 is answered in v1beta1"
tap_is "$(env -u KUBERNETES_EXEC_INFO "$TB" kube-credential cluster | rig_json_get apiVersion)" \
        "client.authentication.k8s.io/v1" "without KUBERNETES_EXEC_INFO: v1"
out=$(KUBERNETES_EXEC_INFO='{"apiVersion":"client.authentication.k8s.io/v1alpha1"}' rig_tb kube-credential cluster 2>&1)
tap_is "$?" 2 "an apiVersion it does not speak: a usage error (exit 2)"
out=$(rig_tb kube-credential nosuch 2>&1); rc=$?
tap_is "$rc" 3 "kube-credential for no such account: exit 3"
out=$(rig_tb kube-credential 2>&1); rc=$?
tap_is "$rc" 2 "kube-credential without an account: a usage error"

# --- kubectl, end to end: an exec plugin in a kubeconfig, against a loopback API that takes only the token ---
if command -v kubectl >/dev/null; then
        rig_make_ca "$RIG_DIR/pki" && rig_make_cert "$RIG_DIR/pki" kube "/CN=127.0.0.1" serverAuth "IP:127.0.0.1" ||
                tap_bail "could not make the API endpoint's certificate"
        rig_spawn_port_server KUBE https "$PYTHON3" "$abs_top_srcdir/tests/servers/kube-api-server.py" \
                --whoami "$TS_URL/api/whoami" --cert "$RIG_DIR/pki/kube.pem" --key "$RIG_DIR/pki/kube.key" ||
                tap_bail "the kube API endpoint did not start"
        # v1beta1: the exec plugin API every kubectl from 1.11 (Debian 12's 1.20) to today speaks.
        cat >"$RIG_DIR/kubeconfig" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: loop
  cluster:
    server: $KUBE_URL
    certificate-authority: $RIG_DIR/pki/ca.pem
contexts:
- name: loop
  context: {cluster: loop, user: me}
current-context: loop
users:
- name: me
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $TB
      args: [kube-credential, cluster]
KCFG
        out=$(KUBECONFIG="$RIG_DIR/kubeconfig" timeout -k 5 60 kubectl get namespaces -o name 2>&1); rc=$?
        tap_is "$rc" 0 "kubectl get namespaces with tokenbroker as its exec credential plugin"
        tap_like "$out" "namespace/tokenbroker-test" "... lists what the API endpoint, taking only the broker's token, has"
        tap_is "$(curl -sf --cacert "$RIG_DIR/pki/ca.pem" "$KUBE_URL/_stats" | rig_json_get unauthorized)" 0 \
                "... and the endpoint refused nothing"
        KUBECONFIG="$RIG_DIR/kubeconfig" timeout -k 5 60 kubectl get namespaces -o name >/dev/null 2>&1
        tap_is "$(curl -sf --cacert "$RIG_DIR/pki/ca.pem" "$KUBE_URL/_stats" | rig_json_get tokens_seen)" 1 \
                "... one token for both runs: the broker's cached one"
else
        for t in "kubectl get namespaces" "... lists" "... refused nothing" "... one token"; do
                tap_skip "$t" "kubectl is not installed (apt-get install kubernetes-client)"
        done
fi

# --- credential-helper (Bazel, Buck2: EngFlow's credential-helper spec) -----------------------------------------
ch() { timeout -k 5 30 "$TB" credential-helper get; }
out=$(printf '{"uri": "https://registry.example.com/some/blob"}' | ch); rc=$?
tap_is "$rc" 0 "credential-helper get for a URI an account's Hosts= serve"
tap_like "$out" '^\{"headers":\{"Authorization":\["Bearer [^"]+"\]\},"expires":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"\}$|^\{"expires":"[^"]+","headers":\{"Authorization":\["Bearer [^"]+"\]\}\}$' \
        "... answers the headers to send, each a list, and their expiry in RFC 3339"
tap_is "$(rel_whoami TS <<<"$(python3 -c 'import json,sys; print(json.load(sys.stdin)["headers"]["Authorization"][0].split(" ",1)[1])' <<<"$out")")" \
        "basic-client" "... the Authorization header carrying the account's token"
tap_is "$(printf '{"uri": "https://elsewhere.example.com/x"}' | ch)" '{"headers":{}}' \
        "a URI no account serves: no headers, exit 0"
out=$(printf 'garbage' | ch 2>&1); rc=$?
tap_is "$rc" 2 "garbage on stdin: a usage error"
rig_tb add fdh --provider floriday --issuer "$TS_URL" --token-url "$TS_TOKEN_URL" --client-id basic-client \
        --client-auth basic --hosts "https://api.floriday.example" >/dev/null 2>&1
printf 'basic-secret' | rig_tb set-secret fdh client-secret >/dev/null
printf 'the-api-key' | rig_tb set-secret fdh api-key >/dev/null
out=$(printf '{"uri": "https://api.floriday.example/orders"}' | ch)
tap_is "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["headers"]["X-Api-Key"])' <<<"$out")" "['the-api-key']" \
        "... and the account's extra headers (ApiKeyHeader=) beside the token"
ln -sf "$TB" "$RIG_DIR/tokenbroker-credential-helper"
out=$(printf '{"uri": "https://registry.example.com/x"}' | "$RIG_DIR/tokenbroker-credential-helper" get); rc=$?
tap_like "$rc:$out" '^0:\{.*"headers":\{"Authorization":\["Bearer ' "run as tokenbroker-credential-helper get (Bazel runs a helper by its path): the same"

# --- terraform-credentials-tokenbroker (Terraform and OpenTofu's credentials helper protocol) -----------------
TF="$abs_top_builddir/terraform-credentials-tokenbroker"
out=$(timeout -k 5 30 "$TF" get registry.example.com); rc=$?
tap_is "$rc" 0 "terraform get for a host an account serves"
tap_like "$out" '^\{"token":"[^"]+"\}$' "... answers {\"token\": ...}"
tap_is "$(rel_whoami TS <<<"$(rig_json_get token "$out")")" "basic-client" "... the account's token"
tap_is "$(timeout -k 5 30 "$TF" get other.example.com)" "{}" "a host no account serves: {}, exit 0"
t1=$(rig_json_get token "$("$TF" get registry.example.com)")
timeout -k 5 30 "$TF" forget registry.example.com; rc=$?
tap_is "$rc" 0 "terraform forget"
tap_isnt "$(rig_json_get token "$("$TF" get registry.example.com)")" "$t1" "... drops the cached token"
printf '{"token":"from-terraform-login"}' | timeout -k 5 30 "$TF" store registry.example.com; rc=$?
tap_is "$rc" 0 "store for a host an account serves: accepted, nothing kept"
out=$(printf '{"token":"x"}' | timeout -k 5 30 "$TF" store other.example.com 2>&1); rc=$?
tap_is "$rc" 1 "store for another host: refused"
tap_like "$out" "come from tokenbroker, not from 'terraform login'" "... saying why"
out=$(timeout -k 5 30 "$TF" get "https://registry.example.com/x" 2>&1); rc=$?
tap_is "$rc" 1 "a URL where a host name belongs: refused"
out=$(timeout -k 5 30 "$TF" get 2>&1); rc=$?
tap_is "$rc" 1 "no host: a usage error (the protocol's failure, exit 1)"

# --- goauth (Go 1.24's GOAUTH command, in the format `go help goauth` publishes) ----------------------------
out=$(printf 'HTTP/1.1 401 Unauthorized\nWww-Authenticate: Bearer\n\n' |
        timeout -k 5 30 "$TB" goauth https://registry.example.com/mod/@v/list); rc=$?
tap_is "$rc" 0 "goauth URL (go's call after a 401, the response on stdin)"
tap_like "$out" $'^https://registry.example.com/mod/@v/list\n\nAuthorization: Bearer [^\n]+$' \
        "... one credential set: the URL, a blank line, the Authorization header (and a blank line after)"
printf 'HTTP/1.1 401 Unauthorized\n\n' | "$TB" goauth https://registry.example.com/x >"$RIG_DIR/goauth.out"
tap_is "$(tail -c 2 "$RIG_DIR/goauth.out" | od -An -c | tr -d ' ')" '\n\n' "... ending in the blank line"
tap_is "$(sed -n 's/^Authorization: Bearer //p' <<<"$out" | rel_whoami TS)" "basic-client" "... with the account's token"
tap_is "$(timeout -k 5 30 "$TB" goauth https://elsewhere.example.com/x </dev/null)" "" "a URL no account serves: nothing"
out=$(timeout -k 5 30 "$TB" goauth </dev/null); rc=$?
tap_is "$rc" 0 "goauth without a URL (go's prefetch)"
tap_like "$out" $'https://registry.example.com\nhttps://ghcr.example.com/acme\n\nAuthorization: Bearer [^\n]+\n\n' \
        "... a set for an account whose Hosts= are literal hosts, a path pattern's prefix up to its wildcard, no trailing /"
tap_like "$out" $'https://api.floriday.example\n\nAuthorization: Bearer [^\n]+\nX-Api-Key: the-api-key\n' \
        "... with the account's extra headers"
tap_unlike "$out" "cluster" "... and nothing for an account without Hosts="

# --- cargo-credential-tokenbroker (cargo's credential provider protocol, version 1) -----------------------------
# Cargo 1.74's protocol text (Debian 12's cargo is older): the exchange is checked line by line.
CARGO="$abs_top_builddir/cargo-credential-tokenbroker"
req() { printf '{"v":1,"registry":{"index-url":"%s","name":"r"},"kind":"%s","operation":"read","args":[]}\n' "$1" "$2"; }
out=$(req "sparse+https://registry.example.com/index/" get | timeout -k 5 30 "$CARGO" --cargo-plugin); rc=$?
tap_is "$rc" 0 "cargo get for a registry an account's Hosts= serve"
tap_is "$(head -n 1 <<<"$out")" '{"v":[1]}' "... the hello first: protocol version 1"
ok=$(sed -n 2p <<<"$out")
tap_is "$(python3 -c 'import json,sys; d=json.load(sys.stdin)["Ok"]; print(d["kind"], d["cache"], d["operation_independent"], d["token"].split(" ")[0])' <<<"$ok")" \
        "get expires True Bearer" "... Ok: the token with its Bearer prefix, cached until it expires, for every operation"
tap_is "$(rel_whoami TS <<<"$(python3 -c 'import json,sys; print(json.load(sys.stdin)["Ok"]["token"].split(" ")[1])' <<<"$ok")")" \
        "basic-client" "... the account's token"
tap_is "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["Ok"]["expiration"])' <<<"$ok")" \
        "$(rig_json_get expires_at "$(rig_tb token reg --json)")" "... expiring when the token does"
out=$(req "sparse+https://crates.elsewhere.example/index/" get | "$CARGO" --cargo-plugin | sed -n 2p)
tap_is "$out" '{"Err":{"kind":"not-found"}}' "a registry no account serves: not-found, so cargo asks its next provider"
rig_tb add rawreg --token-url "$TS_TOKEN_URL" --client-id basic-client --hosts "https://raw.example.com" \
        --set CargoTokenPrefix=none >/dev/null 2>&1
printf 'basic-secret' | rig_tb set-secret rawreg client-secret >/dev/null
raw=$(req "sparse+https://raw.example.com/" get | "$CARGO" --cargo-plugin | sed -n 2p |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["Ok"]["token"])')
tap_is "$(rel_whoami TS <<<"$raw")" "basic-client" "CargoTokenPrefix=none: the token alone"
out=$({ req "sparse+https://registry.example.com/index/" login; req "sparse+https://crates.elsewhere.example/" login; \
        req "sparse+https://registry.example.com/index/" logout; req "sparse+https://registry.example.com/index/" publish; } |
        "$CARGO" --cargo-plugin)
tap_is "$(sed -n '2,5p' <<<"$out" | tr '\n' ' ')" \
        '{"Ok":{"kind":"login"}} {"Err":{"kind":"url-not-supported"}} {"Ok":{"kind":"logout"}} {"Err":{"kind":"operation-not-supported"}} ' \
        "several requests on one run: login accepted where an account serves, url-not-supported elsewhere (cargo asks its next provider); logout; an unknown kind"
out=$(req "sparse+https://crates.elsewhere.example/" logout | "$CARGO" --cargo-plugin | sed -n 2p)
tap_is "$out" '{"Err":{"kind":"url-not-supported"}}' "logout for a registry no account serves: url-not-supported, not a false Ok"
out=$(req "sparse+https://registry.example.com/index/" get | "$CARGO" --account cluster --cargo-plugin | sed -n 2p)
tap_like "$out" '"Ok"' "--account NAME among the provider's arguments (an account without Hosts= serves any https host)"
out=$(rig_tb add badprefix --token-url "$TS_TOKEN_URL" --client-id c --set CargoTokenPrefix=Basic 2>&1); rc=$?
tap_is "$rc" 9 "CargoTokenPrefix= other than Bearer or none: refused (exit 9)"
tap_like "$out" 'CargoTokenPrefix: invalid value "Basic" \(expected Bearer or none\)' "... saying what it takes"
out=$(printf 'garbage\n' | "$CARGO" --cargo-plugin | sed -n 2p)
tap_like "$out" '^\{"Err":\{"kind":"other","message":' "a line that is no request: an error, and the provider goes on"
out=$("$CARGO" 2>&1); rc=$?
tap_is "$rc" 1 "run without --cargo-plugin: refused"

# --- exec ---------------------------------------------------------------------------------------------------------
out=$(rig_tb exec --env API_TOKEN=cluster --env REG_TOKEN=reg -- sh -c 'printf "%s\n%s\n" "$API_TOKEN" "$REG_TOKEN"')
rc=$?
tap_is "$rc" 0 "exec with two --env"
tap_is "$(head -n 1 <<<"$out" | rel_whoami TS)" "basic-client" "... the first account's token in the first variable"
tap_is "$(tail -n 1 <<<"$out")" "$(rig_tb token reg)" "... the second's in the second"
rig_tb exec --env T=cluster sh -c 'exit 7'
tap_is "$?" 7 "exec ends with the command's status"
out=$(rig_tb exec --env T=cluster -- /nonexistent/program 2>&1); rc=$?
tap_is "$rc" 127 "a command that is not there: 127"
out=$(rig_tb exec --env T=nosuch -- true 2>&1); rc=$?
tap_is "$rc" 3 "a token that cannot be had: the token's exit status, the command not run"
out=$(rig_tb exec -- true 2>&1); rc=$?
tap_is "$rc" 2 "exec without --env: a usage error"
out=$(rig_tb exec --env 1BAD=cluster -- true 2>&1); rc=$?
tap_is "$rc" 2 "--env with a bad variable name: a usage error"
tap_like "$out" "--env VAR=ACCOUNT" "... saying what it takes"
out=$(rig_tb exec --env T=cluster -- sh -c 'cat /proc/$$/cmdline | tr "\0" " "')
tap_unlike "$out" "$(rig_tb token cluster)" "the token is not on the command's command line"

# --- the front ends load no D-Bus, GLib, libcurl or libsecret ---------------------------------------------------
for prog in "$DOCKER" "$TB" "$abs_top_builddir/terraform-credentials-tokenbroker" "$CARGO"; do
        libs=$(ldd "$prog" 2>/dev/null)
        tap_unlike "$libs" "libsystemd|libglib|libcurl|libsecret|libgio" "$(basename "$prog") links none of the heavy libraries"
done

rig_check_daemon_log
tap_done
