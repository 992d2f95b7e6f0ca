/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine.h"

/* `tokenbroker doctor`'s look at one account, without asking for a token: the secrets its file needs that the
 * keyring lacks (read from the keyring now), and whether its token endpoint answers over verified TLS (found
 * through discovery for an account with Issuer=). */

typedef struct AccountCheck {
        char **missing;                 /* secret kinds: needed, not in the keyring */
        const char *endpoint;           /* the token endpoint, or NULL when it could not be found */
        int endpoint_error;             /* 0: it answered (any HTTP status); -errno otherwise */
        const char *endpoint_message;   /* why not, when endpoint_error < 0 */
} AccountCheck;

/* error < 0 (with message) when the keyring could not be read or the account went away; else the result. */
typedef void (*account_check_fn)(int error, const char *message, const AccountCheck *check, void *userdata);

/* 0 when started (`done` runs once, later); -ESRCH for no such account, -EBUSY when too many checks are in
 * flight, -ENOMEM. */
int account_check_start(Engine *eng, const char *account, account_check_fn done, void *userdata);

/* Ends the checks in flight without answering (the daemon's exit). */
void account_check_cancel_all(Engine *eng);
