/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "form.h"
#include "json-util.h"
#include "pushed-authorization.h"
#include "string-util.h"

/* A request_uri is a URI (urn:ietf:params:oauth:request_uri:... in practice), short and printable. */
#define REQUEST_URI_MAX 1024U

void pushed_authorization_clear(PushedAuthorization *p) {
        if (!p)
                return;
        free(p->request_uri);
        *p = (PushedAuthorization) {};
}

static int invalid(TokenError *ret_error, const char *what) {
        if (ret_error) {
                *ret_error = (TokenError) {
                        .error = strdup("invalid_response"),
                        .description = strdup(what),
                };
        }
        return -EBADMSG;
}

int pushed_authorization_parse(const char *body, size_t size, int http_status, PushedAuthorization *ret,
                               TokenError *ret_error) {
        _cleanup_json_ json_object *root = NULL;
        _cleanup_(token_response_clear) TokenResponse unused = {};
        const char *uri;
        json_object *v;
        int64_t expires_in = 0;

        if (ret_error)
                *ret_error = (TokenError) {};
        /* An error answer has the token endpoint's form (RFC 9126 section 2.3 refers to RFC 6749 5.2). */
        if (http_status < 200 || http_status >= 300) {
                int r = token_response_parse(body, size, http_status, NULL, &unused, ret_error);

                return r == -EREMOTEIO ? r : invalid(ret_error, "The pushed authorization request failed.");
        }
        if (json_parse(body, size, &root) < 0 || !json_object_is_type(root, json_type_object))
                return invalid(ret_error, "The pushed authorization response is not a JSON object.");
        if (!json_object_object_get_ex(root, "request_uri", &v) || !json_object_is_type(v, json_type_string))
                return invalid(ret_error, "The pushed authorization response has no request_uri.");
        uri = json_object_get_string(v);
        if (isempty(uri) || strlen(uri) > REQUEST_URI_MAX || !string_is_safe_utf8(uri, strlen(uri)) ||
            strpbrk(uri, " \t"))
                return invalid(ret_error, "The pushed authorization response's request_uri is not a URI.");
        if (json_get_int64(root, "expires_in", &expires_in) < 0 || expires_in <= 0)
                return invalid(ret_error, "The pushed authorization response has no positive expires_in.");

        ret->request_uri = strdup(uri);
        if (!ret->request_uri)
                return -ENOMEM;
        ret->expires_in = expires_in;
        return 0;
}

int pushed_authorization_url(const char *authorize_url, const char *client_id, const char *request_uri, char **ret) {
        _cleanup_free_ char *query = NULL;
        char *url;
        int r;

        if (isempty(authorize_url) || isempty(client_id) || isempty(request_uri))
                return -EINVAL;
        if ((r = form_append(&query, "client_id", client_id)) < 0 ||
            (r = form_append(&query, "request_uri", request_uri)) < 0)
                return r;
        url = strjoin(authorize_url, strchr(authorize_url, '?') ? "&" : "?", query);
        if (!url)
                return -ENOMEM;
        *ret = url;
        return 0;
}
