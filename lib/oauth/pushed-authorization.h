/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "token-response.h"

/* Pushed authorization requests (RFC 9126): the authorization request goes to the server directly, with the
 * client authenticated as at the token endpoint, and the browser gets only a reference to it. Nothing of the
 * request (scope, PKCE challenge, nonce) is then in the browser's command line or history, and the server
 * knows it came from the client. Pure, fuzzed. */

typedef struct PushedAuthorization {
        char *request_uri;
        int64_t expires_in;             /* seconds */
} PushedAuthorization;

void pushed_authorization_clear(PushedAuthorization *p);

/* The server's answer (section 2.2, a 201 with request_uri and expires_in). -EREMOTEIO with *ret_error for an
 * error response (section 2.3), -EBADMSG with *ret_error (error "invalid_response") for anything else. */
int pushed_authorization_parse(const char *body, size_t size, int http_status, PushedAuthorization *ret,
                               TokenError *ret_error);

/* The authorization URL that names the pushed request: client_id and request_uri only (section 4). */
int pushed_authorization_url(const char *authorize_url, const char *client_id, const char *request_uri, char **ret);
