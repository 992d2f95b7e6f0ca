/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "account.h"

/* Getting a token from upstream: load secrets if needed, pick the grant (refresh token first), send one
 * request, retry bounded with backoff, store a rotated refresh token in the keyring BEFORE any caller is
 * given the new access token, then answer every waiting caller and schedule the proactive refresh. */

/* Adds `message` (may be NULL for a background refresh) as a waiter and starts the fetch unless one is
 * already in flight. */
int token_fetch_start(TokenEntry *e, sd_bus_message *message);

/* Answers one GetToken call with the entry's cached token. */
int token_reply(sd_bus_message *message, TokenEntry *e);

/* Called when an account's secrets arrive from the keyring (or failed to). */
void token_fetch_secrets_loaded(Account *a, int r);

/* Schedules the proactive refresh of a freshly fetched token. */
void token_schedule_refresh(TokenEntry *e);
