# SPDX-License-Identifier: LGPL-2.1-or-later
"""Flixcheck (providers.md section 3): authorization_code with camelCase names and a JSON token endpoint.

Endpoints:
    GET  /portal/oauth/authorize?clientId=&redirectUri=&response_type=code&scope=&state=
            an HTML consent page: a form that POSTs the same parameters back as hidden fields, with two
            submit buttons name="decision", value="allow" and value="deny". Parameters that are missing or
            wrong, and snake_case client_id/redirect_uri (unless accept_snake_case), get a 400 HTML page.
    POST /portal/oauth/authorize   form: decision=allow answers 302 to redirectUri?code=...&state=...,
            decision=deny 302 to redirectUri?error=access_denied&state=... (state only when one was given)
    POST /user/v7/oauth-codes      JSON {"resource": {"clientId": ...}} with the headers X-Flixcheck-UserId
            and X-Flixcheck-ApiKey: 200 {"resource": {"code": ...}}; 401 without a valid header pair
    POST /guest/v7/oauth-tokens    JSON only (a form or other body: form_status with invalid_request);
            {"grant_type": "authorization_code", "code", "client_id", "client_secret"} (no redirect_uri
            needed; one sent is counted in stats "unexpected", as is a code_verifier) or {"grant_type": "refresh_token",
            "refresh_token", "client_id", "client_secret"}. Codes are single-use and live code_ttl seconds.
            Success, response_shape "flat": {access_token, refresh_token, token_type:"Bearer", expires_in};
            "resource": {"resource": {access_token, refresh_token, expires_in}}; expires_in only with
            include_expires_in. The access token is a JWT {sub, clientId, iat, exp = iat + access_ttl, jti}.
            Errors: invalid_client (invalid_client_status), invalid_grant (invalid_grant_status) for an
            unknown, used or expired code or a bad refresh token, unsupported_grant_type 400.
    GET  /user/v7/me               Bearer only: 200 {"resource": {"id", "email"}}, else 401
Extra counters: codes.issued, codes.redeemed, codes.reused; unexpected.<field>.

Config keys: access_ttl (3600), jwt_key, response_shape ("flat" | "resource") [unconfirmed],
include_expires_in (true) [unconfirmed], rotate_refresh_tokens (true) [unconfirmed], accept_snake_case
(false), form_status (415 | 400), invalid_client_status (401), invalid_grant_status (400) [unconfirmed],
code_ttl (600), clients, users, portal_user.

Test credentials: client flix-client / flix-secret, redirect URIs under http://127.0.0.1: or
http://localhost:; API user 4711 with API key flix-user-api-key (also the user who consents on the page).
"""

import html
import secrets
import time

from emulator_common import App, HttpError, OAuthError, Reply, add_query, new_family, secret_equal

DEFAULT_CONFIG = {
    "access_ttl": 3600,
    "jwt_key": "flixcheck-test-key",
    "response_shape": "flat",
    "include_expires_in": True,
    "rotate_refresh_tokens": True,
    "accept_snake_case": False,
    "form_status": 415,
    "invalid_client_status": 401,
    "invalid_grant_status": 400,
    "code_ttl": 600,
    "clients": [{"id": "flix-client", "secret": "flix-secret", "name": "tokenbroker test",
                 "redirect_prefixes": ["http://127.0.0.1:", "http://localhost:"]}],
    "users": {"4711": {"api_key": "flix-user-api-key", "email": "alice@example.com"}},
    "portal_user": "4711",
}

AUTHORIZE = "/portal/oauth/authorize"
TOKEN_PATH = "/guest/v7/oauth-tokens"


HTML = "text/html;charset=UTF-8"


def html_page(title, body):
    return (f"<!DOCTYPE html>\n<html><head><title>{html.escape(title)}</title></head>\n"
            f"<body>\n{body}\n</body></html>\n")


class Emulator(App):
    name = "flixcheck"
    token_path = TOKEN_PATH

    def __init__(self, config, base_url):
        super().__init__(config, base_url)
        self.codes = {}     # code -> {client, user, exp, used}
        self.route("GET", AUTHORIZE, lambda req: self.consent_page(self.authorize_params(req.query)))
        self.route("POST", AUTHORIZE, self.decide)
        self.route("POST", "/user/v7/oauth-codes", self.create_code)
        self.route("POST", TOKEN_PATH, self.token)
        self.route("GET", "/user/v7/me", self.me, api=True)

    def client(self, client_id):
        return next((c for c in self.config["clients"] if c["id"] == client_id), None)

    # The browser step
    def authorize_params(self, params):
        """(client, redirectUri, state) of a valid authorization request; a 400 page otherwise."""
        def refuse(why):
            raise HttpError(400, html_page("Flixcheck: invalid request", f"<p>{html.escape(why)}</p>"),
                            ctype=HTML, label="authorize_refused")
        snake = [k for k in ("client_id", "redirect_uri") if k in params]
        if snake and not self.config["accept_snake_case"]:
            refuse("Unknown parameter " + ", ".join(snake) + ": this page takes clientId and redirectUri.")
        client = self.client(params.get("clientId") or params.get("client_id"))
        redirect = params.get("redirectUri") or params.get("redirect_uri") or ""
        if not client:
            refuse("Unknown or missing clientId.")
        if not any(redirect.startswith(p) for p in client["redirect_prefixes"]):
            refuse("redirectUri is missing or not registered for this client.")
        if params.get("response_type") != "code":
            refuse("response_type must be code.")
        return client, redirect, params

    def consent_page(self, request):
        client, redirect, params = request
        fields = {"clientId": client["id"], "redirectUri": redirect, "response_type": "code",
                  "scope": params.get("scope", ""), "state": params.get("state")}
        hidden = "\n".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                           for k, v in fields.items() if v is not None)
        form = (f"<h1>{html.escape(client['name'])} wants to access your Flixcheck account</h1>\n"
                f'<form method="post" action="{AUTHORIZE}">\n{hidden}\n'
                '<button type="submit" name="decision" value="allow">Allow</button>\n'
                '<button type="submit" name="decision" value="deny">Deny</button>\n</form>')
        return Reply(200, html_page("Flixcheck: connect an app", form), ctype=HTML)

    def decide(self, req):
        params = req.form()
        client, redirect, _ = self.authorize_params(params)
        answer = {"code": self.new_code(client, self.config["portal_user"])} \
            if params.get("decision") == "allow" else {"error": "access_denied"}
        if params.get("state") is not None:
            answer["state"] = params["state"]
        return Reply(302, b"", {"Location": add_query(redirect, answer)})

    def new_code(self, client, user):
        code = "fc_" + secrets.token_urlsafe(24)
        self.codes[code] = {"client": client["id"], "user": user, "used": False,
                            "exp": time.time() + int(self.config["code_ttl"])}
        self.count("codes", "issued")
        return code

    # The API steps
    def json_body(self, req):
        """The JSON object of the body, string fields only (another type is as good as missing)."""
        if req.content_type != "application/json":
            raise OAuthError("invalid_request", "Content-Type must be application/json",
                             self.config["form_status"])
        return {k: v for k, v in req.json_object().items() if isinstance(v, (str, dict))}

    def create_code(self, req):
        user = req.headers.get("X-Flixcheck-UserId")
        known = self.config["users"].get(user or "")
        if not known or not secret_equal(known["api_key"], req.headers.get("X-Flixcheck-ApiKey")):
            raise HttpError(401, {"error": "unauthorized", "error_description": "invalid API key"},
                            label="unauthorized")
        resource = self.json_body(req).get("resource")
        client = self.client(resource.get("clientId")) if isinstance(resource, dict) else None
        if not client:
            raise OAuthError("invalid_request", "resource.clientId is missing or unknown")
        return Reply(200, {"resource": {"code": self.new_code(client, user)}})

    def token(self, req):
        params = self.json_body(req)
        grant = params.get("grant_type")
        self.count_grant(grant)
        placement, client_id, secret = req.client_credentials(params)
        client = self.client(client_id)
        if placement != "post" or not client or not secret_equal(client["secret"], secret):
            raise OAuthError("invalid_client", "client authentication failed",
                             self.config["invalid_client_status"])
        for field in ("redirect_uri", "code_verifier"):    # the documented body has neither
            if field in params:
                self.count("unexpected", field)
        if grant == "authorization_code":
            return self.redeem_code(client, params.get("code"))
        if grant == "refresh_token":
            return self.refresh_grant(client, params.get("refresh_token"))
        raise OAuthError("unsupported_grant_type")

    def invalid_grant(self, description):
        return OAuthError("invalid_grant", description, self.config["invalid_grant_status"])

    def redeem_code(self, client, code):
        rec = self.codes.get(code) if isinstance(code, str) else None
        if not rec or rec["client"] != client["id"] or rec["exp"] <= time.time():
            raise self.invalid_grant("code is invalid or expired")
        if rec["used"]:
            self.count("codes", "reused")
            raise self.invalid_grant("code was already used")
        rec["used"] = True
        self.count("codes", "redeemed")
        return self.issue(client, rec["user"], new_family())

    def refresh_grant(self, client, rt):
        rec, problem = self.refresh_record(rt if isinstance(rt, str) else None, client["id"])
        if problem:
            raise self.invalid_grant("refresh token is invalid")
        if not self.config["rotate_refresh_tokens"]:
            return self.issue(client, rec["sub"], rec["family"], rt)
        rec["state"] = "retired"
        return self.issue(client, rec["sub"], rec["family"])

    def issue(self, client, user, family, rt=None):
        now, ttl = int(time.time()), int(self.config["access_ttl"])
        token = self.jwt({"sub": user, "clientId": client["id"], "iat": now, "exp": now + ttl,
                          "jti": secrets.token_hex(12)})
        self.remember_access(token, now + ttl, family, client=client["id"], sub=user, scope="readwrite")
        rt = rt or self.new_refresh(family, client["id"], user, "readwrite")
        body = {"access_token": token, "refresh_token": rt}
        if self.config["response_shape"] == "flat":
            body["token_type"] = "Bearer"
        if self.config["include_expires_in"]:
            body["expires_in"] = ttl
        return Reply(200, {"resource": body} if self.config["response_shape"] == "resource" else body)

    def me(self, req):
        rec = self.valid_access(req.bearer())
        if not rec:
            return Reply(401, {"error": "unauthorized",
                               "error_description": "a valid Bearer token is required"})
        user = self.config["users"].get(rec["sub"], {})
        return Reply(200, {"resource": {"id": int(rec["sub"]), "email": user.get("email")}})
