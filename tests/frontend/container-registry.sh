#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Container registries: `tokenbroker setup-docker` (the credHelpers entries it writes in docker's config.json
# and the containers' auth.json, what it keeps and what it refuses to touch), then skopeo end to end through
# each file against a loopback registry with token authentication (tests/servers/registry-server.py) that
# takes only the broker's access token as the password.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
rig_make_ca "$RIG_DIR/pki" && rig_make_cert "$RIG_DIR/pki" reg "/CN=127.0.0.1" serverAuth "IP:127.0.0.1" ||
        tap_bail "could not make the registry's certificate"
rig_spawn_port_server REG https "$PYTHON3" "$abs_top_srcdir/tests/servers/registry-server.py" \
        --whoami "$TS_URL/api/whoami" --cert "$RIG_DIR/pki/reg.pem" --key "$RIG_DIR/pki/reg.key" ||
        tap_bail "the registry did not start"
REGISTRY="127.0.0.1:$REG_PORT"
rel_add_cc reg "$TS_TOKEN_URL" --hosts "https://$REGISTRY https://*.example.com" ||
        tap_bail "could not add an account"

# The tools find docker-credential-tokenbroker on $PATH, as setup-docker checks.
if [ "${TOKENBROKER_TEST_INSTALLED:-0}" != 1 ]; then
        export PATH="$abs_top_builddir:$PATH"
fi
DOCKER_FILE="$HOME/.docker/config.json"
AUTH_FILE="$XDG_CONFIG_HOME/containers/auth.json"
setup() { env -u DOCKER_CONFIG -u REGISTRY_AUTH_FILE timeout -k 5 30 "$TB" setup-docker "$@"; }
# json_dump FILE: the file's JSON, keys sorted, on one line.
json_dump() { "$PYTHON3" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$1"; }
# helper_of FILE REGISTRY: the helper credHelpers names for REGISTRY.
helper_of() { "$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["credHelpers"].get(sys.argv[2], "-"))' "$@"; }
reg_stat() { curl -sf --cacert "$RIG_DIR/pki/ca.pem" "$REG_URL/_stats" | rig_json_get "$1"; }
# skopeo_inspect [SKOPEO-OPTIONS...]: the image's digest, as skopeo reads it through the registry's token flow.
skopeo_inspect() {
        timeout -k 5 60 skopeo inspect --cert-dir "$RIG_DIR/skopeo-certs" "$@" \
                --format '{{.Digest}} {{index .Labels "org.tokenbroker.test"}}' "docker://$REGISTRY/demo/app:latest"
}
mkdir -p "$RIG_DIR/skopeo-certs" && cp "$RIG_DIR/pki/ca.pem" "$RIG_DIR/skopeo-certs/ca.crt"

# --- setup-docker at the files ------------------------------------------------------------------------------
mkdir -p "$HOME/.docker"
printf '{"auths": {"other.example.org": {"auth": "dXNlcjpwYXNz"}}, "credHelpers": {"gcr.io": "gcloud"},\n "detachKeys": "ctrl-e"}\n' \
        >"$DOCKER_FILE"
chmod 0640 "$DOCKER_FILE"
out=$(setup --registry "$REGISTRY" --registry "https://registry.example.com/v2/"); rc=$?
tap_is "$rc" 0 "setup-docker --registry HOST --registry URL"
tap_is "$(json_dump "$DOCKER_FILE")" \
        "{\"auths\": {\"other.example.org\": {\"auth\": \"dXNlcjpwYXNz\"}}, \"credHelpers\": {\"$REGISTRY\": \"tokenbroker\", \"gcr.io\": \"gcloud\", \"registry.example.com\": \"tokenbroker\"}, \"detachKeys\": \"ctrl-e\"}" \
        "... adds a credHelpers entry per registry (a URL by its host) to docker's file and keeps all else in it"
tap_is "$(stat -c %a "$DOCKER_FILE")" 640 "... keeping the file's mode"
tap_is "$(json_dump "$AUTH_FILE")" \
        "{\"credHelpers\": {\"$REGISTRY\": \"tokenbroker\", \"registry.example.com\": \"tokenbroker\"}}" \
        "... and writes the containers' auth.json (\$XDG_CONFIG_HOME/containers), which did not exist"
tap_is "$(stat -c %a "$AUTH_FILE")" 600 "... a new file private to the user (it may hold other registries' passwords)"
tap_like "$out" "They now ask .*docker-credential-tokenbroker for: $REGISTRY registry.example.com" \
        "... and says which helper now serves which registries"
ino=$(stat -c %i:%Y "$DOCKER_FILE")
out=$(setup --registry "$REGISTRY"); rc=$?
tap_is "$rc:$(stat -c %i:%Y "$DOCKER_FILE")" "0:$ino" "running it again: exit 0, the file not rewritten"
tap_like "$out" "already set up" "... and says so"

out=$(setup --registry gcr.io); rc=$?
tap_is "$rc:$(helper_of "$DOCKER_FILE" gcr.io)" "0:tokenbroker" \
        "a registry another helper served: now tokenbroker's"
tap_like "$out" "gcr.io was served by docker-credential-gcloud; now by tokenbroker" "... said so"

rm -f "$DOCKER_FILE" "$AUTH_FILE"
out=$(setup); rc=$?
tap_is "$rc" 0 "setup-docker without --registry"
tap_is "$(json_dump "$DOCKER_FILE")" "{\"credHelpers\": {\"$REGISTRY\": \"tokenbroker\"}}" \
        "... sets up the registries of the accounts' Hosts= (a wildcard pattern names none)"

mkdir -p "$RIG_DIR/dotfiles"
mv "$DOCKER_FILE" "$RIG_DIR/dotfiles/config.json"
ln -s "$RIG_DIR/dotfiles/config.json" "$DOCKER_FILE"
setup --registry registry.example.com >/dev/null; rc=$?
tap_is "$rc:$(readlink "$DOCKER_FILE")" "0:$RIG_DIR/dotfiles/config.json" "a symbolic link stays one"
tap_is "$(helper_of "$RIG_DIR/dotfiles/config.json" registry.example.com)" "tokenbroker" \
        "... and the file it names is the one written"

printf '{"credHelpers": ["not", "an", "object"]}' >"$RIG_DIR/bad-helpers.json"
out=$(setup --registry "$REGISTRY" --docker-config "$RIG_DIR/bad-helpers.json" 2>&1); rc=$?
tap_is "$rc:$(cat "$RIG_DIR/bad-helpers.json")" '9:{"credHelpers": ["not", "an", "object"]}' \
        "credHelpers that is not an object: exit 9, the file untouched"
printf '{"auths": {' >"$RIG_DIR/cut.json"
out=$(setup --registry "$REGISTRY" --docker-config "$RIG_DIR/cut.json" 2>&1); rc=$?
tap_is "$rc:$(cat "$RIG_DIR/cut.json")" '9:{"auths": {' "a file that is no JSON: exit 9, untouched"
tap_like "$out" "cut.json is not a JSON object" "... naming it"
out=$(setup --registry "$REGISTRY" --docker-config /dev/zero 2>&1); rc=$?
tap_is "$rc" 9 "a device in place of the file: exit 9, nothing read"
out=$(setup --registry "$REGISTRY" --auth-file "$RIG_DIR/new/dirs/auth.json" 2>&1); rc=$?
tap_is "$rc:$(helper_of "$RIG_DIR/new/dirs/auth.json" "$REGISTRY")" "0:tokenbroker" "folders that do not exist yet are made"
tap_is "$(stat -c %a "$RIG_DIR/new/dirs")" 700 "... private to the user"
out=$(setup --registry "bad host" 2>&1); rc=$?
tap_is "$rc" 2 "--registry with something that is no host: a usage error"
out=$(PATH=/usr/bin:/bin setup --registry "$REGISTRY" --docker-config "$RIG_DIR/nohelper.json" 2>&1); rc=$?
tap_is "$rc" 9 "docker-credential-tokenbroker not on \$PATH: exit 9"
tap_like "$out" "docker-credential-tokenbroker is not on \\\$PATH" "... saying so"
tap_is "$(ls "$RIG_DIR/nohelper.json" 2>&1 >/dev/null | wc -l)" 1 "... and writes nothing"

# --- skopeo, end to end through each file ----------------------------------------------------------------------
if command -v skopeo >/dev/null; then
        rm -f "$DOCKER_FILE" "$AUTH_FILE"
        export DOCKER_CONFIG="$RIG_DIR/empty-docker-config"
        mkdir -p "$DOCKER_CONFIG"
        refused=$(reg_stat token_anonymous)
        out=$(skopeo_inspect 2>&1); rc=$?
        tap_isnt "$rc" 0 "skopeo inspect before setup-docker: refused"
        tap_isnt "$(reg_stat token_anonymous)" "$refused" "... the registry's token endpoint refused an anonymous caller"

        setup --registry "$REGISTRY" >/dev/null || tap_diag "setup-docker failed"
        requests=$(rel_stat TS token_requests)
        out=$(skopeo_inspect 2>&1); rc=$?
        tap_is "$rc" 0 "skopeo inspect through the containers' auth.json (credHelpers)"
        digest=$("$PYTHON3" -c 'import hashlib,sys; sys.path.insert(0, sys.argv[1]); import importlib.util as u
s = u.spec_from_file_location("r", sys.argv[1] + "/registry-server.py"); m = u.module_from_spec(s); s.loader.exec_module(m)
print(m.MANIFEST_DIGEST)' "$abs_top_srcdir/tests/servers")
        tap_is "$out" "$digest registry-server" "... reads the image the registry holds"
        tap_is "$(reg_stat token_refused):$(reg_stat passwords_seen)" "$(reg_stat token_anonymous):1" \
                "... the registry took the broker's token as the password (only anonymous callers refused)"

        out=$(skopeo_inspect --authfile "$DOCKER_FILE" 2>&1); rc=$?
        tap_is "$rc:$out" "0:$digest registry-server" "skopeo inspect through docker's config.json (credHelpers)"
        tap_is "$(rel_stat TS token_requests)" "$((requests + 1))" \
                "... both runs with one access token: the broker's cached one"
        tap_is "$(reg_stat passwords_seen)" 1 "... the same password each time"

        # What the man page warns of: podman login's entry in the runtime file is read first and wins.
        mkdir -p "$XDG_RUNTIME_DIR/containers"
        printf '{"auths": {"%s": {"auth": "%s"}}}' "$REGISTRY" "$(printf 'oauth2accesstoken:typed' | base64)" \
                >"$XDG_RUNTIME_DIR/containers/auth.json"
        refused=$(reg_stat token_refused)
        out=$(skopeo_inspect 2>&1); rc=$?
        tap_isnt "$rc" 0 "an auths entry in \$XDG_RUNTIME_DIR/containers/auth.json (podman login's) wins over credHelpers"
        tap_is "$(reg_stat token_refused):$(reg_stat passwords_seen)" "$((refused + 1)):2" "... its password sent instead"
        rm -f "$XDG_RUNTIME_DIR/containers/auth.json"
else
        for t in "skopeo before" "... anonymous refused" "skopeo through auth.json" "... reads the image" \
                "... broker's token" "skopeo through config.json" "... cached" "... same password" \
                "runtime auths win" "... its password"; do
                tap_skip "$t" "skopeo is not installed (apt-get install skopeo)"
        done
fi

rig_tb remove reg --yes >/dev/null 2>&1
out=$(setup 2>&1); rc=$?
tap_is "$rc" 9 "setup-docker without --registry when no account names a registry: exit 9"
tap_like "$out" "name one with --registry HOST" "... saying what to do"

tap_done
