/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gnutls/abstract.h>
#include <stdint.h>

/* Client authentication with a signed JWT (RFC 7523 section 2.2 and 3, OIDC Core section 9:
 * private_key_jwt and client_secret_jwt). Pure: the key, the time and the unique id come from the caller. */

/* How long an assertion is good for: long enough for a slow network, short enough that a copy is soon
 * useless. Servers refuse a jti they saw before within its lifetime. */
#define CLIENT_ASSERTION_LIFETIME_SEC 60

#define CLIENT_ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

typedef struct ClientAssertionInput {
        const char *client_id;          /* iss and sub */
        const char *audience;           /* aud: the token endpoint */
        const char *jti;                /* unique per assertion */
        int64_t now;                    /* iat, and exp = now + CLIENT_ASSERTION_LIFETIME_SEC */
        gnutls_privkey_t key;           /* private_key_jwt: signs with its alg (jose_key_alg()) */
        const char *kid;                /* ... with this kid in the header (NULL: none) */
        const char *secret;             /* client_secret_jwt: HS256 with the client secret */
} ClientAssertionInput;

/* The compact JWS. -EINVAL without a client id, audience, jti or a key or secret. */
int client_assertion_build(const ClientAssertionInput *in, char **ret);
