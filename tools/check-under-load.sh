#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The suite on a busy machine: `tools/check-under-load.sh [BUILDDIR]` starts BURNERS processes that keep a
# core each busy (default 3: more than the 2 cores CI machines have), runs `make check` RUNS times in a row
# (default 2) in BUILDDIR (default ./build), and stops the burners. Exit 0 when every run passed. No test may
# depend on the machine being idle: tokens that must outlive a wait live long enough on a loaded machine, and
# exact schedules are tested on the engine's fake clock (tests/unit/engine/).
set -uo pipefail

builddir=${1:-build}
burners=${BURNERS:-3}
runs=${RUNS:-2}
pids=()

stop_burners() {
        [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null
        wait 2>/dev/null
}
trap stop_burners EXIT

for ((i = 0; i < burners; i++)); do
        (while :; do :; done) &
        pids+=($!)
done
echo "$burners CPU burners on $(nproc) cores: ${pids[*]}"

failed=0
for ((run = 1; run <= runs; run++)); do
        start=$SECONDS
        if make -C "$builddir" check >"$builddir/check-under-load.$run.log" 2>&1; then
                result=passed
        else
                result=FAILED
                failed=$((failed + 1))
        fi
        echo "run $run of $runs: $result in $((SECONDS - start)) s ($(grep -c '^PASS:' "$builddir/check-under-load.$run.log") passed," \
                "$(grep -c '^FAIL:\|^ERROR:' "$builddir/check-under-load.$run.log") failed; log: $builddir/check-under-load.$run.log)"
        grep '^FAIL:\|^ERROR:' "$builddir/check-under-load.$run.log"
done
exit $((failed > 0))
