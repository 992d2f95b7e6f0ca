/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pushed authorization requests (RFC 9126) for the authorization code flow: with PAR=true, or when the
 * issuer's metadata requires them, the authorization request goes to the server directly, the client
 * authenticated as at the token endpoint, and the browser is sent only client_id and the request_uri the
 * server answered. The PKCE challenge, nonce and scopes stay off the browser's command line, and the server
 * knows the request came from the client. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "account-endpoints.h"
#include "account-request.h"
#include "alloc-util.h"
#include "client-auth.h"
#include "log.h"
#include "login-internal.h"
#include "pushed-authorization.h"
#include "string-util.h"
#include "token-request.h"

void login_report_url(LoginSession *s, const char *url) {
        login_report_begun(s, &(LoginStart) {
                .kind = "authorization_code",
                .url = url,
                .redirect_uri = s->redirect_uri,
                .expires_in = login_seconds_left(s),
        });
}

static void on_pushed(const HttpResult *res, void *userdata) {
        LoginSession *s = userdata;
        _cleanup_(pushed_authorization_clear) PushedAuthorization p = {};
        _cleanup_(token_error_clear) TokenError te = {};
        _cleanup_free_ char *msg = NULL, *url = NULL;
        Account *a = login_answered(s);
        int r;

        if (!a)
                return;
        if (res->error < 0) {
                if (asprintf(&msg, "The pushed authorization request endpoint cannot be reached: %s",
                             strna(res->error_text)) < 0)
                        msg = NULL;
                login_finish(s, false, msg ?: "Unreachable.");
                return;
        }
        r = pushed_authorization_parse(res->body, res->body_size, (int) res->status, &p, &te);
        if (r < 0) {
                if (asprintf(&msg, "The pushed authorization request was refused: %s%s%s (HTTP %ld)", strna(te.error),
                             te.description ? ": " : "", strempty(te.description), res->status) < 0)
                        msg = NULL;
                login_finish(s, false, msg ?: "The pushed authorization request was refused.");
                return;
        }
        r = pushed_authorization_url(s->authorize_url, a->config->client_id, p.request_uri, &url);
        if (r < 0) {
                login_finish(s, false, "Cannot build the authorization URL.");
                return;
        }
        log_info("Account '%s': authorization request pushed (RFC 9126).", s->account);
        login_report_url(s, url);
}

int login_push_request(LoginSession *s, Account *a, const ServerMetadata *md, const char *authorize_url,
                        const char *query) {
        _cleanup_(token_request_clear) TokenRequest req = {};
        _cleanup_(erase_and_freep) char *assertion = NULL;
        _cleanup_free_ char *msg = NULL;
        ClientAuth auth = account_config_client_auth(a->config, GRANT_AUTHORIZATION_CODE);
        const char *endpoint = md ? account_endpoint_cached(a, ENDPOINT_PUSHED_AUTHORIZATION) : NULL;
        int r;

        if (!endpoint) {
                login_finish(s, false,
                             a->config->issuer ? "PAR=true, but the issuer publishes no "
                                                 "pushed_authorization_request_endpoint."
                                               : "PAR=true needs Issuer=: the pushed authorization request endpoint "
                                                 "is in the issuer's metadata.");
                return -1;
        }
        r = client_auth_assertion(a, auth, s->token_url, &assertion);
        if (r >= 0)
                r = pushed_authorization_request_build(a->config, endpoint, query, a->client_secret, assertion, &req);
        if (r < 0) {
                if (r == -ENOKEY)
                        msg = client_auth_missing_message(a, auth, GRANT_AUTHORIZATION_CODE);
                login_finish(s, false, msg ?: "Cannot build the pushed authorization request.");
                return -1;
        }
        s->authorize_url = strdup(authorize_url);
        if (!s->authorize_url) {
                login_finish(s, false, "Out of memory.");
                return -1;
        }
        r = account_post(a, &req, 0, "pushed authorization request", on_pushed, s, &s->http, &msg);
        if (r < 0) {
                login_finish(s, false, msg ?: "Cannot start the pushed authorization request.");
                return -1;
        }
        return 0;
}
