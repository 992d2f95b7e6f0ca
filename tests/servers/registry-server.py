#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A loopback container registry (the Docker Registry HTTP API V2) with token authentication, accepting only
the token server's access tokens as the password.

    registry-server.py --whoami URL --cert PEM --key PEM [--username NAME] [--port-file FILE]

The flow of registries that take an OAuth access token as the password (Google's, Azure's, GitLab's):
  GET /v2/...                 401 with WWW-Authenticate: Bearer realm="https://HOST/token",service=...,scope=...
  GET /token?service&scope    HTTP Basic NAME:ACCESS-TOKEN, where NAME is --username (oauth2accesstoken) and
                              ACCESS-TOKEN one the token server's /api/whoami accepts (asked each time):
                              {"token": REGISTRY-TOKEN, "expires_in": 300}; 401 otherwise, anonymous too
  GET /v2/... with Bearer REGISTRY-TOKEN   the API

One image, demo/app:latest: its manifest (schema 2), its config blob (digest checked by the client) and its
tag list, enough for `skopeo inspect`. HTTPS, as the tools take a registry by default.
GET /_stats gives the counters: token_ok, token_refused (and token_anonymous among them), api_ok,
api_unauthorized, passwords_seen (their number, never them).
"""

import argparse
import base64
import hashlib
import json
import secrets
import sys
from http.server import BaseHTTPRequestHandler

from emulator_common import serve_https, token_accepted

SERVICE = "tokenbroker-test-registry"
REPOSITORY = "demo/app"

CONFIG = json.dumps({
    "architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
    "config": {"Cmd": ["/bin/true"], "Labels": {"org.tokenbroker.test": "registry-server"}},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(b"layer").hexdigest()]},
}, sort_keys=True).encode()
CONFIG_DIGEST = "sha256:" + hashlib.sha256(CONFIG).hexdigest()
MANIFEST = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(CONFIG),
               "digest": CONFIG_DIGEST},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 5,
                "digest": "sha256:" + hashlib.sha256(b"layer.tar.gz").hexdigest()}],
}, sort_keys=True).encode()
MANIFEST_DIGEST = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tokenbroker-test-registry/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("registry-server: %s %s %s\n" % (self.command, self.path.split("?")[0],
                                                          args[1] if len(args) > 1 else ""))

    def send_body(self, status, body, ctype="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_json(self, status, code, message, headers=()):
        self.send_body(status, json.dumps({"errors": [{"code": code, "message": message}]}).encode(),
                       headers=headers)

    def count(self, key):
        with self.server.lock:
            self.server.stats[key] = self.server.stats.get(key, 0) + 1

    def issue_token(self, query):
        scheme, _, cred = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            self.count("token_anonymous")
            self.count("token_refused")
            self.send_error_json(401, "UNAUTHORIZED", "authentication required")
            return
        try:
            user, _, password = base64.b64decode(cred.strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            user, password = "", ""
        with self.server.lock:
            self.server.passwords.add(password)
        if user != self.server.username or not password or not token_accepted(self.server.whoami, password):
            self.count("token_refused")
            self.send_error_json(401, "UNAUTHORIZED", "invalid username or password")
            return
        token = secrets.token_urlsafe(24)
        with self.server.lock:
            self.server.registry_tokens.add(token)
        self.count("token_ok")
        self.send_body(200, json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode())

    def challenge(self, scope):
        host = "127.0.0.1:%d" % self.server.server_address[1]
        value = 'Bearer realm="https://%s/token",service="%s"' % (host, SERVICE)
        if scope:
            value += ',scope="%s"' % scope
        self.count("api_unauthorized")
        self.send_error_json(401, "UNAUTHORIZED", "authentication required", [("WWW-Authenticate", value)])

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/_stats":
            with self.server.lock:
                self.send_body(200, json.dumps(dict(self.server.stats,
                                                    passwords_seen=len(self.server.passwords))).encode())
            return
        if path == "/token":
            self.issue_token(query)
            return
        if not path.startswith("/v2/"):
            self.send_error_json(404, "NOT_FOUND", "not found")
            return
        scope = "repository:%s:pull" % REPOSITORY if path.startswith("/v2/%s/" % REPOSITORY) else ""
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        with self.server.lock:
            ok = scheme.lower() == "bearer" and token.strip() in self.server.registry_tokens
        if not ok:
            self.challenge(scope)
            return
        self.count("api_ok")
        if path == "/v2/":
            self.send_body(200, b"{}")
        elif path in ("/v2/%s/manifests/latest" % REPOSITORY, "/v2/%s/manifests/%s" % (REPOSITORY, MANIFEST_DIGEST)):
            self.send_body(200, MANIFEST, "application/vnd.docker.distribution.manifest.v2+json",
                           [("Docker-Content-Digest", MANIFEST_DIGEST)])
        elif path == "/v2/%s/blobs/%s" % (REPOSITORY, CONFIG_DIGEST):
            self.send_body(200, CONFIG, "application/octet-stream", [("Docker-Content-Digest", CONFIG_DIGEST)])
        elif path == "/v2/%s/tags/list" % REPOSITORY:
            self.send_body(200, json.dumps({"name": REPOSITORY, "tags": ["latest"]}).encode())
        else:
            self.send_error_json(404, "MANIFEST_UNKNOWN", "not found: " + path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--whoami", required=True, help="the token server's /api/whoami URL")
    ap.add_argument("--cert", required=True, help="the server's certificate (PEM)")
    ap.add_argument("--key", required=True, help="its private key (PEM)")
    ap.add_argument("--username", default="oauth2accesstoken", help="the user name the token endpoint takes")
    ap.add_argument("--port-file", help="write the bound port here")
    args = ap.parse_args()

    serve_https(Handler, args.cert, args.key, args.port_file, whoami=args.whoami, username=args.username,
                stats={"token_ok": 0, "token_refused": 0, "token_anonymous": 0, "api_ok": 0, "api_unauthorized": 0},
                passwords=set(), registry_tokens=set())


if __name__ == "__main__":
    main()
