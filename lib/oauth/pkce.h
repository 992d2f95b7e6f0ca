/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* PKCE (RFC 7636) with S256, and the random values of an authorization request. */

/* A code verifier: 32 random bytes as base64url, 43 characters (RFC 7636 section 4.1). */
int pkce_verifier_new(char **ret);

/* BASE64URL(SHA256(verifier)) (section 4.2). */
int pkce_challenge_s256(const char *verifier, char **ret);

/* An unguessable state value (128 random bits, base64url). */
int oauth_state_new(char **ret);

/* An OpenID Connect nonce (OIDC Core 3.1.2.1, 15.5.2): 128 random bits, base64url, one per login. */
int oidc_nonce_new(char **ret);
