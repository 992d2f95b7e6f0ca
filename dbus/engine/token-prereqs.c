/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "account-endpoints.h"
#include "alloc-util.h"
#include "dpop.h"
#include "entry-ref.h"
#include "log.h"
#include "string-util.h"
#include "token-fetch.h"
#include "token-prereqs.h"

/* Chains of exchanges deeper than this are a configuration mistake, not a use case. */
#define EXCHANGE_DEPTH_MAX 8U

static void on_discovered(void *metadata, int error, const char *message, void *userdata) {
        const ServerMetadata *md = metadata;
        EntryRef *ref = userdata;
        TokenEntry *e = entry_ref_entry(ref);
        _cleanup_free_ char *msg = NULL;

        if (e) {
                if (error < 0 && asprintf(&msg, "Discovery for Issuer=%s failed: %s", e->account->config->issuer,
                                          strna(message)) < 0)
                        msg = NULL;
                token_fetch_resume(e, md ? 0 : error, msg ?: message);
        }
        entry_ref_free(ref);
}

static void on_other_token(void *subject, int error, const char *message, void *userdata) {
        TokenEntry *other = subject;
        EntryRef *ref = userdata;
        TokenEntry *e = entry_ref_entry(ref);
        _cleanup_free_ char *msg = NULL;

        if (e) {
                if (error < 0 && asprintf(&msg, "The token of account '%s', needed for the exchange: %s",
                                          other->account->name, strna(message)) < 0)
                        msg = NULL;
                token_fetch_resume(e, error, msg ?: message);
        }
        entry_ref_free(ref);
}

/* Would fetching `name`'s token need `start`'s, directly or through other exchanges? */
static bool exchange_leads_to(Engine *eng, const char *start, const char *name, unsigned depth) {
        Account *b;

        if (streq(name, start) || depth >= EXCHANGE_DEPTH_MAX)
                return true;
        b = engine_account(eng, name);
        if (!b || b->config->grant != GRANT_TOKEN_EXCHANGE)
                return false;
        return (b->config->subject_account && exchange_leads_to(eng, start, b->config->subject_account, depth + 1)) ||
               (b->config->actor_account && exchange_leads_to(eng, start, b->config->actor_account, depth + 1));
}

static int other_token(TokenEntry *e, const char *key, const char *name, const char **ret, char **ret_message) {
        Account *a = e->account, *b;
        TokenEntry *other;
        EntryRef *ref;
        int r;

        b = engine_account(a->engine, name);
        if (!b) {
                if (asprintf(ret_message, "%s=%s names no account.", key, name) < 0)
                        *ret_message = NULL;
                return -EUCLEAN;
        }
        if (exchange_leads_to(a->engine, a->name, name, 0)) {
                if (asprintf(ret_message, "%s=%s: the accounts' token exchanges need each other in a circle.",
                             key, name) < 0)
                        *ret_message = NULL;
                return -EUCLEAN;
        }

        other = account_get_entry(b, "", true);
        if (!other)
                return -ENOMEM;
        /* Any token with a second left will do: it is exchanged now, not handed to a caller. */
        if (token_entry_usable(other, 0, io_now(CLOCK_REALTIME))) {
                *ret = other->access_token;
                return 1;
        }
        ref = entry_ref_new(a->engine, a->name, e->key);
        if (!ref)
                return -ENOMEM;
        r = token_fetch_start(other, on_other_token, ref);
        if (r < 0) {
                entry_ref_free(ref);
                return r;
        }
        log_debug("Account '%s': waiting for the token of '%s' to exchange it.", a->name, name);
        return 0;
}

static void on_dpop_key(void *subject, int error, const char *message, void *userdata) {
        EntryRef *ref = userdata;
        TokenEntry *e = entry_ref_entry(ref);

        if (e)
                token_fetch_resume(e, error, message);
        entry_ref_free(ref);
}

/* DPoP=true: the key the request's proof is signed with, made and stored on first use. */
static int dpop_key(TokenEntry *e) {
        Account *a = e->account;
        EntryRef *ref;
        int r;

        if (!a->config->dpop || a->dpop_key)
                return 1;
        ref = entry_ref_new(a->engine, a->name, e->key);
        if (!ref)
                return -ENOMEM;
        r = account_dpop_key(a, on_dpop_key, ref);
        if (r != 0)
                entry_ref_free(ref);
        return r;
}

static int token_endpoint(TokenEntry *e, const char **ret, char **ret_message) {
        Account *a = e->account;
        const char *failure = NULL;
        EntryRef *ref;
        int r;

        *ret = account_endpoint_cached(a, ENDPOINT_TOKEN);
        if (*ret)
                return 1;

        ref = entry_ref_new(a->engine, a->name, e->key);
        if (!ref)
                return -ENOMEM;
        r = account_endpoint(a, ENDPOINT_TOKEN, on_discovered, ref, ret, &failure);
        if (r == 0)
                return 0;       /* the callback owns ref */
        entry_ref_free(ref);
        if (r < 0) {
                if (asprintf(ret_message, "Discovery for Issuer=%s failed: %s", strna(a->config->issuer),
                             strna(failure)) < 0)
                        *ret_message = NULL;
                return r;
        }
        if (!*ret) {
                *ret_message = strdup("The account has no TokenURL= and no Issuer= to discover it from.");
                return -EUCLEAN;
        }
        return 1;
}

int token_prereqs_gather(TokenEntry *e, GrantType grant, TokenPrereqs *ret, char **ret_message) {
        const AccountConfig *c = e->account->config;
        TokenPrereqs p = {};
        int r;

        *ret_message = NULL;
        r = token_endpoint(e, &p.token_url, ret_message);
        if (r <= 0)
                return r;
        r = dpop_key(e);
        if (r <= 0)
                return r;

        if (grant == GRANT_TOKEN_EXCHANGE) {
                r = other_token(e, "SubjectAccount", c->subject_account, &p.subject_token, ret_message);
                if (r <= 0)
                        return r;
                if (c->actor_account) {
                        r = other_token(e, "ActorAccount", c->actor_account, &p.actor_token, ret_message);
                        if (r <= 0)
                                return r;
                }
        }
        *ret = p;
        return 1;
}
