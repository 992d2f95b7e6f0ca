#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The bench's arithmetic and its table, so that bench.sh only runs things.

Each row command prints one tab-separated row: what, median, p99, comparison, ratio, target, verdict.

    stats.py ratio WHAT FILE COL VS_NAME VS_COL OP LIMIT   median(COL)/median(VS_COL) OP LIMIT (OP < or <=;
                                                           "info": a row that explains another, no verdict)
    stats.py rate  WHAT FILE COL VS_NAME VS_COL LIMIT     calls/s: median(COL)/median(VS_COL) >= LIMIT
    stats.py p99   WHAT FILE COL LIMIT_USEC                p99(COL) < LIMIT_USEC
    stats.py limit WHAT FILE COL LIMIT_USEC                median(COL) < LIMIT_USEC
    stats.py value WHAT VALUE_KIB LIMIT_MIB COMMENT        a memory size against a limit
    stats.py mem   WHAT VALUE_KIB COMMENT                 a memory size for comparison, no target
    stats.py per   WHAT KIB_A KIB_B N LIMIT_B COMMENT     (KIB_B - KIB_A) / N bytes each, against LIMIT_B bytes
    stats.py count WHAT GOT WANT COMMENT                   an exact count
    stats.py note  WHAT TEXT                               a row that could not be measured, and why
    stats.py fmt   USEC                                    a duration as the table writes it
    stats.py table FILE                                    the rows, aligned, under a header

FILE holds one sample per line, whitespace-separated columns (0-based COL), in microseconds.
"""

import math
import statistics
import sys


def column(path, col):
    with open(path) as f:
        values = [float(line.split()[col]) for line in f if line.strip()]
    if not values:
        sys.exit(f"stats.py: no samples in {path}")
    return values


def p99(values):
    """Nearest rank: the smallest sample with at least 99% of the samples at or below it."""
    s = sorted(values)
    return s[max(0, math.ceil(0.99 * len(s)) - 1)]


def usec(v):
    return f"{v:.0f} us" if v < 1000 else f"{v / 1000:.2f} ms"


def verdict(ok):
    return "PASS" if ok else "MISS"


def row(*fields):
    print("\t".join(str(f) for f in fields))


def cmd_ratio(what, path, col, vs_name, vs_col, op, limit):
    a, b = column(path, int(col)), column(path, int(vs_col))
    ratio, limit = statistics.median(a) / statistics.median(b), float(limit)
    ok = ratio < limit if op == "<" else ratio <= limit
    row(what, usec(statistics.median(a)), usec(p99(a)),
        f"{vs_name}: {usec(statistics.median(b))} (p99 {usec(p99(b))})", f"{ratio:.2f}x",
        f"(n={len(a)})" if op == "info" else f"ratio {op} {limit:g} (n={len(a)})",
        "info" if op == "info" else verdict(ok))


def cmd_rate(what, path, col, vs_name, vs_col, limit):
    a, b = column(path, int(col)), column(path, int(vs_col))
    ratio, limit = statistics.median(a) / statistics.median(b), float(limit)
    row(what, f"{statistics.median(a):.0f}/s", f"min {min(a):.0f}/s",
        f"{vs_name}: {statistics.median(b):.0f}/s (min {min(b):.0f}/s)", f"{ratio:.2f}x",
        f"ratio >= {limit:g} (n={len(a)})", verdict(ratio >= limit))


def cmd_limit(what, path, col, limit):
    a, limit = column(path, int(col)), float(limit)
    row(what, usec(statistics.median(a)), usec(p99(a)), "-", "-", f"median < {usec(limit)} (n={len(a)})",
        verdict(statistics.median(a) < limit))


def cmd_p99(what, path, col, limit):
    a, limit = column(path, int(col)), float(limit)
    row(what, usec(statistics.median(a)), usec(p99(a)), f"min {usec(min(a))}, max {usec(max(a))}", "-",
        f"p99 < {usec(limit)} (n={len(a)})", verdict(p99(a) < limit))


def cmd_value(what, kib, limit_mib, comment):
    mib = float(kib) / 1024
    row(what, f"{mib:.1f} MiB", "-", comment, "-", f"< {limit_mib} MiB", verdict(mib < float(limit_mib)))


def cmd_mem(what, kib, comment):
    row(what, f"{float(kib) / 1024:.1f} MiB", "-", comment, "-", "-", "info")


def cmd_per(what, kib_a, kib_b, n, limit, comment):
    each = (float(kib_b) - float(kib_a)) * 1024 / float(n)
    row(what, f"{each:.0f} B", "-", comment, "-", f"<= {float(limit):.0f} B each", verdict(each <= float(limit)))


def cmd_count(what, got, want, comment):
    row(what, got, "-", comment, "-", f"= {want}", verdict(got == want))


def cmd_note(what, text):
    row(what, "-", "-", text, "-", "-", "n/a")


def cmd_fmt(v):
    print(usec(float(v)))


def cmd_table(path):
    header = ["what", "median", "p99", "comparison", "ratio", "target", "verdict"]
    with open(path) as f:
        rows = [header] + [line.rstrip("\n").split("\t") for line in f if line.strip()]
    widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(len(header))]
    for n, r in enumerate(rows):
        print("  ".join(r[i].ljust(widths[i]) for i in range(len(r))).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


COMMANDS = {"ratio": (cmd_ratio, 7), "rate": (cmd_rate, 6), "limit": (cmd_limit, 4), "p99": (cmd_p99, 4), "value": (cmd_value, 4), "per": (cmd_per, 6), "mem": (cmd_mem, 3),
            "count": (cmd_count, 4), "note": (cmd_note, 2), "fmt": (cmd_fmt, 1), "table": (cmd_table, 1)}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS or len(sys.argv) - 2 != COMMANDS[sys.argv[1]][1]:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]][0](*sys.argv[2:])
