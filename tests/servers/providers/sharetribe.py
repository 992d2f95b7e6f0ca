# SPDX-License-Identifier: LGPL-2.1-or-later
"""Sharetribe Flex Authentication API (providers.md section 5): one form-only token endpoint for every grant.

Endpoints:
    POST /v1/auth/token     form only; success {access_token, token_type:"bearer", expires_in, scope[,
                            refresh_token]}. grant_type:
        client_credentials  no client_secret: a marketplace client with scope=public-read, no refresh
                            token; with client_secret: an integration client, scope integ (or none), a
                            refresh token
        password            marketplace client_id, username, password, scope user (or none): scope user
                            and a refresh token; a client_secret is not expected (counted, not refused)
        token_exchange      the literal name; client_id, client_secret and subject_token (a valid user
                            token of the same client); scope trusted:user or none: scope trusted:user and
                            (trusted_refresh_token) a refresh token
        refresh_token       refresh_token and client_id (optional with refresh_without_client_id); no
                            secret needed, one sent is counted in unexpected.client_secret. Rotation
                            (rotate_refresh_tokens): a new refresh token and the old one dead (presenting it
                            again counts in rt_reuse); without it the same one comes back
        authorization_code  client_id, code, redirect_uri, code_verifier of a code in login_as_codes
                            (single-use): scope user:limited and a refresh token
                            Every failure is 401: {"error": "invalid_client" | "invalid_grant" |
                            "invalid_scope" | "invalid_request" | "unsupported_grant_type"} with error_body
                            "json", the text "Unauthorized" with error_body "text".
    POST /v1/auth/revoke    Authorization: Bearer (a valid access token, else 401) and form token=<refresh
                            token of the same client>: 200 revoke_reply, and the refresh token is dead
    GET  /v1/api/marketplace/show              Bearer of a marketplace token (public-read, user, ...)
    GET  /v1/integration_api/marketplace/show  Bearer of an integ token
                            200 {"data": {...}}; otherwise 401 {"errors": [{"status", "code", "meta"}]}

Config keys: access_ttl (86400) [unconfirmed], jwt_key, rotate_refresh_tokens (true) [unconfirmed],
refresh_without_client_id (true), error_body ("json" | "text") [unconfirmed], trusted_refresh_token (true)
[unconfirmed], revoke_reply ({"action": "revoked"}; the TS SDK expects {"revoked": true}) [unconfirmed],
clients, users, login_as_codes.

Test credentials: marketplace client sharetribe-client (secret sharetribe-secret, for token_exchange);
integration client sharetribe-integ / sharetribe-integ-secret; user alice@example.com / wonderland;
login-as code loginas-code for sharetribe-client, redirect_uri http://127.0.0.1/login-as, code_verifier
loginas-verifier.
"""

import secrets
import time

from emulator_common import App, HttpError, Reply, new_family, secret_equal

DEFAULT_CONFIG = {
    "access_ttl": 86400,
    "jwt_key": "sharetribe-test-key",
    "rotate_refresh_tokens": True,
    "refresh_without_client_id": True,
    "error_body": "json",
    "trusted_refresh_token": True,
    "revoke_reply": {"action": "revoked"},
    "clients": [
        {"id": "sharetribe-client", "secret": "sharetribe-secret", "kind": "marketplace"},
        {"id": "sharetribe-integ", "secret": "sharetribe-integ-secret", "kind": "integration"},
    ],
    "users": {"alice@example.com": "wonderland"},
    "login_as_codes": {"loginas-code": {"client": "sharetribe-client", "user": "alice@example.com",
                                        "redirect_uri": "http://127.0.0.1/login-as",
                                        "code_verifier": "loginas-verifier"}},
}

TOKEN_PATH = "/v1/auth/token"
MARKETPLACE_SCOPES = ("public-read", "user", "trusted:user", "user:limited")


class Emulator(App):
    name = "sharetribe"
    token_path = TOKEN_PATH

    def __init__(self, config, base_url):
        super().__init__(config, base_url)
        self.used_codes = set()
        self.route("POST", TOKEN_PATH, self.token)
        self.route("POST", "/v1/auth/revoke", self.revoke)
        self.route("GET", "/v1/api/marketplace/show", lambda req: self.show(req, MARKETPLACE_SCOPES),
                   api=True)
        self.route("GET", "/v1/integration_api/marketplace/show", lambda req: self.show(req, ("integ",)),
                   api=True)

    def fail(self, error):
        """The SDKs look at the status only; the body is switchable as it is unconfirmed."""
        if self.config["error_body"] == "text":
            return HttpError(401, "Unauthorized", label=error)
        return HttpError(401, {"error": error}, label=error)

    def bad_request(self, message):
        return self.fail("invalid_request")

    def client(self, client_id, kind=None):
        client = next((c for c in self.config["clients"] if c["id"] == client_id), None)
        if not client or (kind and client["kind"] != kind):
            raise self.fail("invalid_client")
        return client

    def form(self, req):
        if req.content_type != "application/x-www-form-urlencoded":
            raise self.fail("invalid_request")
        return req.form()

    def token(self, req):
        params = self.form(req)
        grant = params.get("grant_type")
        self.count_grant(grant)
        grants = {"client_credentials": self.client_credentials, "password": self.password,
                  "token_exchange": self.token_exchange, "refresh_token": self.refresh_grant,
                  "authorization_code": self.authorization_code}
        if grant not in grants:
            raise self.fail("unsupported_grant_type")
        return Reply(200, grants[grant](params))

    def want_scope(self, params, scope):
        if params.get("scope") not in (None, scope):
            raise self.fail("invalid_scope")

    def client_credentials(self, params):
        if "client_secret" not in params:
            client = self.client(params.get("client_id"), "marketplace")
            if params.get("scope") != "public-read":
                raise self.fail("invalid_scope")
            return self.issue(client, None, "public-read", new_family(), with_refresh=False)
        client = self.client(params.get("client_id"), "integration")
        if not secret_equal(client["secret"], params["client_secret"]):
            raise self.fail("invalid_client")
        self.want_scope(params, "integ")
        return self.issue(client, client["id"], "integ", new_family())

    def password(self, params):
        client = self.client(params.get("client_id"), "marketplace")
        if "client_secret" in params:
            self.count("unexpected", "client_secret")
        self.want_scope(params, "user")
        user = params.get("username")
        if not secret_equal(self.config["users"].get(user or ""), params.get("password")):
            raise self.fail("invalid_grant")
        return self.issue(client, user, "user", new_family())

    def token_exchange(self, params):
        client = self.client(params.get("client_id"), "marketplace")
        if not secret_equal(client["secret"], params.get("client_secret")):
            raise self.fail("invalid_client")
        subject = self.valid_access(params.get("subject_token"))
        if not subject or subject["scope"] != "user" or subject["client"] != client["id"]:
            raise self.fail("invalid_grant")
        self.want_scope(params, "trusted:user")
        return self.issue(client, subject["sub"], "trusted:user", new_family(),
                          with_refresh=self.config["trusted_refresh_token"])

    def refresh_grant(self, params):
        client_id = params.get("client_id")
        if client_id is None and not self.config["refresh_without_client_id"]:
            raise self.fail("invalid_client")
        if "client_secret" in params:
            self.count("unexpected", "client_secret")
        rec, problem = self.refresh_record(params.get("refresh_token"), client_id)
        if problem:
            raise self.fail("invalid_grant")
        client = self.client(rec["client"])
        if not self.config["rotate_refresh_tokens"]:
            return self.issue(client, rec["sub"], rec["scope"], rec["family"],
                              same_refresh=params["refresh_token"])
        rec["state"] = "retired"
        return self.issue(client, rec["sub"], rec["scope"], rec["family"])

    def authorization_code(self, params):
        client = self.client(params.get("client_id"), "marketplace")
        code = params.get("code") or ""
        rec = self.config["login_as_codes"].get(code)
        if (not rec or code in self.used_codes or rec["client"] != client["id"]
                or rec["redirect_uri"] != params.get("redirect_uri")
                or not secret_equal(rec["code_verifier"], params.get("code_verifier"))):
            raise self.fail("invalid_grant")
        self.used_codes.add(code)
        return self.issue(client, rec["user"], "user:limited", new_family())

    def issue(self, client, sub, scope, family, with_refresh=True, same_refresh=None):
        now, ttl = int(time.time()), int(self.config["access_ttl"])
        token = self.jwt({"client_id": client["id"], "sub": sub, "scope": scope, "iat": now,
                          "exp": now + ttl, "jti": secrets.token_hex(12)})
        self.remember_access(token, now + ttl, family, client=client["id"], sub=sub, scope=scope)
        body = {"access_token": token, "token_type": "bearer", "expires_in": ttl, "scope": scope}
        if same_refresh or with_refresh:
            body["refresh_token"] = same_refresh or self.new_refresh(family, client["id"], sub, scope)
        return body

    def revoke(self, req):
        caller = self.valid_access(req.bearer())
        if not caller:
            raise self.fail("invalid_token")
        token = self.form(req).get("token")
        if not token:
            raise self.fail("invalid_request")
        self.stats["revocations"] += 1
        rec = self.refresh.get(token)
        if rec and rec["client"] == caller["client"]:
            rec["state"] = "revoked"
        return Reply(200, self.config["revoke_reply"])

    def show(self, req, scopes):
        rec = self.valid_access(req.bearer())
        if not rec or rec["scope"] not in scopes:
            return Reply(401, {"errors": [{"status": 401, "code": "auth-invalid-access-token", "meta": {}}]})
        return Reply(200, {"data": {"id": "5c3b5e1e-0000-4000-8000-00000000cafe", "type": "marketplace",
                                    "attributes": {"name": "Tokenbroker Test Marketplace"}}})
