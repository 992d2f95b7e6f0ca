/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What an OpenID Connect client checks before it keeps a login (OIDC Core 1.0 section 3.1.3.7, RFC 9207): the
 * ID token's claims and nonce, its signature by the issuer's keys (fetched from jwks_uri, fetched again once
 * for an unknown kid), and the issuer named in the authorization response. A login that fails a check
 * stores nothing.
 *
 * An account without Issuer= has no issuer to compare with and no keys to check against: its ID token's
 * claims and nonce are still checked, and the TLS connection to its token endpoint vouches for where the
 * token came from (OIDC Core 3.1.3.7 item 6). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "discovery.h"
#include "id-token.h"
#include "io.h"
#include "issuer-keys.h"
#include "log.h"
#include "login-internal.h"
#include "string-util.h"
#include "time-util.h"

static void check_pending(LoginSession *s);

static void refuse(LoginSession *s, const char *why) {
        _cleanup_free_ char *msg = NULL;

        if (asprintf(&msg, "The provider's ID token was refused: %s Nothing was stored.", why) < 0)
                msg = NULL;
        token_response_clear(&s->pending);
        login_finish(s, false, msg ?: "The provider's ID token was refused.");
}

/* Called when the metadata or the key set this login waited for has come (or not). */
static void on_ready(void *subject, int error, const char *message, void *userdata) {
        EntryRef *ref = userdata;
        LoginSession *s = login_session_lookup(ref);

        entry_ref_free(ref);
        /* The login may have ended, or been replaced by one that holds no response yet. */
        if (!s || !s->pending.access_token)
                return;
        if (error < 0) {
                _cleanup_free_ char *why = NULL;

                if (asprintf(&why, "its issuer's keys cannot be had (%s).", strna(message)) < 0)
                        why = NULL;
                refuse(s, why ?: "its issuer's keys cannot be had.");
                return;
        }
        check_pending(s);
}

/* 1 with *ret set (NULL: the account names no issuer), 0 when waiting, -1 when the login was finished. */
static int wait_for(LoginSession *s, int r, const char *failure, EntryRef *ref) {
        _cleanup_free_ char *why = NULL;

        if (r == 0)
                return 0;               /* on_ready() has the ref now */
        entry_ref_free(ref);
        if (r > 0)
                return 1;
        if (asprintf(&why, "its issuer's keys cannot be had (%s).", strna(failure)) < 0)
                why = NULL;
        refuse(s, why ?: "its issuer's keys cannot be had.");
        return -1;
}

static void deliver(LoginSession *s) {
        _cleanup_(token_response_clear) TokenResponse tr = s->pending;

        /* Moved out first: delivering may finish the login, and with it free `s`. */
        s->pending = (TokenResponse) {};
        login_deliver(s, &tr);
}

static void check_pending(LoginSession *s) {
        Account *a = engine_account(s->engine, s->account);
        _cleanup_(jws_clear) Jws j = { .alg = JWS_ALG_INVALID };
        _cleanup_free_ char *why = NULL;
        const ServerMetadata *md = NULL;
        const JwkSet *keys = NULL;
        const char *failure = NULL;
        EntryRef *ref;
        int r;

        if (!a) {
                login_finish(s, false, "The account was removed.");
                return;
        }
        if (jws_parse(s->pending.id_token, &j, &why) < 0) {
                refuse(s, why ?: "it is not a signed JWT.");
                return;
        }

        if (a->config->issuer) {
                ref = entry_ref_new(s->engine, s->account, NULL);
                if (!ref) {
                        login_finish(s, false, "Out of memory.");
                        return;
                }
                r = discovery_resolve(s->engine, a->config->issuer, a->config->ca_file, on_ready, ref, &md, &failure);
                if (wait_for(s, r, failure, ref) <= 0)
                        return;
        }

        IdTokenExpect x = {
                .issuer = md ? md->issuer : NULL,
                .client_id = a->config->client_id,
                .nonce = s->nonce,
                .now = (int64_t) (io_now(CLOCK_REALTIME) / USEC_PER_SEC),
        };
        if (id_token_check_claims(&j, &x, &why) < 0) {
                refuse(s, why);
                return;
        }

        if (!jws_alg_is_hmac(j.alg) && md) {
                if (!md->jwks_uri) {
                        refuse(s, "its issuer publishes no jwks_uri to check its signature with.");
                        return;
                }
                ref = entry_ref_new(s->engine, s->account, NULL);
                if (!ref) {
                        login_finish(s, false, "Out of memory.");
                        return;
                }
                r = issuer_keys_get(s->engine, md->jwks_uri, a->config->ca_file, s->keys == KEYS_REFETCH, on_ready,
                                    ref, &keys, &failure);
                if (s->keys == KEYS_REFETCH)
                        s->keys = KEYS_REFETCHED;
                if (wait_for(s, r, failure, ref) <= 0)
                        return;
        }

        if (jws_alg_is_hmac(j.alg) || md) {
                r = id_token_check_signature(&j, keys, a->client_secret, &why);
                if (r == -ENOKEY && s->keys == KEYS_AS_CACHED) {
                        /* The issuer may have rotated its keys since the set was fetched. */
                        log_info("Account '%s': the ID token's key is not in the issuer's key set; fetching it again.",
                                 s->account);
                        s->keys = KEYS_REFETCH;
                        check_pending(s);
                        return;
                }
                if (r < 0) {
                        refuse(s, why);
                        return;
                }
        } else
                log_debug("Account '%s': the ID token's signature is not checked: the account names no Issuer=.",
                          s->account);

        deliver(s);
}

void login_accept(LoginSession *s, TokenResponse *tr) {
        token_response_clear(&s->pending);
        s->pending = *tr;
        *tr = (TokenResponse) {};
        s->keys = KEYS_AS_CACHED;

        if (!s->pending.id_token) {
                /* OIDC Core 3.1.3.3: a login that asked for openid gets an ID token; one without is not that
                 * server's answer to this login. */
                if (s->nonce) {
                        refuse(s, "the token response has none, although the login asked for openid.");
                        return;
                }
                deliver(s);
                return;
        }
        check_pending(s);
}

int login_check_response_issuer(LoginSession *s, Account *a, const char *iss, char **ret_message) {
        const ServerMetadata *md = a->config->issuer ? discovery_cached(s->engine, a->config->issuer) : NULL;
        const char *expected = md ? md->issuer : a->config->issuer;

        /* RFC 9207 section 2.4: compared as strings with the issuer of the metadata. A response from another
         * issuer is a mix-up: its code must not go to this account's token endpoint. */
        if (iss && expected && !streq(iss, expected)) {
                *ret_message = strdup("The authorization response names another issuer (RFC 9207 iss): it is not "
                                      "this account's server's answer. Nothing was stored.");
                return -EBADMSG;
        }
        if (!iss && md && md->authorization_response_iss_parameter_supported) {
                *ret_message = strdup("The authorization response lacks the iss its issuer promises (RFC 9207). "
                                      "Nothing was stored.");
                return -EBADMSG;
        }
        return 0;
}
