/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "account-endpoints.h"
#include "account-request.h"
#include "account-secrets.h"
#include "alloc-util.h"
#include "client-auth.h"
#include "bus-api.h"
#include "entry-ref.h"
#include "log.h"
#include "string-util.h"
#include "token-fetch.h"
#include "token-request.h"
#include "token-response.h"
#include "token-revoke.h"

typedef struct RevokeJob {
        EntryRef *ref;                  /* the account */
        revoke_callback_t callback;
        void *userdata;
        HttpRequest *http;
        const char *what;               /* "refresh_token" or "access_token": static strings */
        bool fetched_bearer;            /* a bearer token was fetched for this job already */
} RevokeJob;

static int job_continue(RevokeJob *j);

/* Returns 0, so that a step can end with `return job_finish(...)`. */
static int job_finish(RevokeJob *j, int error, const char *message) {
        Engine *eng = j->ref->engine;

        if (error < 0 && error != -EOPNOTSUPP)
                log_warning("Account '%s': revocation failed: %s", j->ref->account, strna(message));
        g_hash_table_remove(eng->revocations, j);
        j->callback(error, error < 0 ? NULL : strempty(j->what), message, j->userdata);
        entry_ref_free(j->ref);
        free(j);
        return 0;
}

static void on_secrets(void *account, int error, const char *message, void *userdata) {
        RevokeJob *j = userdata;

        if (error < 0)
                (void) job_finish(j, error, message);
        else
                (void) job_continue(j);
}

static void on_discovered(void *metadata, int error, const char *message, void *userdata) {
        const ServerMetadata *md = metadata;
        RevokeJob *j = userdata;

        if (!md)
                (void) job_finish(j, error, message);
        else
                (void) job_continue(j);
}

static void on_bearer(void *entry, int error, const char *message, void *userdata) {
        RevokeJob *j = userdata;

        if (error < 0)
                (void) job_finish(j, error, message);
        else
                (void) job_continue(j);
}

/* The server has forgotten the grant: so do we, everywhere. */
static void forget_revoked(Account *a) {
        unsigned n = account_invalidate(a, NULL);

        if (!a->refresh_token) {
                log_info("Account '%s': access token revoked, %u cached token(s) dropped.", a->name, n);
                return;
        }

        account_forget_refresh_token(a);
        log_info("Account '%s': refresh token revoked and deleted, %u cached token(s) dropped.", a->name, n);
}

static int handle_response(RevokeJob *j, const HttpResult *res) {
        _cleanup_(token_response_clear) TokenResponse tr = {};
        _cleanup_(token_error_clear) TokenError te = {};
        _cleanup_free_ char *msg = NULL;
        Account *a;

        j->http = NULL;
        if (res->error < 0) {
                if (asprintf(&msg, "The revocation endpoint cannot be reached: %s", strna(res->error_text)) < 0)
                        msg = NULL;
                return job_finish(j, -EHOSTUNREACH, msg ?: "Unreachable.");
        }
        /* RFC 7009 section 2.2: 200 means revoked, also for a token the server did not know. */
        if (res->status == 200) {
                a = entry_ref_account(j->ref);
                if (a)
                        forget_revoked(a);
                return job_finish(j, 0, NULL);
        }
        if (res->status == 429 || res->status >= 500) {
                if (asprintf(&msg, "The revocation endpoint is unavailable (HTTP %ld); try again later.", res->status) < 0)
                        msg = NULL;
                return job_finish(j, -EHOSTUNREACH, msg ?: "Unavailable.");
        }
        (void) token_response_parse(res->body, res->body_size, (int) res->status, NULL, &tr, &te);
        if (asprintf(&msg, "The revocation endpoint refused: %s%s%s (HTTP %ld)", strna(te.error),
                     te.description ? ": " : "", strempty(te.description), res->status) < 0)
                msg = NULL;
        return job_finish(j, -EREMOTEIO, msg ?: "Refused.");
}

static void on_response(const HttpResult *res, void *userdata) {
        (void) handle_response(userdata, res);
}

/* The access token to authenticate a bearer-style revocation with; 0 while one is being fetched. */
static int bearer_token(RevokeJob *j, Account *a, const char **ret) {
        TokenEntry *e = account_get_entry(a, "", true);
        int r;

        if (!e)
                return -ENOMEM;
        if (token_entry_usable(e, 0, io_now(CLOCK_REALTIME))) {
                *ret = e->access_token;
                return 1;
        }
        if (j->fetched_bearer)
                return -EKEYEXPIRED;
        j->fetched_bearer = true;
        r = token_fetch_start(e, on_bearer, j);
        return r < 0 ? r : 0;
}

static int job_continue(RevokeJob *j) {
        _cleanup_(token_request_clear) TokenRequest req = {};
        _cleanup_(erase_and_freep) char *assertion = NULL;
        _cleanup_free_ char *msg = NULL;
        RevocationInput in = {};
        const char *failure = NULL;
        TokenEntry *e;
        Account *a;
        int r;

        a = entry_ref_account(j->ref);
        if (!a)
                return job_finish(j, -ESRCH, "The account was removed.");

        r = account_load_secrets(a, on_secrets, j);
        if (r < 0)
                return job_finish(j, keyring_error_errno(r), keyring_error_message(r));
        if (r == 0)
                return 0;

        r = account_endpoint(a, ENDPOINT_REVOCATION, on_discovered, j, &in.url, &failure);
        if (r < 0)
                return job_finish(j, r, failure ?: "Discovery failed.");
        if (r == 0)
                return 0;
        if (!in.url)
                return job_finish(j, -EOPNOTSUPP,
                                  "The account has no RevocationURL= (and its issuer names no revocation endpoint).");

        e = account_get_entry(a, "", false);
        if (a->refresh_token) {
                in.token = a->refresh_token;
                j->what = in.token_type_hint = "refresh_token";
        } else if (e && token_entry_unexpired(e, io_now(CLOCK_REALTIME))) {
                in.token = e->access_token;
                j->what = in.token_type_hint = "access_token";
        } else {
                j->what = NULL;
                log_info("Account '%s': nothing to revoke.", a->name);
                return job_finish(j, 0, NULL);
        }

        if (streq_ptr(a->config->revocation_auth, "bearer")) {
                r = bearer_token(j, a, &in.bearer);
                if (r < 0)
                        return job_finish(j, r, "No access token to authenticate the revocation with.");
                if (r == 0)
                        return 0;
                /* The fetch may have rotated the refresh token: revoke the newest one. */
                if (a->refresh_token)
                        in.token = a->refresh_token;
        } else {
                /* RFC 7523: an assertion's audience is the token endpoint, for every endpoint of the server. */
                in.client_secret = a->client_secret;
                r = client_auth_assertion(a, a->config->client_auth, account_endpoint_cached(a, ENDPOINT_TOKEN) ?: in.url,
                                          &assertion);
                if (r == -ENOKEY)
                        return job_finish(j, r, a->config->client_auth == CLIENT_AUTH_PRIVATE_KEY_JWT
                                                        ? "The account lacks its private key for the revocation."
                                                        : "The account lacks its client secret for the revocation.");
                if (r < 0)
                        return job_finish(j, r, "Cannot make the client assertion for the revocation.");
                in.client_assertion = assertion;
        }

        r = revocation_request_build(a->config, &in, &req);
        if (r == -ENOKEY)
                return job_finish(j, r, "The account lacks its client secret for the revocation.");
        if (r < 0)
                return job_finish(j, r, "Failed to build the revocation request.");

        r = account_post(a, &req, 0, "revocation request", on_response, j, &j->http, &msg);
        if (r < 0)
                return job_finish(j, r, msg ?: "Failed to start the revocation request.");
        log_debug("Account '%s': revoking its %s.", a->name, j->what);
        return 0;
}

int token_revoke_start(Account *a, revoke_callback_t cb, void *userdata) {
        Engine *eng = a->engine;
        RevokeJob *j;

        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        j->ref = entry_ref_new(eng, a->name, NULL);
        if (!j->ref) {
                free(j);
                return -ENOMEM;
        }
        j->callback = cb;
        j->userdata = userdata;
        if (!eng->revocations)
                eng->revocations = g_hash_table_new(g_direct_hash, g_direct_equal);
        g_hash_table_add(eng->revocations, j);
        (void) job_continue(j);
        return 0;
}

void token_revoke_cancel_all(Engine *eng) {
        GHashTableIter i;
        RevokeJob *j;

        if (!eng->revocations)
                return;
        for (;;) {
                g_hash_table_iter_init(&i, eng->revocations);
                if (!g_hash_table_iter_next(&i, (void **) &j, NULL))
                        break;
                http_request_cancel(j->http);
                j->http = NULL;
                (void) job_finish(j, -ECANCELED, "The daemon is shutting down.");
        }
        g_hash_table_destroy(eng->revocations);
        eng->revocations = NULL;
}
