/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "http-client.h"
#include "io.h"
#include "issuer-keys.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"

#define KEYS_TTL_USEC (24ULL * 3600ULL * USEC_PER_SEC)
/* A failed fetch is not tried again for this long, as for discovery. */
#define KEYS_RETRY_USEC (5ULL * USEC_PER_SEC)
#define KEYS_TIMEOUT_SEC 15

typedef struct KeySet {
        Engine *engine;
        char *uri;
        char *ca_file;
        JwkSet keys;
        bool have_keys;
        uint64_t fetched_usec;          /* CLOCK_MONOTONIC of the last success */
        uint64_t failed_usec;
        char *failure;
        int failure_error;
        HttpRequest *http;
        WaiterList waiters;             /* subject: the JwkSet, NULL on failure */
} KeySet;

static void key_set_free(void *p) {
        KeySet *k = p;

        if (!k)
                return;
        http_request_cancel(k->http);
        waiters_finish(&k->waiters, NULL, -ECANCELED, "The daemon is shutting down.");
        jwk_set_clear(&k->keys);
        free(k->failure);
        free(k->ca_file);
        free(k->uri);
        free(k);
}

static void key_set_finish(KeySet *k, int error, const char *message) {
        k->http = NULL;
        if (error < 0) {
                log_warning("Key set %s: %s", k->uri, message);
                free(k->failure);
                k->failure = strdup(message);
                k->failure_error = error;
                k->failed_usec = io_now(CLOCK_MONOTONIC);
        } else {
                log_info("Key set %s: %zu signing keys.", k->uri, k->keys.n);
                k->failed_usec = 0;
        }
        waiters_finish(&k->waiters, error < 0 ? NULL : &k->keys, error, message);
}

static void on_keys(const HttpResult *res, void *userdata) {
        KeySet *k = userdata;
        _cleanup_(jwk_set_clear) JwkSet set = {};
        _cleanup_free_ char *why = NULL, *msg = NULL;
        int r;

        k->http = NULL;
        if (res->error < 0) {
                if (asprintf(&msg, "Cannot fetch the issuer's keys: %s", strna(res->error_text)) < 0)
                        msg = NULL;
                key_set_finish(k, res->error == -EPROTO ? -EPROTO : -EHOSTUNREACH, msg ?: "Unreachable.");
                return;
        }
        if (res->status != 200) {
                if (asprintf(&msg, "The issuer's key set answered HTTP %ld.", res->status) < 0)
                        msg = NULL;
                key_set_finish(k, res->status >= 500 ? -EHOSTUNREACH : -EBADMSG, msg ?: "Bad answer.");
                return;
        }
        r = jwk_set_parse(res->body, res->body_size, &set, &why);
        if (r < 0) {
                key_set_finish(k, r == -ENOMEM ? r : -EBADMSG, why ?: "The issuer's key set is not a JWKS document.");
                return;
        }
        jwk_set_clear(&k->keys);
        k->keys = set;
        set = (JwkSet) {};
        k->have_keys = true;
        k->fetched_usec = io_now(CLOCK_MONOTONIC);
        key_set_finish(k, 0, NULL);
}

static int key_set_start_fetch(KeySet *k, char **ret_message) {
        HttpRequestParams p = {
                .url = k->uri,
                .method = "GET",
                .ca_file = k->ca_file,
                .timeout_sec = KEYS_TIMEOUT_SEC,
        };
        int r;

        log_debug("Key set %s: fetching.", k->uri);
        r = http_client_start(k->engine->http, &p, on_keys, k, &k->http);
        if (r < 0)
                return http_start_error(r, "key set request", ret_message);
        return 0;
}

static KeySet *key_set_lookup(Engine *eng, const char *uri) {
        KeySet *k;

        if (!eng->key_sets)
                eng->key_sets = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, key_set_free);
        k = g_hash_table_lookup(eng->key_sets, uri);
        if (k)
                return k;
        k = calloc(1, sizeof(*k));
        if (!k)
                return NULL;
        k->engine = eng;
        k->uri = strdup(uri);
        if (!k->uri) {
                free(k);
                return NULL;
        }
        g_hash_table_insert(eng->key_sets, k->uri, k);
        return k;
}

int issuer_keys_get(Engine *eng, const char *jwks_uri, const char *ca_file, bool refetch, waiter_fn cb,
                    void *userdata, const JwkSet **ret, const char **ret_failure) {
        uint64_t now = io_now(CLOCK_MONOTONIC);
        KeySet *k = key_set_lookup(eng, jwks_uri);
        bool fresh;
        int r;

        *ret_failure = NULL;
        if (!k)
                return -ENOMEM;
        fresh = k->have_keys && now - k->fetched_usec < KEYS_TTL_USEC;
        if (fresh && !refetch && !k->http) {
                *ret = &k->keys;
                return 1;
        }
        if (!k->http && k->failed_usec > 0 && now - k->failed_usec < KEYS_RETRY_USEC) {
                *ret_failure = k->failure;
                return k->failure_error;
        }
        if (!k->http) {
                _cleanup_free_ char *msg = NULL;

                if (ca_file && !streq_ptr(ca_file, k->ca_file)) {
                        free(k->ca_file);
                        k->ca_file = strdup(ca_file);
                        if (!k->ca_file)
                                return -ENOMEM;
                }
                r = key_set_start_fetch(k, &msg);
                if (r < 0) {
                        free(k->failure);
                        k->failure = TAKE_PTR(msg);
                        k->failure_error = r;
                        k->failed_usec = now;
                        *ret_failure = k->failure;
                        return r;
                }
        }
        return waiters_add(&k->waiters, cb, userdata);
}

void issuer_keys_free_all(Engine *eng) {
        if (eng->key_sets) {
                g_hash_table_destroy(eng->key_sets);
                eng->key_sets = NULL;
        }
}
