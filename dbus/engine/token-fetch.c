/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "account-endpoints.h"
#include "account-request.h"
#include "account-secrets.h"
#include "alloc-util.h"
#include "client-auth.h"
#include "dpop.h"
#include "bus-api.h"
#include "entry-ref.h"
#include "log.h"
#include "string-util.h"
#include "token-fetch.h"
#include "token-prereqs.h"
#include "token-request.h"
#include "token-response.h"

/* BROKER_CALL_TIMEOUT_USEC (90 s) less room for the keyring, discovery and the answer. */
#define FETCH_BUDGET_MAX_SEC 75U
#define RETRY_MIN_LEFT_USEC (500ULL * USEC_PER_MSEC)

static uint64_t now_realtime(void) {
        return io_now(CLOCK_REALTIME);
}

/* Error 0 to a waiter promises a token with at least TOKEN_MIN_LEFT_USEC left, whatever happened: a failed
 * refresh still hands out the cached token while it has that much, and a new one that lost it on the way
 * (see commit_token()) is not handed out. */
static void answer_waiters(TokenEntry *e, int error, const char *message) {
        if (token_entry_unexpired(e, now_realtime()))
                waiters_finish(&e->waiters, e, 0, NULL);
        else if (error < 0)
                waiters_finish(&e->waiters, e, error, message);
        else
                waiters_finish(&e->waiters, e, -EHOSTUNREACH, "The new token expired before it could be handed out.");
}

static void fetch_done(TokenEntry *e, int error, const char *message) {
        e->fetching = false;
        e->attempt = 0;
        e->deadline_usec = 0;
        e->dpop_nonce_retried = false;
        e->http = NULL;
        if (error < 0) {
                log_warning_errno(error, "Account '%s': %s", e->account->name, message);
                account_set_last_error(e->account, "%s", message);
        } else
                account_set_last_error(e->account, NULL);
        answer_waiters(e, error, message);
}

static void on_refresh_timer(void *userdata);

void token_schedule_refresh(TokenEntry *e) {
        Account *a = e->account;
        uint64_t lifetime, delay_usec;
        int r;

        e->refresh_timer = io_timer_free(e->refresh_timer);
        lifetime = e->expires_usec > e->fetched_usec ? e->expires_usec - e->fetched_usec : 0;
        delay_usec = token_refresh_delay_usec(lifetime, token_entry_margin(e, a->config->refresh_skew_sec),
                                              io_random_u64());
        if (delay_usec == 0)
                return;

        /* The timer runs on the boot-time clock from now (the token was just fetched), so a wall-clock jump
         * does not move it. */
        r = io_timer_start(a->engine->event, delay_usec, USEC_PER_SEC / 10, on_refresh_timer, e, &e->refresh_timer);
        if (r < 0)
                log_warning_errno(r, "Account '%s': failed to schedule the token refresh, ignoring: %m", a->name);
}

static void on_refresh_timer(void *userdata) {
        TokenEntry *e = userdata;
        uint64_t lifetime = e->expires_usec - e->fetched_usec;
        uint64_t idle = io_now(CLOCK_MONOTONIC) - e->last_used;

        e->refresh_timer = io_timer_free(e->refresh_timer);

        /* Only a live account is kept warm: one used within the token's lifetime (at least the last 5 s). An
         * idle one just expires and is fetched again on its next use. */
        if (idle > MAX(lifetime, 5 * USEC_PER_SEC)) {
                log_debug("Account '%s': idle, not refreshing its token.", e->account->name);
                return;
        }
        log_debug("Account '%s': refreshing its token before it expires.", e->account->name);
        (void) token_fetch_start(e, NULL, NULL);
}

static bool budget_spent(const TokenEntry *e);
static void fetch_send(TokenEntry *e);

static void commit_token(TokenEntry *e, char *token, uint64_t expires_usec) {
        Account *a = e->account;
        uint64_t now = now_realtime();

        /* A short-lived token can lose what it had left while its rotated refresh token was being stored (a
         * slow keyring, a busy machine). Rather than hand out one a caller cannot use, ask again with the
         * new refresh token, within the fetch's attempts and budget. */
        if (!token_left_at_least(expires_usec, now, TOKEN_MIN_LEFT_USEC)) {
                erase_and_free(token);
                /* A fetch of the entry's own on the wire or backing off (a login's token joined it) answers the
                 * waiters in its time: never a second request beside it. */
                if (e->http || e->retry_timer)
                        return;
                log_info("Account '%s': the new token expired while its refresh token was stored; asking again.",
                         a->name);
                if (e->attempt < FETCH_MAX_ATTEMPTS && !budget_spent(e))
                        fetch_send(e);
                else
                        fetch_done(e, -EHOSTUNREACH, "The new token expired before it could be handed out (the keyring "
                                              "was too slow to store its refresh token).");
                return;
        }

        token_entry_clear_token(e);
        e->access_token = token;
        free(e->granted_scope);
        e->granted_scope = TAKE_PTR(e->pending_granted_scope);
        e->dpop_bound = e->pending_dpop_bound;
        e->fetched_usec = now;
        e->expires_usec = expires_usec;
        a->login_required = false;

        log_info("Account '%s': new access token (%zu bytes), valid for %.1f s.", a->name, strlen(token),
                 (double) (e->expires_usec - now) / USEC_PER_SEC);
        token_schedule_refresh(e);
        engine_emit_token_refreshed(a->engine, a->name, (int64_t) (e->expires_usec / USEC_PER_SEC));
        fetch_done(e, 0, NULL);
}

static void on_refresh_token_stored(int r, char **secrets, void *userdata) {
        EntryRef *c = userdata;
        Account *a;
        TokenEntry *e;

        a = entry_ref_account(c);
        e = entry_ref_entry(c);
        if (a) {
                if (r < 0) {
                        /* The new refresh token stays in memory and is used for the next refresh; storing it
                         * is tried again then. Nothing better is possible: the old one is already spent. */
                        log_warning_errno(r, "Account '%s': failed to store the rotated refresh token in the keyring, keeping it in memory: %m",
                                          a->name);
                        a->refresh_token_unsaved = true;
                } else
                        a->refresh_token_unsaved = false;
        }
        if (e && e->pending_token)
                commit_token(e, TAKE_PTR(e->pending_token), e->pending_expires_usec);

        strv_free_erase(secrets);
        entry_ref_free(c);
}

/* The refresh token changed: remember it at once (no later refresh may use the spent one), store it, and
 * hand out the access token that came with it only once the keyring has it. */
static int store_rotated_refresh_token(TokenEntry *e, const char *refresh_token, char *access_token,
                                       uint64_t expires_usec) {
        Account *a = e->account;
        EntryRef *c;
        int r;

        c = entry_ref_new(a->engine, a->name, e->key);
        if (!c)
                return -ENOMEM;
        r = account_store_refresh_token(a, refresh_token, on_refresh_token_stored, c);
        if (r < 0) {
                entry_ref_free(c);
                return r;
        }
        erase_and_free(e->pending_token);
        e->pending_token = access_token;
        e->pending_expires_usec = expires_usec;
        return 0;
}

static void on_retry_timer(void *userdata) {
        TokenEntry *e = userdata;

        e->retry_timer = io_timer_free(e->retry_timer);
        fetch_send(e);
}

/* Timeout= is the budget of all tries of one fetch together, and at most what a front end waits for an
 * answer (BROKER_CALL_TIMEOUT_USEC) less a margin, so that a caller hears why rather than timing out. */
static uint64_t fetch_budget_sec(const Account *a) {
        return MIN(a->config->timeout_sec, FETCH_BUDGET_MAX_SEC);
}

static bool budget_spent(const TokenEntry *e) {
        return e->deadline_usec > 0 && io_now(CLOCK_MONOTONIC) + RETRY_MIN_LEFT_USEC >= e->deadline_usec;
}

/* Tries again later if attempts and time are left; returns false when the caller should give up. */
static bool schedule_retry(TokenEntry *e, int retry_after_sec) {
        uint64_t delay;
        int r;

        if (e->attempt >= FETCH_MAX_ATTEMPTS)
                return false;

        delay = token_retry_delay_usec(e->attempt, retry_after_sec, io_random_u64());
        /* A try that would start with too little of the budget left is not made. */
        if (e->deadline_usec > 0 && io_now(CLOCK_MONOTONIC) + delay + RETRY_MIN_LEFT_USEC >= e->deadline_usec) {
                log_info("Account '%s': no retry: the next try would not fit in Timeout=%llu s.", e->account->name,
                         (unsigned long long) fetch_budget_sec(e->account));
                return false;
        }
        r = io_timer_start(e->account->engine->event, delay, 10 * USEC_PER_MSEC, on_retry_timer, e, &e->retry_timer);
        if (r < 0)
                return false;
        log_info("Account '%s': retrying the token request in %.1f s (attempt %u of %u).", e->account->name,
                 (double) delay / USEC_PER_SEC, e->attempt + 1, FETCH_MAX_ATTEMPTS);

        /* Callers would rather have the cached token that is still valid now than wait out the backoff. */
        if (token_entry_unexpired(e, now_realtime()))
                answer_waiters(e, 0, NULL);
        return true;
}

static bool grant_is_noninteractive(GrantType g) {
        return g == GRANT_CLIENT_CREDENTIALS || g == GRANT_PASSWORD || g == GRANT_TOKEN_EXCHANGE;
}

static void login_required(TokenEntry *e, const char *why) {
        Account *a = e->account;
        _cleanup_free_ char *msg = NULL;

        a->login_required = true;
        engine_emit_login_required(a->engine, a->name);
        if (asprintf(&msg, "Account '%s' needs a new login (%s): run 'tokenbroker login %s'.", a->name, why,
                     a->name) < 0)
                msg = NULL;
        fetch_done(e, -EKEYEXPIRED, msg ?: "Login required.");
}

static void handle_provider_error(TokenEntry *e, const TokenError *err) {
        Account *a = e->account;
        _cleanup_free_ char *msg = NULL;
        bool was_refresh = e->grant_in_flight == GRANT_REFRESH_TOKEN;

        if (token_error_is_login_required(err, was_refresh)) {
                if (was_refresh) {
                        /* The refresh token is dead: forget it everywhere, so it is never sent again. */
                        account_forget_refresh_token(a);

                        /* A grant that needs nobody at the keyboard simply starts over. */
                        if (grant_is_noninteractive(a->config->grant)) {
                                log_info("Account '%s': refresh token refused (%s), requesting a new token with the %s grant.",
                                         a->name, strna(err->error), grant_type_to_string(a->config->grant));
                                fetch_send(e);
                                return;
                        }
                }
                if (!grant_is_noninteractive(a->config->grant) || was_refresh) {
                        login_required(e, strna(err->error));
                        return;
                }
        }

        if (asprintf(&msg, "The token endpoint refused the request: %s%s%s (HTTP %d)", strna(err->error),
                     err->description ? ": " : "", strempty(err->description), err->http_status) < 0)
                msg = NULL;
        fetch_done(e, -EREMOTEIO, msg ?: "The token endpoint refused the request.");
}

/* A token response arrived for a fetch in flight: keep a new refresh token first (keyring), then hand out the
 * access token. */
static void deliver(TokenEntry *e, TokenResponse *tr, uint64_t sent_usec) {
        Account *a = e->account;
        uint64_t expires_usec;
        char *token;
        bool usable;
        int r;

        /* What the keyring would refuse to give back (token_response_parse() bounds access tokens only). */
        if (tr->refresh_token && !secret_value_is_valid(tr->refresh_token, strlen(tr->refresh_token))) {
                fetch_done(e, -EBADMSG, "The token endpoint sent a refresh token that cannot be kept (a control "
                                        "character, or over 16384 bytes).");
                return;
        }
        expires_usec = token_response_expires_usec(tr, sent_usec, (int64_t) a->config->default_lifetime_sec);
        /* A server may grant more or less than asked, on a refresh too; callers are told what it granted. */
        free(e->pending_granted_scope);
        e->pending_granted_scope = isempty(tr->scope) ? NULL : TAKE_PTR(tr->scope);
        e->pending_dpop_bound = streq_ptr(tr->token_type, "DPoP");
        if (a->config->dpop && !e->pending_dpop_bound)
                log_info(
                        "Account '%s': the server issued a Bearer token although the request carried a DPoP "
                        "proof (it does not bind tokens); handing it out as a Bearer token.",
                        a->name);
        /* expires_in 0 (or below), or a JWT that expired already (a clock far off): nothing a caller can use,
         * and caching it would hand out an expired token. Its refresh token is kept all the same. */
        usable = expires_usec > now_realtime() + TOKEN_MIN_LEFT_USEC;
        token = usable ? TAKE_PTR(tr->access_token) : NULL;

        if (tr->refresh_token && !streq_ptr(tr->refresh_token, a->refresh_token)) {
                r = store_rotated_refresh_token(e, tr->refresh_token, token, expires_usec);
                if (r < 0) {
                        erase_and_free(token);
                        fetch_done(e, r, "Failed to keep the new refresh token.");
                        return;
                }
                if (usable)
                        return;         /* handed out once the keyring has the refresh token */
        }
        if (!usable) {
                fetch_done(e, -EBADMSG, "The token endpoint issued a token that has expired already (expires_in of "
                                        "0 or less, or a clock far off): not handed out.");
                return;
        }
        commit_token(e, token, expires_usec);
}

int token_fetch_deliver(TokenEntry *e, TokenResponse *tr, uint64_t sent_usec, waiter_fn callback,
                        void *userdata) {
        int r;

        r = waiters_add(&e->waiters, callback, userdata);
        if (r < 0)
                return r;
        /* A fetch of the entry's own in flight goes on; its answer may replace this token later. */
        if (!e->fetching) {
                e->fetching = true;
                e->attempt = 0;
        }
        deliver(e, tr, sent_usec);
        return 0;
}

static void on_token_response(const HttpResult *res, void *userdata) {
        TokenEntry *e = userdata;
        Account *a = e->account;
        _cleanup_(token_response_clear) TokenResponse tr = {};
        _cleanup_(token_error_clear) TokenError te = {};
        _cleanup_free_ char *msg = NULL;
        int r;

        e->http = NULL;

        if (res->error < 0) {
                log_info("Account '%s': token request failed: %s.", a->name, strna(res->error_text));
                if (res->error == -EFBIG) {
                        fetch_done(e, -EBADMSG, "The token endpoint's response is larger than 1 MiB.");
                        return;
                }
                if (res->error != -EPROTO && res->error != -EINVAL && schedule_retry(e, -1))
                        return;
                if (budget_spent(e)) {
                        if (asprintf(&msg, "The token endpoint %s did not answer within Timeout=%llu s (%u %s).",
                                     strna(account_endpoint_cached(a, ENDPOINT_TOKEN)),
                                     (unsigned long long) fetch_budget_sec(a), e->attempt,
                                     e->attempt == 1 ? "try" : "tries") < 0)
                                msg = NULL;
                } else if (asprintf(&msg, "The token endpoint %s cannot be reached: %s",
                                    strna(account_endpoint_cached(a, ENDPOINT_TOKEN)), strna(res->error_text)) < 0)
                        msg = NULL;
                fetch_done(e, res->error == -EPROTO ? -EPROTO : -EHOSTUNREACH, msg ?: "Unreachable.");
                return;
        }

        log_debug("Account '%s': token endpoint answered HTTP %ld, %zu bytes.", a->name, res->status, res->body_size);
        if (res->dpop_nonce)
                engine_dpop_note_nonce(a->engine, DPOP_AUTHORIZATION_SERVER, res->url, res->dpop_nonce);

        if (res->status == 429 || res->status >= 500) {
                if (schedule_retry(e, res->retry_after_sec))
                        return;
        }

        r = token_response_parse(res->body, res->body_size, (int) res->status, a->config->token_path, &tr, &te);
        /* RFC 9449 section 8: the server wants its nonce in the proof; once per fetch, at once, with a new
         * proof that carries it. */
        if (r == -EREMOTEIO && a->config->dpop && dpop_nonce_wanted(res, &te) && !e->dpop_nonce_retried) {
                log_debug("Account '%s': the token endpoint asked for a DPoP nonce; sending the request "
                          "again.",
                          a->name);
                e->dpop_nonce_retried = true;
                fetch_send(e);
                return;
        }
        if (r == -EREMOTEIO) {
                handle_provider_error(e, &te);
                return;
        }
        if (r < 0) {
                if (asprintf(&msg, "The token endpoint answered HTTP %ld with something that is not a token: %s",
                             res->status, strna(te.description)) < 0)
                        msg = NULL;
                fetch_done(e, -EBADMSG, msg ?: "Bad response.");
                return;
        }

        deliver(e, &tr, e->sent_usec);
}

static GrantType choose_grant(Account *a) {
        if (a->refresh_token)
                return GRANT_REFRESH_TOKEN;
        return a->config->grant;
}

static void fetch_send(TokenEntry *e) {
        Account *a = e->account;
        _cleanup_(token_request_clear) TokenRequest req = {};
        _cleanup_free_ char *msg = NULL;
        _cleanup_(erase_and_freep) char *assertion = NULL;
        TokenPrereqs pre = {};
        GrantInput in = {};
        ClientAuth auth;
        int r;

        in.grant = choose_grant(a);
        if (in.grant == GRANT_AUTHORIZATION_CODE || in.grant == GRANT_DEVICE_CODE) {
                login_required(e, "no refresh token");
                return;
        }
        /* A token without the header its API needs is refused there, often in words that do not point
         * here (Floriday: invalid_api_key): say so before asking for one. */
        if (a->config->api_key_header && !a->api_key) {
                if (asprintf(&msg, "Account '%s' lacks its API key (ApiKeyHeader=%s): run 'tokenbroker set-secret "
                                   "%s %s'.", a->name, a->config->api_key_header, a->name, SECRET_KIND_API_KEY) < 0)
                        msg = NULL;
                fetch_done(e, -ENOKEY, msg ?: "Missing API key.");
                return;
        }

        r = token_prereqs_gather(e, in.grant, &pre, &msg);
        if (r == 0)
                return;         /* token_fetch_resume() follows */
        if (r < 0) {
                fetch_done(e, r, msg ?: "Failed to prepare the token request.");
                return;
        }
        in.token_url = pre.token_url;
        in.subject_token = pre.subject_token;
        in.actor_token = pre.actor_token;

        in.scope = isempty(e->scope) ? NULL : e->scope;
        in.resource = e->resource;
        in.client_secret = a->client_secret;
        in.password = a->password;
        in.refresh_token = a->refresh_token;

        /* A client assertion is made for each try: its jti must not repeat (RFC 7523 section 3). */
        auth = account_config_client_auth(a->config, in.grant);
        r = client_auth_assertion(a, auth, in.token_url ?: a->config->token_url, &assertion);
        if (r >= 0) {
                in.client_assertion = assertion;
                r = token_request_build(a->config, &in, &req);
        }
        if (r == -ENOKEY) {
                msg = client_auth_missing_message(a, auth, in.grant);
                fetch_done(e, -ENOKEY, msg ?: "Missing secret.");
                return;
        }
        if (r == -EBADMSG) {
                if (asprintf(&msg, "Account '%s': its private-key secret is not a key that can sign JWS; 'tokenbroker "
                                   "keygen %s --replace' makes one.", a->name, a->name) < 0)
                        msg = NULL;
                fetch_done(e, -EUCLEAN, msg ?: "The private key cannot sign.");
                return;
        }
        if (r < 0) {
                fetch_done(e, r, "Failed to build the token request.");
                return;
        }

        if (e->attempt == 0)
                e->deadline_usec = io_now(CLOCK_MONOTONIC) + fetch_budget_sec(a) * USEC_PER_SEC;
        e->grant_in_flight = in.grant;
        e->attempt++;
        e->sent_usec = now_realtime();
        r = account_post_token_request(a, &req, e->deadline_usec, on_token_response, e, &e->http, &msg);
        if (r < 0) {
                fetch_done(e, r, msg ?: "Failed to start the token request.");
                return;
        }
        log_debug("Account '%s': %s request sent (attempt %u).", a->name, grant_type_to_string(in.grant), e->attempt);

        /* A previous rotated refresh token could not be stored; try again now. */
        account_store_unsaved(a);
}

void token_fetch_resume(TokenEntry *e, int error, const char *message) {
        /* Only a fetch that is waiting for its prerequisites: not one on the wire, backing off, or storing. */
        if (!e->fetching || e->http || e->retry_timer || e->pending_token)
                return;
        if (error < 0)
                fetch_done(e, error, message ?: "Failed to prepare the token request.");
        else
                fetch_send(e);
}

static void on_secrets_ready(void *account, int error, const char *message, void *userdata) {
        EntryRef *ref = userdata;
        TokenEntry *e = entry_ref_entry(ref);

        if (e)
                token_fetch_resume(e, error, message);
        entry_ref_free(ref);
}

int token_fetch_start(TokenEntry *e, waiter_fn callback, void *userdata) {
        Account *a = e->account;
        Engine *eng = a->engine;
        EntryRef *ref;
        int r;

        if (callback) {
                r = waiters_add(&e->waiters, callback, userdata);
                if (r < 0)
                        return r;
        }

        if (e->fetching)
                return 0;       /* single-flight: the request in flight answers this caller too */
        e->fetching = true;
        e->attempt = 0;

        if (a->secrets_state == SECRETS_LOADED) {
                fetch_send(e);
                return 0;
        }
        ref = entry_ref_new(eng, a->name, e->key);
        if (!ref) {
                fetch_done(e, -ENOMEM, "Out of memory.");
                return 0;
        }
        r = account_load_secrets(a, on_secrets_ready, ref);
        if (r != 0)
                entry_ref_free(ref);
        if (r > 0)
                fetch_send(e);
        else if (r < 0)
                fetch_done(e, keyring_error_errno(r), keyring_error_message(r));
        return 0;
}
