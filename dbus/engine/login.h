/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"
#include "failure.h"
#include "engine.h"

/* Interactive logins (Grant=authorization_code, Grant=device_code): one person consents once, after which the
 * account lives on its refresh token. BeginLogin answers with what to show the person (the URL to open, or
 * the device code); the daemon waits for the browser's redirect on a loopback listener (RFC 8252) or polls
 * the token endpoint (RFC 8628), exchanges what it gets for tokens itself (the client secret never leaves
 * it), stores the refresh token, and emits LoginFinished. One login per account at a time: a new one
 * replaces the old. */

/* What the person must do to go on: kind "authorization_code" (open url; the browser comes back to
 * redirect_uri) or "device_code" (enter user_code at verification_uri, or open verification_uri_complete;
 * the daemon polls every `interval` seconds). Strings NULL when absent; expires_in: seconds left. */
typedef struct LoginStart {
        const char *kind;
        const char *url;
        const char *redirect_uri;
        const char *user_code;
        const char *verification_uri;
        const char *verification_uri_complete;
        int64_t expires_in;
        int64_t interval;
} LoginStart;

/* Called exactly once per login: with `start` and error 0 once the login knows what to show, or with start
 * NULL and the error that ended the login before that (-ECANCELED when it was abandoned). What follows is
 * told by the LoginFinished signal. */
typedef void (*login_begun_fn)(const LoginStart *start, int error, const char *message, void *userdata);

/* Starts a login for `a`; `begun` is called as above. < 0 with `f` set when it cannot start at all (too many
 * logins at once); `begun` is not called then. */
int login_begin(Account *a, login_begun_fn begun, void *userdata, Failure *f);

/* Ends the account's login in progress, if any, as failed with `message`. Returns whether there was one. */
bool login_cancel(Engine *eng, const char *account, const char *message);

/* Ends every login (daemon shutdown). */
void login_free_all(Engine *eng);
