/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"
#include "token-request.h"

/* Sends a request built for the account (token, revocation, device authorization) to its server, the one way
 * every part of the engine does: POST, the account's CAFile= and Timeout=, and `deadline_usec` (CLOCK_MONOTONIC;
 * 0: none) as the end of the budget the request is part of. 0 when started (cb runs once, later); else the
 * error a caller should get, with *ret_message saying "Cannot send the WHAT: why." (http_start_error()). */
int account_post(Account *a, const TokenRequest *req, uint64_t deadline_usec, const char *what, http_callback_t cb,
                 void *userdata, HttpRequest **ret, char **ret_message);

/* The same for a request to the token endpoint: with DPoP=true, a fresh DPoP proof for it goes along
 * (RFC 9449 section 5), signed with the account's key (account_dpop_key() made sure it has one) and carrying
 * the server's last nonce. */
int account_post_token_request(Account *a, const TokenRequest *req, uint64_t deadline_usec,
                               http_callback_t cb, void *userdata, HttpRequest **ret, char **ret_message);
