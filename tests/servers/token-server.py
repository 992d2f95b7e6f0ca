#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A generic OAuth 2.0 token endpoint (RFC 6749) on loopback, for tests only.

    token-server.py [--config FILE] [--port-file FILE] [--access-ttl S] [--opaque] [--omit-expires-in]
                    [--invalid-client-status 401|400] [--no-rotate]

It binds 127.0.0.1 on an ephemeral port and writes the port to --port-file (atomically, so a reader never
sees half a number) and to stdout. Endpoints:

    POST /token         grants client_credentials, password, refresh_token
    POST /revoke        RFC 7009
    GET  /api/whoami    200 for a currently valid Bearer token, 401 otherwise: proves a handed-out token works
    GET  /_stats        counters (JSON)
    POST /_control      JSON: {"inject": [...]} failure injection, {"config": {...}} live settings,
                        {"revoke_all": true}, {"reset": true} (clears injections and counters)

An injection is {"kind": K, "count": N, "path": "/token"} with K one of
    status     answer "status" (500, 502, 503, 429, ...) with an error JSON, "retry_after" S if given
    html       200 with an HTML page          truncated  200 with cut-off JSON
    huge       200 with a 10 MiB body         redirect   302 to the same path
    delay      sleep "seconds" S, then answer normally
    drop       close the connection without answering
Tokens and secrets are never logged.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_CONFIG = {
    "issuer": "http://127.0.0.1",
    "jwt_key": "tokenbroker-test-key",
    "access_ttl": 3600,
    "opaque": False,                 # opaque access tokens instead of HS256 JWTs
    "omit_expires_in": False,        # leave expires_in out of token responses
    "invalid_client_status": 401,    # 400 mimics IdentityServer
    "rotate_refresh_tokens": True,
    "refresh_for_client_credentials": False,
    "accept_json": False,            # also accept application/json request bodies
    "token_type": "Bearer",
    "clients": [
        {"id": "basic-client", "secret": "basic-secret", "auth_methods": ["client_secret_basic"],
         "grants": ["client_credentials", "password", "refresh_token"], "scopes": ["read", "write"]},
        {"id": "post-client", "secret": "post-secret", "auth_methods": ["client_secret_post"],
         "grants": ["client_credentials", "password", "refresh_token"], "scopes": ["read", "write"]},
        {"id": "public-client", "secret": None, "auth_methods": ["none"],
         "grants": ["password", "refresh_token"], "scopes": ["read", "write"]},
    ],
    "users": {"alice": "wonderland"},
}

MAX_BODY = 1 << 20


class OAuthError(Exception):
    def __init__(self, error, description=None, status=400, headers=None):
        super().__init__(error)
        self.error, self.description, self.status, self.headers = error, description, status, headers or {}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class State:
    """Everything the server knows, behind one lock: config, issued tokens, counters, injections."""

    def __init__(self, config):
        self.lock = threading.Lock()
        self.config = config
        self.access = {}     # jti -> {exp, family, client, sub, scope}
        self.opaque = {}     # opaque access token -> jti
        self.refresh = {}    # refresh token -> {family, client, sub, scope, active}
        self.revoked_families = set()
        self.injections = []
        self.inflight = 0
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"requests": {}, "grants": {}, "errors": {}, "token_requests": 0, "tokens_issued": 0,
                      "refresh_tokens_issued": 0, "rt_reuse": 0, "revocations": 0, "whoami_ok": 0,
                      "whoami_fail": 0, "injected": 0, "concurrent_max": 0}

    def count(self, table, key):
        self.stats[table][key] = self.stats[table].get(key, 0) + 1

    def client(self, client_id):
        return next((c for c in self.config["clients"] if c["id"] == client_id), None)

    def take_injection(self, path):
        for inj in self.injections:
            if inj.get("path", "/token") == path and inj.get("count", 1) > 0:
                inj["count"] = inj.get("count", 1) - 1
                self.stats["injected"] += 1
                return dict(inj)
        return None

    # Token issuing. The caller holds the lock.
    def issue(self, client, sub, scope, family, with_refresh):
        cfg, now = self.config, int(time.time())
        jti = secrets.token_hex(12)
        exp = now + int(cfg["access_ttl"])
        self.access[jti] = {"exp": exp, "family": family, "client": client["id"], "sub": sub, "scope": scope}
        if cfg["opaque"]:
            token = "op_" + secrets.token_urlsafe(24)
            self.opaque[token] = jti
        else:
            claims = {"iss": cfg["issuer"], "sub": sub, "client_id": client["id"], "scope": scope,
                      "iat": now, "exp": exp, "jti": jti}
            token = self.jwt(claims)
        body = {"access_token": token, "token_type": cfg["token_type"], "scope": scope}
        if not cfg["omit_expires_in"]:
            body["expires_in"] = int(cfg["access_ttl"])
        if with_refresh:
            rt = "rt_" + secrets.token_urlsafe(24)
            self.refresh[rt] = {"family": family, "client": client["id"], "sub": sub, "scope": scope,
                                "active": True}
            body["refresh_token"] = rt
            self.stats["refresh_tokens_issued"] += 1
        self.stats["tokens_issued"] += 1
        return body

    def jwt(self, claims):
        head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
        mac = hmac.new(self.config["jwt_key"].encode(), f"{head}.{payload}".encode(), hashlib.sha256)
        return f"{head}.{payload}.{b64url(mac.digest())}"

    def lookup_access(self, token):
        """Returns the record of a currently valid access token, or None."""
        if token in self.opaque:
            jti = self.opaque[token]
        else:
            parts = token.split(".")
            if len(parts) != 3:
                return None
            mac = hmac.new(self.config["jwt_key"].encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256)
            if not hmac.compare_digest(b64url(mac.digest()), parts[2]):
                return None
            try:
                jti = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))["jti"]
            except (ValueError, KeyError):
                return None
        rec = self.access.get(jti)
        if not rec or rec["exp"] <= time.time() or rec["family"] in self.revoked_families:
            return None
        return rec

    def revoke_family(self, family):
        self.revoked_families.add(family)
        for rec in self.refresh.values():
            if rec["family"] == family:
                rec["active"] = False


def parse_form(body):
    """application/x-www-form-urlencoded; a repeated parameter is an error (RFC 6749 3.2)."""
    params = {}
    for key, value in urllib.parse.parse_qsl(body, keep_blank_values=True, strict_parsing=False):
        if key in params:
            raise OAuthError("invalid_request", f"parameter {key} repeated")
        params[key] = value
    return params


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tokenbroker-test-token-server/1"

    @property
    def state(self):
        return self.server.state

    def log_message(self, fmt, *args):
        # Only the request line's method and path, never a query, header or body.
        sys.stderr.write("token-server: %s %s %s\n" % (self.command, self.path.split("?")[0],
                                                         args[1] if len(args) > 1 else ""))

    def send(self, status, body, ctype="application/json;charset=UTF-8", headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Pragma", "no-cache")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise OAuthError("invalid_request", "body too large", 413)
        return self.rfile.read(length).decode("utf-8", "replace")

    def injected(self, path):
        """Applies a pending injection; True when it already answered the request."""
        with self.state.lock:
            inj = self.state.take_injection(path)
        if not inj:
            return False
        kind = inj.get("kind", "status")
        if kind == "delay":
            time.sleep(float(inj.get("seconds", 1)))
            return False
        if kind == "status":
            status = int(inj.get("status", 503))
            headers = {"Retry-After": str(inj["retry_after"])} if "retry_after" in inj else {}
            self.send(status, {"error": "temporarily_unavailable" if status >= 500 else "slow_down"},
                      headers=headers)
        elif kind == "html":
            self.send(200, b"<html><body><h1>Sign in</h1></body></html>", "text/html")
        elif kind == "truncated":
            self.send(200, b'{"access_token":"abc","token_ty')
        elif kind == "huge":
            self.send(200, b'{"access_token":"' + b"A" * (10 << 20) + b'","token_type":"Bearer"}')
        elif kind == "redirect":
            self.send(302, b"", "text/plain", {"Location": path})
        elif kind == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        else:
            return False
        return True

    def do_GET(self):
        path = self.path.split("?")[0]
        with self.state.lock:
            self.state.count("requests", "GET " + path)
        if path == "/_stats":
            with self.state.lock:
                return self.send(200, self.state.stats)
        if path == "/api/whoami":
            return self.whoami()
        self.send(404, {"error": "not_found"})

    def whoami(self):
        if self.injected("/api/whoami"):
            return
        auth = self.headers.get("Authorization", "")
        rec = None
        if auth[:7].lower() == "bearer ":
            with self.state.lock:
                rec = self.state.lookup_access(auth[7:].strip())
        with self.state.lock:
            self.state.stats["whoami_ok" if rec else "whoami_fail"] += 1
        if not rec:
            return self.send(401, {"error": "invalid_token"},
                             headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        self.send(200, {"sub": rec["sub"], "client_id": rec["client"], "scope": rec["scope"], "exp": rec["exp"]})

    def do_POST(self):
        path = self.path.split("?")[0]
        with self.state.lock:
            self.state.count("requests", "POST " + path)
        try:
            body = self.read_body()
            if path == "/_control":
                try:
                    req = json.loads(body or "{}")
                except ValueError:
                    raise OAuthError("invalid_request", "malformed JSON")
                return self.control(req)
            if path not in ("/token", "/revoke"):
                return self.send(404, {"error": "not_found"})
            with self.state.lock:
                self.state.inflight += 1
                self.state.stats["concurrent_max"] = max(self.state.stats["concurrent_max"], self.state.inflight)
            try:
                if self.injected(path):
                    return
                params = self.parse_params(body)
                if path == "/token":
                    self.token(params)
                else:
                    self.revoke(params)
            finally:
                with self.state.lock:
                    self.state.inflight -= 1
        except OAuthError as e:
            with self.state.lock:
                self.state.count("errors", e.error)
            reply = {"error": e.error}
            if e.description:
                reply["error_description"] = e.description
            self.send(e.status, reply, headers=e.headers)

    def parse_params(self, body):
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == "application/x-www-form-urlencoded":
            return parse_form(body)
        if ctype == "application/json" and self.state.config["accept_json"]:
            try:
                return {k: str(v) for k, v in json.loads(body).items()}
            except (ValueError, AttributeError):
                raise OAuthError("invalid_request", "malformed JSON body")
        raise OAuthError("invalid_request", "unsupported content type")

    def authenticate(self, params):
        """RFC 6749 2.3: exactly one client authentication method. Returns the client."""
        auth = self.headers.get("Authorization")
        client_id, secret, method = None, None, None
        if auth:
            scheme, _, value = auth.partition(" ")
            if scheme.lower() != "basic":
                raise self.invalid_client("unsupported authentication scheme")
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode()
            except (ValueError, UnicodeDecodeError):
                raise OAuthError("invalid_request", "malformed Basic credentials")
            if ":" not in decoded:
                raise OAuthError("invalid_request", "malformed Basic credentials")
            raw_id, _, raw_secret = decoded.partition(":")
            # 2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
            client_id, secret = urllib.parse.unquote_plus(raw_id), urllib.parse.unquote_plus(raw_secret)
            method = "client_secret_basic"
            if "client_secret" in params:
                raise OAuthError("invalid_request", "client credentials in both header and body")
            if params.get("client_id", client_id) != client_id:
                raise OAuthError("invalid_request", "client_id differs from the authenticated client")
        elif "client_secret" in params:
            client_id, secret, method = params.get("client_id"), params["client_secret"], "client_secret_post"
        elif "client_id" in params:
            client_id, method = params["client_id"], "none"
        else:
            raise self.invalid_client("no client authentication")
        client = self.state.client(client_id)
        if not client or method not in client["auth_methods"]:
            raise self.invalid_client("client authentication failed")
        if method != "none" and not hmac.compare_digest((client.get("secret") or "").encode(), secret.encode()):
            raise self.invalid_client("client authentication failed")
        return client

    def invalid_client(self, description):
        # RFC 6749 5.2 wants 401 and a challenge at least when the header was used; with
        # invalid_client_status 400 the server answers like IdentityServer does, 400 and no challenge.
        if self.state.config["invalid_client_status"] == 400:
            return OAuthError("invalid_client", description, 400)
        return OAuthError("invalid_client", description, 401, {"WWW-Authenticate": 'Basic realm="token-server"'})

    def scopes(self, client, requested, granted=None):
        allowed = set(granted.split()) if granted is not None else set(client.get("scopes", []))
        if requested is None:
            return " ".join(sorted(allowed)) if granted is None else granted
        want = requested.split()
        bad = [s for s in want if s not in allowed]
        if bad:
            raise OAuthError("invalid_scope", "scope not allowed: " + " ".join(bad))
        return " ".join(dict.fromkeys(want))

    def token(self, params):
        grant = params.get("grant_type")
        with self.state.lock:
            self.state.stats["token_requests"] += 1
            self.state.count("grants", grant or "(none)")
        if not grant:
            raise OAuthError("invalid_request", "grant_type missing")
        client = self.authenticate(params)
        with self.state.lock:
            st = self.state
            if grant not in ("client_credentials", "password", "refresh_token"):
                raise OAuthError("unsupported_grant_type")
            if grant not in client["grants"]:
                raise OAuthError("unauthorized_client", "grant not allowed for this client")
            cfg = st.config
            if grant == "client_credentials":
                if client.get("secret") is None:
                    raise OAuthError("unauthorized_client", "public clients cannot use client_credentials")
                scope = self.scopes(client, params.get("scope"))
                body = st.issue(client, client["id"], scope, secrets.token_hex(8),
                                cfg["refresh_for_client_credentials"] and "refresh_token" in client["grants"])
            elif grant == "password":
                user, password = params.get("username"), params.get("password")
                if user is None or password is None:
                    raise OAuthError("invalid_request", "username and password required")
                known = cfg["users"].get(user)
                if known is None or not hmac.compare_digest(known.encode(), password.encode()):
                    raise OAuthError("invalid_grant", "resource owner credentials are invalid")
                scope = self.scopes(client, params.get("scope"))
                body = st.issue(client, user, scope, secrets.token_hex(8), "refresh_token" in client["grants"])
            else:
                body = self.refresh(client, params)
        self.send(200, body)

    def refresh(self, client, params):
        """Refresh with rotation; a rotated token presented again revokes the grant family (reuse)."""
        st = self.state
        rt = params.get("refresh_token")
        if not rt:
            raise OAuthError("invalid_request", "refresh_token missing")
        rec = st.refresh.get(rt)
        if not rec or rec["client"] != client["id"] or rec["family"] in st.revoked_families:
            raise OAuthError("invalid_grant", "refresh token is invalid")
        if not rec["active"]:
            st.stats["rt_reuse"] += 1
            st.revoke_family(rec["family"])
            raise OAuthError("invalid_grant", "refresh token was already used")
        scope = self.scopes(client, params.get("scope"), rec["scope"])
        rotate = st.config["rotate_refresh_tokens"]
        body = st.issue(client, rec["sub"], scope, rec["family"], rotate)
        if rotate:
            rec["active"] = False
            st.refresh[body["refresh_token"]]["scope"] = rec["scope"]
        return body

    def revoke(self, params):
        client = self.authenticate(params)
        token = params.get("token")
        if not token:
            raise OAuthError("invalid_request", "token missing")
        with self.state.lock:
            st = self.state
            st.stats["revocations"] += 1
            rec = st.refresh.get(token)
            if rec and rec["client"] == client["id"]:
                st.revoke_family(rec["family"])
            else:
                acc = st.lookup_access(token)
                if acc and acc["client"] == client["id"]:
                    acc["exp"] = 0
        # RFC 7009 2.2: unknown and invalid tokens are answered with 200 as well.
        self.send(200, b"", "text/plain")

    def control(self, req):
        with self.state.lock:
            st = self.state
            if req.get("reset"):
                st.injections = []
                st.reset_stats()
            inject = req.get("inject")
            if inject:
                st.injections.extend(inject if isinstance(inject, list) else [inject])
            for key, value in (req.get("config") or {}).items():
                if key not in st.config:
                    raise OAuthError("invalid_request", "unknown config key " + key)
                st.config[key] = value
            if req.get("revoke_all"):
                st.revoked_families.update(r["family"] for r in st.access.values())
                st.revoked_families.update(r["family"] for r in st.refresh.values())
            self.send(200, {"injections": [i for i in st.injections if i.get("count", 1) > 0]})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", help="JSON file merged over the defaults")
    ap.add_argument("--port-file", help="write the bound port here")
    ap.add_argument("--access-ttl", type=int)
    ap.add_argument("--opaque", action="store_true", default=None)
    ap.add_argument("--omit-expires-in", action="store_true", default=None)
    ap.add_argument("--invalid-client-status", type=int, choices=(400, 401))
    ap.add_argument("--no-rotate", dest="rotate_refresh_tokens", action="store_false", default=None)
    args = ap.parse_args()

    config = json.loads(json.dumps(DEFAULT_CONFIG))
    if args.config:
        with open(args.config) as f:
            config.update(json.load(f))
    for key in ("access_ttl", "opaque", "omit_expires_in", "invalid_client_status", "rotate_refresh_tokens"):
        if getattr(args, key) is not None:
            config[key] = getattr(args, key)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    config["issuer"] = f"http://127.0.0.1:{port}"
    server.state = State(config)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.rename(tmp, args.port_file)
    print(port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
