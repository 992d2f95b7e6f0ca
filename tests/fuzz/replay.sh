#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# make check: every fuzz harness runs once over each file of its seed corpus (tests/fuzz/corpus/NAME/) and
# of its regressions (tests/fuzz/regressions/NAME/, inputs that once crashed it). Built with gcc the
# harnesses use tests/fuzz/fuzz-main.c as driver; with --enable-fuzzers libFuzzer runs the files the same
# way. Either way the sanitizer build catches memory errors and undefined behaviour, and a failed invariant
# aborts.
: "${abs_top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir}"
. "$abs_top_srcdir/tests/fuzz/harnesses.sh"

# The parsers take a buffer and its length, with no NUL after it, and copy parts with strndup(), which reads
# no further than the length it is given; ASan's strict_string_checks (set by .ci/run) would demand a NUL
# after the buffer all the same. Every input gets a buffer of exactly its size, so a real overread is caught.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}strict_string_checks=0"

n=0
failed=0
echo "1..$((${#FUZZ_HARNESSES[@]} * 2))"
for line in "${FUZZ_HARNESSES[@]}"; do
        read -r name corpus _ <<<"$line"
        bin="$abs_top_builddir/tests/fuzz/fuzz-$name"
        seeds=("$abs_top_srcdir/tests/fuzz/corpus/$corpus"/*)
        regressions=()
        [ -d "$abs_top_srcdir/tests/fuzz/regressions/$corpus" ] &&
                regressions=("$abs_top_srcdir/tests/fuzz/regressions/$corpus"/*)

        n=$((n + 1))
        if [ -f "${seeds[0]}" ]; then
                echo "ok $n - fuzz-$name has a seed corpus (${#seeds[@]} files)"
        else
                echo "not ok $n - fuzz-$name has a seed corpus in tests/fuzz/corpus/$corpus"
                failed=$((failed + 1))
                seeds=()
        fi

        n=$((n + 1))
        log=$(mktemp "${TMPDIR:-/tmp}/fuzz-replay.XXXXXX")
        # A bounded time: a harness that hangs on an input fails instead of stalling make check.
        timeout -k 10 300 "$bin" "${seeds[@]}" "${regressions[@]}" >"$log" 2>&1
        rc=$?
        if [ "$rc" -eq 0 ] && [ -x "$bin" ]; then
                echo "ok $n - fuzz-$name replays ${#seeds[@]} seeds and ${#regressions[@]} regressions cleanly"
        else
                echo "not ok $n - fuzz-$name replays ${#seeds[@]} seeds and ${#regressions[@]} regressions cleanly"
                echo "# exit status $rc; the last lines of its output:"
                tail -n 40 "$log" | sed 's/^/# /'
                failed=$((failed + 1))
        fi
        rm -f "$log"
done
[ "$failed" -eq 0 ]
