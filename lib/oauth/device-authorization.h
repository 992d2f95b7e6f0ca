/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "token-response.h"

/* The device authorization response (RFC 8628 section 3.2). Pure, fuzzed. */

typedef struct DeviceAuthorization {
        char *device_code;              /* wiped on clear: it is what the token request proves itself with */
        char *user_code;
        char *verification_uri;
        char *verification_uri_complete;        /* NULL if the server sent none */
        int64_t expires_in;             /* seconds */
        int64_t interval;               /* seconds between polls; 5 when the server says nothing */
} DeviceAuthorization;

void device_authorization_clear(DeviceAuthorization *d);

/* 0 and *ret for a usable answer; -EREMOTEIO and *ret_error when the server refused (as
 * token_response_parse()); -EBADMSG and *ret_error for anything else (not JSON, a member missing, a
 * verification URI that is not http(s)). ret_error may be NULL. */
int device_authorization_parse(const char *body, size_t size, int http_status, DeviceAuthorization *ret,
                               TokenError *ret_error);
