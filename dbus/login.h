/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "account.h"

/* Interactive logins (Grant=authorization_code, Grant=device_code): one person consents once, after which the
 * account lives on its refresh token. BeginLogin answers with what to show the person (the URL to open, or
 * the device code); the daemon waits for the browser's redirect on a loopback listener (RFC 8252) or polls
 * the token endpoint (RFC 8628), exchanges what it gets for tokens itself (the client secret never leaves
 * it), stores the refresh token, and emits LoginFinished. One login per account at a time: a new one
 * replaces the old. */

/* Starts a login for `a` and answers `call` (BeginLogin) once it knows what to show, or with an error; < 0
 * with `error` set when it cannot start at all (too many logins at once). */
int login_begin(Account *a, sd_bus_message *call, sd_bus_error *error);

/* Ends the account's login in progress, if any, as failed with `message`. Returns whether there was one. */
bool login_cancel(Manager *m, const char *account, const char *message);

/* Ends every login (daemon shutdown). */
void login_free_all(Manager *m);
