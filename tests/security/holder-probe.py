#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What another process can learn from a front end that holds a token, for tests/security/memory.sh only.

    holder-probe.py [--stdin FILE] CMD...

runs CMD with its stdout on a pipe of 4096 bytes that nobody reads, so that it blocks writing out a token
larger than that, with the token in its memory. Then it prints "core=SOFT/HARD environ=readable|denied":
the core size limit CMD runs with, and whether a process of the same uid without capabilities (uid 0
without CAP_SYS_PTRACE, through setpriv) can read its /proc/PID/environ, which the kernel denies for a
process that is not dumpable, as it denies a ptrace attach or a core dump. "not blocked" when CMD never
blocked writing.
"""

import fcntl
import os
import subprocess
import sys
import time

F_SETPIPE_SZ = 1031


def blocked_in_write(pid):
    """In write(2) (system call 1 on x86-64, 64 on arm64), waiting for the pipe."""
    try:
        with open("/proc/%d/syscall" % pid) as f:
            nr = f.read().split()[0]
        with open("/proc/%d/wchan" % pid) as f:
            wchan = f.read().strip()
    except (OSError, IndexError):
        return False
    return nr in ("1", "64") and "pipe" in wchan


def core_limit(pid):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max core file size"):
                return "/".join(line.split()[4:6])
    return "?"


def environ_readable(pid):
    probe = subprocess.run(["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", "cat",
                            "/proc/%d/environ" % pid], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return "readable" if probe.returncode == 0 else "denied"


def main():
    args = sys.argv[1:]
    stdin = subprocess.DEVNULL
    if args[:1] == ["--stdin"]:
        stdin = open(args[1], "rb")
        args = args[2:]
    r, w = os.pipe()
    fcntl.fcntl(w, F_SETPIPE_SZ, 4096)
    p = subprocess.Popen(args, stdin=stdin, stdout=w, stderr=subprocess.DEVNULL)
    os.close(w)
    deadline = time.monotonic() + 30
    while not blocked_in_write(p.pid) and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.05)
    if p.poll() is not None or not blocked_in_write(p.pid):
        print("not blocked")
    else:
        print("core=%s environ=%s" % (core_limit(p.pid), environ_readable(p.pid)))
    p.kill()
    p.wait()
    os.close(r)


if __name__ == "__main__":
    main()
