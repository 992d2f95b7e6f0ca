/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "form.h"
#include "redirect-request.h"
#include "string-util.h"

void redirect_request_clear(RedirectRequest *r) {
        if (!r)
                return;
        free(r->path);
        r->code = erase_and_free(r->code);
        free(r->state);
        free(r->error);
        free(r->error_description);
        free(r->iss);
        *r = (RedirectRequest) {};
}

/* A query value, decoded; one that does not decode, or is not printable UTF-8, counts as absent: the values
 * go into D-Bus strings (which must be UTF-8), the log and the browser's page. */
static char *query_value(const char *query, const char *name) {
        char *v = form_query_get(query, name);

        if (v && !string_is_safe_utf8(v, strlen(v)))
                v = erase_and_free(v);
        return v;
}

int redirect_request_parse(const char *data, size_t size, RedirectRequest *ret) {
        _cleanup_(redirect_request_clear) RedirectRequest r = {};
        _cleanup_free_ char *line = NULL;
        const char *eol, *target, *version, *q;
        size_t n;

        eol = memchr(data, '\n', size);
        if (!eol)
                return size >= REDIRECT_REQUEST_MAX ? -EBADMSG : -EAGAIN;
        n = (size_t) (eol - data);
        if (n > 0 && data[n - 1] == '\r')
                n--;
        if (n >= REDIRECT_REQUEST_MAX || memchr(data, 0, n))
                return -EBADMSG;
        line = strndup(data, n);
        if (!line)
                return -ENOMEM;

        target = startswith(line, "GET ");
        if (!target || *target != '/')
                return -EBADMSG;
        version = strchr(target, ' ');
        if (!version || !startswith(version + 1, "HTTP/1.") || strchr(version + 1, ' '))
                return -EBADMSG;

        q = memchr(target, '?', (size_t) (version - target));
        r.path = strndup(target, (size_t) ((q ?: version) - target));
        if (!r.path)
                return -ENOMEM;
        if (q) {
                _cleanup_free_ char *query = strndup(q + 1, (size_t) (version - q - 1));

                if (!query)
                        return -ENOMEM;
                /* A value that does not decode counts as absent: the flow then fails as "no code". */
                r.code = query_value(query, "code");
                r.state = query_value(query, "state");
                r.error = query_value(query, "error");
                r.error_description = query_value(query, "error_description");
                r.iss = query_value(query, "iss");
        }
        *ret = r;
        r = (RedirectRequest) {};
        return 0;
}
