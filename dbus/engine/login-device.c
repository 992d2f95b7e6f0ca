/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device authorization grant (RFC 8628) for machines without a browser: ask for a user code, show it,
 * then poll the token endpoint at the server's pace until the person approves, refuses, or the code
 * expires. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "account-request.h"
#include "alloc-util.h"
#include "client-auth.h"
#include "dpop-proof.h"
#include "dpop.h"
#include "log.h"
#include "login-internal.h"
#include "string-util.h"
#include "token-request.h"
#include "token-policy.h"
#include "token-response.h"

static int on_poll(sd_event_source *source, uint64_t usec, void *userdata);

/* retry_after_sec: the Retry-After of the answer to the last poll, -1 if none. */
static void schedule_poll(LoginSession *s, int retry_after_sec) {
        int r;

        s->poll_timer = sd_event_source_disable_unref(s->poll_timer);
        r = sd_event_add_time_relative(s->engine->event, &s->poll_timer, CLOCK_MONOTONIC,
                                       device_poll_delay_usec(s->interval_usec, retry_after_sec),
                                       USEC_PER_SEC / 20, on_poll, s);
        if (r < 0)
                login_finish(s, false, "Cannot schedule the next poll.");
}

static void on_poll_response(const HttpResult *res, void *userdata) {
        LoginSession *s = userdata;
        _cleanup_(token_response_clear) TokenResponse tr = {};
        _cleanup_(token_error_clear) TokenError te = {};
        _cleanup_free_ char *msg = NULL;
        Account *a = login_answered(s);
        int r;

        if (!a)
                return;
        /* A network hiccup or an overloaded server: the next poll may do better, until the deadline. */
        if (res->error < 0 || res->status == 429 || res->status >= 500) {
                log_debug("Account '%s': device poll failed (%s), polling on.", s->account,
                          res->error < 0 ? strna(res->error_text) : "server busy");
                schedule_poll(s, res->retry_after_sec);
                return;
        }
        r = token_response_parse(res->body, res->body_size, (int) res->status, a->config->token_path, &tr, &te);
        if (r >= 0) {
                login_accept(s, &tr);
                return;
        }
        if (r == -EREMOTEIO && login_dpop_retry(s, a, res, &te, on_poll_response))
                return;
        /* A nonce that changed since the last poll: the next poll carries the new one (a nonce no proof can
         * carry would make every poll fail alike: that ends the login below). */
        if (r == -EREMOTEIO && dpop_nonce_wanted(res, &te) && a->config->dpop &&
            dpop_nonce_is_valid(res->dpop_nonce)) {
                schedule_poll(s, -1);
                return;
        }
        if (r == -EREMOTEIO && streq_ptr(te.error, "authorization_pending")) {
                schedule_poll(s, res->retry_after_sec);
                return;
        }
        if (r == -EREMOTEIO && streq_ptr(te.error, "slow_down")) {
                s->interval_usec += DEVICE_SLOW_DOWN_USEC;
                log_debug("Account '%s': asked to slow down, polling every %.0f s.", s->account,
                          (double) s->interval_usec / USEC_PER_SEC);
                schedule_poll(s, res->retry_after_sec);
                return;
        }
        if (r == -EREMOTEIO && streq_ptr(te.error, "access_denied"))
                msg = strdup("The login was refused at the verification page.");
        else if (r == -EREMOTEIO && streq_ptr(te.error, "expired_token"))
                msg = strdup("The device code expired before the login was approved.");
        else if (asprintf(&msg, "The token endpoint refused: %s%s%s (HTTP %ld)", strna(te.error),
                          te.description ? ": " : "", strempty(te.description), res->status) < 0)
                msg = NULL;
        login_finish(s, false, msg ?: "The login failed.");
}

static int on_poll(sd_event_source *source, uint64_t usec, void *userdata) {
        LoginSession *s = userdata;
        _cleanup_free_ char *msg = NULL;
        int r;

        s->poll_timer = sd_event_source_disable_unref(s->poll_timer);
        r = login_token_request(s, NULL, on_poll_response, &msg);
        if (r < 0)
                login_finish(s, false, msg ?: r == -ENOKEY ? "The account lacks its client secret."
                                                           : "Cannot poll the token endpoint.");
        return 0;
}

static void on_device_authorization(const HttpResult *res, void *userdata) {
        LoginSession *s = userdata;
        _cleanup_(token_error_clear) TokenError te = {};
        _cleanup_free_ char *msg = NULL;
        uint64_t expiry;
        int r;

        s->http = NULL;
        if (res->error < 0) {
                if (asprintf(&msg, "The device authorization endpoint cannot be reached: %s", strna(res->error_text)) < 0)
                        msg = NULL;
                login_finish(s, false, msg ?: "Unreachable.");
                return;
        }
        r = device_authorization_parse(res->body, res->body_size, (int) res->status, &s->device, &te);
        if (r < 0) {
                if (asprintf(&msg, "The device authorization request failed: %s%s%s (HTTP %ld)", strna(te.error),
                             te.description ? ": " : "", strempty(te.description), res->status) < 0)
                        msg = NULL;
                login_finish(s, false, msg ?: "The device authorization request failed.");
                return;
        }

        /* The code's own life ends the login when it is shorter than the login's. */
        expiry = now_usec(CLOCK_MONOTONIC) + (uint64_t) s->device.expires_in * USEC_PER_SEC;
        if (expiry < s->deadline_usec) {
                s->deadline_usec = expiry;
                (void) sd_event_source_set_time(s->deadline, expiry);
        }
        s->interval_usec = (uint64_t) s->device.interval * USEC_PER_SEC;
        log_info("Account '%s': device code issued, polling every %" PRIi64 " s.", s->account, s->device.interval);

        login_report_begun(s, &(LoginStart) {
                .kind = "device_code",
                .user_code = s->device.user_code,
                .verification_uri = s->device.verification_uri,
                .verification_uri_complete = s->device.verification_uri_complete,
                .expires_in = login_seconds_left(s),
                .interval = s->device.interval,
        });
        schedule_poll(s, -1);
}

int login_device_start(LoginSession *s, Account *a, const char *device_url) {
        _cleanup_(token_request_clear) TokenRequest req = {};
        _cleanup_free_ char *msg = NULL;
        _cleanup_(erase_and_freep) char *assertion = NULL;
        ClientAuth auth = account_config_client_auth(a->config, GRANT_DEVICE_CODE);
        int r;

        r = client_auth_assertion(a, auth, s->token_url, &assertion);
        if (r >= 0)
                r = device_authorization_request_build(a->config, device_url, a->client_secret, assertion, NULL, &req);
        if (r < 0) {
                if (r == -ENOKEY)
                        msg = client_auth_missing_message(a, auth, GRANT_DEVICE_CODE);
                login_finish(s, false, msg ?: r == -EBADMSG ? "The account's private key cannot sign."
                                                             : "Cannot build the device authorization request.");
                return -1;
        }
        r = account_post(a, &req, 0, "device authorization request", on_device_authorization, s, &s->http, &msg);
        if (r < 0) {
                login_finish(s, false, msg ?: "Cannot start the device authorization request.");
                return -1;
        }
        return 0;
}

void login_device_stop(LoginSession *s) {
        s->poll_timer = sd_event_source_disable_unref(s->poll_timer);
}
