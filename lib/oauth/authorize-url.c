/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "authorize-url.h"
#include "form.h"
#include "string-util.h"

const char *param_name_mapped(char * const *names, const char *name) {
        for (char * const *p = names; p && p[0] && p[1]; p += 2)
                if (streq(p[0], name))
                        return p[1];
        return name;
}

bool scope_has(const char *scope, const char *name) {
        size_t n = strlen(name);

        for (const char *p = scope; p && *p;) {
                size_t k = strcspn(p, " ");

                if (k == n && strncmp(p, name, n) == 0)
                        return true;
                p += k;
                p += strspn(p, " ");
        }
        return false;
}

static int append(char **query, char * const *names, const char *name, const char *value) {
        const char *sent = param_name_mapped(names, name);

        if (isempty(sent) || !value)
                return 0;
        return form_append(query, sent, value);
}

int authorize_query_build(const AccountConfig *a, const AuthorizeInput *in, char **ret) {
        _cleanup_strv_free_ char **resources = NULL;
        _cleanup_free_ char *query = NULL;
        char * const *names = a->authorize_param_names;
        const char *scope = in->scope ?: a->scopes;
        int r;

        if (isempty(a->client_id))
                return -EINVAL;

        if ((r = append(&query, names, "response_type", "code")) < 0 ||
            (r = append(&query, names, "client_id", a->client_id)) < 0 ||
            (r = append(&query, names, "redirect_uri", in->redirect_uri)) < 0 ||
            (r = append(&query, names, "scope", isempty(scope) ? NULL : scope)) < 0 ||
            (r = append(&query, names, "state", in->state)) < 0 ||
            (r = append(&query, names, "code_challenge", in->code_challenge)) < 0 ||
            (r = append(&query, names, "code_challenge_method", in->code_challenge ? "S256" : NULL)) < 0 ||
            (r = append(&query, names, "nonce", in->nonce)) < 0 ||
            (r = append(&query, names, "dpop_jkt", in->dpop_jkt)) < 0)
                return r;
        /* RFC 8707 section 2.1: the resources the grant is for. */
        resources = strv_split(strempty(a->resource), " ");
        if (!resources)
                return -ENOMEM;
        STRV_FOREACH(res, resources)
                if ((r = append(&query, names, "resource", *res)) < 0)
                        return r;
        *ret = query ? TAKE_PTR(query) : strdup("");
        return *ret ? 0 : -ENOMEM;
}

int authorize_url_build(const AccountConfig *a, const AuthorizeInput *in, char **ret) {
        _cleanup_free_ char *query = NULL;
        char *url;
        int r;

        if (isempty(in->authorize_url))
                return -EINVAL;
        r = authorize_query_build(a, in, &query);
        if (r < 0)
                return r;
        /* ExtraParams= go to the token endpoint; an authorize URL that has a query of its own keeps it. */
        url = strjoin(in->authorize_url, strchr(in->authorize_url, '?') ? "&" : "?", query);
        if (!url)
                return -ENOMEM;
        *ret = url;
        return 0;
}
