#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What memory gives away. A refresh token that was spent (rotated away) must not stay behind in the daemon's
# heap: libcurl's request and response buffers, json-c's copies of the token response and the daemon's own
# buffers are wiped when freed. And a front end that holds a token (blocked writing it out) makes itself
# non-dumpable once it has its answer, with a core size limit of 0: no core dump, and no other process of the
# user may read its memory or /proc files (shown by a process of the same uid without CAP_SYS_PTRACE).
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root to read another process's memory and to raise its core limit"

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rig_start_daemon || tap_bail "tokenbrokerd did not start"
spent="$RIG_DIR/spent"
: >"$spent"
chmod 0600 "$spent"

# --- spent refresh tokens ---------------------------------------------------------------------------------------
rel_add_code_account TS code || tap_bail "could not add the account"
for i in 1 2 3; do
        rel_keyring_rt code >>"$spent"
        echo >>"$spent"
        rel_invalidate code
        rel_fetch code
        [ "$RC" -eq 0 ] || tap_bail "refresh $i failed: $OUT"
done
tap_is "$(sort -u "$spent" | grep -c .)" 3 "three refresh tokens were spent, one per rotation"
tap_is "$(rel_stat TS grants.refresh_token)" 3 "... each in one refresh request"
current=$(rel_keyring_rt code)
scan=$("$REL_PYTHON" "$abs_top_srcdir/tests/security/mem-scan.py" "$TBD_PID" "$spent")
tap_is "$(head -n 1 <<<"$scan")" 0 "none of them is left anywhere in the daemon's memory"
[ "$(head -n 1 <<<"$scan")" = 0 ] || tap_diag "$scan"
printf '%s\n' "$current" >"$RIG_DIR/current"
tap_is "$("$REL_PYTHON" "$abs_top_srcdir/tests/security/mem-scan.py" "$TBD_PID" "$RIG_DIR/current" | head -n 1)" 1 \
        "... while the current one is found (the scan works)"

# --- front ends that hold a token -----------------------------------------------------------------------------
# Tokens of 12 KiB: more than the pipe the front end writes them to holds, so it blocks with one in memory.
rig_server_ctl TS '{"config": {"pad_claim": 9000}}' >/dev/null
rel_add_cc big "$TS_TOKEN_URL" --hosts "https://git.example.com/" || tap_bail "could not add the account"
rig_tb token big >/dev/null || tap_bail "no token"
# Everything probed runs as uid 0 without capabilities, like the probe itself, so that only the target's
# dumpable flag decides (the kernel also denies a probe whose capabilities are not a superset of its target's).
capless=(setpriv --bounding-set=-all --inh-caps=-all --)
probe() { "$REL_PYTHON" "$abs_top_srcdir/tests/security/holder-probe.py" "$@"; }
head -c 100000 /dev/zero >"$RIG_DIR/big.txt"
tap_like "$(probe "${capless[@]}" cat "$RIG_DIR/big.txt")" "environ=readable" \
        "an ordinary process blocked the same way: a process of its uid reads its /proc files (the probe works)"
want="core=0/0 environ=denied"
tap_is "$(probe "${capless[@]}" "$TB" token big)" "$want" \
        "tokenbroker token (token socket) holding a token: not dumpable, no core size"
tap_is "$(probe "${capless[@]}" env XDG_RUNTIME_DIR=/nonexistent "$TB" token big)" "$want" \
        "... and over D-Bus (the full program)"
printf 'protocol=https\nhost=git.example.com\n\n' >"$RIG_DIR/git-get"
tap_is "$(probe --stdin "$RIG_DIR/git-get" "${capless[@]}" "$abs_top_builddir/git-credential-tokenbroker" get)" \
        "$want" "git-credential-tokenbroker get holding a token: the same"

rel_stop_daemon_checked
tap_done
