/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "account-request.h"

int account_post(Account *a, const TokenRequest *req, uint64_t deadline_usec, const char *what, http_callback_t cb,
                 void *userdata, HttpRequest **ret, char **ret_message) {
        HttpRequestParams p = {
                .url = req->url,
                .method = "POST",
                .content_type = req->content_type,
                .body = req->body,
                .authorization = req->authorization,
                .ca_file = a->config->ca_file,
                .timeout_sec = a->config->timeout_sec,
                .deadline_usec = deadline_usec,
        };
        int r;

        *ret_message = NULL;
        r = http_client_start(a->engine->http, &p, cb, userdata, ret);
        return r < 0 ? http_start_error(r, what, ret_message) : 0;
}
