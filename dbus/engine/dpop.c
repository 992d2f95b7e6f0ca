/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "account-secrets.h"
#include "alloc-util.h"
#include "bus-api.h"
#include "client-auth.h"
#include "dpop-proof.h"
#include "dpop.h"
#include "entry-ref.h"
#include "jose-key.h"
#include "keyring-worker.h"
#include "log.h"
#include "string-util.h"

/* Servers whose nonce is kept at most; a daemon that met more starts over (a nonce is only a hint: a server
 * missing from the table answers use_dpop_nonce once and is remembered again). */
#define DPOP_NONCES_MAX 256U

/* The table's key: "as " and the token endpoint (without a query: TokenURLQuery= does not make another
 * server), or "rs " and the origin ("scheme://host:port") of a resource server, whose nonce holds whatever
 * the path. */
static char *server_key(DpopServer server, const char *url) {
        _cleanup_free_ char *prefix = NULL;
        const char *rest = url ? strstr(url, "://") : NULL;

        if (!rest)
                return NULL;
        rest += 3;
        prefix = strndup(url, (size_t) (rest - url) +
                                      strcspn(rest, server == DPOP_AUTHORIZATION_SERVER ? "?#" : "/?#"));
        return prefix ? strjoin(server == DPOP_AUTHORIZATION_SERVER ? "as " : "rs ", prefix) : NULL;
}

void engine_dpop_note_nonce(Engine *eng, DpopServer server, const char *url, const char *nonce) {
        char *key, *copy;

        if (!dpop_nonce_is_valid(nonce))
                return;
        if (!eng->dpop_nonces)
                eng->dpop_nonces = g_hash_table_new_full(g_str_hash, g_str_equal, free, free);
        else if (g_hash_table_size(eng->dpop_nonces) >= DPOP_NONCES_MAX)
                g_hash_table_remove_all(eng->dpop_nonces);
        key = server_key(server, url);
        copy = strdup(nonce);
        if (!key || !copy) {
                free(key);
                free(copy);
                return;
        }
        g_hash_table_replace(eng->dpop_nonces, key, copy);
}

const char *engine_dpop_nonce(Engine *eng, DpopServer server, const char *url) {
        _cleanup_free_ char *key = NULL;

        if (!eng->dpop_nonces)
                return NULL;
        key = server_key(server, url);
        return key ? g_hash_table_lookup(eng->dpop_nonces, key) : NULL;
}

bool dpop_nonce_wanted(const HttpResult *res, const TokenError *te) {
        return res->dpop_nonce && te && streq_ptr(te->error, DPOP_ERROR_USE_NONCE);
}

/* The account's key, parsed for one use: -ENOKEY, or -EBADMSG for a dpop-key secret that cannot sign. */
static int load_key(Account *a, gnutls_privkey_t *ret) {
        int r;

        if (!a->dpop_key)
                return -ENOKEY;
        r = jose_key_load(a->dpop_key, ret);
        return r < 0 && r != -ENOMEM ? -EBADMSG : r;
}

int account_dpop_proof(Account *a, DpopServer server, const char *method, const char *url,
                       const char *access_token, const char *nonce, char **ret) {
        _cleanup_free_ char *jti = NULL;
        gnutls_privkey_t key;
        int r;

        r = load_key(a, &key);
        if (r < 0)
                return r;
        /* RFC 9449 section 11.1: servers refuse a jti they saw before. */
        jti = new_jwt_id();
        r = jti ? dpop_proof_build(&(DpopProofInput) {
                        .key = key,
                        .method = method,
                        .url = url,
                        .jti = jti,
                        .now = (int64_t) (io_now(CLOCK_REALTIME) / USEC_PER_SEC),
                        .nonce = nonce ?: engine_dpop_nonce(a->engine, server, url),
                        .access_token = access_token,
                }, ret) : -ENOMEM;
        gnutls_privkey_deinit(key);
        return r;
}

int account_dpop_jkt(Account *a, char **ret) {
        gnutls_privkey_t key;
        int r;

        r = load_key(a, &key);
        if (r < 0)
                return r;
        r = dpop_key_thumbprint(key, ret);
        gnutls_privkey_deinit(key);
        return r;
}

typedef struct KeyJob {
        EntryRef *ref;
        char *pem;                      /* wiped */
} KeyJob;

static void on_key_stored(int r, char **secrets, void *userdata) {
        KeyJob *j = userdata;
        Account *a = entry_ref_account(j->ref);

        strv_free_erase(secrets);
        if (a) {
                a->dpop_key_storing = false;
                if (r >= 0 && a->secrets_state == SECRETS_LOADED &&
                    account_set_secret(a, SECRET_KIND_DPOP_KEY, j->pem) < 0)
                        r = -ENOMEM;
                if (r >= 0) {
                        log_info("Account '%s': a new DPoP key was stored in the keyring.", a->name);
                        waiters_finish(&a->dpop_key_waiters, a, 0, NULL);
                } else {
                        /* A key the keyring does not have would bind tokens to a key lost at the next start:
                         * no token is asked for with it. */
                        _cleanup_free_ char *msg = NULL;

                        if (asprintf(&msg, "Cannot store the account's new DPoP key: %s",
                                     keyring_error_message(r)) < 0)
                                msg = NULL;
                        waiters_finish(&a->dpop_key_waiters, a, r == -ENOMEM ? r : keyring_error_errno(r),
                                       msg ?: keyring_error_message(r));
                }
        }
        erase_and_free(j->pem);
        entry_ref_free(j->ref);
        free(j);
}

int account_dpop_key(Account *a, waiter_fn cb, void *userdata) {
        KeyJob *j;
        int r;

        if (a->dpop_key)
                return 1;
        if (a->dpop_key_storing)
                return waiters_add(&a->dpop_key_waiters, cb, userdata);

        /* Everything that can fail before the waiter is added, so that a failure leaves nothing queued. */
        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        r = waiters_add(&a->dpop_key_waiters, cb, userdata);
        if (r < 0) {
                free(j);
                return r;
        }
        j->ref = entry_ref_new(a->engine, a->name, NULL);
        r = j->ref ? jose_key_generate(JOSE_KEY_EC, &j->pem) : -ENOMEM;
        if (r >= 0)
                r = secrets_store(a->engine, a->name, SECRET_KIND_DPOP_KEY, j->pem, on_key_stored, j);
        if (r < 0) {
                erase_and_free(j->pem);
                entry_ref_free(j->ref);
                free(j);
                /* The waiter just added hears it now, like any other. */
                waiters_finish(&a->dpop_key_waiters, a, r, "Cannot make the account's DPoP key.");
                return 0;
        }
        a->dpop_key_storing = true;
        return 0;
}

typedef struct ProofJob {
        EntryRef *ref;
        char *method;
        char *url;
        char *access_token;             /* wiped */
        char *nonce;
        dpop_proof_fn done;
        void *userdata;
} ProofJob;

static void proof_job_free(ProofJob *j) {
        entry_ref_free(j->ref);
        free(j->method);
        free(j->url);
        erase_and_free(j->access_token);
        free(j->nonce);
        free(j);
}

static void proof_job_finish(ProofJob *j, int error, const char *message, const char *proof) {
        j->done(error, message, proof, j->userdata);
        proof_job_free(j);
}

static void proof_job_continue(void *subject, int error, const char *message, void *userdata) {
        ProofJob *j = userdata;
        Account *a = entry_ref_account(j->ref);
        _cleanup_(erase_and_freep) char *proof = NULL;
        int r;

        if (error < 0)
                return proof_job_finish(j, error, message, NULL);
        if (!a)
                return proof_job_finish(j, -ESRCH, "The account was removed.", NULL);
        /* A reload while the keyring answered may have turned DPoP off. */
        if (!a->config->dpop)
                return proof_job_finish(j, -EUCLEAN, "The account no longer uses DPoP.", NULL);
        r = account_load_secrets(a, proof_job_continue, j);
        if (r == 0)
                return;
        if (r > 0)
                r = account_dpop_key(a, proof_job_continue, j);
        if (r == 0)
                return;
        if (r < 0)
                return proof_job_finish(j, keyring_error_errno(r), keyring_error_message(r), NULL);

        r = account_dpop_proof(a, DPOP_RESOURCE_SERVER, j->method, j->url, j->access_token, j->nonce,
                               &proof);
        if (r == -EBADMSG)
                return proof_job_finish(j, -EUCLEAN,
                                        "The account's dpop-key secret is not a key that can sign.", NULL);
        if (r < 0)
                return proof_job_finish(j, r, "Cannot make the DPoP proof.", NULL);
        proof_job_finish(j, 0, NULL, proof);
}

int dpop_proof_for_caller(Engine *eng, const char *name, const char *method, const char *url,
                          const char *access_token, const char *nonce, dpop_proof_fn done, void *userdata,
                          Failure *f) {
        _cleanup_free_ char *htu = NULL;
        Account *a = engine_account(eng, name);
        ProofJob *j;

        if (!a)
                return failure_set(f, -ESRCH, "No such account '%s'.", STRING_EXCERPT(name));
        if (!a->config->dpop)
                return failure_set(f, -EUCLEAN,
                                   "Account '%s' does not use DPoP: its tokens are Bearer tokens "
                                   "(DPoP=true binds them to a key).",
                                   a->name);
        /* What the proof could not carry is the caller's mistake, told before any keyring work. */
        htu = dpop_htu(url);
        if (!htu)
                return failure_set(f, -EINVAL, "Not an absolute http(s) URL: '%s'.", STRING_EXCERPT(url));
        if (!dpop_method_is_valid(method))
                return failure_set(f, -EINVAL, "Not an HTTP method: '%s'.", STRING_EXCERPT(method));
        if (nonce && !dpop_nonce_is_valid(nonce))
                return failure_set(f, -EINVAL, "Not a DPoP nonce (1 to %u printable characters, no quote or "
                                               "backslash).", DPOP_NONCE_MAX);

        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        *j = (ProofJob) { .done = done, .userdata = userdata };
        j->ref = entry_ref_new(eng, name, NULL);
        j->method = strdup(method);
        j->url = strdup(url);
        j->access_token = access_token ? secret_strdup(access_token) : NULL;
        j->nonce = nonce ? strdup(nonce) : NULL;
        if (!j->ref || !j->method || !j->url || (access_token && !j->access_token) || (nonce && !j->nonce)) {
                proof_job_free(j);
                return -ENOMEM;
        }
        /* A resource server's nonce is kept for the proofs that follow, as a token endpoint's is. */
        if (nonce)
                engine_dpop_note_nonce(eng, DPOP_RESOURCE_SERVER, url, nonce);
        proof_job_continue(a, 0, NULL, j);
        return 0;
}
