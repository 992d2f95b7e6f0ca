/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "json-util.h"
#include "server-metadata.h"
#include "string-util.h"

#define WELL_KNOWN_OAUTH "/.well-known/oauth-authorization-server"
#define WELL_KNOWN_OIDC "/.well-known/openid-configuration"

void server_metadata_clear(ServerMetadata *m) {
        if (!m)
                return;
        free(m->issuer);
        free(m->token_endpoint);
        free(m->authorization_endpoint);
        free(m->device_authorization_endpoint);
        free(m->revocation_endpoint);
        free(m->jwks_uri);
        free(m->pushed_authorization_request_endpoint);
        free(m->mtls_endpoint_aliases.token_endpoint);
        free(m->mtls_endpoint_aliases.device_authorization_endpoint);
        free(m->mtls_endpoint_aliases.revocation_endpoint);
        free(m->mtls_endpoint_aliases.pushed_authorization_request_endpoint);
        *m = (ServerMetadata) {};
}

/* The issuer without one trailing '/': both spellings name the same issuer in practice. */
static size_t issuer_length(const char *issuer) {
        size_t l = strlen(issuer);

        return l > 0 && issuer[l - 1] == '/' ? l - 1 : l;
}

int server_metadata_urls(const char *issuer, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *base = NULL, *rfc8414 = NULL;
        const char *rest, *path;
        size_t n;

        if (!(rest = startswith_no_case(issuer, "https://")) && !(rest = startswith_no_case(issuer, "http://")))
                return -EINVAL;
        if (strpbrk(issuer, "?# \t\r\n") || !*rest || *rest == '/')
                return -EINVAL;

        n = issuer_length(issuer);
        base = strndup(issuer, n);
        if (!base)
                return -ENOMEM;
        path = strchr(base + (rest - issuer), '/');

        if (path) {
                /* RFC 8414 section 3.1: the well-known name goes between the host and the issuer's path. */
                size_t host_len = path - base;

                rfc8414 = malloc(host_len + strlen(WELL_KNOWN_OAUTH) + strlen(path) + 1);
                if (!rfc8414)
                        return -ENOMEM;
                memcpy(rfc8414, base, host_len);
                strcpy(rfc8414 + host_len, WELL_KNOWN_OAUTH);
                strcat(rfc8414, path);
                if (strv_push(&l, TAKE_PTR(rfc8414)) < 0)
                        return -ENOMEM;
        }
        if (strv_push(&l, strjoin(base, WELL_KNOWN_OAUTH)) < 0 || strv_push(&l, strjoin(base, WELL_KNOWN_OIDC)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

_printf_(2, 3) static int set_error(char **ret_error, const char *fmt, ...) {
        va_list ap;

        if (ret_error) {
                free(*ret_error);
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return -EBADMSG;
}

static bool is_http_url(const char *s) {
        return startswith_no_case(s, "https://") || startswith_no_case(s, "http://");
}

/* An optional endpoint member: absent or null is fine, anything but an http(s) URL string is not. */
static int get_endpoint(json_object *root, const char *key, bool required, char **ret, char **ret_error) {
        json_object *v;
        const char *s;

        if (!json_object_object_get_ex(root, key, &v) || json_object_is_type(v, json_type_null)) {
                if (required)
                        return set_error(ret_error, "The server metadata has no %s.", key);
                return 0;
        }
        s = json_object_is_type(v, json_type_string) ? json_get_string(root, key) : NULL;
        if (!s || !is_http_url(s) || strpbrk(s, " \t\r\n"))
                return set_error(ret_error, "The server metadata's %s is not an http(s) URL.", key);
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

/* Only a JSON true counts: a server that says "true" as a string or 1 has not said it. */
static bool get_true(json_object *root, const char *key) {
        json_object *v;

        return json_object_object_get_ex(root, key, &v) && json_object_is_type(v, json_type_boolean) &&
               json_object_get_boolean(v);
}

static int get_mtls_aliases(json_object *root, MtlsEndpointAliases *ret, char **ret_error) {
        json_object *o;
        int r;

        if (!json_object_object_get_ex(root, "mtls_endpoint_aliases", &o) || json_object_is_type(o, json_type_null))
                return 0;
        if (!json_object_is_type(o, json_type_object))
                return set_error(ret_error, "The server metadata's mtls_endpoint_aliases is not an object.");
        if ((r = get_endpoint(o, "token_endpoint", false, &ret->token_endpoint, ret_error)) < 0 ||
            (r = get_endpoint(o, "device_authorization_endpoint", false, &ret->device_authorization_endpoint,
                              ret_error)) < 0 ||
            (r = get_endpoint(o, "revocation_endpoint", false, &ret->revocation_endpoint, ret_error)) < 0 ||
            (r = get_endpoint(o, "pushed_authorization_request_endpoint", false,
                              &ret->pushed_authorization_request_endpoint, ret_error)) < 0)
                return r;
        return 0;
}

int server_metadata_parse(const char *body, size_t size, const char *expected_issuer, ServerMetadata *ret,
                          char **ret_error) {
        _cleanup_(server_metadata_clear) ServerMetadata m = {};
        _cleanup_json_ json_object *root = NULL;
        const char *issuer;
        int r;

        if (json_parse(body, size, &root) < 0 || !json_object_is_type(root, json_type_object))
                return set_error(ret_error, "The server metadata is not a JSON object.");

        issuer = json_get_string(root, "issuer");
        if (!issuer || !json_object_is_type(json_object_object_get(root, "issuer"), json_type_string))
                return set_error(ret_error, "The server metadata has no issuer.");
        /* RFC 8414 section 3.3 and OIDC Discovery 4.3: a document naming another issuer could send tokens
         * and secrets elsewhere; it is refused. */
        if (issuer_length(issuer) != issuer_length(expected_issuer) ||
            strncmp(issuer, expected_issuer, issuer_length(issuer)) != 0 || !string_is_safe_utf8(issuer, strlen(issuer))) {
                const char *shown = string_is_safe_utf8(issuer, strlen(issuer)) ? issuer : "not printable";
                size_t n = strlen(shown);

                /* At most 200 bytes of it, cut at a character boundary: the message must stay UTF-8. */
                if (n > 200)
                        for (n = 200; n > 0 && ((unsigned char) shown[n] & 0xc0) == 0x80; n--)
                                ;
                return set_error(ret_error, "The server metadata names another issuer (%.*s).", (int) n, shown);
        }

        m.issuer = strdup(issuer);
        if (!m.issuer)
                return -ENOMEM;
        if ((r = get_endpoint(root, "token_endpoint", true, &m.token_endpoint, ret_error)) < 0 ||
            (r = get_endpoint(root, "authorization_endpoint", false, &m.authorization_endpoint, ret_error)) < 0 ||
            (r = get_endpoint(root, "device_authorization_endpoint", false, &m.device_authorization_endpoint,
                              ret_error)) < 0 ||
            (r = get_endpoint(root, "revocation_endpoint", false, &m.revocation_endpoint, ret_error)) < 0 ||
            (r = get_endpoint(root, "jwks_uri", false, &m.jwks_uri, ret_error)) < 0 ||
            (r = get_endpoint(root, "pushed_authorization_request_endpoint", false,
                              &m.pushed_authorization_request_endpoint, ret_error)) < 0 ||
            (r = get_mtls_aliases(root, &m.mtls_endpoint_aliases, ret_error)) < 0)
                return r;
        m.authorization_response_iss_parameter_supported = get_true(root, "authorization_response_iss_parameter_supported");
        m.require_pushed_authorization_requests = get_true(root, "require_pushed_authorization_requests");

        *ret = m;
        m = (ServerMetadata) {};
        return 0;
}
