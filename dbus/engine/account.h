/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "account-file.h"
#include "http-client.h"
#include "macro.h"
#include "engine.h"
#include "io.h"
#include "time-util.h"
#include "token-policy.h"
#include "waiters.h"

/* An account at run time: its configuration, its secrets (read from the keyring once, then kept in locked,
 * wiped-on-free memory, so a cache hit or a refresh never waits for the keyring), and its cached tokens, one
 * per scope set. Access tokens live in memory only. */

typedef enum SecretsState {
        SECRETS_UNLOADED,
        SECRETS_LOADING,
        SECRETS_LOADED,
} SecretsState;

typedef struct TokenEntry TokenEntry;

struct TokenEntry {
        Account *account;
        char *key;                      /* the cache key: token_entry_key() of scope and resource */
        char *scope;                    /* normalized scope set; "" = the account's Scopes */
        char *resource;                 /* RFC 8707: normalized resource set; NULL = the account's Resource= */
        /* What the server granted with the cached token, when its response said (RFC 6749 section 5.1: scope
         * is sent when it differs from the request); NULL: what was asked. */
        char *granted_scope;

        char *access_token;             /* wiped on free; NULL when none cached */
        bool dpop_bound; /* token_type DPoP (RFC 9449): used with a proof, never as a Bearer */
        /* CLOCK_REALTIME in microseconds: whole seconds are too coarse for tokens that live a few seconds.
         */
        uint64_t expires_usec;
        uint64_t fetched_usec;
        uint64_t last_used;             /* CLOCK_MONOTONIC usec of the last GetToken, for proactive refresh */

        /* The one fetch in flight (single-flight): every caller arriving meanwhile waits on it. */
        bool fetching;
        GrantType grant_in_flight;
        unsigned attempt;
        uint64_t deadline_usec;         /* CLOCK_MONOTONIC end of the fetch's Timeout= budget, all tries */
        HttpRequest *http;
        uint64_t sent_usec;             /* CLOCK_REALTIME when the request in flight was sent */
        WaiterList waiters;             /* subject: this TokenEntry; error 0 = it holds an unexpired token */
        char *pending_token;            /* a new token held back until its rotated refresh token is stored */
        char *pending_granted_scope;    /* ... and the scope granted with it, */
        bool pending_dpop_bound;        /* ... and its type */
        bool dpop_nonce_retried;        /* this fetch sent its request again with the server's DPoP nonce */
        uint64_t pending_expires_usec;
        IoTimer *retry_timer;
        IoTimer *refresh_timer;
};

struct Account {
        Engine *engine;
        const char *name;               /* config->name */
        AccountConfig *config;

        WaiterList secrets_waiters;     /* account-secrets.c: who waits for the keyring to answer */
        char *client_secret;            /* all wiped on free */
        char *password;
        char *api_key;
        char *private_key;              /* PEM (ClientAuth=private_key_jwt) */
        char *dpop_key;                 /* PEM (DPoP=true) */
        char *tls_key;                  /* PEM, the key of ClientCertFile= unless ClientKeyFile= names one */
        char *refresh_token;

        GHashTable *tokens;             /* scope -> TokenEntry*; NULL until the first */
        char *last_error;               /* for `tokenbroker status`; never holds a secret */
        WaiterList dpop_key_waiters;    /* dpop.c: who waits for a new DPoP key to reach the keyring */

        /* The small fields together: 10,000 accounts pay for every gap between them. */
        SecretsState secrets_state;
        bool login_required;            /* the grant is dead until a login or a new secret */
        bool warmup_after_unlock;       /* a warmup met a locked keyring: retried when it opens (warmup.c) */
        bool refresh_token_unsaved;     /* the keyring refused the newest refresh token: it is held in memory
                                         * only, and stored again as soon as the keyring takes it */
        bool refresh_token_storing;     /* account_store_unsaved(): a store of it is queued */
        bool dpop_key_storing;          /* dpop.c: a new DPoP key is on its way to the keyring */
};

int account_new(Engine *eng, AccountConfig *config, Account **ret);  /* takes config */
Account *account_free(Account *a);

/* Replaces the configuration after a reload; drops cached tokens when the endpoint, client, grant or
 * scopes changed, keeps them otherwise. Takes config. */
void account_update_config(Account *a, AccountConfig *config);

/* Sets one secret in memory (after it was stored in the keyring). NULL clears it. */
int account_set_secret(Account *a, const char *kind, const char *value);
void account_forget_secrets(Account *a);
/* The kinds whose values are PEM keys, several lines: every other kind is one line. */
bool secret_kind_is_pem(const char *kind);

/* The kinds held in memory, for status. */
char **account_secret_kinds(Account *a);
/* Whether the secret of `kind` is in memory. */
bool account_has_secret(Account *a, const char *kind);
/* The secret kinds the account's file asks for (account.c says which), stored or not; NULL: no memory. */
char **account_needed_secrets(const AccountConfig *c);

void account_set_last_error(Account *a, const char *fmt, ...) _printf_(2, 3);

/* Scope sets cached per account at most; the one used longest ago makes room for a new one. */
#define ACCOUNT_TOKENS_MAX 32U

/* The cache key of a scope set and a resource set, each normalized ("" and NULL: the account's own): tokens
 * are cached per (scope set, resource set). */
char *token_entry_key(const char *scope, const char *resource);

/* The cached token of one key ("": the account's own scopes and resources), created on demand (NULL with
 * errno EBUSY when all ACCOUNT_TOKENS_MAX are being fetched, ENOMEM). */
TokenEntry *account_get_entry(Account *a, const char *key, bool create);

/* Drops a cached token (all of the account's when token is NULL or empty). Returns how many. */
unsigned account_invalidate(Account *a, const char *token);

/* Fails every waiting caller of the account with -errno and a message (account removed, ...). */
void account_fail_all(Account *a, int error, const char *message);

/* The margin a token must have left to be handed out (token_margin_usec() of its lifetime). */
uint64_t token_entry_margin(const TokenEntry *e, uint64_t min_validity_sec);
bool token_entry_usable(const TokenEntry *e, uint64_t min_validity_sec, uint64_t now);
/* Has a token that has not expired yet (though maybe too close to expiry to be handed out normally). */
bool token_entry_unexpired(const TokenEntry *e, uint64_t now);
void token_entry_clear_token(TokenEntry *e);
