#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs a command on a pseudo-terminal, as a person at a terminal would, answering its prompts.

    pty-run.py [--expect REGEX --send TEXT]... [--timeout SEC] -- COMMAND ARGS...

Each --expect waits (up to --timeout seconds, 60 by default, for each prompt and then for the end) until the
output so far matches REGEX, then
--send types TEXT followed by a newline ("^D" sends end of input instead). Prints everything the command
wrote to the terminal (stdout and stderr together, with the terminal's \\r\\n made \\n) and exits with the
command's exit status; 124 when an expected prompt never came, with what was seen on stderr."""
import os
import pty
import re
import select
import sys
import time


def main():
    args = sys.argv[1:]
    steps, timeout = [], 60.0
    while args and args[0] != "--":
        if args[0] == "--expect" and len(args) >= 4 and args[2] == "--send":
            steps.append((re.compile(args[1]), args[3]))
            args = args[4:]
        elif args[0] == "--timeout" and len(args) >= 2:
            timeout = float(args[1])
            args = args[2:]
        else:
            sys.exit(__doc__)
    command = args[1:]
    if not command:
        sys.exit(__doc__)

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)

    seen = b""
    matched_upto = 0
    deadline = time.monotonic() + timeout

    def read_some(wait):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            return True
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return False
        if not chunk:
            return False
        seen += chunk
        return True

    alive = True
    for regex, text in steps:
        deadline = time.monotonic() + timeout
        while alive:
            m = regex.search(seen.decode(errors="replace"), matched_upto)
            if m:
                matched_upto = m.end()
                break
            if time.monotonic() > deadline:
                sys.stderr.write("pty-run: no %r in %r\n" % (regex.pattern, seen.decode(errors="replace")))
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                sys.exit(124)
            alive = read_some(0.1)
        if not alive:
            break
        if text == "^D":
            os.write(fd, b"\x04")
        else:
            os.write(fd, text.encode() + b"\n")
    # The rest of the output, until the command closes the terminal (or the time is up: then it is killed).
    deadline = time.monotonic() + timeout
    while alive and time.monotonic() < deadline:
        alive = read_some(0.1)
    if alive:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(seen.decode(errors="replace").replace("\r\n", "\n"))
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
