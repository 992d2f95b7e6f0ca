/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gnutls/abstract.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* DPoP proofs (RFC 9449 section 4): a JWT, signed with the client's own key and carrying its public half,
 * that binds one HTTP request (method and URL, at a time, once) to that key; with an access token, also its
 * hash ("ath"). A token bound to the key is useless to whoever lacks it. Pure: the key, time and unique id
 * come from the caller. */

#define DPOP_PROOF_TYPE "dpop+jwt"
/* The error a server answers when it wants a proof with its nonce (RFC 9449 sections 8 and 9). */
#define DPOP_ERROR_USE_NONCE "use_dpop_nonce"
/* A server's nonce longer than this is not used: it goes into every later proof. */
#define DPOP_NONCE_MAX 1024U

typedef struct DpopProofInput {
        gnutls_privkey_t key; /* signs with its alg (jose_key_alg()); its public JWK goes in the header */
        const char *method;             /* htm: an HTTP method, as sent */
        const char *url;                /* htu: its query and fragment are left out */
        const char *jti;                /* unique per proof */
        int64_t now;                    /* iat */
        const char *nonce;              /* the server's DPoP-Nonce, or NULL */
        const char *access_token; /* for a resource request: ath = BASE64URL(SHA-256(token)); else NULL */
} DpopProofInput;

/* The compact JWS. -EINVAL for a method that is not an HTTP token, a URL that is not absolute http(s), a
 * nonce that is not printable ASCII or longer than DPOP_NONCE_MAX, or a key without a JWS algorithm. */
int dpop_proof_build(const DpopProofInput *in, char **ret);

/* htu: `url` without its query and fragment. NULL for a URL that is not absolute http(s). */
char *dpop_htu(const char *url);

/* ath: BASE64URL(SHA-256(access_token)). */
char *dpop_ath(const char *access_token);

/* A nonce a proof can carry (RFC 9449 section 8.1: 1*NQCHAR, printable ASCII but the double quote and the
 * backslash), at most DPOP_NONCE_MAX bytes. */
bool dpop_nonce_is_valid(const char *nonce);

/* htm: an HTTP method (RFC 9110 token), at most 32 characters. */
bool dpop_method_is_valid(const char *method);

/* RFC 9449 section 10: dpop_jkt, the RFC 7638 thumbprint of the key's public JWK, for the authorization
 * request, so that the code is only redeemed with this key. */
int dpop_key_thumbprint(gnutls_privkey_t key, char **ret);
