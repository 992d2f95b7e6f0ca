/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "alloc-util.h"
#include "server-metadata.h"
#include "string-util.h"
#include "tap.h"

static int parse(const char *body, const char *issuer, ServerMetadata *m, char **err) {
        return server_metadata_parse(body, strlen(body), issuer, m, err);
}

static void test_urls(void) {
        _cleanup_strv_free_ char **okta = NULL, **root = NULL, **slash = NULL;
        char **bad = NULL;

        /* Floriday's Okta issuer: RFC 8414's inserted form first, then Okta's appended form, then OIDC. */
        is_int(server_metadata_urls("https://idm.example.io/oauth2/aus3test", &okta), 0, "issuer with a path");
        is_int(strv_length(okta), 3, "... three documents to try");
        is_str(okta[0], "https://idm.example.io/.well-known/oauth-authorization-server/oauth2/aus3test",
               "... RFC 8414 form first");
        is_str(okta[1], "https://idm.example.io/oauth2/aus3test/.well-known/oauth-authorization-server",
               "... Okta's appended form second");
        is_str(okta[2], "https://idm.example.io/oauth2/aus3test/.well-known/openid-configuration",
               "... OIDC discovery last");

        is_int(server_metadata_urls("http://127.0.0.1:8080/", &root), 0, "issuer without a path");
        is_int(strv_length(root), 2, "... two documents: the RFC 8414 forms coincide");
        is_str(root[0], "http://127.0.0.1:8080/.well-known/oauth-authorization-server", "... RFC 8414");
        is_str(root[1], "http://127.0.0.1:8080/.well-known/openid-configuration", "... OIDC");

        is_int(server_metadata_urls("https://a.example/tenant/", &slash), 0, "trailing slash");
        is_str(slash[0], "https://a.example/.well-known/oauth-authorization-server/tenant",
               "... is not doubled");

        is_int(server_metadata_urls("ftp://a.example", &bad), -EINVAL, "ftp:// is refused");
        is_int(server_metadata_urls("https://a.example/x?y=1", &bad), -EINVAL, "a query is refused");
        is_int(server_metadata_urls("https://", &bad), -EINVAL, "no host is refused");
        ok(!bad, "nothing returned on refusal");
}

static void test_parse(void) {
        _cleanup_(server_metadata_clear) ServerMetadata m = {}, n = {};
        _cleanup_free_ char *err = NULL;
        ServerMetadata none = {};

        /* Okta's document, shortened: unknown members are ignored. */
        is_int(parse("{\"issuer\":\"https://idm.example.io/oauth2/aus\","
                     "\"authorization_endpoint\":\"https://idm.example.io/oauth2/aus/v1/authorize\","
                     "\"token_endpoint\":\"https://idm.example.io/oauth2/aus/v1/token\","
                     "\"response_modes_supported\":[\"query\",\"okta_post_message\"],"
                     "\"request_parameter_supported\":true,"
                     "\"revocation_endpoint\":\"https://idm.example.io/oauth2/aus/v1/revoke\","
                     "\"device_authorization_endpoint\":null}",
                     "https://idm.example.io/oauth2/aus", &m, &err),
               0, "Okta metadata");
        is_str(m.token_endpoint, "https://idm.example.io/oauth2/aus/v1/token", "token_endpoint");
        is_str(m.authorization_endpoint, "https://idm.example.io/oauth2/aus/v1/authorize", "authorization_endpoint");
        is_str(m.revocation_endpoint, "https://idm.example.io/oauth2/aus/v1/revoke", "revocation_endpoint");
        ok(!m.device_authorization_endpoint, "a null endpoint is absent");
        ok(!m.jwks_uri, "... as is one the document lacks");
        ok(!m.authorization_response_iss_parameter_supported, "no RFC 9207 promise unless made");
        {
                _cleanup_(server_metadata_clear) ServerMetadata o = {}, p = {};

                is_int(parse("{\"issuer\":\"https://op.example\",\"token_endpoint\":\"https://op.example/token\","
                             "\"jwks_uri\":\"https://op.example/jwks\","
                             "\"pushed_authorization_request_endpoint\":\"https://op.example/par\","
                             "\"require_pushed_authorization_requests\":true,"
                             "\"authorization_response_iss_parameter_supported\":true}",
                             "https://op.example", &o, NULL), 0, "an OpenID provider's metadata");
                is_str(o.pushed_authorization_request_endpoint, "https://op.example/par", "... its PAR endpoint");
                ok(o.require_pushed_authorization_requests, "... which it requires");
                is_str(o.jwks_uri, "https://op.example/jwks", "... its jwks_uri");
                ok(o.authorization_response_iss_parameter_supported, "... and its RFC 9207 promise");
                is_int(parse("{\"issuer\":\"https://op.example\",\"token_endpoint\":\"https://op.example/token\","
                             "\"authorization_response_iss_parameter_supported\":\"true\"}",
                             "https://op.example", &p, NULL), 0, "a promise as a string");
                ok(!p.authorization_response_iss_parameter_supported, "... is not a promise");
                is_int(parse("{\"issuer\":\"https://op.example\",\"token_endpoint\":\"https://op.example/token\","
                             "\"jwks_uri\":\"file:///etc/passwd\"}", "https://op.example", &none, NULL), -EBADMSG,
                       "a jwks_uri that is not http(s) is refused");
        }

        {
                _cleanup_(server_metadata_clear) ServerMetadata q = {};

                is_int(parse("{\"issuer\":\"https://op.example\",\"token_endpoint\":\"https://op.example/token\","
                             "\"mtls_endpoint_aliases\":{\"token_endpoint\":\"https://mtls.op.example/token\","
                             "\"revocation_endpoint\":\"https://mtls.op.example/revoke\",\"userinfo_endpoint\":"
                             "\"https://mtls.op.example/me\"}}",
                             "https://op.example", &q, NULL), 0, "RFC 8705 mtls_endpoint_aliases");
                is_str(q.mtls_endpoint_aliases.token_endpoint, "https://mtls.op.example/token", "... the token endpoint's");
                is_str(q.mtls_endpoint_aliases.revocation_endpoint, "https://mtls.op.example/revoke",
                       "... the revocation endpoint's");
                ok(!q.mtls_endpoint_aliases.device_authorization_endpoint, "... none where the document names none");
                is_str(q.token_endpoint, "https://op.example/token", "... beside the endpoint itself");
                is_int(parse("{\"issuer\":\"https://op.example\",\"token_endpoint\":\"https://op.example/token\","
                             "\"mtls_endpoint_aliases\":{\"token_endpoint\":\"ftp://x/\"}}",
                             "https://op.example", &none, NULL), -EBADMSG, "an alias that is not http(s) is refused");
                is_int(parse("{\"issuer\":\"https://op.example\",\"token_endpoint\":\"https://op.example/token\","
                             "\"mtls_endpoint_aliases\":[]}",
                             "https://op.example", &none, NULL), -EBADMSG, "aliases that are no object are refused");
        }

        is_int(parse("{\"issuer\":\"https://a.example/\",\"token_endpoint\":\"https://a.example/token\"}",
                     "https://a.example", &n, NULL),
               0, "issuer with and without a trailing slash match");

        is_int(parse("{\"issuer\":\"https://evil.example\",\"token_endpoint\":\"https://evil.example/t\"}",
                     "https://a.example", &none, &err),
               -EBADMSG, "another issuer is refused");
        ok(err && strstr(err, "evil.example"), "... and named in the error");
        is_int(parse("{\"issuer\":\"https://a.example/x\",\"token_endpoint\":\"https://a.example/t\"}",
                     "https://a.example", &none, NULL),
               -EBADMSG, "an issuer that only starts the same is refused");
        is_int(parse("{\"issuer\":\"https://a.example\"}", "https://a.example", &none, &err), -EBADMSG,
               "no token_endpoint");
        ok(err && strstr(err, "token_endpoint"), "... said so");
        is_int(parse("{\"issuer\":\"https://a.example\",\"token_endpoint\":\"javascript:alert(1)\"}",
                     "https://a.example", &none, NULL),
               -EBADMSG, "a token_endpoint that is no http(s) URL");
        is_int(parse("{\"issuer\":\"https://a.example\",\"token_endpoint\":\"https://a.example/t\","
                     "\"revocation_endpoint\":42}",
                     "https://a.example", &none, NULL),
               -EBADMSG, "an endpoint that is not a string");
        is_int(parse("<html>Not found</html>", "https://a.example", &none, NULL), -EBADMSG, "HTML");
        is_int(parse("[\"issuer\"]", "https://a.example", &none, NULL), -EBADMSG, "not an object");
        is_int(parse("{\"issuer\":7,\"token_endpoint\":\"https://a.example/t\"}", "7", &none, NULL), -EBADMSG,
               "an issuer that is not a string");
        ok(!none.issuer && !none.token_endpoint, "nothing returned on refusal");
}

int main(void) {
        test_urls();
        test_parse();
        return tap_done();
}
