/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"
#include "token-response.h"

/* Getting a token from upstream: load secrets if needed, pick the grant (refresh token first), send one
 * request, retry bounded with backoff, store a rotated refresh token in the keyring BEFORE any caller is
 * given the new access token, then answer every waiting caller and schedule the proactive refresh. */

/* Adds `callback` as a waiter (NULL for a background refresh) and starts the fetch unless one is already in
 * flight. The callback runs once when the fetch ends, with the TokenEntry as subject and error 0 when the
 * entry holds a token to hand out (also when the entry is freed first, with an error). */
int token_fetch_start(TokenEntry *e, waiter_fn callback, void *userdata);

/* Hands a token response obtained elsewhere (an interactive login's code exchange or device poll) to the
 * entry as if its own fetch had got it: the refresh token is stored first, then the token cached, waiters
 * answered, and `callback` called. */
int token_fetch_deliver(TokenEntry *e, TokenResponse *tr, uint64_t sent_usec, waiter_fn callback,
                        void *userdata);

/* Continues a fetch that waited for a prerequisite (token-prereqs.c), or ends it with the error. */
void token_fetch_resume(TokenEntry *e, int error, const char *message);

/* Schedules the proactive refresh of a freshly fetched token. */
void token_schedule_refresh(TokenEntry *e);
