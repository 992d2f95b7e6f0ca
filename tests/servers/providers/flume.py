# SPDX-License-Identifier: LGPL-2.1-or-later
"""Flume (providers.md section 4): password grant with a JSON body, answers in Flume's envelope.

Endpoints:
    POST /oauth/token[?envelope=true|false]
            JSON body (a form only with accept_form): {"grant_type": "password", "client_id",
            "client_secret", "username" (an email), "password"} or {"grant_type": "refresh_token",
            "refresh_token", "client_id", "client_secret"}. The token {token_type:"bearer", access_token,
            expires_in, refresh_token} is data[0] of the envelope {success, code, message, http_code,
            http_message, detailed, data, count, pagination}, or the bare object with envelope=false.
            Every refresh returns a new refresh token (40 hex digits); rotation "keep" leaves the old one
            valid, "strict" retires it (presenting it again counts in rt_reuse).
            The access token is a JWT {user_id, type:"USER", scope:[...], iat, exp = iat + access_ttl,
            iss:"flume_oauth", sub (the email)}.
    GET  /users/USER_ID/devices, GET /me/devices
            Bearer; USER_ID must be the token's user_id. 200 envelope with the user's devices.
Errors are the envelope with success:false: 400 for bad client or user credentials, a body that is not
JSON, an unknown grant, and a bad refresh token (detailed ["Refresh token is invalid."]); 403 for a user
who did not finish signing up; 401 on the API routes for a missing, unknown or expired token or another
user's id; 429 "Too many requests, please try again later." once more than rate_limit requests (token and
API routes together) came within rate_window seconds. The envelope's "code" values of errors are made up.

Config keys: access_ttl (604800), jwt_key, accept_form (false) [unconfirmed], rotation ("keep" |
"strict") [unconfirmed], rate_limit (0: off; e.g. 120), rate_window (3600), clients, users, devices.

Test credentials: client flume-client / flume-secret; users alice@example.com / wonderland (user_id
1111) and bob@example.com / builder (user_id 2222, signup unfinished: 403).
"""

import secrets
import time

from emulator_common import App, HttpError, Reply, new_family, secret_equal

DEFAULT_CONFIG = {
    "access_ttl": 604800,
    "jwt_key": "flume-test-key",
    "accept_form": False,
    "rotation": "keep",
    "rate_limit": 0,
    "rate_window": 3600,
    "clients": [{"id": "flume-client", "secret": "flume-secret"}],
    "users": [
        {"email": "alice@example.com", "password": "wonderland", "user_id": 1111, "signup_complete": True},
        {"email": "bob@example.com", "password": "builder", "user_id": 2222, "signup_complete": False},
    ],
    "devices": {"1111": [{"id": "6248148189204194987", "type": 2, "location_id": 9876, "user_id": 1111,
                          "bridge_id": "6248148189204155555", "oriented": True,
                          "last_seen": "2024-01-01T00:00:00.000Z", "connected": True,
                          "battery_level": "high", "product": "flume2"}]},
}

SCOPES = ["read:personal", "update:personal", "query:personal"]
HTTP_MESSAGES = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
                 429: "Too Many Requests"}
API_CODES = {200: 602, 400: 1000, 401: 1001, 403: 1002, 429: 1003}
BAD_RT = "Refresh token is invalid."


def envelope(status, message, data=None, detailed=None):
    """Flume's envelope, keys in the order seen live."""
    data = data if data is not None else []
    return {"success": status < 400, "code": API_CODES[status], "message": message, "http_code": status,
            "http_message": HTTP_MESSAGES[status], "detailed": detailed, "data": data, "count": len(data),
            "pagination": None}


def flume_error(status, message, detailed=None, label=None):
    return HttpError(status, envelope(status, message, detailed=detailed), label=label or f"http_{status}")


class Emulator(App):
    name = "flume"
    token_path = "/oauth/token"

    def __init__(self, config, base_url):
        super().__init__(config, base_url)
        self.recent = []    # times of the requests inside the rate window
        self.route("POST", "/oauth/token", self.token)
        self.route("GET", r"/(?:users/(?P<uid>[^/]+)|me)/devices", self.devices, api=True)

    def bad_request(self, message):
        return flume_error(400, "Bad Request", [message], "invalid_request")

    def before(self, req):
        limit = int(self.config["rate_limit"])
        if limit <= 0:
            return
        now = time.time()
        self.recent = [t for t in self.recent if t > now - float(self.config["rate_window"])]
        if len(self.recent) >= limit:
            raise flume_error(429, "Too many requests, please try again later.", label="rate_limited")
        self.recent.append(now)

    def params(self, req):
        """The body's string fields: JSON, or a form where accept_form allows one."""
        if req.content_type == "application/json":
            return {k: v for k, v in req.json_object().items() if isinstance(v, str)}
        if req.content_type == "application/x-www-form-urlencoded" and self.config["accept_form"]:
            return req.form()
        raise flume_error(400, "Bad Request",
                          ["The 'Content-Type' header must be set to 'application/json'."],
                          "unsupported_content_type")

    def token(self, req):
        params = self.params(req)
        grant = params.get("grant_type")
        self.count_grant(grant)
        client = next((c for c in self.config["clients"] if c["id"] == params.get("client_id")), None)
        if not client or not secret_equal(client["secret"], params.get("client_secret")):
            raise flume_error(400, "Invalid client credentials", ["client_id or client_secret is invalid."],
                              "invalid_client")
        if grant == "password":
            token = self.password_grant(client, params)
        elif grant == "refresh_token":
            token = self.refresh_grant(client, params.get("refresh_token"))
        else:
            raise flume_error(400, "Bad Request", ["grant_type must be password or refresh_token."],
                              "unsupported_grant_type")
        if req.query.get("envelope", "true").lower() in ("false", "0"):
            return Reply(200, token)
        return Reply(200, envelope(200, "Request OK", [token]))

    def user(self, email):
        return next((u for u in self.config["users"] if u["email"].lower() == (email or "").lower()), None)

    def password_grant(self, client, params):
        username = params.get("username") or ""
        if "@" not in username:
            raise flume_error(400, "Bad Request", ["username must be an email address."], "invalid_request")
        user = self.user(username)
        if not user or not secret_equal(user["password"], params.get("password")):
            raise flume_error(400, "Invalid username or password", ["Invalid username or password."],
                              "invalid_grant")
        if not user["signup_complete"]:
            raise flume_error(403, "User has not finished signing up", ["Please finish signing up."],
                              "signup_unfinished")
        return self.issue(client, user, new_family())

    def refresh_grant(self, client, rt):
        rec, problem = self.refresh_record(rt, client["id"])
        if problem:
            raise flume_error(400, "Bad Request", [BAD_RT], "invalid_grant")
        if self.config["rotation"] == "strict":
            rec["state"] = "retired"
        return self.issue(client, self.user(rec["sub"]), rec["family"])

    def issue(self, client, user, family):
        now, ttl = int(time.time()), int(self.config["access_ttl"])
        token = self.jwt({"user_id": user["user_id"], "type": "USER", "scope": SCOPES, "iat": now,
                          "exp": now + ttl, "iss": "flume_oauth", "sub": user["email"]})
        self.remember_access(token, now + ttl, family, client=client["id"], sub=user["email"],
                             user_id=user["user_id"])
        # The PyFlume fixture's refresh token is 40 lowercase hex digits.
        rt = self.new_refresh(family, client["id"], user["email"], " ".join(SCOPES),
                              token=secrets.token_hex(20))
        return {"token_type": "bearer", "access_token": token, "expires_in": ttl, "refresh_token": rt}

    def devices(self, req):
        rec = self.valid_access(req.bearer())
        wanted = req.match.group("uid")
        if not rec or (wanted is not None and wanted != str(rec["user_id"])):
            return Reply(401, envelope(401, "Unauthorized", detailed=["Invalid or expired access token."]))
        return Reply(200, envelope(200, "Request OK", self.config["devices"].get(str(rec["user_id"]), [])))
