/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "launcher.h"
#include "log.h"
#include "string-util.h"
#include "url-credential.h"
#include "wire-api.h"
#include "wire-json.h"

int url_credential_parse(const char *url_or_host, Credential *c) {
        _cleanup_free_ char *url = NULL;

        url = strstr(url_or_host, "://") ? strdup(url_or_host) : strjoin("https://", url_or_host);
        if (!url)
                return log_oom();
        if (credential_from_url(c, url) < 0 || isempty(c->host))
                return log_error_errno(EBADMSG, "Not a URL or host name: '%.200s'.", url_or_host);
        return 0;
}

static json_object *request_new(const Credential *c, const char *tool, const char *account, const char *token) {
        _cleanup_json_ json_object *p = json_object_new_object();

        if (!p || json_object_object_add(p, "protocol", json_object_new_string(c->protocol)) < 0 ||
            json_object_object_add(p, "host", json_object_new_string(c->host)) < 0 ||
            (c->path && json_object_object_add(p, "path", json_object_new_string(c->path)) < 0) ||
            (tool && json_object_object_add(p, "tool", json_object_new_string(tool)) < 0) ||
            (account && json_object_object_add(p, "account", json_object_new_string(account)) < 0) ||
            (token && json_object_object_add(p, "token", json_object_new_string(token)) < 0))
                return NULL;
        return TAKE_PTR(p);
}

/* One call on a fresh connection; the daemon's error logged. */
static int call(const char *method, json_object *p, WireReply *reply) {
        _cleanup_close_ int fd = -1;
        int r;

        r = launcher_connect(&fd);
        if (r < 0)
                return log_error_errno(r, "Cannot reach tokenbrokerd: %m; start it with 'systemctl --user start "
                                          "tokenbrokerd'.");
        r = wire_call(fd, method, p, reply);
        if (r < 0)
                return log_error_errno(r, "No answer from tokenbrokerd: %m");
        if (reply->error)
                return log_error_errno(wire_reply_errno(reply), "%s", wire_reply_message(reply));
        return 0;
}

int url_credential_get(const Credential *c, const char *tool, const char *account, WireReply *reply) {
        _cleanup_json_ json_object *p = request_new(c, tool, account, NULL);
        const char *served = NULL, *token = NULL;
        int r;

        if (!p)
                return log_oom();
        r = call(WIRE_METHOD_GIT_CREDENTIAL, p, reply);
        if (r < 0)
                return r;
        (void) wire_json_get_string(reply->parameters, "account", &served);
        if (isempty(served))
                return 0;
        if (wire_json_get_string(reply->parameters, "token", &token) <= 0 || isempty(token))
                return log_error_errno(EBADMSG, "The daemon answered an empty token for account '%s'.", served);
        return 1;
}

int url_credential_forget(const Credential *c, const char *tool, const char *account) {
        _cleanup_(wire_reply_done) WireReply reply = {}, invalidated = {};
        _cleanup_json_erase_ json_object *p = NULL;
        const char *token = NULL;
        int r;

        /* The token the tool was given is the cached one: asked for, then dropped by its value (Invalidate
         * without a token would mean every token of the account). */
        r = url_credential_get(c, tool, account, &reply);
        if (r <= 0)
                return r;
        (void) wire_json_get_string(reply.parameters, "token", &token);
        p = request_new(c, tool, account, token);
        if (!p)
                return log_oom();
        r = call(WIRE_METHOD_INVALIDATE, p, &invalidated);
        return r < 0 ? r : 1;
}
