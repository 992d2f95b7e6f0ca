/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure parts of interactive logins: PKCE, the authorization URL, the loopback redirect's request line,
 * the device authorization response and request. */
#include <errno.h>

#include "alloc-util.h"
#include "authorize-url.h"
#include "device-authorization.h"
#include "pkce.h"
#include "pushed-authorization.h"
#include "redirect-request.h"
#include "string-util.h"
#include "tap.h"
#include "token-request.h"

static void test_pkce(void) {
        _cleanup_free_ char *c = NULL, *v1 = NULL, *v2 = NULL, *s = NULL;

        /* RFC 7636 appendix B */
        is_int(pkce_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", &c), 0, "S256 challenge");
        is_str(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "... RFC 7636 appendix B");

        is_int(pkce_verifier_new(&v1), 0, "a verifier");
        is_int(strlen(v1), 43, "... 43 characters (32 bytes)");
        ok(strspn(v1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43,
           "... unreserved characters only");
        is_int(pkce_verifier_new(&v2), 0, "another verifier");
        ok(!streq(v1, v2), "... differs");
        is_int(oauth_state_new(&s), 0, "a state");
        ok(strlen(s) >= 22, "... of 128 bits");
}

static AccountConfig account(void) {
        AccountConfig a = { .client_id = (char *) "s6BhdRkqt3", .scopes = (char *) "openid api:read" };

        for (size_t i = 0; i < _GRANT_MAX; i++)
                a.client_auth_per_grant[i] = _CLIENT_AUTH_INVALID;
        return a;
}

static void test_authorize_url(void) {
        _cleanup_free_ char *u = NULL, *f = NULL;
        AccountConfig a = account();
        AuthorizeInput in = {
                .authorize_url = "https://as.example/authorize",
                .redirect_uri = "http://127.0.0.1:8400/",
                .state = "xyz",
                .code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        };
        char *flix[] = { (char *) "client_id", (char *) "clientId", (char *) "redirect_uri", (char *) "redirectUri",
                         (char *) "code_challenge", (char *) "", NULL };
        char *none = NULL;

        is_int(authorize_url_build(&a, &in, &u), 0, "authorization URL");
        is_str(u, "https://as.example/authorize?response_type=code&client_id=s6BhdRkqt3"
                  "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8400%2F&scope=openid%20api%3Aread&state=xyz"
                  "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
               "... every parameter, encoded");

        a.authorize_param_names = flix;
        in.authorize_url = "https://app.example/portal/oauth/authorize?lang=de";
        in.scope = "readwrite";
        is_int(authorize_url_build(&a, &in, &f), 0, "Flixcheck's names");
        is_str(f, "https://app.example/portal/oauth/authorize?lang=de&response_type=code&clientId=s6BhdRkqt3"
                  "&redirectUri=http%3A%2F%2F127.0.0.1%3A8400%2F&scope=readwrite&state=xyz&code_challenge_method=S256",
               "... renamed, one left out, the URL's own query kept");

        in.authorize_url = NULL;
        is_int(authorize_url_build(&a, &in, &none), -EINVAL, "no authorize URL");
        a.client_id = NULL;
        in.authorize_url = "https://as.example/a";
        is_int(authorize_url_build(&a, &in, &none), -EINVAL, "no client id");
        ok(!none, "... nothing returned");
        is_str(param_name_mapped(flix, "state"), "state", "an unmapped name is itself");

        {
                _cleanup_free_ char *n = NULL;

                a = account();
                in.authorize_url = "https://as.example/authorize";
                in.scope = NULL;
                in.nonce = "n-0S6_WzA2Mj";
                is_int(authorize_url_build(&a, &in, &n), 0, "an OpenID Connect request");
                ok(n && endswith(n, "&code_challenge_method=S256&nonce=n-0S6_WzA2Mj"), "... carries the nonce: %s", n);
        }
        {
                _cleanup_free_ char *q = NULL;

                a = account();
                a.resource = (char *) "https://api.example/ urn:x:y";
                in.nonce = NULL;
                is_int(authorize_query_build(&a, &in, &q), 0, "an authorization request with Resource=");
                ok(q && endswith(q, "&resource=https%3A%2F%2Fapi.example%2F&resource=urn%3Ax%3Ay"),
                   "... names each resource (RFC 8707 section 2.1): %s", q);
        }
        ok(scope_has("openid api:read", "openid"), "scope_has: first of two");
        ok(scope_has("api:read  openid", "openid"), "... last, after two spaces");
        ok(!scope_has("openidx api:read", "openid"), "... not a prefix of another scope");
        ok(!scope_has("api:openid", "openid"), "... nor a suffix");
        ok(!scope_has(NULL, "openid"), "... nor in no scope at all");
}

static void test_redirect_request(void) {
        _cleanup_(redirect_request_clear) RedirectRequest a = {}, b = {}, c = {};
        RedirectRequest x = {};
        char big[REDIRECT_REQUEST_MAX + 10];
        const char *req = "GET /callback?code=Spl%2BxAx&state=xyz&iss=https%3A%2F%2Fas HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

        is_int(redirect_request_parse(req, strlen(req), &a), 0, "a redirect with a code");
        is_str(a.path, "/callback", "... path");
        is_str(a.code, "Spl+xAx", "... code decoded");
        is_str(a.state, "xyz", "... state");
        is_str(a.iss, "https://as", "... iss (RFC 9207)");
        ok(!a.error, "... no error");

        req = "GET /?error=access_denied&error_description=the+user+said+no&state=xyz HTTP/1.0\n";
        is_int(redirect_request_parse(req, strlen(req), &b), 0, "a redirect with an error");
        is_str(b.error, "access_denied", "... error");
        is_str(b.error_description, "the user said no", "... '+' is a space in a query");
        ok(!b.code, "... no code");
        ok(!b.iss, "... no iss");

        req = "GET /favicon.ico HTTP/1.1\r\n";
        is_int(redirect_request_parse(req, strlen(req), &c), 0, "a request without a query");
        ok(!c.code && !c.state, "... has neither code nor state");

        is_int(redirect_request_parse("GET /?code=1", 12, &x), -EAGAIN, "a partial line: wait for more");
        is_int(redirect_request_parse("POST /?code=1 HTTP/1.1\r\n", 24, &x), -EBADMSG, "POST is refused");
        is_int(redirect_request_parse("GET http://x/ HTTP/1.1\r\n", 24, &x), -EBADMSG, "an absolute target");
        is_int(redirect_request_parse("GET / SPDY/3\r\n", 14, &x), -EBADMSG, "not HTTP/1.x");
        is_int(redirect_request_parse("GET /\0x HTTP/1.1\r\n", 18, &x), -EBADMSG, "a NUL byte");
        memset(big, 'a', sizeof(big));
        is_int(redirect_request_parse(big, sizeof(big), &x), -EBADMSG, "an endless line");
        ok(!x.path && !x.code, "nothing returned on refusal");
}

static int parse_device(const char *body, int status, DeviceAuthorization *d, TokenError *e) {
        return device_authorization_parse(body, strlen(body), status, d, e);
}

static void test_device_authorization(void) {
        _cleanup_(device_authorization_clear) DeviceAuthorization a = {}, b = {};
        _cleanup_(token_error_clear) TokenError e = {}, f = {}, g = {};
        _cleanup_(token_request_clear) TokenRequest req = {};
        DeviceAuthorization none = {};
        AccountConfig acc = account();

        /* RFC 8628 section 3.2 */
        is_int(parse_device("{\"device_code\":\"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS\","
                            "\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\"https://example.com/device\","
                            "\"verification_uri_complete\":\"https://example.com/device?user_code=WDJB-MJHT\","
                            "\"expires_in\":1800,\"interval\":5}", 200, &a, &e),
               0, "RFC 8628 example");
        is_str(a.user_code, "WDJB-MJHT", "user_code");
        is_str(a.verification_uri_complete, "https://example.com/device?user_code=WDJB-MJHT", "verification_uri_complete");
        is_int(a.expires_in, 1800, "expires_in");
        is_int(a.interval, 5, "interval");

        is_int(parse_device("{\"device_code\":\"d\",\"user_code\":\"U\",\"verification_url\":\"https://g.co/device\","
                            "\"expires_in\":\"600\",\"interval\":0}", 200, &b, NULL),
               0, "Google's verification_url, a quoted expires_in");
        is_str(b.verification_uri, "https://g.co/device", "... verification_url taken");
        is_int(b.interval, 1, "... an interval of 0 becomes 1");
        ok(!b.verification_uri_complete, "... no verification_uri_complete");

        is_int(parse_device("{\"error\":\"invalid_client\",\"error_description\":\"no such client\"}", 401, &none, &f),
               -EREMOTEIO, "a refusal");
        is_str(f.error, "invalid_client", "... its error");
        is_int(parse_device("{\"device_code\":\"d\",\"user_code\":\"U\",\"verification_uri\":\"javascript:x\","
                            "\"expires_in\":600}", 200, &none, &g),
               -EBADMSG, "a verification URI that is not http(s)");
        is_int(parse_device("{\"device_code\":\"d\",\"verification_uri\":\"https://x\",\"expires_in\":600}", 200, &none, NULL),
               -EBADMSG, "no user_code");
        is_int(parse_device("<html/>", 200, &none, NULL), -EBADMSG, "HTML");
        ok(!none.device_code && !none.user_code, "nothing returned on refusal");

        acc.client_auth = CLIENT_AUTH_NONE;
        is_int(device_authorization_request_build(&acc, "https://as.example/device", NULL, NULL, NULL, &req), 0,
               "device authorization request");
        is_str(req.body, "scope=openid%20api%3Aread&client_id=s6BhdRkqt3", "... scope and client_id");
        ok(!req.authorization, "... a public client has no Authorization");
}

static void test_pushed_authorization(void) {
        _cleanup_(pushed_authorization_clear) PushedAuthorization p = {};
        _cleanup_(token_error_clear) TokenError e = {}, f = {}, g = {};
        _cleanup_(token_request_clear) TokenRequest req = {}, basic = {};
        _cleanup_free_ char *url = NULL;
        PushedAuthorization none = {};
        AccountConfig acc = account();
        /* RFC 9126 section 2.2 */
        const char *ok_body = "{\"request_uri\":\"urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c\","
                              "\"expires_in\":60}";

        is_int(pushed_authorization_parse(ok_body, strlen(ok_body), 201, &p, &e), 0, "RFC 9126 example");
        is_str(p.request_uri, "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c", "... request_uri");
        is_int((int) p.expires_in, 60, "... expires_in");
        const char *refusal = "{\"error\":\"invalid_request\",\"error_description\":\"no\"}";

        is_int(pushed_authorization_parse(refusal, strlen(refusal), 400, &none, &f), -EREMOTEIO, "a refusal");
        is_str(f.error, "invalid_request", "... its error");
        is_int(pushed_authorization_parse("{\"request_uri\":\"a b\",\"expires_in\":60}", 37, 201, &none, &g), -EBADMSG,
               "a request_uri with a blank");
        token_error_clear(&g);
        is_int(pushed_authorization_parse("{\"request_uri\":\"urn:x\"}", 23, 201, &none, &g), -EBADMSG, "no expires_in");

        is_int(pushed_authorization_url("https://as.example/authorize", "s6BhdRkqt3",
                                        "urn:ietf:params:oauth:request_uri:6esc", &url), 0, "the browser's URL");
        is_str(url, "https://as.example/authorize?client_id=s6BhdRkqt3"
                    "&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A6esc", "... client_id and request_uri only");

        acc.client_auth = CLIENT_AUTH_NONE;
        is_int(pushed_authorization_request_build(&acc, "https://as.example/par", "response_type=code&client_id=s6BhdRkqt3",
                                                  NULL, NULL, &req), 0, "a public client's push");
        is_str(req.body, "response_type=code&client_id=s6BhdRkqt3", "... the request alone, client_id once");
        acc.client_auth = CLIENT_AUTH_BASIC;
        is_int(pushed_authorization_request_build(&acc, "https://as.example/par", "response_type=code&client_id=s6BhdRkqt3",
                                                  "secret", NULL, &basic), 0, "a confidential client's push");
        ok(basic.authorization && startswith(basic.authorization, "Basic "), "... authenticated in HTTP Basic");
        is_str(basic.url, "https://as.example/par", "... to the PAR endpoint");
}

int main(void) {
        test_pkce();
        test_authorize_url();
        test_redirect_request();
        test_device_authorization();
        test_pushed_authorization();
        return tap_done();
}
