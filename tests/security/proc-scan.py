#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Samples the argv and environment of every process of one test session, for the secret-leak test.

    proc-scan.py --session-root DIR --out FILE --stop FILE [--interval S]

Until the --stop file exists it reads /proc/PID/cmdline and /proc/PID/environ of every process whose
environment carries TB_SESSION_ROOT=DIR (everything the test session started: the daemon, the front ends,
servers, curl, git), every --interval seconds (0.02), and appends each distinct argv and environment it sees
to --out, one per line, NULs as spaces. At the end it prints JSON counts: sweeps, processes, distinct texts.
Nothing is matched here: the test greps --out for its secrets afterwards, so no secret is ever an argument.
"""

import argparse
import hashlib
import json
import os
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--session-root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--stop", required=True)
    ap.add_argument("--interval", type=float, default=0.02)
    args = ap.parse_args()

    marker = b"TB_SESSION_ROOT=" + os.fsencode(args.session_root) + b"\0"
    me = os.getpid()
    seen, pids, sweeps = set(), set(), 0
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "wb") as out:
        while True:
            stop = os.path.exists(args.stop)
            sweeps += 1
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit() or int(entry.name) == me:
                    continue
                try:
                    with open(f"/proc/{entry.name}/environ", "rb") as f:
                        env = f.read()
                    if marker not in env:
                        continue
                    with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                        cmd = f.read()
                except OSError:
                    continue            # gone meanwhile, or not readable
                pids.add(entry.name)
                for blob in (cmd, env):
                    h = hashlib.sha256(blob).digest()
                    if h not in seen:
                        seen.add(h)
                        out.write(blob.replace(b"\0", b" ").replace(b"\n", b" ") + b"\n")
            out.flush()
            if stop:
                break
            time.sleep(args.interval)
    print(json.dumps({"sweeps": sweeps, "processes": len(pids), "texts": len(seen)}))


if __name__ == "__main__":
    main()
