/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"

/* Revocation (RFC 7009, and Sharetribe's bearer form): tells the server to forget the account's grant, its
 * refresh token (else its cached access token), then forgets it here too (memory and keyring). Used by the
 * Revoke method and, best-effort, when an account is removed. */

/* error 0 on success (`revoked` names what was revoked: "refresh_token", "access_token", or "" when the
 * account held nothing to revoke); else -errno and a message: -EOPNOTSUPP when the account has no revocation
 * endpoint (no RevocationURL= and none in its issuer's metadata). */
typedef void (*revoke_callback_t)(int error, const char *revoked, const char *message, void *userdata);

/* Starts a revocation. The callback runs exactly once, possibly before this returns; < 0 (only for lack of
 * memory) means it was not started and the callback will not run. */
int token_revoke_start(Account *a, revoke_callback_t cb, void *userdata);

/* Ends every revocation in flight (daemon shutdown), calling their callbacks with -ECANCELED. */
void token_revoke_cancel_all(Engine *eng);
