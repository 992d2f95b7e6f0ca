/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"

/* The engine's one way to the keyring. Reading an account's secrets, once: every part of the daemon that
 * needs them (a token fetch, a revocation) asks here, and all askers share one keyring job. And every write. */

/* The callback is a waiter_fn: error 0 when the secrets are in memory; else the error a caller should get
 * (keyring_error_errno()) with its message (-ENOLCK: the keyring is locked; -ESRCH: the account went away).
 * Its subject is the Account, or NULL when it is being freed: the callback must look its account up again. */

/* 1 when the secrets are in memory already (the callback is not called); 0 when they are being read (the
 * callback runs once, later); < 0 when the read cannot be started (keyring_error_message() says why). */
int account_load_secrets(Account *a, waiter_fn cb, void *userdata);

/* Calls the waiting callbacks with `error` and `message` (account removal). */
void account_secrets_waiters_fail(Account *a, int error, const char *message);

/* Every keyring write goes through here: the ones the engine makes on its own (rotated, refused and unsaved
 * refresh tokens) and the ones a person asks for (account-admin.c).
 *
 * A secret of `account`, by name (it need not be loaded), to the keyring only: the caller updates memory
 * once `cb` says it is stored. */
int secrets_store(Engine *eng, const char *account, const char *kind, const char *value, keyring_callback_t cb,
                  void *userdata);
/* A secret of `account` deleted from the keyring; kind NULL: all of them (account removal). */
int secrets_delete(Engine *eng, const char *account, const char *kind, keyring_callback_t cb, void *userdata);

/* A rotated refresh token: set in memory at once, then queued for the keyring; `cb` gets the keyring's
 * result (< 0: not started, and cb will not run). */
int account_store_refresh_token(Account *a, const char *refresh_token, keyring_callback_t cb, void *userdata);
/* A refresh token the server refused or revoked: gone from memory, and deleted from the keyring (best effort,
 * logged). */
void account_forget_refresh_token(Account *a);
/* Stores the refresh token that the keyring refused before, if any, once (no store in flight). */
void account_store_unsaved(Account *a);
