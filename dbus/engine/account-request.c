/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "account-request.h"
#include "alloc-util.h"
#include "dpop.h"
#include "string-util.h"

static int post(Account *a, const TokenRequest *req, char *const *headers, uint64_t deadline_usec,
                const char *what, http_callback_t cb, void *userdata, HttpRequest **ret,
                char **ret_message) {
        const AccountConfig *c = a->config;
        HttpRequestParams p = {
                .url = req->url,
                .method = "POST",
                .content_type = req->content_type,
                .body = req->body,
                .authorization = req->authorization,
                .extra_headers = headers,
                .ca_file = c->ca_file,
                .client_cert_file = c->client_cert_file,
                .client_key_file = c->client_key_file,
                .client_key_pem = c->client_key_file ? NULL : a->tls_key,
                .timeout_sec = c->timeout_sec,
                .deadline_usec = deadline_usec,
        };
        int r;

        *ret_message = NULL;
        /* RFC 8705: every request to the account's server goes with its certificate, so that tokens bound to
         * it are refreshed and revoked by the same client. */
        if (c->client_cert_file && !c->client_key_file && !a->tls_key) {
                if (asprintf(ret_message, "Account '%s' lacks the key of its ClientCertFile=: run 'tokenbroker "
                                          "set-secret %s tls-key < KEY.pem', or set ClientKeyFile=.",
                             a->name, a->name) < 0)
                        *ret_message = NULL;
                return -ENOKEY;
        }
        r = http_client_start(a->engine->http, &p, cb, userdata, ret);
        return r < 0 ? http_start_error(r, what, ret_message) : 0;
}

int account_post(Account *a, const TokenRequest *req, uint64_t deadline_usec, const char *what,
                 http_callback_t cb, void *userdata, HttpRequest **ret, char **ret_message) {
        return post(a, req, NULL, deadline_usec, what, cb, userdata, ret, ret_message);
}

int account_post_token_request(Account *a, const TokenRequest *req, uint64_t deadline_usec,
                               http_callback_t cb, void *userdata, HttpRequest **ret, char **ret_message) {
        _cleanup_(erase_and_freep) char *proof = NULL, *header = NULL;
        int r;

        if (!a->config->dpop)
                return post(a, req, NULL, deadline_usec, "token request", cb, userdata, ret, ret_message);

        /* A fresh proof for each request, also for each retry: a server refuses a jti it saw before. */
        r = account_dpop_proof(a, DPOP_AUTHORIZATION_SERVER, "POST", req->url, NULL, NULL, &proof);
        if (r < 0) {
                *ret_message =
                        strdup(r == -ENOKEY    ? "The account has no DPoP key."
                               : r == -EBADMSG ? "The account's dpop-key secret is not a key that can sign."
                                               : "Cannot make the DPoP proof for the token request.");
                return r == -EBADMSG ? -EUCLEAN : r;
        }
        header = strjoin("DPoP: ", proof);
        if (!header)
                return -ENOMEM;
        return post(a, req, (char *[]) { header, NULL }, deadline_usec, "token request", cb, userdata, ret,
                    ret_message);
}
