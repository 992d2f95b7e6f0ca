/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* The request a curl command line makes, as far as `tokenbroker curl` must know it to sign a DPoP proof for
 * it (RFC 9449 binds a proof to a method and a URL): read from curl's own arguments the way curl reads them,
 * options that take a value included, so that a value is never taken for the URL. Pure. */

typedef struct CurlRequest {
        const char
                *method; /* -X/--request, else HEAD (-I), PUT (-T), POST (data or form), GET (-G or none) */
        const char *url;        /* the one URL (positional or --url); borrowed from argv */
        bool reads_stdin;       /* a value from "-" or "@-": the command cannot be run twice */
        bool writes_output;     /* -o, -O and kin: the body does not go to stdout */
        bool writes_stdout;     /* -w, -D -, -c -: more than the body goes to stdout */
        bool dumps_headers;     /* -D: the user's own header dump */
} CurlRequest;

/* 0 with *ret; -ENOENT without a URL, -E2BIG with more than one (a proof is for one request), -EINVAL for a
 * URL without an http:// or https:// scheme, or an option that lacks its value. */
int curl_request_parse(int argc, char * const *argv, CurlRequest *ret);
