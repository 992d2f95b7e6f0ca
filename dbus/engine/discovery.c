/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "discovery.h"
#include "http-client.h"
#include "io.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"

#define DISCOVERY_TTL_USEC (24ULL * 3600ULL * USEC_PER_SEC)
/* A failed discovery is not tried again for this long, so a crowd of callers cannot hammer the server. */
#define DISCOVERY_RETRY_USEC (5ULL * USEC_PER_SEC)
#define DISCOVERY_TIMEOUT_SEC 15

typedef struct Issuer {
        Engine *engine;
        char *issuer;
        ServerMetadata md;              /* valid when md.token_endpoint is set */
        uint64_t fetched_usec;          /* CLOCK_MONOTONIC of the last success */
        uint64_t failed_usec;           /* CLOCK_MONOTONIC of the last failure, 0 if none */
        char *failure;                  /* its message */
        char *ca_file;                  /* CAFile= of the account that asked first: a private CA's issuer */
        int failure_error;
        char **urls;
        size_t url_index;
        HttpRequest *http;
        WaiterList waiters;             /* subject: the ServerMetadata, NULL on failure */
} Issuer;

static void issuer_free(void *p) {
        Issuer *i = p;

        if (!i)
                return;
        http_request_cancel(i->http);
        waiters_finish(&i->waiters, NULL, -ECANCELED, "The daemon is shutting down.");
        server_metadata_clear(&i->md);
        strv_free(i->urls);
        free(i->failure);
        free(i->ca_file);
        free(i->issuer);
        free(i);
}

static bool issuer_fresh(const Issuer *i, uint64_t now) {
        return i->md.token_endpoint && now - i->fetched_usec < DISCOVERY_TTL_USEC;
}

/* "https://a.example/" and "https://a.example" name one issuer: one cache entry. */
static char *issuer_key(const char *issuer) {
        size_t l = strlen(issuer);

        return strndup(issuer, l > 0 && issuer[l - 1] == '/' ? l - 1 : l);
}

const ServerMetadata *discovery_cached(Engine *eng, const char *issuer) {
        _cleanup_free_ char *key = issuer_key(issuer);
        Issuer *i = eng->issuers && key ? g_hash_table_lookup(eng->issuers, key) : NULL;

        return i && issuer_fresh(i, io_now(CLOCK_MONOTONIC)) ? &i->md : NULL;
}

static void issuer_remember_failure(Issuer *i, int error, char *message) {
        free(i->failure);
        i->failure = message;
        i->failure_error = error;
        i->failed_usec = io_now(CLOCK_MONOTONIC);
}

static void issuer_finish(Issuer *i, int error, const char *message) {
        i->http = NULL;
        i->urls = strv_free(i->urls);
        if (error < 0) {
                log_warning("Issuer %s: discovery failed: %s", i->issuer, message);
                issuer_remember_failure(i, error, strdup(message));
        } else {
                log_info("Issuer %s: metadata discovered, token endpoint %s.", i->issuer, i->md.token_endpoint);
                i->failed_usec = 0;
        }
        waiters_finish(&i->waiters, error < 0 ? NULL : &i->md, error, message);
}

static void issuer_fetch_next(Issuer *i);

static void on_metadata(const HttpResult *res, void *userdata) {
        Issuer *i = userdata;
        _cleanup_(server_metadata_clear) ServerMetadata md = {};
        _cleanup_free_ char *why = NULL, *msg = NULL;
        const char *url = i->urls[i->url_index];
        int r;

        i->http = NULL;
        if (res->error < 0) {
                if (asprintf(&msg, "Cannot reach %s: %s", url, strna(res->error_text)) < 0)
                        msg = NULL;
                issuer_finish(i, res->error == -EPROTO ? -EPROTO : -EHOSTUNREACH, msg ?: "Unreachable.");
                return;
        }
        /* Not every server serves every well-known name: a 404 (or 400/405) means "try the next one". */
        if (res->status == 404 || res->status == 400 || res->status == 405) {
                i->url_index++;
                issuer_fetch_next(i);
                return;
        }
        if (res->status != 200) {
                if (asprintf(&msg, "%s answered HTTP %ld.", url, res->status) < 0)
                        msg = NULL;
                issuer_finish(i, res->status >= 500 ? -EHOSTUNREACH : -EBADMSG, msg ?: "Bad answer.");
                return;
        }
        r = server_metadata_parse(res->body, res->body_size, i->issuer, &md, &why);
        if (r < 0) {
                if (asprintf(&msg, "%s: %s", url, strna(why)) < 0)
                        msg = NULL;
                issuer_finish(i, r == -ENOMEM ? r : -EBADMSG, msg ?: "Bad server metadata.");
                return;
        }
        server_metadata_clear(&i->md);
        i->md = md;
        md = (ServerMetadata) {};
        i->fetched_usec = io_now(CLOCK_MONOTONIC);
        issuer_finish(i, 0, NULL);
}

/* Starts fetching the current URL. Returns < 0 with *ret_message set when it cannot even start. */
static int issuer_start_fetch(Issuer *i, char **ret_message) {
        const char *url = i->urls[i->url_index];
        HttpRequestParams p = {
                .url = url,
                .method = "GET",
                .ca_file = i->ca_file,
                .timeout_sec = DISCOVERY_TIMEOUT_SEC,
        };
        int r;

        log_debug("Issuer %s: fetching %s.", i->issuer, url);
        r = http_client_start(i->engine->http, &p, on_metadata, i, &i->http);
        if (r < 0)
                return http_start_error(r, "discovery request", ret_message);
        return 0;
}

static void issuer_fetch_next(Issuer *i) {
        _cleanup_free_ char *msg = NULL;
        int r;

        if (!i->urls[i->url_index]) {
                if (asprintf(&msg, "The issuer %s serves no metadata (RFC 8414 or OpenID Connect discovery).",
                             i->issuer) < 0)
                        msg = NULL;
                issuer_finish(i, -EBADMSG, msg ?: "No metadata.");
                return;
        }
        r = issuer_start_fetch(i, &msg);
        if (r < 0)
                issuer_finish(i, r, msg ?: "Cannot fetch the server metadata.");
}

int discovery_resolve(Engine *eng, const char *issuer_url, const char *ca_file, waiter_fn cb,
                      void *userdata, const ServerMetadata **ret, const char **ret_failure) {
        _cleanup_free_ char *issuer = issuer_key(issuer_url);
        uint64_t now = io_now(CLOCK_MONOTONIC);
        Issuer *i;
        int r;

        *ret_failure = NULL;
        if (!issuer)
                return -ENOMEM;
        if (!eng->issuers)
                eng->issuers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, issuer_free);
        i = g_hash_table_lookup(eng->issuers, issuer);
        if (!i) {
                i = calloc(1, sizeof(*i));
                if (!i)
                        return -ENOMEM;
                i->engine = eng;
                i->issuer = strdup(issuer);
                if (!i->issuer) {
                        free(i);
                        return -ENOMEM;
                }
                g_hash_table_insert(eng->issuers, i->issuer, i);
        }
        if (issuer_fresh(i, now)) {
                *ret = &i->md;
                return 1;
        }
        if (!i->http && i->failed_usec > 0 && now - i->failed_usec < DISCOVERY_RETRY_USEC) {
                *ret_failure = i->failure;
                return i->failure_error;
        }

        if (!i->http) {
                char *msg = NULL;

                if (ca_file && !streq_ptr(ca_file, i->ca_file)) {
                        free(i->ca_file);
                        i->ca_file = strdup(ca_file);
                        if (!i->ca_file)
                                return -ENOMEM;
                }

                i->urls = strv_free(i->urls);
                r = server_metadata_urls(issuer, &i->urls);
                if (r < 0) {
                        if (asprintf(&msg, "The issuer %s is not an http(s) URL without query.", issuer) < 0)
                                msg = NULL;
                        issuer_remember_failure(i, r, msg);
                        *ret_failure = i->failure;
                        return r;
                }
                i->url_index = 0;
                r = issuer_start_fetch(i, &msg);
                if (r < 0) {
                        issuer_remember_failure(i, r, msg);
                        *ret_failure = i->failure;
                        return r;
                }
        }

        /* One fetch serves every asker. */
        return waiters_add(&i->waiters, cb, userdata);
}

void discovery_free_all(Engine *eng) {
        if (eng->issuers) {
                g_hash_table_destroy(eng->issuers);
                eng->issuers = NULL;
        }
}
