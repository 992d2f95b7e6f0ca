/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "alloc-util.h"
#include "form.h"
#include "json-util.h"
#include "string-util.h"
#include "tap.h"
#include "token-request.h"

#define FORM "application/x-www-form-urlencoded"

/* An account as the config loader would leave it: no per-grant client auth override. */
static AccountConfig account(const char *token_url, const char *client_id, ClientAuth auth,
                             GrantType grant) {
        AccountConfig a = {
                .token_url = (char *) token_url,
                .client_id = (char *) client_id,
                .client_auth = auth,
                .grant = grant,
                .request_encoding = REQUEST_ENCODING_FORM,
        };

        for (size_t i = 0; i < _GRANT_MAX; i++)
                a.client_auth_per_grant[i] = _CLIENT_AUTH_INVALID;
        return a;
}

/* Builds and checks url, content type, body and Authorization in one go; NULL `auth` means none. */
static void check(const AccountConfig *a, const GrantInput *in, const char *url, const char *content_type,
                  const char *body, const char *auth, const char *what) {
        _cleanup_(token_request_clear) TokenRequest req = {};
        int r;

        r = token_request_build(a, in, &req);
        is_int(r, 0, "%s: builds", what);
        if (r < 0)
                return;
        is_str(req.url, url, "%s: url", what);
        is_str(req.content_type, content_type, "%s: content type", what);
        is_str(req.body, body, "%s: body", what);
        is_str(req.authorization, auth, "%s: authorization", what);
}

static void test_client_auth(void) {
        AccountConfig a = account("https://as.example/token", "s6BhdRkqt3", CLIENT_AUTH_BASIC,
                                  GRANT_CLIENT_CREDENTIALS);
        GrantInput in = { .grant = GRANT_CLIENT_CREDENTIALS, .client_secret = "7Fjfp0ZBr1KtDRbnfVdmIw" };

        /* The example credentials of RFC 6749 section 2.3.1 */
        check(&a, &in, "https://as.example/token", FORM, "grant_type=client_credentials",
              "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3", "basic, RFC example");

        /* id and secret are form-urlencoded before base64: ':' in the secret cannot split it, and
         * non-ASCII goes as percent-encoded UTF-8. */
        a.client_id = (char *) "my client";
        in.client_secret = "p:ss w\xc3\xb6rd+/";
        check(&a, &in, "https://as.example/token", FORM, "grant_type=client_credentials",
              "Basic bXklMjBjbGllbnQ6cCUzQXNzJTIwdyVDMyVCNnJkJTJCJTJG", "basic, ':' and UTF-8 in secret");

        a.client_auth = CLIENT_AUTH_POST;
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=client_credentials&client_id=my%20client&client_secret=p%3Ass%20w%C3%B6rd%2B%2F",
              NULL, "post");

        a.client_auth = CLIENT_AUTH_NONE;
        check(&a, &in, "https://as.example/token", FORM, "grant_type=client_credentials"
                                                         "&client_id=my%20client",
              NULL, "none: no secret sent even when known");
        a.client_id = NULL;
        check(&a, &in, "https://as.example/token", FORM, "grant_type=client_credentials", NULL,
              "none without client id");

        TokenRequest req = {};
        in.client_secret = NULL;
        a.client_id = (char *) "id";
        a.client_auth = CLIENT_AUTH_BASIC;
        is_int(token_request_build(&a, &in, &req), -ENOKEY, "basic without secret");
        a.client_auth = CLIENT_AUTH_POST;
        is_int(token_request_build(&a, &in, &req), -ENOKEY, "post without secret");
        in.client_secret = "s";
        a.client_id = NULL;
        is_int(token_request_build(&a, &in, &req), -EUCLEAN, "post without client id");
        a.client_id = (char *) "id";
        a.token_url = NULL;
        is_int(token_request_build(&a, &in, &req), -EINVAL, "no token URL");
        a.token_url = (char *) "https://as.example/token";
        in.grant = _GRANT_MAX;
        is_int(token_request_build(&a, &in, &req), -EINVAL, "grant out of range");
        ok(!req.url && !req.body && !req.authorization, "nothing returned on failure");

        /* RFC 7523 section 2.2: the assertion and its type, with client_id, and no secret sent. */
        in.grant = GRANT_CLIENT_CREDENTIALS;
        in.client_assertion = "eyJ.e30.sig";
        a.client_auth = CLIENT_AUTH_PRIVATE_KEY_JWT;
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=client_credentials&client_id=id"
              "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
              "&client_assertion=eyJ.e30.sig", NULL, "private_key_jwt: the assertion, no secret");
        a.client_auth = CLIENT_AUTH_CLIENT_SECRET_JWT;
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=client_credentials&client_id=id"
              "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
              "&client_assertion=eyJ.e30.sig", NULL, "client_secret_jwt: the same form");
        in.client_assertion = NULL;
        is_int(token_request_build(&a, &in, &req), -ENOKEY, "an assertion method without an assertion");

        /* RFC 8707 section 2.2: one resource parameter per resource, the request's set over the account's. */
        a.client_auth = CLIENT_AUTH_NONE;
        a.resource = (char *) "https://api.example/ urn:x:y";
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=client_credentials&resource=https%3A%2F%2Fapi.example%2F&resource=urn%3Ax%3Ay&client_id=id",
              NULL, "Resource=: each resource sent");
        in.resource = "urn:other:api";
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=client_credentials&resource=urn%3Aother%3Aapi&client_id=id", NULL,
              "a requested resource replaces the account's");
        in.resource = NULL;
        a.resource = NULL;
}

static void test_grants(void) {
        AccountConfig a = account("https://as.example/token", "cid", CLIENT_AUTH_POST, GRANT_PASSWORD);
        GrantInput in = { .grant = GRANT_PASSWORD, .client_secret = "cs", .password = "pw&=" };
        TokenRequest req = {};

        a.username = (char *) "j\xc3\xb6rg@example.com";
        a.scopes = (char *) "read write";
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=password&username=j%C3%B6rg%40example.com&password=pw%26%3D&scope=read%20write"
              "&client_id=cid&client_secret=cs",
              NULL, "password grant");
        in.password = NULL;
        is_int(token_request_build(&a, &in, &req), -ENOKEY, "password grant without password");
        in.password = "pw";
        a.username = NULL;
        is_int(token_request_build(&a, &in, &req), -EUCLEAN, "password grant without Username=");

        /* A refresh asks for the grant's own scopes: the account's Scopes= are not repeated ... */
        in = (GrantInput) { .grant = GRANT_REFRESH_TOKEN, .client_secret = "cs", .refresh_token = "rt/1" };
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=refresh_token&refresh_token=rt%2F1&client_id=cid&client_secret=cs",
              NULL, "refresh grant");
        /* ... but a narrower set asked for per request is. */
        in.scope = "read";
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=refresh_token&refresh_token=rt%2F1&scope=read&client_id=cid&client_secret=cs",
              NULL, "refresh grant for a narrower scope");
        /* ClientAuth.refresh_token=none: public refresh even though the account authenticates otherwise */
        a.client_auth_per_grant[GRANT_REFRESH_TOKEN] = CLIENT_AUTH_NONE;
        in.scope = "";
        check(&a, &in, "https://as.example/token", FORM, "grant_type=refresh_token&refresh_token=rt%2F1"
                                                         "&client_id=cid",
              NULL, "refresh grant with per-grant client auth, empty scope omitted");
        in.refresh_token = NULL;
        is_int(token_request_build(&a, &in, &req), -ENOKEY, "refresh grant without refresh token");

        a.client_auth = CLIENT_AUTH_NONE;
        in = (GrantInput) { .grant = GRANT_AUTHORIZATION_CODE, .code = "c0de", .code_verifier = "v-._~",
                            .redirect_uri = "http://127.0.0.1:8400/cb", .scope = "openid" };
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=authorization_code&code=c0de&redirect_uri=http%3A%2F%2F127.0.0.1%3A8400%2Fcb"
              "&code_verifier=v-._~&scope=openid&client_id=cid",
              NULL, "authorization code grant with PKCE");
        in.redirect_uri = NULL;
        in.code_verifier = NULL;
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=authorization_code&code=c0de&scope=openid&client_id=cid", NULL,
              "authorization code grant: redirect_uri and verifier omitted when unset");
        in.code = NULL;
        is_int(token_request_build(&a, &in, &req), -EINVAL, "authorization code grant without code");

        in = (GrantInput) { .grant = GRANT_DEVICE_CODE, .device_code = "dc", .scope = "" };
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=dc"
              "&client_id=cid",
              NULL, "device code grant");
        in.device_code = NULL;
        is_int(token_request_build(&a, &in, &req), -EINVAL, "device code grant without device code");
}

static void test_token_exchange(void) {
        AccountConfig a = account("https://as.example/token", "cid", CLIENT_AUTH_BASIC,
                                  GRANT_TOKEN_EXCHANGE);
        GrantInput in = { .grant = GRANT_TOKEN_EXCHANGE, .client_secret = "cs", .subject_token = "sub.tok",
                          .actor_token = "act", .scope = "" };
        TokenRequest req = {};

        a.audience = (char *) "https://api.example";
        a.resource = (char *) "urn:example:r";
        check(&a, &in, "https://as.example/token", FORM,
              "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=sub.tok"
              "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&actor_token=act"
              "&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
              "&audience=https%3A%2F%2Fapi.example&resource=urn%3Aexample%3Ar",
              "Basic Y2lkOmNz", "RFC 8693 token exchange");
        in.subject_token = NULL;
        is_int(token_request_build(&a, &in, &req), -ENOKEY, "token exchange without subject token");

        /* Sharetribe: Grant=token_exchange, GrantTypeValue=token_exchange, a bare subject token */
        a = account("https://flex-api.example/v1/auth/token", "cid", CLIENT_AUTH_POST, GRANT_TOKEN_EXCHANGE);
        a.grant_type_value = (char *) "token_exchange";
        a.scopes = (char *) "trusted:user";
        a.audience = (char *) "ignored";
        a.resource = (char *) "urn:ignored:too";
        in = (GrantInput) { .grant = GRANT_TOKEN_EXCHANGE, .client_secret = "cs", .subject_token = "st" };
        check(&a, &in, "https://flex-api.example/v1/auth/token", FORM,
              "grant_type=token_exchange&subject_token=st&scope=trusted%3Auser&client_id=cid"
              "&client_secret=cs",
              NULL, "GrantTypeValue token_exchange: subject token only");
        a.resource = NULL;

        /* The override belongs to the configured grant: a refresh still says refresh_token. */
        in = (GrantInput) { .grant = GRANT_REFRESH_TOKEN, .client_secret = "cs", .refresh_token = "rt",
                            .scope = "" };
        check(&a, &in, "https://flex-api.example/v1/auth/token", FORM,
              "grant_type=refresh_token&refresh_token=rt&client_id=cid&client_secret=cs", NULL,
              "GrantTypeValue does not rename a refresh");

        a.grant = GRANT_CLIENT_CREDENTIALS;
        a.grant_type_value = (char *) "client_credentials_v2";
        in = (GrantInput) { .grant = GRANT_CLIENT_CREDENTIALS, .client_secret = "cs", .scope = "" };
        check(&a, &in, "https://flex-api.example/v1/auth/token", FORM,
              "grant_type=client_credentials_v2&client_id=cid&client_secret=cs", NULL,
              "GrantTypeValue renames the configured grant");
}

static void test_url_and_extras(void) {
        AccountConfig a = account("https://as.example/token", "cid", CLIENT_AUTH_NONE,
                                  GRANT_CLIENT_CREDENTIALS);
        GrantInput in = { .grant = GRANT_CLIENT_CREDENTIALS };
        char *extra[] = {
                (char *) "audience", (char *) "https://api",
                (char *) "x y", (char *) "1&2",
                NULL,
        };
        TokenRequest req = {};

        a.token_url_query = (char *) "api-version=2";
        check(&a, &in, "https://as.example/token?api-version=2", FORM, "grant_type=client_credentials"
                                                                       "&client_id=cid",
              NULL, "TokenURLQuery appended with '?'");
        a.token_url = (char *) "https://as.example/token?tenant=t";
        a.token_url_query = (char *) "?api-version=2";
        check(&a, &in, "https://as.example/token?tenant=t&api-version=2", FORM,
              "grant_type=client_credentials&client_id=cid", NULL, "TokenURLQuery appended with '&'");
        a.token_url_query = (char *) "";
        check(&a, &in, "https://as.example/token?tenant=t", FORM, "grant_type=client_credentials"
                                                                  "&client_id=cid",
              NULL, "empty TokenURLQuery");

        a.extra_params = extra;
        a.scopes = (char *) "a b";
        check(&a, &in, "https://as.example/token?tenant=t", FORM,
              "grant_type=client_credentials&scope=a%20b&client_id=cid&audience=https%3A%2F%2Fapi"
              "&x%20y=1%262",
              NULL, "ExtraParams appended, encoded");
        in.scope = "override";
        check(&a, &in, "https://as.example/token?tenant=t", FORM,
              "grant_type=client_credentials&scope=override&client_id=cid&audience=https%3A%2F%2Fapi"
              "&x%20y=1%262",
              NULL, "scope from the request wins over Scopes=");

        extra[3] = NULL;
        is_int(token_request_build(&a, &in, &req), -EUCLEAN, "ExtraParams not in pairs");
}

static void test_json_encoding(void) {
        AccountConfig a = account("https://api.example/oauth/token", "cid", CLIENT_AUTH_POST,
                                  GRANT_PASSWORD);
        GrantInput in = { .grant = GRANT_PASSWORD, .client_secret = "c\"s\\", .password = "p\xc3\xa4ss\n/" };
        char *extra[] = { (char *) "client_type", (char *) "app", NULL };
        _cleanup_(token_request_clear) TokenRequest req = {};
        _cleanup_json_ json_object *o = NULL;
        int r;

        a.request_encoding = REQUEST_ENCODING_JSON;
        a.username = (char *) "u@example.com";
        a.extra_params = extra;

        r = token_request_build(&a, &in, &req);
        is_int(r, 0, "JSON request builds");
        if (r < 0)
                return;
        is_str(req.content_type, "application/json", "JSON content type");
        ok(!req.authorization, "post auth: no Authorization header");
        is_int(json_parse(req.body, strlen(req.body), &o), 0, "body is valid JSON");
        ok(json_object_is_type(o, json_type_object), "a JSON object");
        is_int(json_object_object_length(o), 6, "flat object with every parameter once");
        is_str(json_get_string(o, "grant_type"), "password", "grant_type");
        is_str(json_get_string(o, "username"), "u@example.com", "username");
        is_str(json_get_string(o, "password"), "p\xc3\xa4ss\n/", "password survives escaping");
        is_str(json_get_string(o, "client_id"), "cid", "client_id");
        is_str(json_get_string(o, "client_secret"), "c\"s\\", "client_secret with quote and backslash");
        is_str(json_get_string(o, "client_type"), "app", "extra param");
        ok(strstr(req.body, "\"grant_type\":\"password\""), "compact output");

        token_request_clear(&req);
        ok(!req.url && !req.body && !req.content_type && !req.authorization, "clear resets every field");
        token_request_clear(&req);
        ok(true, "clearing twice is harmless");
}

static void test_discovered_url(void) {
        AccountConfig a = account(NULL, "c", CLIENT_AUTH_NONE, GRANT_PASSWORD);
        GrantInput in = { .grant = GRANT_REFRESH_TOKEN, .refresh_token = "rt" };
        TokenRequest none = {};

        is_int(token_request_build(&a, &in, &none), -EINVAL, "no TokenURL and none discovered");
        in.token_url = "https://idm.example.io/oauth2/aus/v1/token";
        a.token_url_query = (char *) "envelope=false";
        check(&a, &in, "https://idm.example.io/oauth2/aus/v1/token?envelope=false", FORM,
              "grant_type=refresh_token&refresh_token=rt&client_id=c", NULL, "the discovered token URL is used");
}

static void check_revocation(const AccountConfig *a, const RevocationInput *in, const char *body, const char *auth,
                             const char *what) {
        _cleanup_(token_request_clear) TokenRequest req = {};
        int r;

        r = revocation_request_build(a, in, &req);
        is_int(r, 0, "%s: builds", what);
        if (r < 0)
                return;
        is_str(req.url, in->url, "%s: url", what);
        is_str(req.content_type, FORM, "%s: always a form (RFC 7009)", what);
        is_str(req.body, body, "%s: body", what);
        is_str(req.authorization, auth, "%s: authorization", what);
}

static void test_revocation(void) {
        AccountConfig a = account("https://as.example/token", "s6BhdRkqt3", CLIENT_AUTH_BASIC, GRANT_PASSWORD);
        RevocationInput in = { .url = "https://as.example/revoke", .token = "45ghiukldjahdnhzdauz/",
                               .token_type_hint = "refresh_token", .client_secret = "7Fjfp0ZBr1KtDRbnfVdmIw" };
        TokenRequest none = {};

        /* RFC 7009 section 2.1's example */
        check_revocation(&a, &in, "token=45ghiukldjahdnhzdauz%2F&token_type_hint=refresh_token",
                         "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3", "RFC 7009 example");
        a.client_auth = CLIENT_AUTH_POST;
        a.request_encoding = REQUEST_ENCODING_JSON;
        check_revocation(&a, &in,
                         "token=45ghiukldjahdnhzdauz%2F&token_type_hint=refresh_token&client_id=s6BhdRkqt3"
                         "&client_secret=7Fjfp0ZBr1KtDRbnfVdmIw",
                         NULL, "client_secret_post, a form even for a JSON token endpoint");
        a.client_auth = CLIENT_AUTH_NONE;
        in.token_type_hint = NULL;
        check_revocation(&a, &in, "token=45ghiukldjahdnhzdauz%2F&client_id=s6BhdRkqt3", NULL, "public client");

        /* Sharetribe: Bearer access token and token=<RT> only. */
        in.bearer = "at-1";
        in.token_type_hint = "refresh_token";
        check_revocation(&a, &in, "token=45ghiukldjahdnhzdauz%2F", "Bearer at-1", "bearer form");

        in.bearer = NULL;
        a.client_auth = CLIENT_AUTH_BASIC;
        in.client_secret = NULL;
        is_int(revocation_request_build(&a, &in, &none), -ENOKEY, "basic without a secret");
        in.token = NULL;
        is_int(revocation_request_build(&a, &in, &none), -EINVAL, "nothing to revoke");
        ok(!none.body && !none.authorization, "nothing returned on failure");
}

int main(void) {
        test_client_auth();
        test_grants();
        test_token_exchange();
        test_url_and_extras();
        test_json_encoding();
        test_discovered_url();
        test_revocation();
        return tap_done();
}
