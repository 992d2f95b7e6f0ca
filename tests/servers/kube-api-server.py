#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A loopback Kubernetes API endpoint for kubectl, accepting only the token server's tokens.

    kube-api-server.py --whoami URL --cert PEM --key PEM [--port-file FILE]

HTTPS, as client-go hands an exec plugin's credential to no plain-HTTP server.

Enough of the API for `kubectl get namespaces`: discovery (/api, /api/v1, /apis, /version) and the namespace
list. Every request must carry "Authorization: Bearer TOKEN" where TOKEN is one the token server's
/api/whoami accepts (asked each time); otherwise 401 with a Status object, as a real API server answers.
GET /_stats gives the counters: requests, ok, unauthorized, and the tokens seen (their count, not them).
"""

import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler

from emulator_common import serve_https, token_accepted

DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"],
             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": []},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace",
         "verbs": ["get", "list"], "shortNames": ["ns"]}]},
    "/version": {"major": "1", "minor": "28", "gitVersion": "v1.28.0", "platform": "linux/amd64"},
}

NAMESPACES = {
    "kind": "NamespaceList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"},
    "items": [{"metadata": {"name": n, "uid": "uid-" + n, "resourceVersion": "1",
                            "creationTimestamp": "2026-01-01T00:00:00Z"},
               "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
              for n in ("default", "tokenbroker-test")],
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tokenbroker-test-kube-api/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("kube-api-server: %s %s %s\n" % (self.command, self.path.split("?")[0],
                                                          args[1] if len(args) > 1 else ""))

    def send_json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def count(self, key):
        with self.server.lock:
            self.server.stats[key] = self.server.stats.get(key, 0) + 1

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/_stats":
            with self.server.lock:
                self.send_json(200, dict(self.server.stats, tokens_seen=len(self.server.tokens)))
            return
        self.count("requests")
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or not token_accepted(self.server.whoami, token):
            self.count("unauthorized")
            self.send_json(401, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                 "message": "Unauthorized", "reason": "Unauthorized", "code": 401})
            return
        with self.server.lock:
            self.server.tokens.add(token)
        self.count("ok")
        if path in DISCOVERY:
            self.send_json(200, DISCOVERY[path])
        elif path == "/api/v1/namespaces":
            self.send_json(200, NAMESPACES)
        else:
            self.send_json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                                 "code": 404, "message": "not found: " + path})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--whoami", required=True, help="the token server's /api/whoami URL")
    ap.add_argument("--cert", required=True, help="the server's certificate (PEM)")
    ap.add_argument("--key", required=True, help="its private key (PEM)")
    ap.add_argument("--port-file", help="write the bound port here")
    args = ap.parse_args()

    serve_https(Handler, args.cert, args.key, args.port_file, whoami=args.whoami,
                stats={"requests": 0, "ok": 0, "unauthorized": 0}, tokens=set())


if __name__ == "__main__":
    main()
