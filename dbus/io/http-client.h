/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

/* Non-blocking HTTP for the daemon: one libcurl multi handle driven by the sd-event loop, so a hundred token
 * requests in flight never delay a cache hit, and connections to a token endpoint are kept and reused.
 *
 * Policy enforced here for every request: TLS verified (peer and host), redirects never followed, http://
 * only to loopback (the account parser checks it too), responses capped at HTTP_MAX_RESPONSE bytes, and a
 * transfer that stalls (less than a byte a second for HTTP_STALL_SEC) is given up. */

#define HTTP_MAX_RESPONSE (1024U * 1024U)
#define HTTP_STALL_SEC 10L
/* Sockets libcurl may hold open at once, in flight or kept for reuse. */
#define HTTP_MAX_CONNECTIONS 64U

typedef struct HttpClient HttpClient;
typedef struct HttpRequest HttpRequest;

typedef struct HttpResult {
        int error;                      /* 0, or -errno: -ETIMEDOUT, -ECONNREFUSED, -EFBIG (over the cap),
                                         * -EHOSTUNREACH (resolve/connect), -EPROTO (TLS), -EIO */
        const char *error_text;         /* libcurl's words for a transport error; never secret */
        long status;                    /* HTTP status, 0 on transport errors */
        const char *body;               /* NUL-terminated; wiped and freed after the callback returns */
        size_t body_size;
        int retry_after_sec;            /* Retry-After in seconds, -1 if absent */
        const char *content_type;
        const char *dpop_nonce;         /* the DPoP-Nonce header (RFC 9449 section 8), or NULL */
        const char *url;                /* the URL the request went to */
} HttpResult;

typedef void (*http_callback_t)(const HttpResult *result, void *userdata);

typedef struct HttpRequestParams {
        const char *url;
        const char *method;             /* "POST" or "GET" */
        const char *content_type;       /* for POST */
        const char *body;               /* copied; wiped after the request */
        const char *authorization;      /* copied; wiped after the request */
        char * const *extra_headers;    /* "Name: value" lines */
        const char *ca_file;
        /* RFC 8705 mutual TLS: the client certificate, and its key as a file or as PEM text (a secret) */
        const char *client_cert_file;
        const char *client_key_file;
        const char *client_key_pem;
        uint64_t timeout_sec;           /* this request (default 30) */
        uint64_t deadline_usec;         /* CLOCK_MONOTONIC end of the budget it is part of; 0: none */
        uint64_t connect_timeout_sec;
} HttpRequestParams;

int http_client_new(sd_event *event, HttpClient **ret);
HttpClient *http_client_free(HttpClient *c);

/* Starts a request; the callback runs exactly once, later, from the event loop (also on failure to start
 * after this returned 0), unless http_request_cancel() is called first. */
int http_client_start(HttpClient *c, const HttpRequestParams *p, http_callback_t cb, void *userdata,
                      HttpRequest **ret);
void http_request_cancel(HttpRequest *r);

/* The error and message for a request that http_client_start() refused with `r`, one wording for every
 * request: "Cannot send the WHAT: why." -EPROTONOSUPPORT (not https) is InvalidArgs, -EUCLEAN (CAFile=) and
 * -EKEYREJECTED (ClientCertFile=, ClientKeyFile=) Config, -ETIMEDOUT (the budget) and -ESHUTDOWN (a client
 * that refuses new requests) Unavailable. *ret_message may be NULL on allocation failure. */
int http_start_error(int r, const char *what, char **ret_message);

/* Requests in flight: for status, and for a daemon that stops only once none is left. */
unsigned http_client_in_flight(HttpClient *c);
/* From now on http_client_start() refuses with -ESHUTDOWN; the requests in flight go on to their end. */
void http_client_refuse_new(HttpClient *c);

/* True for http(s) URLs that may be used: https anywhere, http only to 127.0.0.0/8, ::1 or localhost. */
int http_url_is_allowed(const char *url);
