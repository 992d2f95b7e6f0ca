/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* The browser's request to the loopback redirect URI (RFC 8252 section 7.3): only its request line is read,
 * "GET /path?code=...&state=... HTTP/1.1". Pure, fuzzed. */

#define REDIRECT_REQUEST_MAX 8192U

typedef struct RedirectRequest {
        char *path;                     /* without the query */
        char *code;                     /* wiped on clear */
        char *state;
        char *error;                    /* RFC 6749 section 4.1.2.1 */
        char *error_description;
        char *iss;                      /* RFC 9207 */
} RedirectRequest;

void redirect_request_clear(RedirectRequest *r);

/* Parses what arrived so far. -EAGAIN: the request line is not complete yet (and is under the limit);
 * -EBADMSG: not an HTTP/1.x GET request line, or over REDIRECT_REQUEST_MAX. Query values that do not decode
 * to printable UTF-8 are left out. */
int redirect_request_parse(const char *data, size_t size, RedirectRequest *ret);
