#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `make bench`: one table of measurements, in a private session of the rig (own bus, keyring, HOME; see
# tests/lib/rig.sh) against the loopback token server. Never part of `make check`: the numbers depend on the
# machine, and a busy machine is not a failure.
#
# The machine is shared and noisy, so every comparison is paired: both sides run alternately in the same
# loop (tests/bench/bench-*.c) and the table gives medians, p99 and the ratio of the medians. A setup step
# that would make a row measure something else (a token not cached, a refresh that is not one, a
# helper that did not answer) stops the bench instead of printing a number.
#
#   BENCH_ROUNDS_HIT, BENCH_ROUNDS_COLD, BENCH_ROUNDS_SPAWN   repetitions (defaults below)
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"
. "$abs_top_srcdir/tests/bench/oidc-setup.sh"

: "${BENCH_ROUNDS_HIT:=5000}" "${BENCH_ROUNDS_COLD:=200}" "${BENCH_ROUNDS_SPAWN:=400}"
BIN="$abs_top_builddir/tests/bench"
ROWS="$RIG_DIR/rows.tsv"
stats() { "$PYTHON3" "$abs_top_srcdir/tests/bench/stats.py" "$@"; }
row() { stats "$@" >>"$ROWS" || die "stats.py $1 failed"; }
die() {
        echo "bench: $*" >&2
        rig_dump_logs >&2
        exit 1
}
bus_call() {
        busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 "$@"
}
# rss FIELD: VmRSS, RssAnon or RssFile of the daemon, in KiB. mib KIB: as the table writes it.
rss() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$TBD_PID/status"; }
mib() { echo "$(($1 / 1024)).$(($1 % 1024 * 10 / 1024)) MiB"; }
rss_parts() {
        echo "anon $(mib "$(rss RssAnon)") + files $(mib "$(rss RssFile)"), PSS" \
                "$(mib "$(awk '$1 == "Pss:" { print $2 }' "/proc/$TBD_PID/smaps_rollup")")"
}
# add NAME ARGS...: an account on the token server TS (client_credentials unless ARGS say otherwise).
add() {
        local name=$1
        shift
        rig_tb add "$name" --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic "$@" \
                >>"$RIG_DIR/setup.log" 2>&1 || die "cannot add account $name"
        rig_tb set-secret "$name" client-secret <<<"basic-secret" || die "cannot store the secret of $name"
}

echo "tokenbroker bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
cpu=$(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -n 1)
echo "machine: nproc $(nproc), kernel $(uname -sr), $cpu"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$ROWS"

rig_start_token_server TS --access-ttl 3600 || die "no token server"
rig_start_daemon || die "tokenbrokerd did not start"

# --- GetToken cache hit against Peer.Ping to the same daemon, on both transports ---------------------------
add hit --hosts "https://git.example.test/"
rig_tb token hit >/dev/null || die "no token for 'hit'"
for transport in bus private; do
        "$BIN/bench-hit" "$transport" hit "$BENCH_ROUNDS_HIT" >"$RIG_DIR/hit-$transport" ||
                die "bench-hit $transport failed"
        row ratio "GetToken cache hit, $transport" "$RIG_DIR/hit-$transport" 1 \
                "Peer.Ping same daemon" 0 "<=" 1.5
done

# --- refresh with rotation against the real OIDC server over https, beside its floor -------------------------
# oidc-provider (tests/oidc) over TLS on loopback: the daemon's refresh (request, rotated token stored in the
# keyring, then the reply) against bench-refresh-floor.c doing the same request and store in one process
# with the same libraries. Each side lives on a refresh token of its own from a device-flow login; the two
# alternate in blocks.
: "${BENCH_REFRESH_BLOCKS:=10}"
pki="$RIG_DIR/pki"
{ rig_make_ca "$pki" && rig_make_cert "$pki" server "/CN=127.0.0.1" serverAuth "IP:127.0.0.1"; } ||
        die "openssl could not make the OIDC server's certificate"
rig_start_oidc_provider OIDCS --tls "$pki" --access-ttl 3600 >/dev/null 2>&1 || die "oidc-provider did not start over https"
oidcs_rt() { # a refresh token of cc-basic from a device-flow login the rig approves
        local json
        json=$(curl -sf --cacert "$pki/ca.pem" -u cc-basic:cc-basic-secret -d "scope=openid offline_access api:read" \
                -d resource=urn:tokenbroker:test-api "$OIDCS_URL/device/auth") &&
                CURL_CA_BUNDLE="$pki/ca.pem" rig_oidc_approve_device OIDCS "$(rig_json_get user_code "$json")" &&
                curl -sf --cacert "$pki/ca.pem" -u cc-basic:cc-basic-secret -d resource=urn:tokenbroker:test-api \
                        -d grant_type=urn:ietf:params:oauth:grant-type:device_code \
                        -d "device_code=$(rig_json_get device_code "$json")" "$OIDCS_TOKEN_URL" | rig_json_get refresh_token
}
rig_tb add roto --issuer "$OIDCS_URL" --client-id cc-basic --client-auth basic --grant authorization_code \
        --scopes "openid offline_access api:read" --set CAFile="$pki/ca.pem" \
        --set Resource=urn:tokenbroker:test-api >>"$RIG_DIR/setup.log" 2>&1 || die "cannot add account roto"
rig_tb set-secret roto client-secret <<<"cc-basic-secret" || die "cannot store the secret of roto"
rt=$(oidcs_rt) && [ -n "$rt" ] || die "no refresh token from oidc-provider for the daemon"
rig_tb set-secret roto refresh-token <<<"$rt" || die "cannot store the refresh token of roto"
rig_tb token roto >/dev/null || die "no token for 'roto' from oidc-provider"
floor_rt=$(oidcs_rt) && [ -n "$floor_rt" ] || die "no refresh token from oidc-provider for the floor"
: >"$RIG_DIR/refresh-daemon" && : >"$RIG_DIR/refresh-floor"
rounds=$((BENCH_ROUNDS_COLD / BENCH_REFRESH_BLOCKS))
[ "$rounds" -gt 0 ] || rounds=1
for block in $(seq "$BENCH_REFRESH_BLOCKS"); do
        "$BIN/bench-cold" private roto "$rounds" >>"$RIG_DIR/refresh-daemon" || die "bench-cold roto failed"
        printf 'cc-basic-secret\n%s\n' "$floor_rt" |
                "$BIN/bench-refresh-floor" "$OIDCS_TOKEN_URL" "$pki/ca.pem" cc-basic "$rounds" \
                        resource=urn%3Atokenbroker%3Atest-api >>"$RIG_DIR/refresh-floor" 2>>"$RIG_DIR/refresh-floor.err" ||
                die "bench-refresh-floor failed: $(tail -n 3 "$RIG_DIR/refresh-floor.err")"
        floor_rt=$(secret-tool lookup account refresh-floor) || die "the floor's refresh token is not in the keyring"
done
[ "$(rig_json_get rt_reuse "$(curl -sf --cacert "$pki/ca.pem" "$OIDCS_URL/_stats")")" = 0 ] ||
        die "oidc-provider saw a rotated refresh token reused"
paste "$RIG_DIR/refresh-daemon" "$RIG_DIR/refresh-floor" >"$RIG_DIR/refresh"
row ratio "refresh + rotation + keyring, oidc-provider https" "$RIG_DIR/refresh" 0 "libcurl + libsecret floor" 1 "<" 2.0
row p99 "refresh + rotation + keyring, oidc-provider https" "$RIG_DIR/refresh" 0 10000

# --- the token socket's throughput at 1, 4 and 16 clients, beside a bare server of the same framing --------
# Each client a process with one connection, asking again as soon as it has its answer (bench-socket-load.c);
# bench-echo-server.c answers every request with the daemon's own answer, copied once, and does nothing else.
# The two sides alternate, round by round, which goes first too.
: "${BENCH_LOAD_ROUNDS:=6}" "${BENCH_LOAD_MSEC:=500}"
"$PYTHON3" - "$XDG_RUNTIME_DIR/tokenbroker/token" >"$RIG_DIR/answer" <<'PY' || die "no answer to copy for the echo server"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"method":"org.tokenbroker.Broker1.GetToken","parameters":{"account":"hit"}}\0')
answer = b""
while not answer.endswith(b"\0"):
    chunk = s.recv(65536)
    if not chunk:
        sys.exit("the token socket closed")
    answer += chunk
assert b'"token":"' in answer, answer[:200]
sys.stdout.buffer.write(answer)
PY
rig_spawn echosrv "$BIN/bench-echo-server" "$RIG_DIR/echo.sock" "$RIG_DIR/answer"
rig_wait_for 10 test -S "$RIG_DIR/echo.sock" || die "bench-echo-server did not listen"
load() { "$BIN/bench-socket-load" "$1" hit "$2" "$BENCH_LOAD_MSEC" || die "bench-socket-load $1 $2 failed"; }
for clients in 1 4 16; do
        : >"$RIG_DIR/load-$clients"
        for round in $(seq "$BENCH_LOAD_ROUNDS"); do
                if [ $((round % 2)) = 1 ]; then
                        daemon=$(load "$XDG_RUNTIME_DIR/tokenbroker/token" "$clients")
                        echo_=$(load "$RIG_DIR/echo.sock" "$clients")
                else
                        echo_=$(load "$RIG_DIR/echo.sock" "$clients")
                        daemon=$(load "$XDG_RUNTIME_DIR/tokenbroker/token" "$clients")
                fi
                echo "$daemon $echo_" >>"$RIG_DIR/load-$clients"
        done
        row rate "token socket, $clients client(s)" "$RIG_DIR/load-$clients" 0 "echo server" 1 0.8
done

# --- N concurrent cold callers: one upstream request each --------------------------------------------------
# N processes, each with its own bus connection, let go at once (bench-crowd.c). Each N gets a new account
# (neither its secret nor a token loaded yet) and its own count at the server. The token endpoint answers
# after 0.5 s, so that every caller is waiting while the one fetch is in flight.
for n in 1 10 100 1000; do
        add "crowd$n"
        before=$(rig_server_stats TS token_requests)
        rig_server_ctl TS '{"inject": [{"kind": "delay", "seconds": 0.5, "count": 1, "path": "/token"}]}' ||
                die "cannot slow the token server down"
        out=$("$BIN/bench-crowd" bus "crowd$n" "$n") || die "bench-crowd $n: $out"
        upstream=$(($(rig_server_stats TS token_requests) - before))
        row count "upstream requests, N=$n cold caller processes" "$upstream" 1 \
                "${out%% usec=*}, all answered in $(stats fmt "${out##*usec=}")"
done

# --- cold path: refresh with rotation, stored in the keyring before the reply ------------------------------
# An account living on a refresh token (authorization_code, no other way to a token), set by hand from a
# password grant made directly at the server, as token-engine.sh does.
rig_tb add rot --token-url "$TS_TOKEN_URL" --client-id public-client --client-auth none \
        --grant authorization_code --scopes read >>"$RIG_DIR/setup.log" 2>&1 || die "cannot add account rot"
rt=$(curl -sf -d grant_type=password -d client_id=public-client -d username=alice -d password=wonderland \
        -d scope=read "$TS_TOKEN_URL" | rig_json_get refresh_token) || die "no refresh token from the server"
rig_tb set-secret rot refresh-token <<<"$rt" || die "cannot store the refresh token"
rig_tb token rot >/dev/null || die "no token for 'rot'"
refreshes=$(rig_server_stats TS grants.refresh_token)
rt_before=$(secret-tool lookup account rot kind refresh-token)
"$BIN/bench-cold" private rot "$BENCH_ROUNDS_COLD" >"$RIG_DIR/cold" || die "bench-cold failed"
# Every timed call must have been one refresh whose rotated token reached the keyring.
[ "$(($(rig_server_stats TS grants.refresh_token) - refreshes))" -eq "$BENCH_ROUNDS_COLD" ] ||
        die "the cold rounds were not one refresh each"
[ "$(rig_server_stats TS rt_reuse)" -eq 0 ] || die "the server saw a rotated refresh token reused"
[ "$(secret-tool lookup account rot kind refresh-token)" != "$rt_before" ] ||
        die "the rotated refresh token is not in the keyring"
row limit "cold: refresh + rotation + keyring store" "$RIG_DIR/cold" 0 10000

# --- front ends: whole processes ---------------------------------------------------------------------------
# tokenbroker token against the least a client of its transport can do (bench-socket-floor.c), against the
# least a D-Bus client can do (bench-bus-floor.c, for the record: another transport), and against oidc-token
# (Debian's oidc-agent-cli) on the real OIDC server, the peer it is measured with by default: what that
# needs is installed here, and a bench that cannot measure it stops.
if ! command -v oidc-token >/dev/null || ! command -v oidc-agent >/dev/null; then
        die "oidc-token is not installed: apt-get install oidc-agent-cli (tools/install-deps.sh does)"
fi
if ! rig_have_oidc_provider; then
        echo "installing the OIDC test server's modules (npm ci in tests/oidc) for the oidc-token row"
        [ -w "$abs_top_srcdir/tests/oidc" ] && (cd "$abs_top_srcdir/tests/oidc" &&
                npm ci --no-audit --no-fund --loglevel=error >"$RIG_DIR/npm.log" 2>&1) && rig_have_oidc_provider ||
                die "no OIDC server for the oidc-token row: npm ci in tests/oidc failed ($(tail -n 3 "$RIG_DIR/npm.log" 2>/dev/null))"
fi
bench_oidc_setup || die "oidc-token could not be set up: $BENCH_OIDC_WHY"

# All must answer from their caches: no token request may reach either server meanwhile.
ts_before=$(rig_server_stats TS token_requests)
oidc_before=$(rig_server_stats OIDC token_requests)
"$BIN/bench-spawn" "$BENCH_ROUNDS_SPAWN" /dev/null -- "$TB" token hit -- "$BIN/bench-socket-floor" hit \
        -- oidc-token bench -- "$BIN/bench-bus-floor" hit >"$RIG_DIR/frontends" || die "the front-end runs failed"
[ "$(rig_server_stats TS token_requests)" = "$ts_before" ] || die "tokenbroker token did not use its cache"
[ "$(rig_server_stats OIDC token_requests)" = "$oidc_before" ] || die "oidc-token did not answer from its cache"
row ratio "tokenbroker token (cached)" "$RIG_DIR/frontends" 0 "token socket floor" 1 "<=" 1.1
row ratio "tokenbroker token (cached)" "$RIG_DIR/frontends" 0 "oidc-token (cached)" 2 "<" 1.0
row ratio "tokenbroker token (cached)" "$RIG_DIR/frontends" 0 "bus client floor" 3 info 1.0

# git credential fill: our helper (Hosts= matches the host) against git's cache helper holding a credential.
# What `tokenbroker setup-git` writes (the helper by its absolute path) is the configuration the target is
# for; the bare name "tokenbroker" makes git run `git credential-tokenbroker`, a git process that only starts
# ours, and is shown for comparison.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$RIG_DIR/gitconfig" GIT_TERMINAL_PROMPT=0
export PATH="$abs_top_builddir:$PATH"
: >"$GIT_CONFIG_GLOBAL"
unset GIT_ASKPASS SSH_ASKPASS
mkdir -m 0700 "$XDG_RUNTIME_DIR/git-cache"
sock="$XDG_RUNTIME_DIR/git-cache/socket"
rig_spawn gitcache git credential-cache--daemon "$sock"
rig_wait_for 10 test -S "$sock" || die "git's credential cache daemon did not start"
rig_tb setup-git --file "$RIG_DIR/setup-git.cfg" >/dev/null || die "tokenbroker setup-git failed"
setup_helper=$(git config --file "$RIG_DIR/setup-git.cfg" credential.helper) || die "setup-git wrote nothing"
helpers=("credential.helper=$setup_helper" "credential.helper=tokenbroker"
        "credential.helper=cache --socket $sock --timeout 3600")
printf 'protocol=https\nhost=git.example.test\n\n' >"$RIG_DIR/fill.in"
printf 'protocol=https\nhost=git.example.test\nusername=bench\npassword=cached-secret\n\n' |
        git -c "${helpers[2]}" credential approve || die "cannot prime git's credential cache"
fill_cmds=()
for helper in "${helpers[@]}"; do
        git -c "$helper" credential fill <"$RIG_DIR/fill.in" 2>&1 | grep -q '^password=.' ||
                die "git credential fill with $helper gave no password"
        fill_cmds+=(-- git -c "$helper" credential fill)
done
"$BIN/bench-spawn" "$BENCH_ROUNDS_SPAWN" "$RIG_DIR/fill.in" "${fill_cmds[@]}" >"$RIG_DIR/git" ||
        die "the git runs failed"
row ratio "git credential fill, setup-git" "$RIG_DIR/git" 0 "git credential-cache" 2 "<=" 1.0
row ratio "git credential fill, helper=tokenbroker" "$RIG_DIR/git" 1 "git credential-cache" 2 info 1.0

# --- other tools' front ends against the same cached token, side by side with git's helper --------------
# One account serves https://git.example.test/ for each; the token is cached: these are the protocols' own
# costs (a process, the token socket, JSON in and out).
printf 'https://git.example.test\n' >"$RIG_DIR/docker.in"
printf 'protocol=https\nhost=git.example.test\n\n' >"$RIG_DIR/git-get.in"
ts_before=$(rig_server_stats TS token_requests)
"$BIN/bench-spawn" "$BENCH_ROUNDS_SPAWN" /dev/null \
        -- "<$RIG_DIR/git-get.in" "$abs_top_builddir/git-credential-tokenbroker" get \
        -- "<$RIG_DIR/docker.in" "$abs_top_builddir/docker-credential-tokenbroker" get \
        -- "$TB" kube-credential hit >"$RIG_DIR/tools" || die "the front ends of other tools failed"
[ "$(rig_server_stats TS token_requests)" = "$ts_before" ] || die "a front end did not use the cached token"
row ratio "docker-credential-tokenbroker get" "$RIG_DIR/tools" 1 "git-credential-tokenbroker get" 0 "<=" 1.1
row ratio "tokenbroker kube-credential" "$RIG_DIR/tools" 2 "git-credential-tokenbroker get" 0 "<=" 1.1

# --- the daemon's memory, idle: a fresh daemon with 1 account, then 10,000 ---------------------------------
# Its own configuration directory, so that the accounts above do not count. The one account has a token
# cached (the state a used daemon idles in); the 10,000 are written as files and picked up by Reload.
rig_stop_daemon
export XDG_CONFIG_HOME="$RIG_DIR/rss-config"
rig_start_daemon || die "tokenbrokerd did not restart"
add one --hosts "https://git.example.test/"
rig_tb token one >/dev/null || die "no token for 'one'"
sleep 1
rss1=$(rss VmRSS) rss1_parts=$(rss_parts)
# The floor: a program with the daemon's libraries that does its work once (bench-rss-floor.c).
coproc FLOOR { exec "$BIN/bench-rss-floor" "$TS_TOKEN_URL"; }
read -r -t 30 ready <&"${FLOOR[0]}" && [ "$ready" = ready ] || die "bench-rss-floor did not get ready"
floor_rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$FLOOR_PID/status")
floor_pss=$(awk '$1 == "Pss:" { print $2 }' "/proc/$FLOOR_PID/smaps_rollup")
exec {FLOOR[1]}>&-
wait "$FLOOR_PID" 2>/dev/null
# Three account folders, each complete: 1 account ("one", its file copied), 10,000 and 20,000. The daemon's
# folder is swapped for one of them by two renames, so that no file in them changes (their stamps stay, as
# on a machine where nothing is being edited) and the folder watch sees one change, not thousands.
dir="$XDG_CONFIG_HOME/tokenbroker/accounts"
(
        umask 0077
        for n in 1 10000 20000; do
                mkdir "$RIG_DIR/accounts-$n" && cp -p "$dir/one.conf" "$RIG_DIR/accounts-$n/" || exit 1
        done
        for i in $(seq -w 1 19999); do
                printf '[Account]\nTokenURL=%s\nClientID=basic-client\nClientAuth=basic\nHosts=https://h%s.example.test/\n' \
                        "$TS_TOKEN_URL" "$i" >"$RIG_DIR/accounts-20000/many$i.conf"
                [ "$i" -ge 10000 ] || ln "$RIG_DIR/accounts-20000/many$i.conf" "$RIG_DIR/accounts-10000/many$i.conf"
        done
) || die "cannot write the account files"
current=start   # the folder the daemon started with, moved aside at the first swap
# settle: waits until the daemon has loaded no accounts for 1.5 s (the folder watch's own reload is done).
settle() {
        local before after
        after=$(grep -c 'account(s) loaded' "$TB_SESSION_ROOT/tokenbrokerd.log")
        for _ in $(seq 20); do
                before=$after
                sleep 1.5
                after=$(grep -c 'account(s) loaded' "$TB_SESSION_ROOT/tokenbrokerd.log")
                [ "$before" != "$after" ] || return 0
        done
        die "the daemon kept reloading its accounts"
}
# accounts N: the daemon serves the folder of N accounts, by Reload; RELOAD_USEC is how long the call took.
accounts() {
        local start
        mv "$dir" "$RIG_DIR/accounts-$current" && mv "$RIG_DIR/accounts-$1" "$dir" || die "cannot swap the folders"
        current=$1
        start=${EPOCHREALTIME/[.,]/}
        bus_call Reload >/dev/null || die "Reload failed"
        RELOAD_USEC=$((${EPOCHREALTIME/[.,]/} - start))
        [ "$(bus_call ListAccounts | awk '{ print $2 }')" = "$1" ] || die "the daemon does not list $1 accounts"
        settle
}

# --- matching a URL among 10,000 accounts: git's helper and git credential fill ------------------------------
# The same daemon and cached token with 1 account and with 10,000 (each with its own Hosts=), in alternating
# blocks; the rows pair the blocks' runs in order.
: "${BENCH_MATCH_BLOCKS:=8}" "${BENCH_MATCH_ROUNDS:=40}"
: >"$RIG_DIR/match-1" && : >"$RIG_DIR/match-10000" && : >"$RIG_DIR/reload-10000"
for block in $(seq "$BENCH_MATCH_BLOCKS"); do
        for n in 1 10000; do
                accounts "$n"
                [ "$n" = 1 ] || echo "$RELOAD_USEC" >>"$RIG_DIR/reload-10000"
                ts_before=$(rig_server_stats TS token_requests)
                "$BIN/bench-spawn" "$BENCH_MATCH_ROUNDS" /dev/null \
                        -- "<$RIG_DIR/git-get.in" "$abs_top_builddir/git-credential-tokenbroker" get \
                        -- "<$RIG_DIR/fill.in" git -c "credential.helper=$setup_helper" credential fill \
                        >>"$RIG_DIR/match-$n" || die "the matching runs failed"
                [ "$(rig_server_stats TS token_requests)" = "$ts_before" ] || die "the matching runs fetched a token"
        done
done
paste "$RIG_DIR/match-1" "$RIG_DIR/match-10000" >"$RIG_DIR/match"
row ratio "git-credential-tokenbroker get, 10,000 accounts" "$RIG_DIR/match" 2 "1 account" 0 "<=" 1.1
row ratio "git credential fill, 10,000 accounts" "$RIG_DIR/match" 3 "1 account" 1 "<=" 1.1

# --- loading accounts, and the memory they take --------------------------------------------------------------
rss10k=$(rss VmRSS) rss10k_parts=$(rss_parts)
row limit "Reload: 1 to 10,000 accounts" "$RIG_DIR/reload-10000" 0 150000
# A reload that finds the same 10,000 files.
: >"$RIG_DIR/reload-same"
for i in 1 2 3 4 5; do
        start=${EPOCHREALTIME/[.,]/}
        bus_call Reload >/dev/null || die "Reload failed"
        echo $((${EPOCHREALTIME/[.,]/} - start)) >>"$RIG_DIR/reload-same"
done
row limit "Reload: 10,000 accounts, unchanged" "$RIG_DIR/reload-same" 0 150000
# Linear in the number of files: 1 to 20,000 against 1 to 10,000, alternately.
: >"$RIG_DIR/reload-pairs"
for i in 1 2 3; do
        accounts 1
        accounts 20000
        t20=$RELOAD_USEC
        accounts 1
        accounts 10000
        echo "$t20 $RELOAD_USEC" >>"$RIG_DIR/reload-pairs"
done
row ratio "Reload: 1 to 20,000 accounts" "$RIG_DIR/reload-pairs" 0 "1 to 10,000" 1 "<=" 2.1
# Cache hits while a reload reads 10,000 new files (on threads of its own, the loop answering meanwhile): a
# request every millisecond through the whole swap, its slowest answer against the Reload's own time.
: >"$RIG_DIR/reload-hits"
# hits_start, hits_stop: bench-hit-during asks for the cached token of "one" every millisecond in between;
# hits_stop sets SLOWEST to its slowest answer (microseconds).
hits_start() {
        coproc HITS { exec "$BIN/bench-hit-during" "$XDG_RUNTIME_DIR/tokenbroker/token" one 2>&1; }
        read -r -t 30 ready <&"${HITS[0]}" && [ "$ready" = ready ] || die "bench-hit-during did not get ready"
}
hits_stop() {
        local count
        exec {HITS[1]}>&-
        read -r -t 30 SLOWEST count <&"${HITS[0]}" && [ "$count" -gt 0 ] 2>/dev/null ||
                die "bench-hit-during failed: $SLOWEST $count"
        wait "$HITS_PID" 2>/dev/null
}
for i in 1 2 3; do
        accounts 1
        hits_start
        accounts 10000
        hits_stop
        echo "$RELOAD_USEC $SLOWEST" >>"$RIG_DIR/reload-hits"
done
row ratio "slowest cache hit during that Reload" "$RIG_DIR/reload-hits" 1 "the Reload, 1 to 10,000" 0 "<=" 0.25
# Adding one account among 10,000 loads the files again as a Reload does, on threads: the cache hits of other
# callers go on meanwhile. The slowest hit during each AddAccount against the AddAccount's own time.
: >"$RIG_DIR/add-hits"
for i in 1 2 3; do
        hits_start
        start=${EPOCHREALTIME/[.,]/}
        bus_call AddAccount 'sa{ss}b' "added$i" 3 TokenURL "$TS_TOKEN_URL" ClientID basic-client ClientAuth basic \
                false >/dev/null || die "AddAccount failed"
        add_usec=$((${EPOCHREALTIME/[.,]/} - start))
        hits_stop
        echo "$add_usec $SLOWEST" >>"$RIG_DIR/add-hits"
done
rm -f "$dir"/added?.conf && bus_call Reload >/dev/null && settle || die "cannot remove the added accounts"
row ratio "slowest cache hit during an AddAccount" "$RIG_DIR/add-hits" 1 "the AddAccount, 10,000 accounts" 0 "<=" 0.25

row value "daemon RSS idle, 1 account" "$rss1" 8 "fresh daemon, one token cached: $rss1_parts"
row value "floor: its libraries, its work once" "$floor_rss" 8 \
        "bench-rss-floor.c (bus, keyring lookup, one token request): PSS $(mib "$floor_pss")"
row value "daemon RSS idle, 10,000 accounts" "$rss10k" 40 "after the matching rows: $rss10k_parts"
row per "memory per account" "$rss1" "$rss10k" 9999 1024 "RSS with 10,000 accounts less that with 1, over 9,999"
# Its peers on the same machine, measured now: the keyring daemon of this session and oidc-agent holding one
# account.
for peer in "gnome-keyring-daemon:$(pgrep -n -x gnome-keyring-d)" "oidc-agent:${RIG_PIDS[oidc-agent]:-}"; do
        pid=${peer#*:}
        [ -n "$pid" ] && [ -r "/proc/$pid/status" ] || die "${peer%%:*} is not running: its memory cannot be measured"
        row mem "${peer%%:*} RSS" "$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status")" \
                "PSS $(mib "$(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup")")"
done

echo
stats table "$ROWS"
cat <<'EOF'

Peer.Ping: answered by sd-bus inside tokenbrokerd before any object handler, on the same connection, bus hop
  and event loop as GetToken: the fair floor; it leaves out only the broker's handler and its larger reply.
cold callers: N processes, a connection each, let go at once; a fresh account per N; the token endpoint
  answers after 0.5 s, so all N wait on one fetch.
cold path: Invalidate, then GetToken timed, on the private socket; token server with TCP_NODELAY.
echo server: tests/bench/bench-echo-server.c: one thread, epoll, the daemon's answer copied; token socket rows are
  calls per second of all clients together.
token socket floor: tests/bench/bench-socket-floor.c: libc only; connect, one GetToken request, print the token.
bus client floor: tests/bench/bench-bus-floor.c: session bus (connect, Hello), one GetToken, print it.
EOF
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
