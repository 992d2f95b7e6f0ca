#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A scriptable client of tokenbrokerd's token socket, for tests: connects, then runs its actions in order.

    wire-client.py SOCKET ACTION...

    call METHOD JSON   sends {"method": METHOD, "parameters": JSON} and its NUL
    send TEXT          sends TEXT as it is (Python escapes: \\x00 is a NUL)
    fill N             sends N bytes of "x", no NUL
    shutdown           ends the sending side (the daemon reads end of file)
    recv               reads one message; prints it as one line, "EOF" when the daemon closed first, or
                       "TIMEOUT" after --timeout seconds
    wait-close         waits for the daemon to close; prints "closed after N s" or "open" after --timeout

A send the daemon no longer reads prints "SEND-EOF". Prints "REFUSED: ..." and exits 1 when it cannot
connect. Tokens are printed: the rig's are fake.
"""
import argparse
import json
import socket
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--timeout", type=float, default=15.0)
    p.add_argument("socket")
    p.add_argument("actions", nargs=argparse.REMAINDER)
    args = p.parse_args()

    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(args.socket)
    except OSError as e:
        print(f"REFUSED: {e.strerror}")
        return 1
    s.settimeout(args.timeout)
    buf = b""
    a = list(args.actions)
    while a:
        act = a.pop(0)
        try:
            if act == "call":
                method, params = a.pop(0), json.loads(a.pop(0))
                s.sendall(json.dumps({"method": method, "parameters": params}).encode() + b"\0")
            elif act == "send":
                s.sendall(a.pop(0).encode().decode("unicode_escape").encode("latin-1"))
            elif act == "fill":
                s.sendall(b"x" * int(a.pop(0)))
            elif act == "shutdown":
                s.shutdown(socket.SHUT_WR)
            elif act == "recv":
                while b"\0" not in buf:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
                if b"\0" in buf:
                    msg, buf = buf.split(b"\0", 1)
                    print(json.dumps(json.loads(msg), sort_keys=True))
                else:
                    print("EOF")
            elif act == "wait-close":
                start = time.monotonic()
                while s.recv(65536):
                    pass
                print(f"closed after {time.monotonic() - start:.0f} s")
            else:
                print(f"unknown action {act}", file=sys.stderr)
                return 2
        except socket.timeout:
            print("TIMEOUT" if act == "recv" else "open")
        except (BrokenPipeError, ConnectionResetError):
            print("EOF" if act in ("recv", "wait-close") else "SEND-EOF")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
