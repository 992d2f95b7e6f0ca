/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "device-authorization.h"
#include "entry-ref.h"
#include "http-client.h"
#include "login.h"
#include "redirect-request.h"
#include "server-metadata.h"
#include "token-response.h"

/* Shared by login.c, login-loopback.c and login-device.c only. */

typedef struct LoginSession {
        Engine *engine;
        char *account;
        GrantType grant;
        login_begun_fn begun;           /* who started the login, until it is told how it goes on */
        void *begun_userdata;
        sd_event_source *deadline;      /* the whole login's time limit */
        uint64_t deadline_usec;         /* its CLOCK_MONOTONIC time */
        HttpRequest *http;              /* the device authorization request, a poll, or the code exchange */
        uint64_t sent_usec;             /* CLOCK_REALTIME of that request, for the token's expiry */
        char *token_url;
        char *code;                     /* the authorization code, wiped: sent again with a DPoP nonce */
        bool dpop_nonce_retried;        /* the token request was sent again with the server's DPoP nonce */

        /* OpenID Connect: the nonce sent (authorization code with openid in the scopes), and the token response
         * held while the ID token's issuer keys are fetched (login-id-token.c) */
        char *nonce;
        TokenResponse pending;          /* wiped */
        enum {
                KEYS_AS_CACHED,
                KEYS_REFETCH,           /* an unknown kid: ask for the key set again, once */
                KEYS_REFETCHED,
        } keys;

        /* authorization_code */
        int listen_fd;
        sd_event_source *listen_source;
        struct Listener *listener;      /* login-loopback.c: the browser's connections so far */
        unsigned refused;               /* connections refused as another user's (logged once) */
        int conn_fd;                    /* the browser's connection, answered when the login ends */
        sd_event_source *conn_source;
        char request[REDIRECT_REQUEST_MAX];
        size_t request_len;
        char *redirect_uri;
        char *redirect_path;
        char *authorize_url;            /* the endpoint, for the URL naming a pushed request (RFC 9126) */
        char *state;
        char *verifier;                 /* wiped */

        /* device_code */
        DeviceAuthorization device;
        uint64_t interval_usec;
        sd_event_source *poll_timer;
} LoginSession;

/* login.c */
/* The login of the referenced account, if one is still in progress (a callback's session may be gone). */
LoginSession *login_session_lookup(EntryRef *ref);
void login_finish(LoginSession *s, bool ok, const char *message);
/* For a callback of the login's HTTP request: the request is over; the account, or NULL when it was
 * removed meanwhile (the login is then finished, and `s` freed). */
Account *login_answered(LoginSession *s);
/* Seconds left until the deadline. */
int64_t login_seconds_left(const LoginSession *s);
/* RFC 9449 section 8: remembers a DPoP nonce the token endpoint sent, and when it refused the request for
 * want of it, sends the token request again (once per login) with `cb`: true then, and the response is not
 * the caller's to handle. */
bool login_dpop_retry(LoginSession *s, Account *a, const HttpResult *res, const TokenError *te,
                      http_callback_t cb);
/* Exchanges a token response for the account's cached token and stored refresh token, then finishes. */
void login_deliver(LoginSession *s, TokenResponse *tr);

/* login-id-token.c: checks the ID token of a login's token response (when there is one, or when the login
 * sent a nonce), then login_deliver(); a bad one finishes the login with nothing stored. Takes *tr. */
void login_accept(LoginSession *s, TokenResponse *tr);
/* RFC 9207: 0 when the authorization response's iss (NULL: absent) fits the issuer; else -EBADMSG with a
 * message (freed by the caller). */
int login_check_response_issuer(LoginSession *s, Account *a, const char *iss, char **ret_message);
/* Replies to BeginLogin with `kind` and the given string/int entries: "key", 's', value, ..., NULL. */
void login_report_begun(LoginSession *s, const LoginStart *start);
/* Starts a token request for the login's grant with `code` or the device code; on failure *ret_message may
 * say why (or stay NULL). */
int login_token_request(LoginSession *s, const char *code, http_callback_t cb, char **ret_message);

/* login-loopback.c: the redirect listener; login_loopback_start() also answers BeginLogin. */
int login_loopback_start(LoginSession *s, Account *a, const char *authorize_url);
void login_loopback_close(LoginSession *s, bool ok, const char *message);

/* Tells the starter the browser's URL: the login goes on at the redirect listener. */
void login_report_url(LoginSession *s, const char *url);

/* login-pushed.c: pushes the authorization request (`query`) to the issuer's PAR endpoint; reports the URL
 * that names it when the server answers. -1 when the login was finished with an error. */
int login_push_request(LoginSession *s, Account *a, const ServerMetadata *md, const char *authorize_url,
                       const char *query);

/* login-device.c: the device authorization request, then polling; answers BeginLogin when the code is in. */
int login_device_start(LoginSession *s, Account *a, const char *device_url);
void login_device_stop(LoginSession *s);
