/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "account.h"
#include "account-secrets.h"
#include "alloc-util.h"
#include "bus-api.h"
#include "http-client.h"
#include "log.h"
#include "string-util.h"

void token_entry_clear_token(TokenEntry *e) {
        e->access_token = erase_and_free(e->access_token);
        e->expires_usec = 0;
        e->fetched_usec = 0;
        e->refresh_timer = io_timer_free(e->refresh_timer);
}

static void token_entry_free(TokenEntry *e) {
        if (!e)
                return;
        http_request_cancel(e->http);
        e->retry_timer = io_timer_free(e->retry_timer);
        waiters_finish(&e->waiters, e, -ESRCH, "The account was removed.");
        token_entry_clear_token(e);
        erase_and_free(e->pending_token);
        free(e->pending_granted_scope);
        free(e->granted_scope);
        free(e->resource);
        free(e->scope);
        free(e->key);
        free(e);
}

static void token_entry_free_void(void *p) {
        token_entry_free(p);
}

int account_new(Engine *eng, AccountConfig *config, Account **ret) {
        Account *a;

        a = calloc(1, sizeof(*a));
        if (!a) {
                account_config_free(config);
                return -ENOMEM;
        }
        a->engine = eng;
        a->config = config;
        /* The configuration's own string, kept across its replacements (account_update_config()). */
        a->name = config->name;
        /* a->tokens is made with the first token: most of 10,000 accounts never have one. */
        *ret = a;
        return 0;
}

void account_forget_secrets(Account *a) {
        a->client_secret = erase_and_free(a->client_secret);
        a->private_key = erase_and_free(a->private_key);
        a->dpop_key = erase_and_free(a->dpop_key);
        a->tls_key = erase_and_free(a->tls_key);
        a->password = erase_and_free(a->password);
        a->api_key = erase_and_free(a->api_key);
        a->refresh_token = erase_and_free(a->refresh_token);
        a->secrets_state = SECRETS_UNLOADED;
}

Account *account_free(Account *a) {
        if (!a)
                return NULL;
        if (a->tokens)
                g_hash_table_destroy(a->tokens);
        account_secrets_waiters_fail(a, -ESRCH, "The account was removed.");
        waiters_finish(&a->dpop_key_waiters, NULL, -ESRCH, "The account was removed.");
        account_forget_secrets(a);
        account_config_free(a->config);
        free(a->last_error);
        free(a);
        return NULL;
}

static bool config_changes_tokens(const AccountConfig *x, const AccountConfig *y) {
        return !streq_ptr(x->token_url, y->token_url) || !streq_ptr(x->issuer, y->issuer) ||
               !streq_ptr(x->client_id, y->client_id) || x->grant != y->grant ||
               x->client_auth != y->client_auth || !streq_ptr(x->scopes, y->scopes) ||
               !streq_ptr(x->token_path, y->token_path) || !streq_ptr(x->provider, y->provider) ||
               !streq_ptr(x->resource, y->resource) || x->dpop != y->dpop ||
               !streq_ptr(x->client_cert_file, y->client_cert_file);
}

void account_update_config(Account *a, AccountConfig *config) {
        if (a->tokens && g_hash_table_size(a->tokens) > 0 && config_changes_tokens(a->config, config)) {
                log_info("Account '%s' changed its endpoint, client, grant, scopes or resources; dropping its "
                         "cached tokens.", a->name);
                g_hash_table_remove_all(a->tokens);
        }
        /* a->name is the configuration's, and the key of the engine's table: the key moves to the new one. */
        bool keyed = g_hash_table_steal(a->engine->accounts, a->name);

        account_config_free(a->config);
        a->config = config;
        a->name = config->name;
        if (keyed)
                g_hash_table_insert(a->engine->accounts, config->name, a);
}

static char **secret_slot(Account *a, const char *kind) {
        if (streq(kind, SECRET_KIND_CLIENT_SECRET))
                return &a->client_secret;
        if (streq(kind, SECRET_KIND_PASSWORD))
                return &a->password;
        if (streq(kind, SECRET_KIND_API_KEY))
                return &a->api_key;
        if (streq(kind, SECRET_KIND_REFRESH_TOKEN))
                return &a->refresh_token;
        if (streq(kind, SECRET_KIND_PRIVATE_KEY))
                return &a->private_key;
        if (streq(kind, SECRET_KIND_DPOP_KEY))
                return &a->dpop_key;
        if (streq(kind, SECRET_KIND_TLS_KEY))
                return &a->tls_key;
        return NULL;
}

int account_set_secret(Account *a, const char *kind, const char *value) {
        char **slot = secret_slot(a, kind);
        char *copy = NULL;

        if (!slot)
                return -EINVAL;
        if (value) {
                copy = secret_strdup(value);
                if (!copy)
                        return -ENOMEM;
        }
        erase_and_free(*slot);
        *slot = copy;
        return 0;
}

bool secret_kind_is_pem(const char *kind) {
        return streq(kind, SECRET_KIND_PRIVATE_KEY) || streq(kind, SECRET_KIND_DPOP_KEY) ||
               streq(kind, SECRET_KIND_TLS_KEY);
}

bool account_has_secret(Account *a, const char *kind) {
        char **slot = secret_slot(a, kind);
        return slot && *slot;
}

char **account_secret_kinds(Account *a) {
        static const char *const kinds[] = {
                SECRET_KIND_CLIENT_SECRET, SECRET_KIND_PASSWORD, SECRET_KIND_API_KEY, SECRET_KIND_REFRESH_TOKEN,
                SECRET_KIND_PRIVATE_KEY, SECRET_KIND_DPOP_KEY, SECRET_KIND_TLS_KEY,
        };
        char **l = calloc(1, sizeof(char *));

        if (!l)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (*secret_slot(a, kinds[i]) && strv_extend(&l, kinds[i]) < 0)
                        return strv_free(l);
        return l;
}

/* What the account's file asks for, whether or not the keyring holds it yet: the client's credential for
 * its grant (and for refreshing, when the grant leaves a refresh token), the user's password, the API key of
 * ApiKeyHeader=, and a refresh token, which only a login brings, for the interactive grants. */
char **account_needed_secrets(const AccountConfig *c) {
        GrantType grants[] = { c->grant, GRANT_REFRESH_TOKEN };
        char **l = calloc(1, sizeof(char *));
        int r = 0;

        if (!l)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(grants) && r >= 0; i++) {
                /* Only a login's or a password grant's refresh token is refreshed with its own client auth. */
                if (i == 1 && c->grant == GRANT_CLIENT_CREDENTIALS)
                        break;
                switch (account_config_client_auth(c, grants[i])) {
                case CLIENT_AUTH_BASIC:
                case CLIENT_AUTH_POST:
                case CLIENT_AUTH_CLIENT_SECRET_JWT:
                        r = strv_extend_unique(&l, SECRET_KIND_CLIENT_SECRET);
                        break;
                case CLIENT_AUTH_PRIVATE_KEY_JWT:
                        r = strv_extend_unique(&l, SECRET_KIND_PRIVATE_KEY);
                        break;
                case CLIENT_AUTH_TLS_CLIENT_AUTH:
                case CLIENT_AUTH_SELF_SIGNED_TLS_CLIENT_AUTH:
                        if (!c->client_key_file)
                                r = strv_extend_unique(&l, SECRET_KIND_TLS_KEY);
                        break;
                default:
                        break;
                }
        }
        if (r >= 0 && c->grant == GRANT_PASSWORD)
                r = strv_extend_unique(&l, SECRET_KIND_PASSWORD);
        if (r >= 0 && c->api_key_header)
                r = strv_extend_unique(&l, SECRET_KIND_API_KEY);
        if (r >= 0 && (c->grant == GRANT_AUTHORIZATION_CODE || c->grant == GRANT_DEVICE_CODE))
                r = strv_extend_unique(&l, SECRET_KIND_REFRESH_TOKEN);
        return r < 0 ? strv_free(l) : l;
}

void account_set_last_error(Account *a, const char *fmt, ...) {
        va_list ap;
        char *s = NULL;

        if (fmt) {
                va_start(ap, fmt);
                if (vasprintf(&s, fmt, ap) < 0)
                        s = NULL;
                va_end(ap);
        }
        free(a->last_error);
        a->last_error = s;
}

/* Makes room for one more scope set: the entry used longest ago that nothing waits on goes. False when every
 * entry is busy. */
static bool evict_one(Account *a) {
        TokenEntry *oldest = NULL, *e;
        GHashTableIter i;

        g_hash_table_iter_init(&i, a->tokens);
        while (g_hash_table_iter_next(&i, NULL, (void **) &e))
                if (!e->fetching && waiters_empty(&e->waiters) && !e->pending_token &&
                    (!oldest || e->last_used < oldest->last_used))
                        oldest = e;
        if (!oldest)
                return false;
        log_debug("Account '%s': dropping the token of scope '%s', used longest ago, to make room.", a->name,
                  oldest->scope);
        g_hash_table_remove(a->tokens, oldest->key);
        return true;
}

/* Scopes and URIs hold no control characters: a newline separates the two sets. */
#define KEY_SEPARATOR '\n'

char *token_entry_key(const char *scope, const char *resource) {
        char sep[2] = { KEY_SEPARATOR, 0 };

        return isempty(resource) ? strdup(strempty(scope)) : strjoin(strempty(scope), sep, resource);
}

TokenEntry *account_get_entry(Account *a, const char *key, bool create) {
        const char *sep = strchr(key, KEY_SEPARATOR);
        TokenEntry *e;

        if (!a->tokens) {
                if (!create)
                        return NULL;
                a->tokens = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, token_entry_free_void);
        }
        e = g_hash_table_lookup(a->tokens, key);
        if (e || !create)
                return e;
        /* Callers choose the scope set of an account without Scopes=: the cache must not grow with them. */
        if (g_hash_table_size(a->tokens) >= ACCOUNT_TOKENS_MAX && !evict_one(a)) {
                errno = EBUSY;
                return NULL;
        }

        e = calloc(1, sizeof(*e));
        if (!e)
                return NULL;
        e->account = a;
        e->key = strdup(key);
        e->scope = sep ? strndup(key, (size_t) (sep - key)) : strdup(key);
        e->resource = sep ? strdup(sep + 1) : NULL;
        if (!e->key || !e->scope || (sep && !e->resource)) {
                free(e->key);
                free(e->scope);
                free(e->resource);
                free(e);
                return NULL;
        }
        g_hash_table_insert(a->tokens, e->key, e);
        return e;
}

unsigned account_invalidate(Account *a, const char *token) {
        GHashTableIter i;
        TokenEntry *e;
        unsigned n = 0;

        if (!a->tokens)
                return 0;
        g_hash_table_iter_init(&i, a->tokens);
        while (g_hash_table_iter_next(&i, NULL, (void **) &e)) {
                if (!e->access_token)
                        continue;
                if (!isempty(token) && !streq(e->access_token, token))
                        continue;
                token_entry_clear_token(e);
                n++;
        }
        return n;
}

void account_fail_all(Account *a, int error, const char *message) {
        GHashTableIter i;
        TokenEntry *e;

        if (!a->tokens)
                return;
        g_hash_table_iter_init(&i, a->tokens);
        while (g_hash_table_iter_next(&i, NULL, (void **) &e))
                waiters_finish(&e->waiters, e, error, message);
}

uint64_t token_entry_margin(const TokenEntry *e, uint64_t min_validity_sec) {
        uint64_t lifetime = e->expires_usec > e->fetched_usec ? e->expires_usec - e->fetched_usec : 0;

        return token_margin_usec(lifetime, min_validity_sec);
}

bool token_entry_usable(const TokenEntry *e, uint64_t min_validity_sec, uint64_t now) {
        return e->access_token && token_left_at_least(e->expires_usec, now, token_entry_margin(e, min_validity_sec));
}

bool token_entry_unexpired(const TokenEntry *e, uint64_t now) {
        return e->access_token && token_left_at_least(e->expires_usec, now, TOKEN_MIN_LEFT_USEC);
}
