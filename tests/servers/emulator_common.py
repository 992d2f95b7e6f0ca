# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the loopback test servers share: token-server.py and the provider emulators (provider-server.py).

A server is an App: its config (changed live through /_control or --set), its routes, its counters, its
failure injections and the tokens it issued. serve() binds 127.0.0.1 on an ephemeral port, writes the port
to the port file (atomically, so a reader never sees half a number) and to stdout, and answers with one
Handler class for every App:

    GET  /_stats        the counters (JSON)
    POST /_control      JSON: {"inject": [...]} failure injection, {"config": {...}} live settings,
                        {"revoke_all": true} (every issued token dies), {"reset": true} (clears injections
                        and counters)
    anything else       the App's routes; 404 {"error": "not_found"} when none matches

Counters every App keeps: requests ("METHOD /path"), grants (per grant_type), errors (per error label),
token_requests, tokens_issued, refresh_tokens_issued, rt_reuse (a rotated-away refresh token presented
again), revocations, <api>_ok / <api>_fail (answers of the App's resource routes), injected,
concurrent_max (POST requests in flight at once), held (requests a "hold" injection holds now).

An injection is {"kind": K, "count": N, "path": P} (P defaults to the App's token endpoint) with K one of
    status     answer "status" (500, 502, 503, 429, ...) with an error JSON, "retry_after" S if given
    html       200 with an HTML page          truncated  200 with cut-off JSON
    huge       200 with a 10 MiB body         redirect   302 to the same path
    delay      sleep "seconds" S, then answer normally
    hold       wait until {"release": true} is posted to /_control (at most "seconds" S, default 300), then
               answer normally: a test acts while the request is at the server, without guessing a time
    drop       close the connection without answering

Logs carry the method, the path without its query and the status only: never a header, query or body, so
never a token or secret.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20


class HttpError(Exception):
    """An answer that ends a request early; label is what the "errors" counter files it under."""

    def __init__(self, status, body=b"", headers=None, ctype=None, label=None):
        super().__init__(label or status)
        self.reply = Reply(status, body, headers, ctype)
        self.label = label


class OAuthError(HttpError):
    """RFC 6749 5.2: {"error", "error_description"}."""

    def __init__(self, error, description=None, status=400, headers=None):
        body = {"error": error}
        if description:
            body["error_description"] = description
        super().__init__(status, body, headers, label=error)
        self.error = error


class BadRequest(ValueError):
    """A request the parsing helpers refuse; App.bad_request() turns it into the service's own error."""


class Reply:
    """A dict or list body is sent as JSON; bytes as they are, with no Content-Type unless one is given."""

    def __init__(self, status, body=b"", headers=None, ctype=None):
        self.status, self.body, self.headers = status, body, headers or {}
        if isinstance(body, str):
            self.body, ctype = body.encode(), ctype or "text/plain;charset=UTF-8"
        elif not isinstance(body, bytes):
            self.body, ctype = json.dumps(body).encode(), ctype or "application/json;charset=UTF-8"
        self.ctype = ctype


# ---------------------------------------------------------------------------------------------------------
# Encodings

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_encode(key, claims):
    """An HS256 JWT; claims keep their order, as some services' payloads are checked field by field."""
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(key.encode(), f"{head}.{payload}".encode(), hashlib.sha256)
    return f"{head}.{payload}.{b64url(mac.digest())}"


def jwt_verify(key, token):
    """The claims of an HS256 JWT signed with key, or None. Expiry is the caller's business."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    mac = hmac.new(key.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256)
    if not hmac.compare_digest(b64url(mac.digest()), parts[2]):
        return None
    try:
        claims = json.loads(b64url_decode(parts[1]))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def secret_equal(expected, given):
    """Constant-time comparison; a missing side never matches."""
    if expected is None or given is None:
        return False
    return hmac.compare_digest(str(expected).encode(), str(given).encode())


def parse_form(body):
    """application/x-www-form-urlencoded; a repeated parameter is an error (RFC 6749 3.2)."""
    params = {}
    for key, value in urllib.parse.parse_qsl(body, keep_blank_values=True, strict_parsing=False):
        if key in params:
            raise BadRequest(f"parameter {key} repeated")
        params[key] = value
    return params


def parse_json_value(text):
    """--set and similar: a value is JSON when it parses as JSON, else the string itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def add_query(url, params):
    """url with params appended to whatever query it already has (a redirect_uri may carry one)."""
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)


# ---------------------------------------------------------------------------------------------------------
# Requests

class Request:
    """What a route sees: method, path, query (first value of each name), headers, body text, path match."""

    def __init__(self, method, path, query, headers, body, match):
        self.method, self.path, self.headers, self.body, self.match = method, path, headers, body, match
        self.query = {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}

    @property
    def content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def form(self):
        return parse_form(self.body)

    def json_object(self):
        try:
            value = json.loads(self.body)
        except ValueError:
            raise BadRequest("malformed JSON body") from None
        if not isinstance(value, dict):
            raise BadRequest("malformed JSON body")
        return value

    def bearer(self):
        """The token of "Authorization: Bearer ..." (scheme case-insensitive), or None."""
        auth = self.headers.get("Authorization", "")
        return auth[7:].strip() or None if auth[:7].lower() == "bearer " else None

    def client_credentials(self, params):
        """Where the client put its credentials: (placement, client_id, secret) with placement one of
        "basic", "post", "both" (Basic header and client_secret in the body), "id" (a client_id only),
        "none", or "other" (an Authorization header of another scheme). With a Basic header the id and
        secret are the header's."""
        auth = self.headers.get("Authorization")
        if auth:
            scheme, _, value = auth.partition(" ")
            if scheme.lower() != "basic":
                return "other", None, None
            client_id, secret = decode_basic(value)
            return ("both" if "client_secret" in params else "basic"), client_id, secret
        if "client_secret" in params:
            return "post", params.get("client_id"), params["client_secret"]
        if "client_id" in params:
            return "id", params["client_id"], None
        return "none", None, None


def decode_basic(value):
    """RFC 6749 2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded."""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("malformed Basic credentials") from None
    if ":" not in decoded:
        raise BadRequest("malformed Basic credentials")
    raw_id, _, raw_secret = decoded.partition(":")
    return urllib.parse.unquote_plus(raw_id), urllib.parse.unquote_plus(raw_secret)


class Route:
    def __init__(self, method, pattern, fn, api):
        self.method, self.pattern, self.fn, self.api = method, re.compile(pattern), fn, api


# ---------------------------------------------------------------------------------------------------------
# The App: config, counters, injections, tokens. Routes run with self.lock held.

class App:
    name = "emulator"              # log prefix
    api_counter = "api"            # <api>_ok / <api>_fail
    token_path = "/token"          # where an injection without "path" applies

    def __init__(self, config, base_url):
        self.lock = threading.Lock()
        self.config, self.base_url = config, base_url
        self.routes, self.injections, self.inflight = [], [], 0
        self.access = {}            # access token -> {exp, family, client, sub, scope, ...}
        self.refresh = {}           # refresh token -> {family, client, sub, scope, state}
        self.revoked_families = set()
        self.held = []              # a threading.Event per request a "hold" injection holds
        self.reset_stats()

    def route(self, method, pattern, fn, api=False):
        self.routes.append(Route(method, pattern, fn, api))

    def find_route(self, method, path):
        for route in self.routes:
            match = route.pattern.fullmatch(path)
            if match and route.method == method:
                return route, match
        raise HttpError(404, {"error": "not_found"})

    def bad_request(self, message):
        """The service's answer to a request the parsing helpers refused."""
        return OAuthError("invalid_request", message)

    def before(self, req):
        """Runs before every route (a rate limit, say); raises HttpError to answer instead."""

    # Counters
    def reset_stats(self):
        self.stats = {"requests": {}, "grants": {}, "errors": {}, "token_requests": 0, "tokens_issued": 0,
                      "refresh_tokens_issued": 0, "rt_reuse": 0, "revocations": 0,
                      self.api_counter + "_ok": 0, self.api_counter + "_fail": 0, "injected": 0,
                      "concurrent_max": 0, "held": 0}

    def count(self, table, key):
        """One more in stats[table][key]; a table a service adds on its own appears when first used."""
        counts = self.stats.setdefault(table, {})
        counts[key] = counts.get(key, 0) + 1

    def count_grant(self, grant):
        self.stats["token_requests"] += 1
        self.count("grants", grant or "(none)")

    # Config and control
    def set_config(self, changes):
        for key, value in changes.items():
            if key not in self.config:
                raise OAuthError("invalid_request", "unknown config key " + key)
            self.config[key] = value

    def take_injection(self, path):
        for inj in self.injections:
            if inj.get("path", self.token_path) == path and inj.get("count", 1) > 0:
                inj["count"] = inj.get("count", 1) - 1
                self.stats["injected"] += 1
                return dict(inj)
        return None

    def control(self, req):
        if req.get("reset"):
            self.injections = []
            held = self.stats["held"]
            self.reset_stats()
            self.stats["held"] = held   # what a "hold" holds now is still held, and counts itself out
        inject = req.get("inject")
        if inject:
            self.injections.extend(inject if isinstance(inject, list) else [inject])
        self.set_config(req.get("config") or {})
        if req.get("release"):
            for held in self.held:
                held.set()
            self.held = []
        if req.get("revoke_all"):
            self.revoked_families.update(r["family"] for r in self.access.values())
            self.revoked_families.update(r["family"] for r in self.refresh.values())
        return Reply(200, {"injections": [i for i in self.injections if i.get("count", 1) > 0]})

    # Tokens
    def jwt(self, claims):
        return jwt_encode(self.config["jwt_key"], claims)

    def remember_access(self, token, exp, family, **info):
        self.access[token] = dict(info, exp=exp, family=family)
        self.stats["tokens_issued"] += 1

    def valid_access(self, token, at=None):
        """The record of an access token valid now (or at the Unix time `at`), or None. A test asks about a
        past instant to learn whether a token was valid when it was handed out, whatever the machine's load
        made of the time since."""
        rec = self.access.get(token) if token else None
        if not rec or rec["exp"] <= (time.time() if at is None else at) or rec["family"] in self.revoked_families:
            return None
        return rec

    def new_refresh(self, family, client, sub, scope, token=None, **info):
        rt = token or "rt_" + secrets.token_urlsafe(24)
        self.refresh[rt] = dict(info, family=family, client=client, sub=sub, scope=scope, state="active")
        self.stats["refresh_tokens_issued"] += 1
        return rt

    def refresh_record(self, rt, client_id=None):
        """(record, problem): problem None for a usable refresh token, "reused" for one rotated away
        (counted in rt_reuse), "invalid" otherwise (unknown, revoked, another client's)."""
        rec = self.refresh.get(rt) if rt else None
        if (not rec or rec["state"] == "revoked" or rec["family"] in self.revoked_families
                or (client_id is not None and rec["client"] != client_id)):
            return rec, "invalid"
        if rec["state"] == "retired":
            self.stats["rt_reuse"] += 1
            return rec, "reused"
        return rec, None

    def revoke_token(self, token, client_id, missing="token missing"):
        """RFC 7009 for the client client_id: a refresh token takes its whole grant with it, an access token
        dies alone; another client's token and an unknown one are left as they are (and still answered 200).
        No token at all is invalid_request, with the service's own description "missing"."""
        if not token:
            raise OAuthError("invalid_request", missing)
        self.stats["revocations"] += 1
        rec = self.refresh.get(token)
        if rec and rec["client"] == client_id:
            self.revoke_family(rec["family"])
            return
        acc = self.valid_access(token)
        if acc and acc["client"] == client_id:
            acc["exp"] = 0

    def revoke_family(self, family):
        self.revoked_families.add(family)
        for rec in self.refresh.values():
            if rec["family"] == family:
                rec["state"] = "revoked"


def new_family():
    return secrets.token_hex(8)


# ---------------------------------------------------------------------------------------------------------
# HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: on a kept-alive connection Nagle's algorithm and the client's
    # delayed ACK would hold the body back for about 40 ms, a cost of this server that no client has.
    disable_nagle_algorithm = True

    @property
    def app(self):
        return self.server.app

    def version_string(self):
        return f"tokenbroker-test-{self.app.name}/1 {self.sys_version}"

    def log_request(self, code="-", size="-"):
        path = getattr(self, "path", "").split("?")[0]
        status = getattr(code, "value", code)
        sys.stderr.write("%s: %s %s %s\n" % (self.app.name, self.command, path, status))

    def log_message(self, fmt, *args):
        # Only log_error() gets here; its text may quote the request line (a query), so the code only.
        sys.stderr.write("%s: error %s\n" % (self.app.name, args[0] if args else ""))

    def send(self, reply):
        self.send_response(reply.status)
        if reply.ctype:
            self.send_header("Content-Type", reply.ctype)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Pragma", "no-cache")
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(reply.body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise OAuthError("invalid_request", "body too large", 413)
        return self.rfile.read(length).decode("utf-8", "replace")

    def do_GET(self):
        app = self.app
        path, _, query = self.path.partition("?")
        with app.lock:
            app.count("requests", f"{self.command} {path}")
        try:
            body = self.read_body()
            if (self.command, path) == ("GET", "/_stats"):
                with app.lock:
                    reply = Reply(200, app.stats)
            elif (self.command, path) == ("POST", "/_control"):
                reply = self.control(body)
            else:
                reply = self.dispatch(path, query, body)
        except HttpError as e:
            if e.label:
                with app.lock:
                    app.count("errors", e.label)
            reply = e.reply
        if reply:
            self.send(reply)

    do_POST = do_GET

    def control(self, body):
        try:
            req = json.loads(body or "{}")
        except ValueError:
            raise OAuthError("invalid_request", "malformed JSON") from None
        with self.app.lock:
            return self.app.control(req)

    def dispatch(self, path, query, body):
        """The App's route; None when an injection already answered."""
        app = self.app
        route, match = app.find_route(self.command, path)
        req = Request(self.command, path, query, self.headers, body, match)
        counted = self.command == "POST"     # concurrency of the token side: token, revoke, code requests
        if counted:
            with app.lock:
                app.inflight += 1
                app.stats["concurrent_max"] = max(app.stats["concurrent_max"], app.inflight)
        try:
            if self.injected(path):
                return None
            with app.lock:
                reply = self.run(route, req)
                if route.api:
                    app.stats[app.api_counter + ("_ok" if reply.status < 400 else "_fail")] += 1
            return reply
        finally:
            if counted:
                with app.lock:
                    app.inflight -= 1

    def run(self, route, req):
        """The route's reply; its errors become replies here so that API answers are counted alike."""
        try:
            try:
                self.app.before(req)
                return route.fn(req)
            except BadRequest as e:
                raise self.app.bad_request(str(e)) from None
        except HttpError as e:
            if e.label:
                self.app.count("errors", e.label)
            return e.reply

    def injected(self, path):
        """Applies a pending injection; True when it already answered the request."""
        with self.app.lock:
            inj = self.app.take_injection(path)
        if not inj:
            return False
        kind = inj.get("kind", "status")
        if kind == "delay":
            time.sleep(float(inj.get("seconds", 1)))
            return False
        if kind == "hold":
            released = threading.Event()
            with self.app.lock:
                self.app.held.append(released)
                self.app.stats["held"] += 1
            released.wait(float(inj.get("seconds", 300)))
            with self.app.lock:
                self.app.stats["held"] -= 1
            return False
        if kind == "status":
            status = int(inj.get("status", 503))
            headers = {"Retry-After": str(inj["retry_after"])} if "retry_after" in inj else {}
            self.send(Reply(status, {"error": "temporarily_unavailable" if status >= 500 else "slow_down"},
                            headers))
        elif kind == "html":
            self.send(Reply(200, b"<html><body><h1>Sign in</h1></body></html>", ctype="text/html"))
        elif kind == "truncated":
            self.send(Reply(200, b'{"access_token":"abc","token_ty', ctype="application/json;charset=UTF-8"))
        elif kind == "huge":
            self.send(Reply(200, b'{"access_token":"' + b"A" * (10 << 20) + b'","token_type":"Bearer"}',
                            ctype="application/json;charset=UTF-8"))
        elif kind == "redirect":
            self.send(Reply(302, b"", {"Location": path}, "text/plain"))
        elif kind == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        else:
            return False
        return True


def write_port_file(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.rename(tmp, path)


def announce_and_serve(server, port_file=None):
    """Writes the bound port to port_file (atomically) and to stdout, then serves until killed."""
    port = server.server_address[1]
    if port_file:
        write_port_file(port_file, port)
    print(port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def token_accepted(whoami_url, token):
    """Whether the token server's /api/whoami at whoami_url takes this access token (asked each time)."""
    req = urllib.request.Request(whoami_url, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def serve_https(handler, cert, key, port_file=None, **attrs):
    """The resource servers' loop (kube-api-server.py, registry-server.py): a ThreadingHTTPServer of `handler`
    on 127.0.0.1:0 over TLS with cert and key, `attrs` set on the server with a lock, announced as serve()
    does, served until killed."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    server.lock = threading.Lock()
    for name, value in attrs.items():
        setattr(server, name, value)
    announce_and_serve(server, port_file)


def serve(make_app, port_file=None):
    """Binds 127.0.0.1:0, builds the App with make_app(port), announces the port and serves until killed."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.app = make_app(server.server_address[1])
    announce_and_serve(server, port_file)
