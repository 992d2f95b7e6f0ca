#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# git-credential-tokenbroker with real git: clone, push and fetch over a loopback smart-HTTP server that only
# accepts tokens the test token server currently holds valid; the erase/get cycle after a rejected token;
# falling through to the next helper; quit=1; the authtype (Bearer) form git 2.46 asks for; and the protocol's
# edge cases. Tokens are compared by hash and never printed.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"

HELPER="$abs_top_builddir/git-credential-tokenbroker"
command -v git >/dev/null 2>&1 || tap_skip_all "git is not installed"
command -v curl >/dev/null 2>&1 || tap_skip_all "curl is not installed"
# make check builds both: a missing or broken one is a failure, never a skip.
[ -x "$HELPER" ] || tap_bail "git-credential-tokenbroker is missing ($HELPER)"
[ -x "$TBD" ] && "$TBD" --version >/dev/null 2>&1 || tap_bail "tokenbrokerd is missing or does not run ($TBD)"

rig_run_in_session "$0" "$@"

# git reads no configuration but ours, never prompts, and never asks an askpass program.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$RIG_DIR/gitconfig" GIT_TERMINAL_PROMPT=0
unset GIT_ASKPASS SSH_ASKPASS
git config --global user.name "Token Broker Test"
git config --global user.email "test@tokenbroker.invalid"
git config --global init.defaultBranch main
git config --global protocol.version 2

FALLBACK='!f() { test "$1" = get && printf "username=fallback\npassword=fallback-pass\n"; }; f'

# tgit ARGS: git with only our helper. tgit_fb ARGS: our helper, then one that answers a known password.
tgit() {
        timeout -k 5 60 git -c credential.helper= -c credential.helper="$HELPER" "$@"
}
tgit_fb() {
        timeout -k 5 60 git -c credential.helper= -c credential.helper="$HELPER" \
                -c credential.helper="$FALLBACK" "$@"
}
# helper OP [ARGS] < input: the helper alone, stdout only.
helper() {
        timeout -k 5 30 "$HELPER" "$@" 2>"$RIG_DIR/helper.err"
}
# field NAME: a key's value from credential output on stdin.
field() {
        sed -n "s/^$1=//p" | head -n 1
}
digest() {
        printf '%s' "$1" | sha256sum | cut -c1-16
}
whoami_status() {
        curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $1" "$TS_URL/api/whoami"
}
gs_stat() {
        curl -sf --max-time 10 "$GS_URL/_stats" | rig_json_get "$1" || echo 0
}

# --- servers, accounts, daemon ------------------------------------------------------------------------
cat >"$RIG_DIR/ts.json" <<'EOF'
{
  "access_ttl": 300,
  "clients": [
    {"id": "basic-client", "secret": "basic-secret", "auth_methods": ["client_secret_basic"],
     "grants": ["client_credentials"], "scopes": ["read", "write"]}
  ]
}
EOF
rig_start_token_server TS --config "$RIG_DIR/ts.json" || tap_bail "no token server"

mkdir -p "$RIG_DIR/srv"
git init -q --bare "$RIG_DIR/srv/repo.git"
git -C "$RIG_DIR/srv/repo.git" config http.receivepack true
git init -q "$RIG_DIR/seed"
echo "hello" >"$RIG_DIR/seed/README"
git -C "$RIG_DIR/seed" add README
git -C "$RIG_DIR/seed" commit -q -m "first"
git -C "$RIG_DIR/seed" push -q "$RIG_DIR/srv/repo.git" main || tap_bail "cannot seed the repository"

rm -f "$RIG_DIR/gs.port"
rig_spawn GS "$PYTHON3" "$abs_top_srcdir/tests/servers/git-http-server.py" --root "$RIG_DIR/srv" \
        --whoami "$TS_URL/api/whoami" --port-file "$RIG_DIR/gs.port"
rig_wait_port_file GS "$RIG_DIR/gs.port" || tap_bail "no git server"
GS_PORT=$(<"$RIG_DIR/gs.port")
GS_URL="http://127.0.0.1:$GS_PORT"
REPO="$GS_URL/repo.git"

accounts="$XDG_CONFIG_HOME/tokenbroker/accounts"
mkdir -p "$accounts" && chmod 0700 "$accounts"
account() {
        local name=$1 hosts=$2
        shift 2
        {
                echo "[Account]"
                echo "TokenURL=$TS_TOKEN_URL"
                echo "ClientID=basic-client"
                echo "ClientAuth=basic"
                echo "Grant=client_credentials"
                echo "Scopes=read write"
                echo "Hosts=$hosts"
                printf '%s\n' "$@"
        } >"$accounts/$name.conf"
        chmod 0600 "$accounts/$name.conf"
}
account gitsrv "$GS_URL" "GitUsername=x-token"
account wild "https://*.wild.example"
account paths "https://paths.example/org/*"
account bare "plain.example"
account broken "https://broken.example"

rig_start_daemon || tap_bail "tokenbrokerd did not start"
busctl --user introspect org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 2>/dev/null |
        grep -q '^\.GetToken ' || tap_bail "tokenbrokerd serves no GetToken"

set_secret() {
        local bytes
        bytes=$(printf '%s' "$3" | od -An -tu1 -v | tr -s ' \n' '  ')
        # shellcheck disable=SC2086 # one argument per byte
        busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 \
                SetSecret ssay "$1" "$2" "${#3}" $bytes
}
for a in gitsrv wild paths bare; do
        set_secret "$a" client-secret basic-secret || tap_bail "SetSecret $a failed"
done
set_secret broken client-secret wrong-secret || tap_bail "SetSecret broken failed"

# --- git credential fill through the helper ----------------------------------------------------------
out=$(printf 'protocol=http\nhost=127.0.0.1:%s\npath=repo.git\n\n' "$GS_PORT" | tgit credential fill)
tap_is "$?" 0 "git credential fill succeeds for the git server"
tap_is "$(field username <<<"$out")" x-token "the username is the account's GitUsername"
tok1=$(field password <<<"$out")
tap_isnt "$tok1" "" "a token comes back as the password"
tap_is "$(whoami_status "$tok1")" 200 "the token is valid at the token server"
# git before 2.41 drops password_expiry_utc from its own output: ask the helper itself.
exp=$(printf 'protocol=http\nhost=127.0.0.1:%s\n' "$GS_PORT" | helper get | field password_expiry_utc)
srv_exp=$(curl -s --max-time 10 -H "Authorization: Bearer $tok1" "$TS_URL/api/whoami" | rig_json_get exp)
tap_ok "password_expiry_utc is the token's expiry (got ${exp:-none}, server ${srv_exp:-none})" \
        test -n "$exp" -a -n "$srv_exp" -a $((exp - srv_exp)) -le 2 -a $((srv_exp - exp)) -le 2

out=$(printf 'url=%s\n\n' "$REPO" | tgit credential fill)
tap_is "$(digest "$(field password <<<"$out")")" "$(digest "$tok1")" "url= input gets the same cached token"
tap_is "$(rig_server_stats TS token_requests)" 1 "one token request so far: the daemon caches"

# --- clone, push, fetch ----------------------------------------------------------------------------
tap_ok "git clone works through the helper" tgit clone -q "$REPO" "$RIG_DIR/clone"
tap_is "$(cat "$RIG_DIR/clone/README" 2>/dev/null)" hello "the clone has the content"
tap_ok "the git server saw Basic authentication with the account's user" \
        test "$(gs_stat basic_users.x-token)" -ge 1

echo "second" >"$RIG_DIR/clone/SECOND"
git -C "$RIG_DIR/clone" add SECOND && git -C "$RIG_DIR/clone" commit -q -m second
tap_ok "git push works through the helper" tgit -C "$RIG_DIR/clone" push -q origin main
tap_is "$(git --git-dir="$RIG_DIR/srv/repo.git" rev-parse main)" "$(git -C "$RIG_DIR/clone" rev-parse HEAD)" \
        "the pushed commit is on the server"

git -C "$RIG_DIR/seed" pull -q "$RIG_DIR/srv/repo.git" main
echo "third" >"$RIG_DIR/seed/THIRD"
git -C "$RIG_DIR/seed" add THIRD && git -C "$RIG_DIR/seed" commit -q -m third
git -C "$RIG_DIR/seed" push -q "$RIG_DIR/srv/repo.git" main
tap_ok "git fetch works through the helper" tgit -C "$RIG_DIR/clone" fetch -q origin
tap_is "$(git -C "$RIG_DIR/clone" rev-parse origin/main)" "$(git -C "$RIG_DIR/seed" rev-parse HEAD)" \
        "the fetched commit arrived"
tap_is "$(rig_server_stats TS token_requests)" 1 "clone, push and fetch used the one cached token"
tap_ok "without the helper the server refuses" sh -c "! timeout 60 git -c credential.helper= \
        ls-remote '$REPO' >/dev/null 2>&1"

# --- a rejected token: git's erase drops it, the next get brings a new one -------------------------
rig_server_ctl TS '{"revoke_all": true}'
tap_is "$(whoami_status "$tok1")" 401 "the token server revoked the cached token"
tap_fails "git fetch with the revoked token fails" tgit -C "$RIG_DIR/clone" fetch -q origin
tap_is "$(rig_server_stats TS token_requests)" 1 "no new token before git's erase was handled"
tap_ok "the next git fetch works: erase invalidated the token, get fetched a new one" \
        tgit -C "$RIG_DIR/clone" fetch -q origin
tap_is "$(rig_server_stats TS token_requests)" 2 "exactly one new token was fetched"

# --- an expired token: the next get is a fresh one -------------------------------------------------
req="protocol=http
host=127.0.0.1:$GS_PORT
"
# drop_token: erases the token the daemon holds now, as git would after a rejection.
drop_token() {
        local t
        t=$(helper get <<<"$req" | field password)
        printf '%susername=x-token\npassword=%s\n' "$req" "$t" | helper erase
}
rig_server_ctl TS '{"config": {"access_ttl": 3}}'
drop_token
short=$(helper get <<<"$req" | field password)
tap_is "$(whoami_status "$short")" 200 "the helper hands out a 3 s token"
# Its successor lives long, so that the fetch below holds on a busy machine.
rig_server_ctl TS '{"config": {"access_ttl": 300}}'
sleep 4
tap_is "$(whoami_status "$short")" 401 "the short-lived token has expired at the server"
tap_ok "git fetch after the expiry works" tgit -C "$RIG_DIR/clone" fetch -q origin
tap_isnt "$(helper get <<<"$req" | field password)" "$short" "... with a new token from the helper"
drop_token

# --- erase: only the token handed out is dropped ---------------------------------------------------
a=$(helper get <<<"$req" | field password)
tap_is "$(whoami_status "$a")" 200 "a fresh token after the erase"
n=$(rig_server_stats TS token_requests)
helper erase <<<"$req"
tap_is "$?" 0 "erase without a password is accepted"
printf '%susername=x-token\npassword=not-our-token\n' "$req" | helper erase
tap_is "$?" 0 "erase with someone else's password is accepted"
b=$(helper get <<<"$req" | field password)
tap_is "$(digest "$b")" "$(digest "$a")" "neither erase dropped the cached token"
tap_is "$(rig_server_stats TS token_requests)" "$n" "and no token was fetched"
printf '%susername=x-token\npassword=%s\n' "$req" "$a" | tgit credential reject
tap_is "$?" 0 "git credential reject with the token succeeds"
c=$(helper get <<<"$req" | field password)
tap_isnt "$(digest "$c")" "$(digest "$a")" "after git credential reject the next get is a new token"
tap_is "$(rig_server_stats TS token_requests)" $((n + 1)) "fetched once"

# --- the authtype form (git 2.46 and later) ------------------------------------------------------------
# What git 2.46 sends after a 401 that offered Bearer and Basic.
out=$(printf '%s\n' "capability[]=authtype" "capability[]=state" "protocol=http" "host=127.0.0.1:$GS_PORT" \
        'wwwauth[]=Bearer realm="tokenbroker-test"' 'wwwauth[]=Basic realm="tokenbroker-test"' "" | helper get)
tap_is "$?" 0 "a get announcing capability[]=authtype succeeds"
tap_is "$(head -n 1 <<<"$out")" "capability[]=authtype" "the answer announces the capability first"
tap_is "$(field authtype <<<"$out")" Bearer "authtype=Bearer"
tap_is "$(field ephemeral <<<"$out")" true "ephemeral=true"
tap_is "$(grep -cE '^(username|password)=' <<<"$out")" 0 "no username or password in the authtype form"
tap_like "$(field password_expiry_utc <<<"$out")" '^[0-9]+$' "the expiry is given as well"
bearer=$(field credential <<<"$out")
tap_is "$(digest "$bearer")" "$(digest "$c")" "credential= is the cached token"
before=$(gs_stat scheme.bearer)
tap_is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $bearer" \
        "$REPO/info/refs?service=git-upload-pack")" 200 "the git server takes it as Authorization: Bearer"
tap_is "$(gs_stat scheme.bearer)" $((before + 1)) "counted as a Bearer request"
printf 'capability[]=authtype\nauthtype=Bearer\ncredential=%s\nephemeral=1\nprotocol=http\nhost=127.0.0.1:%s\n' \
        "$bearer" "$GS_PORT" | helper erase
tap_is "$?" 0 "an erase in the authtype form succeeds"
d=$(helper get <<<"$req" | field password)
tap_isnt "$(digest "$d")" "$(digest "$bearer")" "and it dropped the token"

# --- falling through and matching -------------------------------------------------------------------
out=$(printf 'protocol=https\nhost=nobody.example\n\n' | tgit_fb credential fill)
tap_is "$(field password <<<"$out")" fallback-pass "a host without an account falls through to the next helper"
out=$(printf 'protocol=https\nhost=nobody.example\n' | helper get)
tap_is "$?:$out" "0:" "the helper prints nothing and exits 0 for it"

tap_isnt "$(printf 'url=https://git.wild.example/x.git\n\n' | tgit_fb credential fill | field password)" \
        fallback-pass "*.wild.example serves git.wild.example"
tap_is "$(printf 'url=https://wild.example/x.git\n\n' | tgit_fb credential fill | field password)" \
        fallback-pass "but not wild.example"
tap_is "$(printf 'url=https://a.b.wild.example/x.git\n\n' | tgit_fb credential fill | field password)" \
        fallback-pass "nor a.b.wild.example"
tap_isnt "$(printf 'url=https://paths.example/org/repo.git\n\n' |
        tgit_fb -c credential.useHttpPath=true credential fill | field password)" fallback-pass \
        "with useHttpPath, a path under org/ is served"
tap_is "$(printf 'url=https://paths.example/other/repo.git\n\n' |
        tgit_fb -c credential.useHttpPath=true credential fill | field password)" fallback-pass \
        "and a path outside it falls through"
tap_isnt "$(printf 'url=https://plain.example/r.git\n\n' | tgit_fb credential fill | field password)" \
        fallback-pass "a pattern without scheme serves https"
tap_is "$(printf 'url=http://plain.example/r.git\n\n' | tgit_fb credential fill | field password)" \
        fallback-pass "but never plain http to another machine"
tap_is "$(printf 'url=https://127.0.0.1:%s/repo.git\n\n' "$GS_PORT" | tgit_fb credential fill | field password)" \
        fallback-pass "an http:// pattern does not serve https"
tap_is "$(printf 'protocol=https\nhost=nobody.example\n' | helper --account gitsrv get)" "" \
        "--account still keeps to the account's Hosts="
tap_isnt "$(printf 'protocol=http\nhost=127.0.0.1:%s\n' "$GS_PORT" | helper --account gitsrv get |
        field password)" "" "--account serves its own host"
out=$(printf 'protocol=https\nhost=nobody.example\n' | helper --account no-such-account get)
st=$?
tap_is "$out" "quit=1" "--account naming a missing account answers quit=1"
out=$(helper --help); rc=$?
tap_is "$rc" 0 "--help: exit 0, on stdout"
tap_like "$out" "--account NAME +use this account rather than the first whose Hosts= match; it still
 +answers only what its Hosts= serve" "... saying what --account does, as the manual does"
tap_like "$out" "Example, one account for one remote:
  git config credential.https://git.example.com.helper \"tokenbroker --account work\"" "... with an example"
tap_is "$st" 3 "and exits 3 (no such account)"

# --- a definite no from the broker stops git -----------------------------------------------------
out=$(printf 'protocol=https\nhost=broken.example\n' | helper get)
st=$?
tap_is "$out" "quit=1" "a refused account answers quit=1"
tap_isnt "$st" 0 "and exits non-zero (status $st)"
tap_like "$(cat "$RIG_DIR/helper.err")" "^git-credential-tokenbroker: No token for account 'broken': " \
        "with one line on stderr naming the account"
tap_is "$(wc -l <"$RIG_DIR/helper.err")" 1 "exactly one line"
out=$(printf 'url=https://broken.example/r.git\n\n' | tgit_fb credential fill 2>"$RIG_DIR/git.err")
st=$?
tap_isnt "$st" 0 "git credential fill stops there"
tap_is "$(field password <<<"$out")" "" "without asking the fallback helper"
tap_like "$(cat "$RIG_DIR/git.err")" "told us to quit" "git says the helper told it to quit"

# --- protocol edge cases -----------------------------------------------------------------------------
tap_is "$(helper capability)" "version 0
capability authtype" "capability announces authtype"
out=$(printf 'protocol=http\r\nhost=127.0.0.1:%s\r\n\r\n' "$GS_PORT" | helper get | field password)
tap_is "$(whoami_status "$out")" 200 "CRLF input is understood"
out=$(printf 'protocol=http\nhost=127.0.0.1:%s' "$GS_PORT" | helper get | field password)
tap_is "$(whoami_status "$out")" 200 "input ending without a newline is understood"
out=$(printf 'protocol=http\nhost=127.0.0.1:%s\nfuture_key=1\nwwwauth[]=Basic realm="x"\n\nhost=evil.example\n' \
        "$GS_PORT" | helper get | field password)
tap_is "$(whoami_status "$out")" 200 "unknown keys are ignored and input ends at the blank line"

for case in "line without =:protocol=https\nhost\n" \
        "NUL byte:protocol=https\nhost=a\0b\n" \
        "missing host:protocol=https\npath=x\n" \
        "missing protocol:host=127.0.0.1\n" \
        "url without scheme:url=127.0.0.1/x\n"; do
        name=${case%%:*}
        out=$(printf "${case#*:}" | helper get)
        st=$?
        tap_is "$st:$out" "2:" "malformed input ($name): exit 2, nothing on stdout"
        tap_like "$(cat "$RIG_DIR/helper.err")" "^git-credential-tokenbroker: Malformed input from git" \
                "malformed input ($name): one clear line on stderr"
done
out=$( { printf 'protocol=https\nhost=127.0.0.1\npath='; head -c 70000 /dev/zero | tr '\0' a; printf '\n'; } |
        helper get)
tap_is "$?:$out" "2:" "a line over 64 KiB is refused"
tap_like "$(cat "$RIG_DIR/helper.err")" "longer than" "and the message says why"

out=$(printf 'protocol=https\nhost=x\n' | helper frobnicate)
tap_is "$?:$out" "0:" "an unknown operation is ignored"
out=$(printf 'protocol=http\nhost=127.0.0.1:%s\nusername=x-token\npassword=%s\n' "$GS_PORT" "$d" | helper store)
tap_is "$?:$out" "0:" "store is accepted and prints nothing"
tap_status 2 "no operation is a usage error" "$HELPER"

# --- the daemon cannot be reached ---------------------------------------------------------------------
rig_stop_daemon
out=$(printf 'protocol=https\nhost=nobody.example\n' |
        XDG_RUNTIME_DIR="$RIG_DIR/none" DBUS_SESSION_BUS_ADDRESS="unix:path=$RIG_DIR/none/bus" helper get)
st=$?
tap_is "$st:$out" "6:" "no daemon: exit 6, nothing on stdout (git moves on)"
tap_like "$(cat "$RIG_DIR/helper.err")" "systemctl --user start tokenbrokerd" "the message says how to start it"

rig_check_daemon_log "the daemon log holds no token"
tap_ok "the git server log holds no token" sh -c "! grep -E 'eyJ[A-Za-z0-9_-]{10,}' '$RIG_DIR/GS.log'"
tap_done
