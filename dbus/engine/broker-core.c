/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc-util.h"
#include "broker-core.h"
#include "account-index.h"
#include "host-match.h"
#include "io.h"
#include "log.h"
#include "string-util.h"

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

char **broker_account_names(Engine *eng) {
        GHashTableIter i;
        const char *name;
        char **l;
        size_t n = 0;

        l = calloc(g_hash_table_size(eng->accounts) + 1, sizeof(char *));
        if (!l)
                return NULL;
        g_hash_table_iter_init(&i, eng->accounts);
        while (g_hash_table_iter_next(&i, (void **) &name, NULL)) {
                l[n] = strdup(name);
                if (!l[n])
                        return strv_free(l);
                n++;
        }
        qsort(l, n, sizeof(char *), compare_names);
        return l;
}

#define SCOPE_MAX 4096U
/* Each resource is one more token-request parameter; a caller may not make them many. */
#define RESOURCES_MAX 8U

/* The cache key of a requested scope set: "" for none, or for the account's own full set. */
static int normalize_scope(const Account *a, const char *requested, char **ret, Failure *f) {
        _cleanup_free_ char *scope = NULL;

        if (isempty(requested)) {
                *ret = NULL;
                return 0;
        }
        /* Sent to the token endpoint as it is: a caller may not make the daemon send megabytes. */
        if (strlen(requested) > SCOPE_MAX)
                return failure_set(f, -EINVAL, "Scope '%s' is too long (at most %u bytes).",
                                      STRING_EXCERPT(requested), SCOPE_MAX);
        if (!string_is_safe_utf8(requested, strlen(requested)) ||
            (a->config->scopes && !scopes_subset(requested, a->config->scopes)))
                return failure_set(f, -EINVAL, "Scope '%s' is not within the account's Scopes.",
                                      STRING_EXCERPT(requested));
        scope = scopes_normalize(requested);
        if (!scope)
                return -ENOMEM;
        if (a->config->scopes) {
                _cleanup_free_ char *all = scopes_normalize(a->config->scopes);
                if (all && streq(all, scope))
                        scope[0] = 0;
        }
        *ret = TAKE_PTR(scope);
        return 0;
}

/* RFC 8707 section 2: an absolute URI without a fragment. */
static bool resource_is_valid(const char *s) {
        const char *colon = strchr(s, ':');

        if (!colon || colon == s || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", s[0]))
                return false;
        for (const char *p = s; p < colon; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.", *p))
                        return false;
        return colon[1] && !strchr(s, '#');
}

/* The resource part of a cache key: NULL for none, or for the account's own Resource= set. */
static int normalize_resource(const Account *a, const char *requested, char **ret, Failure *f) {
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_free_ char *set = NULL, *own = NULL;

        *ret = NULL;
        if (isempty(requested))
                return 0;
        if (strlen(requested) > SCOPE_MAX || !string_is_safe_utf8(requested, strlen(requested)))
                return failure_set(f, -EINVAL, "Resource '%s' is too long or not printable.",
                                   STRING_EXCERPT(requested));
        words = strv_split(requested, " ");
        if (!words)
                return -ENOMEM;
        if (strv_length(words) > RESOURCES_MAX)
                return failure_set(f, -EINVAL, "At most %u resources at once.", RESOURCES_MAX);
        STRV_FOREACH(w, words)
                if (!resource_is_valid(*w))
                        return failure_set(f, -EINVAL, "Resource '%s' is not an absolute URI without a fragment "
                                                       "(RFC 8707).", STRING_EXCERPT(*w));
        set = scopes_normalize(requested);
        own = scopes_normalize(a->config->resource);
        if (!set || !own)
                return -ENOMEM;
        if (!streq(set, own))
                *ret = TAKE_PTR(set);
        return 0;
}

Account *broker_account_named(Engine *eng, const char *name, Failure *f) {
        Account *a;
        const char *why;

        if (!account_name_is_valid(name)) {
                (void) failure_set(f, -EINVAL, "Invalid account name '%s'.", STRING_EXCERPT(name));
                return NULL;
        }
        a = engine_account(eng, name);
        if (a)
                return a;
        why = engine_refused_reason(eng, name);
        if (why)
                (void) failure_set(f, -EUCLEAN, "%s", why);
        else
                (void) failure_set(f, -ESRCH, "No such account '%s'.", name);
        return NULL;
}

int broker_find_account(Engine *eng, const Caller *c, const char *name, Account **ret, Failure *f) {
        int r;

        r = caller_check_user(c, f);
        if (r < 0)
                return r;
        *ret = broker_account_named(eng, name, f);
        return *ret ? 0 : f->error;
}

/* The account, for a caller that would get a credential of it: its uid, then AllowedCallers=. */
static int find_allowed_account(Engine *eng, const Caller *c, const char *name, Account **ret, Failure *f) {
        int r;

        r = broker_find_account(eng, c, name, ret, f);
        if (r < 0)
                return r;
        return caller_check_program(c, (*ret)->config->allowed_callers, f);
}

int broker_dpop_proof(Engine *eng, const Caller *c, const char *name, const char *method, const char *url,
                      const char *access_token, const char *nonce, dpop_proof_fn done, void *userdata,
                      Failure *f) {
        Account *a;
        int r;

        r = find_allowed_account(eng, c, name, &a, f);
        if (r < 0)
                return r;
        return dpop_proof_for_caller(eng, a->name, method, url, access_token, nonce, done, userdata, f);
}

int broker_token_lookup(Engine *eng, const Caller *c, const char *name, const TokenQuery *q,
                        TokenEntry **ret, Failure *f) {
        _cleanup_free_ char *scope = NULL, *resource = NULL, *key = NULL;
        bool fresh;
        uint64_t now;
        TokenEntry *e;
        Account *a;
        int r;

        r = find_allowed_account(eng, c, name, &a, f);
        if (r < 0)
                return r;
        r = normalize_scope(a, q->scope, &scope, f);
        if (r < 0)
                return r;
        r = normalize_resource(a, q->resource, &resource, f);
        if (r < 0)
                return r;
        /* The account's own entry, the common case, needs no key to be made. */
        if (scope || resource) {
                key = token_entry_key(scope, resource);
                if (!key)
                        return -ENOMEM;
        }

        e = account_get_entry(a, key ?: "", true);
        if (!e)
                return errno == EBUSY ? failure_set(f, -EHOSTUNREACH,
                                                       "Account '%s': too many token requests of different scopes or "
                                                       "resources at once (at most %u); try again.", a->name,
                                                       ACCOUNT_TOKENS_MAX)
                                      : -ENOMEM;
        e->last_used = io_now(CLOCK_MONOTONIC);

        *ret = e;
        /* A caller that saw the token refused: it is not handed out again, and the fetch that replaces it
         * (the one in flight, or one started now) answers. */
        if (q->force_new) {
                if (!e->fetching)
                        token_entry_clear_token(e);
                return 0;
        }
        now = io_now(CLOCK_REALTIME);
        /* RefreshSkew= is a margin, kept to a quarter of a short token's life (token_margin_usec()); a
         * caller's min-validity is a promise: a token with less left is fetched anew (and handed out all the
         * same when the server issues none longer). */
        if (q->min_validity == UINT32_MAX)
                fresh = token_entry_usable(e, a->config->refresh_skew_sec, now);
        else
                fresh = e->access_token && token_left_at_least(e->expires_usec, now,
                                                               MAX((uint64_t) q->min_validity * USEC_PER_SEC,
                                                                   TOKEN_MIN_LEFT_USEC));
        if (fresh)
                return 1;
        /* The endpoint is failing and a retry is pending: the token we have still works, hand it out. */
        if (e->retry_timer && token_entry_unexpired(e, now))
                return 1;
        return 0;
}

int broker_match_account(Engine *eng, const char *protocol, const char *host, const char *path, Account **ret,
                         Failure *f) {
        if (isempty(host))
                return failure_set(f, -EINVAL, "No host given.");
        return account_index_match(eng, protocol, host, isempty(path) ? NULL : path, ret);
}

int broker_git_account(Engine *eng, const Caller *c, const char *protocol, const char *host, const char *path,
                       const char *account, Account **ret, Failure *f) {
        Account *a;
        int r;

        if (isempty(account)) {
                r = caller_check_user(c, f);
                if (r < 0)
                        return r;
                return broker_match_account(eng, protocol, host, path, ret, f);
        }
        r = broker_find_account(eng, c, account, &a, f);
        if (r < 0)
                return r;
        *ret = hosts_serve(a->config->hosts, protocol, host, isempty(path) ? NULL : path) ? a : NULL;
        return 0;
}

int broker_git_token_lookup(Engine *eng, const Caller *c, Account *a, TokenEntry **ret, Failure *f) {
        /* A DPoP-bound token is good only with a proof for each request, which git cannot make. */
        if (a->config->dpop)
                return failure_set(f, -EUCLEAN,
                                   "Account '%s' binds its tokens to a key (DPoP=true), which git "
                                   "cannot prove it holds: serve git from an account without DPoP=.",
                                   a->name);
        return broker_token_lookup(eng, c, a->name, &TOKEN_QUERY_DEFAULT, ret, f);
}

const char *broker_git_username(const Account *a) {
        return a->config->git_username ?: "oauth2";
}

const char *broker_cargo_token_prefix(const Account *a) {
        /* Cargo sends the token as the whole Authorization header: an OAuth server wants its scheme. */
        return streq_ptr(a->config->cargo_token_prefix, "none") ? "" : "Bearer ";
}

const char *broker_docker_username(const Account *a) {
        /* The convention of registries that take an OAuth access token as the password (Google's). */
        return a->config->docker_username ?: "oauth2accesstoken";
}

void broker_invalidate_account(Account *a, const char *token) {
        unsigned n = account_invalidate(a, token);

        log_info("Account '%s': %u cached token(s) invalidated on request.", a->name, n);
}

int broker_invalidate(Engine *eng, const Caller *c, const char *name, const char *token,
                      Failure *f) {
        Account *a;
        int r;

        r = broker_find_account(eng, c, name, &a, f);
        if (r < 0)
                return r;
        broker_invalidate_account(a, token);
        return 0;
}
