#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A git smart-HTTP server on loopback that only lets in holders of a currently valid token, for tests only.

    git-http-server.py --root DIR --whoami URL [--port-file FILE]

Requests are served by `git http-backend` as a CGI program over the repositories below --root. Each request
must carry a token as `Authorization: Bearer TOKEN` or as the password of `Authorization: Basic`; the token
is checked by asking the test token server (GET --whoami with that bearer token), so a token the token
server has let expire or has revoked is refused here at once, exactly as a real resource server would.
Without a valid token the answer is 401 with `WWW-Authenticate` for Bearer and Basic.

    GET /_stats    counters (JSON): requests, ok, unauthorized, by scheme, and the Basic user names seen

Tokens are never logged.
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from emulator_common import write_port_file

MAX_BODY = 64 << 20


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tokenbroker-test-git-server/1"

    def log_message(self, fmt, *args):
        # The path only: a query string of git's smart protocol holds no secret, but headers would.
        sys.stderr.write("git-http-server: %s %s %s\n" % (self.command, self.path.split("?")[0],
                                                           args[1] if len(args) > 1 else ""))

    def count(self, key, sub=None):
        st = self.server.stats
        with self.server.lock:
            if sub is None:
                st[key] = st.get(key, 0) + 1
            else:
                st.setdefault(key, {})
                st[key][sub] = st[key].get(sub, 0) + 1

    def send_plain(self, status, body, headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or []):
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def credentials(self):
        """(scheme, user, token) from the Authorization header, or None."""
        auth = self.headers.get("Authorization", "")
        scheme, _, rest = auth.partition(" ")
        if scheme.lower() == "bearer" and rest.strip():
            return ("bearer", None, rest.strip())
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(rest.strip(), validate=True).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            if password:
                return ("basic", user, password)
        return None

    def token_is_valid(self, token):
        req = urllib.request.Request(self.server.whoami, headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status == 200, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError:
            return False, None
        except (urllib.error.URLError, OSError, ValueError):
            return False, None

    def read_request_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path.split("?")[0] == "/_stats":
            with self.server.lock:
                data = json.dumps(self.server.stats)
            return self.send_plain(200, data, [("Cache-Control", "no-store")])
        self.serve_git()

    def do_POST(self):
        self.serve_git()

    def serve_git(self):
        self.count("requests")
        try:
            body = self.read_request_body()
        except ValueError:
            return self.send_plain(413, "too large\n")

        cred = self.credentials()
        who = None
        if cred:
            ok, who = self.token_is_valid(cred[2])
            if not ok:
                who = None
        if not who:
            self.count("unauthorized")
            if cred:
                self.count("rejected", cred[0])
            return self.send_plain(401, "token required\n", [
                ("WWW-Authenticate", 'Bearer realm="tokenbroker-test"'),
                ("WWW-Authenticate", 'Basic realm="tokenbroker-test"'),
            ])
        self.count("ok")
        self.count("scheme", cred[0])
        if cred[1] is not None:
            self.count("basic_users", cred[1])

        path, _, query = self.path.partition("?")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": self.server.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": urllib.request.unquote(path),
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": self.client_address[0],
            # http-backend only takes pushes from an authenticated user.
            "REMOTE_USER": str(who.get("sub") or who.get("client_id") or "token"),
            "HOME": self.server.root,
        }
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]

        proc = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, timeout=120)
        if proc.stderr:
            sys.stderr.write("git-http-server: http-backend: %s\n" % proc.stderr.decode(errors="replace").strip())
        head, sep, payload = proc.stdout.partition(b"\r\n\r\n")
        if not sep:
            head, sep, payload = proc.stdout.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.strip().split()[0])
            elif key:
                headers.append((key.strip(), value.strip()))
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in ("content-length", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True, help="directory holding the bare repositories")
    ap.add_argument("--whoami", required=True, help="the token server's /api/whoami URL")
    ap.add_argument("--port-file", help="write the bound port here")
    args = ap.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.root = os.path.abspath(args.root)
    server.whoami = args.whoami
    server.lock = threading.Lock()
    server.stats = {"requests": 0, "ok": 0, "unauthorized": 0}
    port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)
    print(port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
