/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"

/* What an account proves itself with at its server: for ClientAuth=private_key_jwt and client_secret_jwt, a
 * client assertion (RFC 7523) made fresh for each request, signed with the account's private-key secret or
 * its client secret; the other methods need nothing made. */

/* The assertion for a request that authenticates with `auth`, addressed to the token endpoint `audience`;
 * *ret is NULL (and 0 returned) for methods without one. -ENOKEY when the account lacks its key or secret,
 * -EBADMSG when its private-key secret is not a key that can sign. The assertion is a credential for a
 * minute: wipe it (erase_and_free()). */
int client_auth_assertion(Account *a, ClientAuth auth, const char *audience, char **ret);

/* A jti: 128 random bits in base64url, so that no two JWTs the daemon signs (client assertions, DPoP proofs)
 * share one; servers refuse one they saw before (RFC 7523 section 3, RFC 9449 section 11.1). */
char *new_jwt_id(void);

/* The words for "the account lacks what `auth` (for `grant`) needs", with the command that provides it. */
char *client_auth_missing_message(Account *a, ClientAuth auth, GrantType grant);
