# SPDX-License-Identifier: LGPL-2.1-or-later
"""Floriday (providers.md section 2): an Okta custom authorization server, plus the X-Api-Key API.

Endpoints (ID is the config auth_server_id; any other id answers 404 with Okta's E0000007 body):
    GET  /oauth2/ID/.well-known/oauth-authorization-server     metadata (an optional ?client_id= is ignored)
    GET  /.well-known/oauth-authorization-server/oauth2/ID     the same metadata at the RFC 8414 path
    POST /oauth2/ID/v1/token    form, grant_type=client_credentials, client_id and client_secret in the
                                body (client_secret_post only); 200 {token_type, expires_in, access_token,
                                scope} in Okta's order, no refresh token
    POST /oauth2/ID/v1/revoke   RFC 7009: form, token=..., same client authentication; 200 and empty
    GET  /suppliers-api-VERSION/auth/key, /customers-api-VERSION/auth/key
                                needs a valid Bearer and the X-Api-Key of the token's client:
                                200 {"organizationId", "clientId"} (field names unconfirmed)
Metadata carries issuer http://127.0.0.1:PORT/oauth2/ID, token_endpoint .../v1/token, revocation_endpoint
.../v1/revoke and every other key of Okta's sample, so a client must ignore what it does not use.

Token errors (Okta's texts): Basic header alone 401 invalid_client "The client secret supplied for a
confidential client is invalid." (also a wrong secret or unknown client); header and body both 400
invalid_request; no secret at all 401 invalid_client "No client credentials found."; a scope outside the
client's set (or none) 400 invalid_scope; another grant 400 unsupported_grant_type; a body that is not a
form 400 invalid_request. API errors: 401 {"message": ...} for the Bearer, api_key_status for the key.

Config keys: auth_server_id, access_ttl (3600) [unconfirmed for live], jwt_key, audience,
api_key_status (401 | 403) [unconfirmed], clients.

Test client: floriday-client / floriday-secret, API key floriday-api-key, organisation
8b3d3a5e-0000-4000-8000-000000000001, scopes role:app organization:read catalog:read catalog:write
supply:read supply:write sales-order:read sales-order:write delivery-conditions:read fulfillment:read
fulfillment:write webhooks:write.
"""

import secrets
import time

from emulator_common import App, HttpError, OAuthError, Reply, new_family, secret_equal

DEFAULT_CONFIG = {
    "auth_server_id": "ausmw6b47z1BnlHkw0h7",
    "access_ttl": 3600,
    "jwt_key": "floriday-test-key",
    "audience": "api.floriday.io",
    "api_key_status": 401,
    "clients": [
        {"id": "floriday-client", "secret": "floriday-secret", "api_key": "floriday-api-key",
         "organization_id": "8b3d3a5e-0000-4000-8000-000000000001",
         "scopes": ["role:app", "organization:read", "catalog:read", "catalog:write", "supply:read",
                    "supply:write", "sales-order:read", "sales-order:write", "delivery-conditions:read",
                    "fulfillment:read", "fulfillment:write", "webhooks:write"]},
    ],
}

BAD_SECRET = "The client secret supplied for a confidential client is invalid."
BOTH_PLACES = ("Cannot supply multiple client credentials. Use one of the following: credentials in the "
               "Authorization header, credentials in the post body, or a client_assertion in the post body.")
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "client_secret_jwt", "none"]


class Emulator(App):
    name = "floriday"

    def __init__(self, config, base_url):
        super().__init__(config, base_url)
        self.route("GET", r"/oauth2/(?P<id>[^/]+)/\.well-known/oauth-authorization-server", self.metadata)
        self.route("GET", r"/\.well-known/oauth-authorization-server/oauth2/(?P<id>[^/]+)", self.metadata)
        self.route("POST", r"/oauth2/(?P<id>[^/]+)/v1/token", self.token)
        self.route("POST", r"/oauth2/(?P<id>[^/]+)/v1/revoke", self.revoke)
        self.route("GET", r"/(suppliers|customers)-api-[0-9a-z]+/auth/key", self.auth_key, api=True)

    @property
    def token_path(self):
        return f"/oauth2/{self.config['auth_server_id']}/v1/token"

    def issuer(self):
        return f"{self.base_url}/oauth2/{self.config['auth_server_id']}"

    def known_server(self, req):
        """Okta's 404 for an authorization server id it does not have."""
        server_id = req.match.group("id")
        if server_id != self.config["auth_server_id"]:
            summary = f"Not found: Resource not found: {server_id} (AuthorizationServer)"
            raise HttpError(404, {"errorCode": "E0000007", "errorSummary": summary, "errorLink": "E0000007",
                                  "errorId": "oae" + secrets.token_urlsafe(16), "errorCauses": []},
                            label="E0000007")

    def metadata(self, req):
        self.known_server(req)
        iss, base = self.issuer(), self.base_url
        return Reply(200, {
            "issuer": iss,
            "authorization_endpoint": iss + "/v1/authorize",
            "token_endpoint": iss + "/v1/token",
            "registration_endpoint": base + "/oauth2/v1/clients",
            "jwks_uri": iss + "/v1/keys",
            "response_types_supported": ["code", "token", "id_token", "code id_token", "code token",
                                         "id_token token", "code id_token token"],
            "response_modes_supported": ["query", "fragment", "form_post", "okta_post_message"],
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "password",
                                      "client_credentials"],
            "subject_types_supported": ["public"],
            "scopes_supported": ["offline_access"],
            "token_endpoint_auth_methods_supported": AUTH_METHODS,
            "claims_supported": ["ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "sub"],
            "code_challenge_methods_supported": ["S256"],
            "introspection_endpoint": iss + "/v1/introspect",
            "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
            "revocation_endpoint": iss + "/v1/revoke",
            "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
            "end_session_endpoint": iss + "/v1/logout",
            "request_parameter_supported": True,
            "request_object_signing_alg_values_supported": ["HS256", "HS384", "HS512"],
        })

    def form(self, req):
        self.known_server(req)
        if req.content_type != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request", "The request was invalid: Content-Type must be "
                             "application/x-www-form-urlencoded.")
        return req.form()

    def authenticate(self, req, params):
        """The Okta app is registered for client_secret_post: the body is the one place for the secret."""
        placement, client_id, secret = req.client_credentials(params)
        if placement == "both":
            raise OAuthError("invalid_request", BOTH_PLACES)
        if placement in ("none", "id"):
            raise OAuthError("invalid_client", "No client credentials found.", 401)
        client = next((c for c in self.config["clients"] if c["id"] == client_id), None)
        if placement != "post" or not client or not secret_equal(client["secret"], secret):
            raise OAuthError("invalid_client", BAD_SECRET, 401)
        return client

    def token(self, req):
        params = self.form(req)
        grant = params.get("grant_type")
        self.count_grant(grant)
        client = self.authenticate(req, params)
        if grant != "client_credentials":
            raise OAuthError("unsupported_grant_type", "The authorization grant type is not supported by "
                             "the authorization server. Configured grant types: [client_credentials].")
        scopes = (params.get("scope") or "").split()
        if not scopes:
            raise OAuthError("invalid_scope", "The authorization server resource does not have any "
                             "configured default scopes, 'scope' must be provided.")
        if any(s not in client["scopes"] for s in scopes):
            raise OAuthError("invalid_scope", "One or more scopes are not configured for the "
                             "authorization server resource.")
        now, ttl = int(time.time()), int(self.config["access_ttl"])
        claims = {"ver": 1, "jti": "AT." + secrets.token_urlsafe(24), "iss": self.issuer(),
                  "aud": self.config["audience"], "iat": now, "exp": now + ttl, "cid": client["id"],
                  "scp": scopes, "sub": client["id"]}
        token = self.jwt(claims)
        self.remember_access(token, now + ttl, new_family(), client=client["id"], scope=" ".join(scopes))
        return Reply(200, {"token_type": "Bearer", "expires_in": ttl, "access_token": token,
                           "scope": " ".join(scopes)})

    def revoke(self, req):
        params = self.form(req)
        client = self.authenticate(req, params)
        self.revoke_token(params.get("token"), client["id"], "The request was invalid: 'token' is required.")
        return Reply(200, b"")

    def auth_key(self, req):
        rec = self.valid_access(req.bearer())
        if not rec:
            return Reply(401, {"message": "Unauthorized: a valid Bearer token is required."},
                         {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        key = req.headers.get("X-Api-Key")
        client = next((c for c in self.config["clients"] if c["id"] == rec["client"]), None)
        if not client or not secret_equal(client["api_key"], key):
            return Reply(self.config["api_key_status"], {"message": "Invalid or missing X-Api-Key."})
        return Reply(200, {"organizationId": client["organization_id"], "clientId": client["id"]})
