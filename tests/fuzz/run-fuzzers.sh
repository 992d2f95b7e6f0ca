#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# make fuzz (a build configured with --enable-fuzzers CC=clang): runs each libFuzzer harness for
# FUZZ_SECONDS (60) seconds, one after the other, starting from its seed corpus and regressions; new inputs
# collect in BUILDDIR/tests/fuzz/work/NAME/, crashes in BUILDDIR/tests/fuzz/artifacts/NAME/. Prints one line
# per harness with its executions and fails when any harness found a crash, a leak or a timeout.
#
#   FUZZ_SECONDS=600 FUZZ_ONLY="token-response account-file" make fuzz
#
# A crash found is turned into a regression: copy the artifact to tests/fuzz/regressions/CORPUS/ under a name
# that says what it was, and fix the code; make check replays it from then on.
: "${abs_top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir}"
. "$abs_top_srcdir/tests/fuzz/harnesses.sh"

# As in replay.sh: libFuzzer's inputs have no NUL after them, which strndup() of a length does not need.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}strict_string_checks=0"

seconds=${FUZZ_SECONDS:-60}
only=${FUZZ_ONLY:-}
failed=0
summary=()

for line in "${FUZZ_HARNESSES[@]}"; do
        read -r name corpus max_len dict <<<"$line"
        if [ -n "$only" ] && [[ " $only " != *" $name "* ]]; then
                continue
        fi
        bin="$abs_top_builddir/tests/fuzz/fuzz-$name"
        work="$abs_top_builddir/tests/fuzz/work/$name"
        artifacts="$abs_top_builddir/tests/fuzz/artifacts/$name"
        log="$abs_top_builddir/tests/fuzz/fuzz-$name.fuzz.log"
        mkdir -p "$work" "$artifacts"
        args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -max_len="$max_len"
              -print_final_stats=1 -artifact_prefix="$artifacts/")
        [ "$dict" = - ] || args+=(-dict="$abs_top_srcdir/tests/fuzz/dicts/$dict")
        dirs=("$work" "$abs_top_srcdir/tests/fuzz/corpus/$corpus")
        [ -d "$abs_top_srcdir/tests/fuzz/regressions/$corpus" ] && dirs+=("$abs_top_srcdir/tests/fuzz/regressions/$corpus")

        echo "fuzz-$name: fuzzing for $seconds s (log: $log)"
        # The time bound is libFuzzer's own; the outer one only catches a harness that stops responding.
        timeout -k 30 $((seconds + 300)) "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1
        rc=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
        if [ "$rc" -eq 0 ]; then
                summary+=("fuzz-$name: ok, ${execs:-?} executions in $seconds s, ${cov:-no coverage line}")
        else
                failed=$((failed + 1))
                summary+=("fuzz-$name: FAILED (exit $rc) after ${execs:-?} executions; artifacts in $artifacts")
                grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)|runtime error' "$log" | head -n 10
        fi
done

printf '%s\n' "${summary[@]}"
[ "$failed" -eq 0 ]
