# SPDX-License-Identifier: LGPL-2.1-or-later
"""flaikConnect (providers.md section 1): IdentityServer-style client_credentials with HTTP Basic.

Endpoints:
    POST /connect/token                  form body, grant_type=client_credentials, scope=...; client
                                         credentials in "Authorization: Basic" (in the body only with
                                         allow_client_secret_post); 200 {access_token, token_type:"Bearer",
                                         expires_in, scope}, no refresh token. A missing scope grants every
                                         scope assigned to the client (IdentityServer).
    GET  /connect/token                  400 {"error":"invalid_request"} (IdentityServer: POST only)
    GET  /health                         Bearer: the health JSON of providers.md
    GET  /api/globalsettings/resort      Bearer: the resort JSON (shape unconfirmed; config "resort")
    GET  /.well-known/openid-configuration   only with discovery=true (unconfirmed that it exists)
API routes answer 401 with an empty body and "WWW-Authenticate: Bearer" to a missing, unknown or expired
token, and ignore a Content-Type (and empty body) sent with the GET.

Errors: invalid_client {"error","error_description":"Client authentication failed"} with status
invalid_client_status; every other error (invalid_request, invalid_scope, unsupported_grant_type) is 400,
as IdentityServer hard-codes.

Config keys: access_ttl (600), jwt_key, invalid_client_status (400 | 401) [unconfirmed],
allow_client_secret_post (false) [unconfirmed], discovery (false) [unconfirmed], clients, health, resort.

Test clients (id / secret / assigned scopes):
    flaik-client    flaik-secret      flaik.connect.api.read flaik.connect.api.write
    flaik-reader    flaik-reader-secret   flaik.connect.api.read
"""

import secrets
import time

from emulator_common import App, OAuthError, Reply, new_family, secret_equal

DEFAULT_CONFIG = {
    "access_ttl": 600,
    "jwt_key": "flaik-test-key",
    "invalid_client_status": 400,
    "allow_client_secret_post": False,
    "discovery": False,
    "clients": [
        {"id": "flaik-client", "secret": "flaik-secret",
         "scopes": ["flaik.connect.api.read", "flaik.connect.api.write"]},
        {"id": "flaik-reader", "secret": "flaik-reader-secret", "scopes": ["flaik.connect.api.read"]},
    ],
    "health": {"id": 1, "accountName": "your_account", "region": "us-west-2", "environment": "staging",
               "appName": "Connect"},
    "resort": {"resortName": "Test Mountain", "timeZone": "America/Denver", "currency": "USD"},
}

TOKEN_PATH = "/connect/token"


class Emulator(App):
    name = "flaik"
    token_path = TOKEN_PATH

    def __init__(self, config, base_url):
        super().__init__(config, base_url)
        self.route("POST", TOKEN_PATH, self.token)
        self.route("GET", TOKEN_PATH, self.not_post)
        self.route("GET", "/health", lambda req: self.api(req, "health"), api=True)
        self.route("GET", "/api/globalsettings/resort", lambda req: self.api(req, "resort"), api=True)
        self.route("GET", "/.well-known/openid-configuration", self.discovery)

    def invalid_client(self):
        return OAuthError("invalid_client", "Client authentication failed",
                          self.config["invalid_client_status"])

    def not_post(self, req):
        raise OAuthError("invalid_request")

    def authenticate(self, req, params):
        """Basic, or client_secret_post when allowed; anything else, or a wrong secret, is invalid_client."""
        placement, client_id, secret = req.client_credentials(params)
        allowed = ("basic", "post") if self.config["allow_client_secret_post"] else ("basic",)
        client = next((c for c in self.config["clients"] if c["id"] == client_id), None)
        if placement not in allowed or not client or not secret_equal(client["secret"], secret):
            raise self.invalid_client()
        return client

    def token(self, req):
        if req.content_type != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request")
        params = req.form()
        grant = params.get("grant_type")
        self.count_grant(grant)
        client = self.authenticate(req, params)
        if grant != "client_credentials":
            raise OAuthError("unsupported_grant_type")
        scopes = (params.get("scope") or "").split() or client["scopes"]
        if any(s not in client["scopes"] for s in scopes):
            raise OAuthError("invalid_scope")
        scope = " ".join(dict.fromkeys(scopes))
        now, ttl = int(time.time()), int(self.config["access_ttl"])
        claims = {"iss": self.base_url, "nbf": now, "iat": now, "exp": now + ttl, "aud": "flaik.connect.api",
                  "scope": scope.split(), "client_id": client["id"], "jti": secrets.token_hex(16)}
        token = self.jwt(claims)
        self.remember_access(token, now + ttl, new_family(), client=client["id"], scope=scope)
        return Reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": scope})

    def api(self, req, what):
        # ASP.NET JwtBearer's challenge: 401, no body, a bare "Bearer" scheme.
        if not self.valid_access(req.bearer()):
            return Reply(401, b"", {"WWW-Authenticate": "Bearer"})
        return Reply(200, self.config[what], ctype="application/json; charset=utf-8")

    def discovery(self, req):
        if not self.config["discovery"]:
            return Reply(404, b"")
        return Reply(200, {"issuer": self.base_url, "token_endpoint": self.base_url + TOKEN_PATH,
                           "grant_types_supported": ["client_credentials"],
                           "token_endpoint_auth_methods_supported": ["client_secret_basic"]
                           + (["client_secret_post"] if self.config["allow_client_secret_post"] else []),
                           "scopes_supported": ["flaik.connect.api.read", "flaik.connect.api.write"]})
