#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The token socket, $XDG_RUNTIME_DIR/tokenbroker/token, spoken to directly (wire-client.py): it sits next to
# the private bus socket with the same modes and goes away with the daemon; it answers GetToken,
# GitCredential and Invalidate with the D-Bus methods' names and messages; garbage, an oversized or a
# truncated request, an unknown method and an idle connection get an error or a close and the daemon keeps
# serving; a peer that hangs up while it waits harms nothing; callers on this socket and on D-Bus wait on one
# upstream request; another uid is refused.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
rig_run_in_session "$0" "$@"

sock="$XDG_RUNTIME_DIR/tokenbroker/token"
log="${TB_SESSION_ROOT:-$RIG_DIR}/tokenbrokerd.log"
# The system's interpreter: a version manager's shim would cost time and may not be readable by another uid.
py=/usr/bin/python3
[ -x "$py" ] || py=$PYTHON3
wc() { timeout -k 5 60 "$py" "$abs_top_srcdir/tests/frontend/wire-client.py" "$sock" "$@"; }
wc20() { timeout -k 5 60 "$py" "$abs_top_srcdir/tests/frontend/wire-client.py" --timeout 20 "$sock" "$@"; }
GET=org.tokenbroker.Broker1.GetToken
GIT=org.tokenbroker.Broker1.GitCredential
INV=org.tokenbroker.Broker1.Invalidate
requests() { rig_server_stats TS token_requests; }

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
rig_tb add acct --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic \
        --scopes "read write" --hosts "https://git.example.com/" --set GitUsername=me \
        --set ApiKeyHeader=X-Api-Key >/dev/null 2>&1 &&
        rig_tb set-secret acct client-secret <<<"basic-secret" >/dev/null &&
        rig_tb set-secret acct api-key <<<"the-api-key" >/dev/null || tap_bail "cannot add an account"

tap_is "$(stat -c %a "$sock")" 600 "the token socket is 0600"
tap_is "$(stat -c %a "$(dirname "$sock")")" 700 "... in the 0700 directory of the private bus socket"
tap_is "$(stat -c %U "$sock")" "$(id -un)" "... and ours"

# --- the methods --------------------------------------------------------------------------------------------
out=$(wc call $GET '{"account": "acct"}' recv)
tap_like "$out" '"token": "[^"]+"' "GetToken answers with a token"
tap_like "$out" '"token_type": "Bearer"' "... of type Bearer"
tap_like "$out" '"expires_at": [0-9]{10}' "... its expiry"
tap_like "$out" '"headers": \{"X-Api-Key": "the-api-key"\}' "... and the account's extra header"
tok=$(rig_json_get parameters.token "$out")
tap_is "$(rig_tb token acct)" "$tok" "tokenbroker token gets the same cached token"
tap_is "$(busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 GetToken \
        'sa{sv}' acct 0 | awk '{ print $2 }')" "\"$tok\"" "... and so does GetToken on the bus"

out=$(wc call $GET '{"account": "nope"}' recv)
want='{"error": "org.tokenbroker.Error.NoSuchAccount", "parameters": {"message": "No such account '"'nope'"'."}}'
tap_is "$out" "$want" "no such account: the D-Bus method's error name and message"
out=$(wc call $GET '{"account": "acct", "scope": "admin"}' recv)
tap_like "$out" '"error": "org.tokenbroker.Error.InvalidArgs".*Scope '"'admin'"' is not within' \
        "a scope outside Scopes= is refused as on the bus"
out=$(wc call $GET '{"account": "acct", "min-validity": "soon"}' recv)
tap_like "$out" "InvalidArgs.*Bad value for option 'min-validity'" "a min-validity that is no number is refused"
out=$(wc call $GET '{"account": "acct", "min-validity": 60, "scope": "write"}' recv)
tap_like "$out" '"token": ' "a narrower scope and a min-validity are taken"
tap_isnt "$(rig_json_get parameters.token "$out")" "$tok" "... and the narrower scope is a token of its own"

out=$(wc call $GIT '{"protocol": "https", "host": "git.example.com", "path": "org/repo.git"}' recv)
tap_is "$(rig_json_get parameters.account "$out"):$(rig_json_get parameters.username "$out")" "acct:me" \
        "GitCredential finds the account by Hosts= and names its GitUsername"
tap_is "$(rig_json_get parameters.token "$out")" "$tok" "... with its token"
out=$(wc call $GIT '{"protocol": "https", "host": "other.example.com"}' recv)
tap_is "$out" '{"parameters": {"account": ""}}' "... and no account for another host"
out=$(wc call $GIT '{"protocol": "https", "host": "other.example.com", "account": "acct"}' recv)
tap_is "$out" '{"parameters": {"account": ""}}' "... nor with --account, outside its Hosts="
out=$(wc call $GIT '{"protocol": "https", "host": "git.example.com", "account": "nope"}' recv)
tap_like "$out" 'NoSuchAccount' "... and an --account that does not exist is an error"
tap_unlike "$out" '"account"' "... about finding the account, not about its token"
out=$(wc call $GIT '{"protocol": "https"}' recv)
tap_like "$out" "InvalidArgs.*Missing or bad parameter 'host'" "GitCredential without a host is refused"
# A string with a NUL inside would be read cut short: "acct\u0000x" is not served as "acct".
out=$(wc call $GET '{"account": "acct\u0000x"}' recv)
tap_like "$out" "InvalidArgs.*Missing or bad parameter 'account'" "an account name with a NUL inside is refused"
out=$(wc call $GIT '{"protocol": "https", "host": "git.example.com\u0000.evil"}' recv)
tap_like "$out" "InvalidArgs.*Missing or bad parameter 'host'" "... and so is a host with one"

out=$(wc call $INV '{"account": "acct", "token": "not-it"}' recv)
tap_is "$out" '{"parameters": {}}' "Invalidate of a token that is not the cached one answers"
tap_is "$(rig_tb token acct)" "$tok" "... and changes nothing"
before=$(requests)
printf -v params '{"protocol": "https", "host": "git.example.com", "token": "%s"}' "$tok"
out=$(wc call $INV "$params" recv)
tap_is "$out" '{"parameters": {"account": "acct"}}' "Invalidate as git's erase finds the account"
tap_isnt "$(rig_tb token acct)" "$tok" "... and drops the token"
tap_is "$(($(requests) - before))" 1 "... so that the next GetToken fetches once"

out=$(wc call $GET '{"account": "acct"}' call $GET '{"account": "nope"}' recv recv)
tap_is "$(grep -c '"token": ' <<<"$out"):$(grep -c NoSuchAccount <<<"$out")" 1:1 \
        "two requests in one write get two answers, in order"

# --- garbage, oversized, truncated, unknown, idle ----------------------------------------------------------
serving() { # DESC: the daemon still answers, on the token socket and on the bus
        tap_like "$(wc call $GET '{"account": "acct"}' recv)" '"token": ' "$1: the daemon still serves"
}
out=$(wc send 'this is not json\x00' recv recv)
want=$'^\\{"error": "org.tokenbroker.Error.InvalidArgs", "parameters": \\{"message": "Malformed request[^\n]*\nEOF$'
tap_like "$out" "$want" "garbage gets InvalidArgs, then the connection is closed"
serving "after garbage"
out=$(wc send '[1, 2]\x00' recv)
tap_like "$out" 'InvalidArgs' "a JSON array is no request"
out=$(wc send '{"method": "org.tokenbroker.Broker1.GetToken", "parameters": {"account": "acct"}}{}\x00' recv)
tap_like "$out" 'InvalidArgs' "two objects in one message are refused"
out=$(wc send '{"method": 42}\x00' recv)
tap_like "$out" 'InvalidArgs.*no method' "a method that is no string is refused"
out=$(wc call org.tokenbroker.Broker1.Revoke '{"account": "acct"}' recv)
tap_like "$out" "InvalidArgs.*Unknown method 'org.tokenbroker.Broker1.Revoke'" \
        "a method not served here is refused"
out=$(wc fill 70000 recv)
tap_like "$out" 'InvalidArgs.*Request too large' "a request over 64 KiB is refused"
serving "after an oversized request"
out=$(wc send '{"method": "org.tokenbroker.Broker1.GetToken", "param' shutdown recv)
tap_is "$out" EOF "a request cut short by the end of input is closed without an answer"
serving "after a truncated request"
out=$(wc call $GET '{"account": "acct"}' shutdown recv recv)
tap_like "$out" $'"token": [^\n]*\nEOF$' "a request followed by the end of input is answered, then closed"
out=$(wc20 send '{"method": "org.tok' wait-close)
tap_like "$out" '^closed after (9|10|11|12) s$' "a connection idle for 10 s is closed"
out=$(wc20 wait-close)
tap_like "$out" '^closed after (9|10|11|12) s$' "... also one that never sent anything"
serving "after idle connections"

# --- waiting: hang-ups, single-flight with D-Bus callers ----------------------------------------------------
rig_server_ctl TS '{"inject": [{"kind": "delay", "seconds": 1, "count": 1, "path": "/token"}]}' ||
        tap_bail "cannot slow the token server down"
rig_tb add slow --token-url "$TS_TOKEN_URL" --client-id basic-client --client-auth basic >/dev/null 2>&1 &&
        rig_tb set-secret slow client-secret <<<"basic-secret" >/dev/null || tap_bail "cannot add account slow"
before=$(requests)
wc call $GET '{"account": "slow"}' >/dev/null       # hangs up at once, while the fetch is in flight
pids=()
for i in 1 2 3 4 5; do
        wc call $GET '{"account": "slow"}' recv >"$RIG_DIR/socket-$i" &
        pids+=($!)
done
rig_tb token slow >"$RIG_DIR/cli-token" &
pids+=($!)
busctl --user call org.tokenbroker.Broker1 /org/tokenbroker/Broker1 org.tokenbroker.Broker1 GetToken \
        'sa{sv}' slow 0 >"$RIG_DIR/bus-token" &
pids+=($!)
wait "${pids[@]}"
tok=$(cat "$RIG_DIR/cli-token")
n=0
for i in 1 2 3 4 5; do
        [ "$(rig_json_get parameters.token "$(cat "$RIG_DIR/socket-$i")")" = "$tok" ] && n=$((n + 1))
done
tap_is "$n" 5 "five socket callers waiting on a cold account all get the token"
tap_like "$(cat "$RIG_DIR/bus-token")" "\"$tok\"" "... the same as a bus caller and tokenbroker token"
tap_is "$(($(requests) - before))" 1 "... from one upstream request (single-flight across transports)"
serving "after a caller hung up while waiting"

# --- many connections ready at once -------------------------------------------------------------------
# The daemon takes ready connections in batches (one epoll_wait() for up to 64 of them): 150 connections send
# their requests before any answer is read, so that many are ready together; each gets its own answer.
tok=$(rig_tb token acct)
out=$("$py" - "$sock" <<'PY'
import json, socket, sys
conns = []
for i in range(150):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(sys.argv[1])
    conns.append(s)
for i, s in enumerate(conns):
    account = "acct" if i % 3 else "nope"
    s.sendall(json.dumps({"method": "org.tokenbroker.Broker1.GetToken",
                          "parameters": {"account": account}}).encode() + b"\0")
good, tokens = 0, set()
for i, s in enumerate(conns):
    buf = b""
    while not buf.endswith(b"\0"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    m = json.loads(buf[:-1]) if buf.endswith(b"\0") else {}
    if i % 3 and "token" in m.get("parameters", {}):
        good += 1
        tokens.add(m["parameters"]["token"])
    elif not i % 3 and m.get("error") == "org.tokenbroker.Error.NoSuchAccount":
        good += 1
print(good, " ".join(tokens))
PY
)
tap_is "$out" "150 $tok" "150 connections sending at once: each answered, tokens and errors each where asked for"
serving "after 150 connections at once"

# --- another uid ----------------------------------------------------------------------------------------
# The directory is 0700, so another user cannot reach the socket by its path; one that gets a connection
# anyway (here: CAP_DAC_OVERRIDE, as a socket handed on would) is still refused on every request.
if [ "$(id -u)" -ne 0 ] || ! getent passwd 65534 >/dev/null; then
        tap_skip "another uid is refused" "needs root and the user nobody"
else
        other() {
                timeout -k 5 30 setpriv --reuid=65534 --regid=65534 --clear-groups \
                        --inh-caps=+dac_override --ambient-caps=+dac_override \
                        "$py" "$abs_top_srcdir/tests/frontend/wire-client.py" "$sock" "$@"
        }
        out=$(other call $GET '{"account": "acct"}' recv)
        tap_like "$out" '"error": "org.tokenbroker.Error.AccessDenied".*serves only its own user' \
                "uid 65534 on the token socket: AccessDenied for GetToken"
        out=$(other call $GIT '{"protocol": "https", "host": "git.example.com"}' recv)
        tap_like "$out" 'AccessDenied' "... for GitCredential"
        out=$(other call $INV '{"account": "acct", "token": ""}' recv)
        tap_like "$out" 'AccessDenied' "... for Invalidate"
        out=$(other call org.tokenbroker.Broker1.GetDPoPProof \
                '{"account": "acct", "method": "GET", "url": "https://api.example.com/"}' recv)
        tap_like "$out" 'AccessDenied' "... and for GetDPoPProof"
        tap_like "$(cat "$log")" "Refused a call from pid [0-9]+ of uid 65534: only uid $(id -u) is served" \
                "... and the daemon logs the refusals"
        out=$(timeout -k 5 30 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
                "$py" "$abs_top_srcdir/tests/frontend/wire-client.py" "$sock" recv 2>&1)
        tap_like "$out" '^REFUSED: Permission denied' "... which cannot even reach it without that capability"
        serving "after another uid's calls"
fi

rig_stop_daemon 20
tap_is "$RIG_DAEMON_STATUS" 0 "the daemon stops cleanly"
tap_ok "... and removes the token socket" test ! -e "$sock"
rig_check_daemon_log
tap_done
