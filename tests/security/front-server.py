#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A front for the loopback token server, for the TLS and discovery tests only.

    front-server.py --backend URL [--cert PEM --key PEM] [--metadata JSON] --port-file FILE

It binds 127.0.0.1 on an ephemeral port (TLS with --cert and --key, plain HTTP otherwise), writes the port to
--port-file, answers GET /.well-known/oauth-authorization-server and /.well-known/openid-configuration with
the --metadata document (the string "{issuer}" in it replaced by this server's own URL), and passes every
other request on to --backend unchanged: status, headers and body, redirects included (they are not
followed here). Logs carry the method, the path without its query and the status, never a header or body.
"""

import argparse
import http.client
import os
import ssl
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
from emulator_common import write_port_file  # noqa: E402

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_request(self, code="-", size="-"):
        sys.stderr.write("front: %s %s %s\n" % (self.command, self.path.split("?")[0], getattr(code, "value", code)))

    def log_message(self, fmt, *args):
        sys.stderr.write("front: error %s\n" % (args[0] if args else ""))

    def reply(self, status, body, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        srv = self.server
        path = self.path.split("?")[0]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if self.command == "GET" and path in ("/.well-known/oauth-authorization-server",
                                              "/.well-known/openid-configuration"):
            if srv.metadata is None:
                self.reply(404, b'{"error":"not_found"}', "application/json")
            else:
                self.reply(200, srv.metadata.replace("{issuer}", srv.own_url).encode(), "application/json")
            return
        backend = urllib.parse.urlsplit(srv.backend)
        conn = http.client.HTTPConnection(backend.hostname, backend.port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except OSError:
            self.reply(502, b'{"error":"bad_gateway"}', "application/json")
            return
        finally:
            conn.close()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_POST = do_GET


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--metadata")
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.backend = args.backend
    server.metadata = None
    if args.metadata:
        with open(args.metadata) as f:
            server.metadata = f.read()
    port = server.server_address[1]
    scheme = "http"
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    server.own_url = f"{scheme}://127.0.0.1:{port}"
    write_port_file(args.port_file, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
