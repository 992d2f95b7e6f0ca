/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"

/* Reading an account's secrets from the keyring, once: every part of the daemon that needs them (a token
 * fetch, a revocation) asks here, and all askers share one keyring job. */

/* error 0: the secrets are in memory; else -errno (-ENOLCK: the keyring is locked; -ESRCH: the account went
 * away). The callback must look its account up again: it may run while the account is being freed. */
typedef void (*secrets_callback_t)(int error, void *userdata);

/* 1 when the secrets are in memory already (the callback is not called); 0 when they are being read (the
 * callback runs once, later); < 0 when the read cannot be started. */
int account_load_secrets(Account *a, secrets_callback_t cb, void *userdata);

/* Calls the waiting callbacks with `error` (account removal). */
void account_secrets_waiters_fail(Account *a, int error);
