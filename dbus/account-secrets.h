/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"

/* Reading an account's secrets from the keyring, once: every part of the daemon that needs them (a token
 * fetch, a revocation) asks here, and all askers share one keyring job. */

/* The callback is a waiter_fn: error 0 when the secrets are in memory; else the error a caller should get
 * (keyring_error_errno()) with its message (-ENOLCK: the keyring is locked; -ESRCH: the account went away).
 * Its subject is the Account, or NULL when it is being freed: the callback must look its account up again. */

/* 1 when the secrets are in memory already (the callback is not called); 0 when they are being read (the
 * callback runs once, later); < 0 when the read cannot be started (keyring_error_message() says why). */
int account_load_secrets(Account *a, waiter_fn cb, void *userdata);

/* Calls the waiting callbacks with `error` and `message` (account removal). */
void account_secrets_waiters_fail(Account *a, int error, const char *message);
