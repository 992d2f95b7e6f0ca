#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A local attacker's floods of the daemon's sockets, for tests/security/fd-exhaustion.sh only.

    flood.py hold SOCKET N [--dbus]     opens N connections (each an authenticated D-Bus peer with --dbus)
                                        and holds them until stdin closes; prints "open K" once K are open
    flood.py pipeline SOCKET ACCOUNT N  sends N GetToken requests on one token-socket connection without
                                        reading any answer, then holds it until stdin closes

Its own file limit is raised to the hard limit, so that it can hold more connections than the daemon, which
the test runs under `ulimit -n 1024`.
"""

import json
import os
import resource
import socket
import sys


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def dbus_auth(s):
    """The SASL handshake of a D-Bus peer (EXTERNAL, the uid in hex), then nothing: an idle peer."""
    uid = str(os.getuid()).encode().hex().encode()
    s.sendall(b"\0AUTH EXTERNAL " + uid + b"\r\n")
    reply = s.recv(256)
    if not reply.startswith(b"OK"):
        raise OSError("auth refused: %r" % reply)
    s.sendall(b"BEGIN\r\n")


def hold(path, n, dbus):
    raise_nofile()
    conns = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(5)
            s.connect(path)
            if dbus:
                dbus_auth(s)
        except OSError:
            s.close()
            continue
        conns.append(s)
    print("open %d" % len(conns), flush=True)
    sys.stdin.read()
    for s in conns:
        s.close()


def pipeline(path, account, n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    request = json.dumps({"method": "org.tokenbroker.Broker1.GetToken",
                          "parameters": {"account": account}}).encode() + b"\0"
    s.setblocking(False)
    sent = 0
    for _ in range(n):
        try:
            s.sendall(request)
            sent += 1
        except (BlockingIOError, OSError):
            break
    print("sent %d" % sent, flush=True)
    sys.stdin.read()
    s.close()


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "hold":
        hold(sys.argv[2], int(sys.argv[3]), "--dbus" in sys.argv[4:])
    elif len(sys.argv) == 5 and sys.argv[1] == "pipeline":
        pipeline(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
