/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "jws.h"

/* The checks an OpenID Connect client makes on an ID token from the token endpoint (OIDC Core 1.0 section
 * 3.1.3.7), before it keeps anything of the login. Pure: the keys and the time come from the caller. */

/* How far the server's clock may be from ours, in seconds, for exp and iat. */
#define ID_TOKEN_SKEW_SEC 60

typedef struct IdTokenExpect {
        const char *issuer;             /* iss must be exactly this; NULL: not checked (no issuer is known) */
        const char *client_id;          /* in aud; azp, when present, must be it */
        const char *nonce;              /* the login's nonce; NULL when none was sent (device flow) */
        int64_t now;                    /* Unix seconds */
} IdTokenExpect;

/* The claims: iss, sub, aud (and azp with several audiences), exp, iat, nonce. 0, or -EBADMSG with *ret_error
 * saying which claim is wrong (without quoting the token). */
int id_token_check_claims(const Jws *id_token, const IdTokenExpect *x, char **ret_error);

/* The signature: by a key of the issuer's set, or (HS256/384/512) by the client secret. -ENOKEY when the set
 * has no key for the token's kid (fetch the set again, once); -EKEYREJECTED with *ret_error otherwise. */
int id_token_check_signature(const Jws *id_token, const JwkSet *keys, const char *client_secret, char **ret_error);
