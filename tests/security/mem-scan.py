#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Looks for secrets in a process's memory, for tests/security/memory.sh only (as root).

    mem-scan.py PID FILE    FILE holds one secret per line; prints the number of secrets found anywhere in
                            PID's writable memory (heap, stacks, anonymous mappings), then one line per
                            secret found: its line number in FILE and where
"""

import sys


def regions(pid):
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            perms = fields[1]
            name = fields[5] if len(fields) > 5 else "[anon]"
            if "r" in perms and "w" in perms and not name.startswith("[v"):
                yield start, end, name


# Mappings larger than this are address space reserved, not memory in use (AddressSanitizer's shadow).
REGION_MAX = 1 << 30
CHUNK = 1 << 20


def main():
    pid = int(sys.argv[1])
    with open(sys.argv[2], "rb") as f:
        secrets = [s for s in f.read().split(b"\n") if s]
    overlap = max((len(s) for s in secrets), default=1)
    found = {}
    with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
        for start, end, name in regions(pid):
            if end - start > REGION_MAX:
                continue
            # In pieces that overlap by the longest secret, so that none is missed at a seam.
            for off in range(start, end, CHUNK):
                try:
                    mem.seek(off)
                    data = mem.read(min(CHUNK + overlap, end - off))
                except OSError:
                    continue
                for i, s in enumerate(secrets):
                    if i not in found and s in data:
                        found[i] = name
    print(len(found))
    for i, name in sorted(found.items()):
        print("secret %d in %s" % (i + 1, name))


if __name__ == "__main__":
    main()
