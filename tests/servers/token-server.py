#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A generic OAuth 2.0 token endpoint (RFC 6749) on loopback, for tests only.

    token-server.py [--config FILE] [--port-file FILE] [--access-ttl S] [--opaque] [--omit-expires-in]
                    [--invalid-client-status 401|400] [--no-rotate]

It binds 127.0.0.1 on an ephemeral port and writes the port to --port-file (atomically, so a reader never
sees half a number) and to stdout. Endpoints:

    POST /token         grants client_credentials, password, refresh_token, and RFC 8693 token exchange
                        (urn:ietf:params:oauth:grant-type:token-exchange): subject_token and actor_token must
                        be valid access tokens of this server with the access_token type URN; the new token
                        is the subject's, with "act" naming the actor and "aud" the audience; the last
                        exchange's parameters are in /_stats "exchange"
    POST /revoke        RFC 7009
    GET  /api/whoami    200 for a currently valid Bearer token, 401 otherwise: proves a handed-out token works;
                        ?at=T asks whether it was valid at the Unix time T (when it was handed out)
    GET  /_stats        counters (JSON)
    POST /_control      JSON: {"inject": [...]} failure injection, {"config": {...}} live settings,
                        {"revoke_all": true}, {"release": true} (held requests go on), {"reset": true}
                        (clears injections and counters)

An injection is {"kind": K, "count": N, "path": "/token"} with K one of
    status     answer "status" (500, 502, 503, 429, ...) with an error JSON, "retry_after" S if given
    html       200 with an HTML page          truncated  200 with cut-off JSON
    huge       200 with a 10 MiB body         redirect   302 to the same path
    delay      sleep "seconds" S, then answer normally
    hold       wait for {"release": true} at /_control, then answer normally
    drop       close the connection without answering
Tokens and secrets are never logged. The HTTP plumbing, counters, control and injections are shared with the
provider emulators: see emulator_common.py.
"""

import argparse
import json
import os
import secrets
import sys
import time

sys.dont_write_bytecode = True      # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator_common import App, OAuthError, Reply, new_family, secret_equal, serve  # noqa: E402

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"

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
    "pad_claim": 0,                  # a "pad" claim of that many characters: tokens as large as a test needs
    "access_token_literal": None,    # hand out this string as the access token (a malformed one)
    "expires_in_literal": None,      # send this as expires_in instead of access_ttl (0, negative)
    "clients": [
        {"id": "basic-client", "secret": "basic-secret", "auth_methods": ["client_secret_basic"],
         "grants": ["client_credentials", "password", "refresh_token"], "scopes": ["read", "write"]},
        {"id": "post-client", "secret": "post-secret", "auth_methods": ["client_secret_post"],
         "grants": ["client_credentials", "password", "refresh_token"], "scopes": ["read", "write"]},
        {"id": "public-client", "secret": None, "auth_methods": ["none"],
         "grants": ["password", "refresh_token"], "scopes": ["read", "write"]},
        {"id": "exchange-client", "secret": "exchange-secret", "auth_methods": ["client_secret_basic"],
         "grants": ["client_credentials", TOKEN_EXCHANGE], "scopes": ["read", "write"]},
    ],
    "users": {"alice": "wonderland"},
}

AUTH_METHODS = {"basic": "client_secret_basic", "post": "client_secret_post", "id": "none"}


class TokenServer(App):
    name = "token-server"
    api_counter = "whoami"

    def __init__(self, config, base_url):
        super().__init__(config, base_url)
        self.route("POST", "/token", self.token)
        self.route("POST", "/revoke", self.revoke)
        self.route("GET", "/api/whoami", self.whoami, api=True)

    def client(self, client_id):
        return next((c for c in self.config["clients"] if c["id"] == client_id), None)

    # Token issuing.
    def issue(self, client, sub, scope, family, with_refresh, extra_claims=None):
        cfg, now = self.config, int(time.time())
        exp = now + int(cfg["access_ttl"])
        if cfg["opaque"]:
            token = "op_" + secrets.token_urlsafe(24)
        else:
            claims = {"iss": cfg["issuer"], "sub": sub, "client_id": client["id"], "scope": scope,
                      "iat": now, "exp": exp, "jti": secrets.token_hex(12), **(extra_claims or {})}
            if cfg["pad_claim"]:
                claims["pad"] = "x" * int(cfg["pad_claim"])
            token = self.jwt(claims)
        if cfg["access_token_literal"] is not None:
            token = cfg["access_token_literal"]
        self.remember_access(token, exp, family, client=client["id"], sub=sub, scope=scope)
        body = {"access_token": token, "token_type": cfg["token_type"], "scope": scope}
        if cfg["expires_in_literal"] is not None:
            body["expires_in"] = cfg["expires_in_literal"]
        elif not cfg["omit_expires_in"]:
            body["expires_in"] = int(cfg["access_ttl"])
        if with_refresh:
            body["refresh_token"] = self.new_refresh(family, client["id"], sub, scope)
        return body

    def whoami(self, req):
        try:
            at = float(req.query["at"]) if "at" in req.query else None
        except ValueError:
            return Reply(400, {"error": "invalid_request", "error_description": "at must be a Unix time"})
        rec = self.valid_access(req.bearer(), at)
        if not rec:
            return Reply(401, {"error": "invalid_token"},
                         {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return Reply(200, {"sub": rec["sub"], "client_id": rec["client"], "scope": rec["scope"],
                           "exp": rec["exp"]})

    def parse_params(self, req):
        if req.content_type == "application/x-www-form-urlencoded":
            return req.form()
        if req.content_type == "application/json" and self.config["accept_json"]:
            return {k: str(v) for k, v in req.json_object().items()}
        raise OAuthError("invalid_request", "unsupported content type")

    def authenticate(self, req, params):
        """RFC 6749 2.3: exactly one client authentication method. Returns the client."""
        placement, client_id, secret = req.client_credentials(params)
        if placement == "other":
            raise self.invalid_client("unsupported authentication scheme")
        if placement == "both":
            raise OAuthError("invalid_request", "client credentials in both header and body")
        if placement == "basic" and params.get("client_id", client_id) != client_id:
            raise OAuthError("invalid_request", "client_id differs from the authenticated client")
        if placement == "none":
            raise self.invalid_client("no client authentication")
        method = AUTH_METHODS[placement]
        client = self.client(client_id)
        if not client or method not in client["auth_methods"]:
            raise self.invalid_client("client authentication failed")
        if method != "none" and not secret_equal(client.get("secret") or "", secret):
            raise self.invalid_client("client authentication failed")
        return client

    def invalid_client(self, description):
        # RFC 6749 5.2 wants 401 and a challenge at least when the header was used; with
        # invalid_client_status 400 the server answers like IdentityServer does, 400 and no challenge.
        if self.config["invalid_client_status"] == 400:
            return OAuthError("invalid_client", description, 400)
        return OAuthError("invalid_client", description, 401,
                          {"WWW-Authenticate": 'Basic realm="token-server"'})

    def scopes(self, client, requested, granted=None):
        allowed = set(granted.split()) if granted is not None else set(client.get("scopes", []))
        if requested is None:
            return " ".join(sorted(allowed)) if granted is None else granted
        want = requested.split()
        bad = [s for s in want if s not in allowed]
        if bad:
            raise OAuthError("invalid_scope", "scope not allowed: " + " ".join(bad))
        return " ".join(dict.fromkeys(want))

    def token(self, req):
        params = self.parse_params(req)
        grant = params.get("grant_type")
        self.count_grant(grant)
        if not grant:
            raise OAuthError("invalid_request", "grant_type missing")
        client = self.authenticate(req, params)
        if grant not in ("client_credentials", "password", "refresh_token", TOKEN_EXCHANGE):
            raise OAuthError("unsupported_grant_type")
        if grant not in client["grants"]:
            raise OAuthError("unauthorized_client", "grant not allowed for this client")
        cfg = self.config
        if grant == "client_credentials":
            if client.get("secret") is None:
                raise OAuthError("unauthorized_client", "public clients cannot use client_credentials")
            scope = self.scopes(client, params.get("scope"))
            body = self.issue(client, client["id"], scope, new_family(),
                              cfg["refresh_for_client_credentials"] and "refresh_token" in client["grants"])
        elif grant == "password":
            user, password = params.get("username"), params.get("password")
            if user is None or password is None:
                raise OAuthError("invalid_request", "username and password required")
            if not secret_equal(cfg["users"].get(user), password):
                raise OAuthError("invalid_grant", "resource owner credentials are invalid")
            scope = self.scopes(client, params.get("scope"))
            body = self.issue(client, user, scope, new_family(), "refresh_token" in client["grants"])
        elif grant == TOKEN_EXCHANGE:
            body = self.exchange_grant(client, params)
        else:
            body = self.refresh_grant(client, params)
        return Reply(200, body)

    def exchanged(self, params, kind, required):
        """The record of the subject or actor token, checked as RFC 8693 section 2.1 asks."""
        token, token_type = params.get(kind + "_token"), params.get(kind + "_token_type")
        if token is None and not required:
            return None
        if not token or token_type != ACCESS_TOKEN_TYPE:
            raise OAuthError("invalid_request", f"{kind}_token and an access_token {kind}_token_type required")
        rec = self.valid_access(token)
        if not rec:
            raise OAuthError("invalid_grant", f"{kind}_token is not a valid token")
        return rec

    def exchange_grant(self, client, params):
        subject = self.exchanged(params, "subject", True)
        actor = self.exchanged(params, "actor", False)
        extra = {"act": {"sub": actor["sub"]}} if actor else {}
        if params.get("audience"):
            extra["aud"] = params["audience"]
        self.stats["exchange"] = {"subject": subject["sub"], "actor": actor["sub"] if actor else None,
                                  "audience": params.get("audience"), "resource": params.get("resource")}
        body = self.issue(client, subject["sub"], self.scopes(client, params.get("scope")), new_family(), False,
                          extra)
        body["issued_token_type"] = ACCESS_TOKEN_TYPE
        return body

    def refresh_grant(self, client, params):
        """Refresh with rotation; a rotated token presented again revokes the grant family (reuse)."""
        rt = params.get("refresh_token")
        if not rt:
            raise OAuthError("invalid_request", "refresh_token missing")
        rec, problem = self.refresh_record(rt, client["id"])
        if problem == "reused":
            self.revoke_family(rec["family"])
            raise OAuthError("invalid_grant", "refresh token was already used")
        if problem:
            raise OAuthError("invalid_grant", "refresh token is invalid")
        scope = self.scopes(client, params.get("scope"), rec["scope"])
        rotate = self.config["rotate_refresh_tokens"]
        body = self.issue(client, rec["sub"], scope, rec["family"], rotate)
        if rotate:
            rec["state"] = "retired"
            self.refresh[body["refresh_token"]]["scope"] = rec["scope"]
        return body

    def revoke(self, req):
        params = self.parse_params(req)
        client = self.authenticate(req, params)
        self.revoke_token(params.get("token"), client["id"])
        # RFC 7009 2.2: unknown and invalid tokens are answered with 200 as well.
        return Reply(200, b"", ctype="text/plain")


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

    def make_app(port):
        config["issuer"] = f"http://127.0.0.1:{port}"
        return TokenServer(config, config["issuer"])

    serve(make_app, args.port_file)


if __name__ == "__main__":
    main()
