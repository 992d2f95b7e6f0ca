/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gnutls/abstract.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "jwk.h"

/* JSON Web Signatures in compact serialization (RFC 7515) with the algorithms of RFC 7518 and RFC 8037:
 * signing for what tokenbroker sends (client assertions, DPoP proofs) and checking for what it is sent (ID
 * tokens). GnuTLS does the cryptography; this file only frames it: base64url, JSON, and JOSE's r||s form of an
 * ECDSA signature where GnuTLS speaks DER. Pure, no I/O. */

/* A compact JWS larger than this is refused before it is decoded. */
#define JWS_MAX_SIZE (64U * 1024U)

typedef enum JwsAlg {
        JWS_ALG_INVALID = -1,
        JWS_HS256,
        JWS_HS384,
        JWS_HS512,
        JWS_RS256,
        JWS_RS384,
        JWS_RS512,
        JWS_PS256,
        JWS_PS384,
        JWS_PS512,
        JWS_ES256,
        JWS_ES384,
        JWS_ES512,
        JWS_EDDSA,
        _JWS_ALG_MAX,
} JwsAlg;

/* "none" and unknown names are JWS_ALG_INVALID: an unsigned token is never accepted. */
JwsAlg jws_alg_from_string(const char *s);
const char *jws_alg_to_string(JwsAlg a);
bool jws_alg_is_hmac(JwsAlg a);

typedef struct Jws {
        JwsAlg alg;
        json_object *header;
        json_object *payload;           /* the payload as JSON (a JWT's claims set) */
        char *signing_input;            /* BASE64URL(header) "." BASE64URL(payload) */
        unsigned char *signature;
        size_t signature_size;
} Jws;

void jws_clear(Jws *j);

/* Splits and decodes a compact JWS whose payload is a JSON object. -EBADMSG (with *ret_error, may be NULL)
 * when it is not one, its alg is not one of JwsAlg, or its header has "crit" (no extension is understood). */
int jws_parse(const char *compact, Jws *ret, char **ret_error);

/* 0 when the signature is `key`'s; -EKEYREJECTED when it is not; -EINVAL when the key cannot make this alg's
 * signatures (another key type or curve, or a key that names another alg). */
int jws_verify(const Jws *j, const Jwk *key);
/* The same for HS256/384/512 with a shared secret, compared in constant time. */
int jws_verify_hmac(const Jws *j, const void *secret, size_t secret_size);
/* Tries the keys of `set` that fit the header's kid (all of them when it has none) and the alg: 0 when one
 * signed it, -EKEYREJECTED when keys fit and none did, -ENOKEY when no key fits (an issuer that rotated its
 * keys since the set was fetched). */
int jws_verify_set(const Jws *j, const JwkSet *set);

/* Signs `signing_input` with `key` (RS, PS, ES, EdDSA) or `secret` (HS), and returns the signature as
 * base64url. -EINVAL when the key does not fit alg. */
int jws_sign_input(JwsAlg alg, gnutls_privkey_t key, const void *secret, size_t secret_size,
                   const char *signing_input, char **ret);

/* A compact JWS of `payload` under `header`, with the header's "alg" set to `alg`. */
int jws_sign(JwsAlg alg, gnutls_privkey_t key, const void *secret, size_t secret_size, json_object *header,
             json_object *payload, char **ret);
