/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"
#include "discovery.h"

/* An account's endpoints: its own keys (TokenURL=, AuthorizeURL=, ...) win; what is missing comes from its
 * Issuer='s metadata (discovery.c), where an account with ClientCertFile= takes the server's mTLS aliases
 * (RFC 8705 section 5). */

typedef enum Endpoint {
        ENDPOINT_TOKEN,
        ENDPOINT_AUTHORIZATION,
        ENDPOINT_DEVICE_AUTHORIZATION,
        ENDPOINT_REVOCATION,
        ENDPOINT_PUSHED_AUTHORIZATION,  /* RFC 9126: never configured, always the issuer's */
} Endpoint;

/* 1 and *ret (borrowed; NULL when neither the account nor its issuer has one) when the answer is at hand;
 * 0 when discovery is in flight (`cb` runs later); < 0 when discovery failed, *ret_failure saying why. */
int account_endpoint(Account *a, Endpoint which, waiter_fn cb, void *userdata, const char **ret,
                     const char **ret_failure);

/* The endpoint if it is at hand now (configured, or discovered earlier), else NULL. Never fetches. */
const char *account_endpoint_cached(Account *a, Endpoint which);
