/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "account-endpoints.h"
#include "account-request.h"
#include "account-secrets.h"
#include "alloc-util.h"
#include "client-auth.h"
#include "discovery.h"
#include "dpop.h"
#include "entry-ref.h"
#include "log.h"
#include "login-internal.h"
#include "string-util.h"
#include "token-fetch.h"
#include "token-request.h"

/* RFC 8252 and RFC 8628 leave the time to the client; a person needs a few minutes, not hours. */
#define LOGIN_TIMEOUT_DEFAULT_SEC 300
#define LOGINS_MAX 16U

/* Tells the starter the login ended before it could go on, if it has not been told anything yet. */
static void report_failure(LoginSession *s, int error, const char *message) {
        login_begun_fn begun = s->begun;

        s->begun = NULL;
        if (begun)
                begun(NULL, error, message, s->begun_userdata);
}

static void session_free(void *p) {
        LoginSession *s = p;

        if (!s)
                return;
        login_loopback_close(s, false, "The login was abandoned.");
        login_device_stop(s);
        http_request_cancel(s->http);
        sd_event_source_disable_unref(s->deadline);
        report_failure(s, -ECANCELED, "The login was abandoned.");
        free(s->token_url);
        erase_and_free(s->code);
        free(s->nonce);
        token_response_clear(&s->pending);
        free(s->redirect_uri);
        free(s->redirect_path);
        free(s->authorize_url);
        free(s->state);
        erase_and_free(s->verifier);
        device_authorization_clear(&s->device);
        free(s->account);
        free(s);
}

void login_finish(LoginSession *s, bool ok, const char *message) {
        Engine *eng = s->engine;

        if (ok)
                log_info("Account '%s': login finished.", s->account);
        else
                log_warning("Account '%s': login failed: %s", s->account, message);

        /* Before the starter is told how to go on, a failure is its answer; after, the signal tells it. */
        if (!ok)
                report_failure(s, -EKEYEXPIRED, message);
        login_loopback_close(s, ok, message);
        engine_emit_login_finished(eng, s->account, ok, message);
        g_hash_table_remove(eng->logins, s->account);      /* frees s */
}

LoginSession *login_session_lookup(EntryRef *ref) {
        return ref->engine->logins ? g_hash_table_lookup(ref->engine->logins, ref->account) : NULL;
}

static void on_delivered(void *entry, int error, const char *message, void *userdata) {
        EntryRef *ref = userdata;
        LoginSession *s = login_session_lookup(ref);

        if (s)
                login_finish(s, error >= 0, error >= 0 ? "Logged in." : strna(message));
        entry_ref_free(ref);
}

Account *login_answered(LoginSession *s) {
        Account *a = engine_account(s->engine, s->account);

        s->http = NULL;
        if (!a)
                login_finish(s, false, "The account was removed.");
        return a;
}

void login_deliver(LoginSession *s, TokenResponse *tr) {
        Account *a = engine_account(s->engine, s->account);
        EntryRef *ref;
        TokenEntry *e;

        if (!a) {
                login_finish(s, false, "The account was removed.");
                return;
        }
        e = account_get_entry(a, "", true);
        ref = entry_ref_new(s->engine, s->account, NULL);
        if (!e || !ref || token_fetch_deliver(e, tr, s->sent_usec, on_delivered, ref) < 0) {
                entry_ref_free(ref);
                login_finish(s, false, "Out of memory.");
        }
}

int login_token_request(LoginSession *s, const char *code, http_callback_t cb, char **ret_message) {
        _cleanup_(token_request_clear) TokenRequest req = {};
        _cleanup_(erase_and_freep) char *assertion = NULL;
        Account *a = engine_account(s->engine, s->account);
        GrantInput in = {
                .grant = s->grant,
                .token_url = s->token_url,
                .scope = NULL,
        };
        int r;

        if (!a)
                return -ESRCH;
        in.client_secret = a->client_secret;
        r = client_auth_assertion(a, account_config_client_auth(a->config, s->grant), s->token_url, &assertion);
        if (r < 0) {
                if (r == -ENOKEY)
                        *ret_message = client_auth_missing_message(a, account_config_client_auth(a->config, s->grant),
                                                                   s->grant);
                return r;
        }
        in.client_assertion = assertion;
        if (s->grant == GRANT_AUTHORIZATION_CODE) {
                if (code != s->code) {
                        erase_and_free(s->code);
                        s->code = secret_strdup(code);
                        if (!s->code)
                                return -ENOMEM;
                }
                in.code = code;
                in.code_verifier = s->verifier;
                in.redirect_uri = s->redirect_uri;
        } else
                in.device_code = s->device.device_code;

        r = token_request_build(a->config, &in, &req);
        if (r < 0)
                return r;
        s->sent_usec = io_now(CLOCK_REALTIME);
        return account_post_token_request(a, &req, 0, cb, s, &s->http, ret_message);
}

bool login_dpop_retry(LoginSession *s, Account *a, const HttpResult *res, const TokenError *te,
                      http_callback_t cb) {
        _cleanup_free_ char *msg = NULL;
        int r;

        if (!a->config->dpop)
                return false;
        if (res->dpop_nonce)
                engine_dpop_note_nonce(s->engine, DPOP_AUTHORIZATION_SERVER, res->url, res->dpop_nonce);
        if (!dpop_nonce_wanted(res, te) || s->dpop_nonce_retried)
                return false;
        s->dpop_nonce_retried = true;
        log_debug("Account '%s': the token endpoint asked for a DPoP nonce; sending the request again.",
                  s->account);
        r = login_token_request(s, s->code, cb, &msg);
        if (r < 0)
                login_finish(s, false, msg ?: "Cannot send the token request again.");
        return true;
}

void login_report_begun(LoginSession *s, const LoginStart *start) {
        login_begun_fn begun = s->begun;

        s->begun = NULL;
        if (begun)
                begun(start, 0, NULL, s->begun_userdata);
}

int64_t login_seconds_left(const LoginSession *s) {
        uint64_t now = now_usec(CLOCK_MONOTONIC);

        return s->deadline_usec > now ? (int64_t) ((s->deadline_usec - now) / USEC_PER_SEC) : 0;
}

static int on_deadline(sd_event_source *source, uint64_t usec, void *userdata) {
        LoginSession *s = userdata;

        login_finish(s, false, "The login timed out: nobody completed it in time.");
        return 0;
}

static void session_continue(LoginSession *s);

static void on_secrets(void *account, int error, const char *message, void *userdata) {
        EntryRef *ref = userdata;
        LoginSession *s = login_session_lookup(ref);

        entry_ref_free(ref);
        if (!s)
                return;
        if (error < 0)
                login_finish(s, false, message);
        else
                session_continue(s);
}

static void on_discovered(void *metadata, int error, const char *message, void *userdata) {
        const ServerMetadata *md = metadata;
        EntryRef *ref = userdata;
        LoginSession *s = login_session_lookup(ref);

        entry_ref_free(ref);
        if (!s)
                return;
        if (!md)
                login_finish(s, false, strna(message));
        else
                session_continue(s);
}

/* Resolves one endpoint; 1 when *ret is set, 0 while discovery runs (session_continue() follows), -1 when
 * the login was finished with an error. */
static int endpoint(LoginSession *s, Account *a, Endpoint which, const char *key, const char **ret) {
        _cleanup_free_ char *msg = NULL;
        const char *failure = NULL;
        EntryRef *ref = entry_ref_new(s->engine, s->account, NULL);
        int r;

        if (!ref) {
                login_finish(s, false, "Out of memory.");
                return -1;
        }
        r = account_endpoint(a, which, on_discovered, ref, ret, &failure);
        if (r == 0)
                return 0;
        entry_ref_free(ref);
        if (r < 0 || !*ret) {
                if (asprintf(&msg, r < 0 ? "Discovery failed: %s" : "The account has no %s (and its issuer names none).",
                             r < 0 ? strna(failure) : key) < 0)
                        msg = NULL;
                login_finish(s, false, msg ?: "No endpoint.");
                return -1;
        }
        return 1;
}

/* An account with Issuer= has its metadata at hand before a browser login starts, whether or not its
 * endpoints are configured: the redirect's iss (RFC 9207) and the ID token are checked against it. 1 when it
 * is, 0 while discovery runs, -1 when the login was finished with an error. */
static int issuer_metadata(LoginSession *s, Account *a) {
        _cleanup_free_ char *msg = NULL;
        const ServerMetadata *md = NULL;
        const char *failure = NULL;
        EntryRef *ref;
        int r;

        if (!a->config->issuer || s->grant != GRANT_AUTHORIZATION_CODE)
                return 1;
        ref = entry_ref_new(s->engine, s->account, NULL);
        if (!ref) {
                login_finish(s, false, "Out of memory.");
                return -1;
        }
        r = discovery_resolve(s->engine, a->config->issuer, a->config->ca_file, on_discovered, ref, &md, &failure);
        if (r == 0)
                return 0;
        entry_ref_free(ref);
        if (r > 0)
                return 1;
        if (asprintf(&msg, "Discovery failed: %s", strna(failure)) < 0)
                msg = NULL;
        login_finish(s, false, msg ?: "Discovery failed.");
        return -1;
}

/* Secrets, then endpoints, then the grant's own start; re-entered as each arrives. */
static void session_continue(LoginSession *s) {
        Account *a = engine_account(s->engine, s->account);
        const char *token_url = NULL, *start_url = NULL;
        EntryRef *ref;
        int r;

        if (!a) {
                login_finish(s, false, "The account was removed.");
                return;
        }

        ref = entry_ref_new(s->engine, s->account, NULL);
        r = ref ? account_load_secrets(a, on_secrets, ref) : -ENOMEM;
        if (r != 0)
                entry_ref_free(ref);
        if (r < 0) {
                login_finish(s, false, keyring_error_message(r));
                return;
        }
        if (r == 0)
                return;

        /* DPoP=true: the key exists before the authorization request, which names it (dpop_jkt). */
        if (a->config->dpop) {
                ref = entry_ref_new(s->engine, s->account, NULL);
                r = ref ? account_dpop_key(a, on_secrets, ref) : -ENOMEM;
                if (r != 0)
                        entry_ref_free(ref);
                if (r < 0) {
                        login_finish(s, false, "Cannot make the account's DPoP key.");
                        return;
                }
                if (r == 0)
                        return;
        }

        if (issuer_metadata(s, a) <= 0)
                return;
        if (endpoint(s, a, ENDPOINT_TOKEN, "TokenURL=", &token_url) <= 0)
                return;
        if (endpoint(s, a, s->grant == GRANT_AUTHORIZATION_CODE ? ENDPOINT_AUTHORIZATION : ENDPOINT_DEVICE_AUTHORIZATION,
                     s->grant == GRANT_AUTHORIZATION_CODE ? "AuthorizeURL=" : "DeviceAuthorizationURL=", &start_url) <= 0)
                return;

        free(s->token_url);
        s->token_url = strdup(token_url);
        if (!s->token_url) {
                login_finish(s, false, "Out of memory.");
                return;
        }
        /* Each start function finishes the login itself when it fails. */
        if (s->grant == GRANT_AUTHORIZATION_CODE)
                (void) login_loopback_start(s, a, start_url);
        else
                (void) login_device_start(s, a, start_url);
}

int login_begin(Account *a, login_begun_fn begun, void *userdata, Failure *f) {
        Engine *eng = a->engine;
        uint64_t timeout = a->config->login_timeout_sec ?: LOGIN_TIMEOUT_DEFAULT_SEC;
        LoginSession *s;
        int r;

        if (!eng->logins)
                eng->logins = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, session_free);
        (void) login_cancel(eng, a->name, "A new login for the account was started.");
        /* Each holds a listener and up to four browser connections: bounded, like every other use of
         * file descriptors a caller can cause. */
        if (g_hash_table_size(eng->logins) >= LOGINS_MAX)
                return failure_set(f, -EHOSTUNREACH, "Too many logins in progress (at most %u): finish or "
                                      "cancel one first.", LOGINS_MAX);

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->engine = eng;
        s->grant = a->config->grant;
        s->listen_fd = s->conn_fd = -1;
        s->account = strdup(a->name);
        if (!s->account) {
                free(s);
                return -ENOMEM;
        }
        s->deadline_usec = now_usec(CLOCK_MONOTONIC) + timeout * USEC_PER_SEC;
        r = sd_event_add_time(eng->event, &s->deadline, CLOCK_MONOTONIC, s->deadline_usec, USEC_PER_SEC / 10,
                              on_deadline, s);
        if (r < 0) {
                session_free(s);
                return r;
        }
        s->begun = begun;
        s->begun_userdata = userdata;
        g_hash_table_insert(eng->logins, s->account, s);
        log_info("Account '%s': %s login started.", a->name, grant_type_to_string(s->grant));
        session_continue(s);
        return 1;
}

bool login_cancel(Engine *eng, const char *account, const char *message) {
        LoginSession *s = eng->logins ? g_hash_table_lookup(eng->logins, account) : NULL;

        if (!s)
                return false;
        login_finish(s, false, message);
        return true;
}

void login_free_all(Engine *eng) {
        if (eng->logins) {
                g_hash_table_destroy(eng->logins);
                eng->logins = NULL;
        }
}
