/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gnutls/abstract.h>
#include <json-c/json.h>
#include <stddef.h>

/* JSON Web Keys (RFC 7517, RFC 7518 section 6, RFC 8037) as GnuTLS public keys, for checking the signatures
 * of an issuer (its jwks_uri), and the RFC 7638 thumbprint that names a key. Pure, no I/O. */

/* RSA keys shorter than this are refused (RFC 7518 section 3.3). */
#define JWK_RSA_BITS_MIN 2048U
/* A JWKS document larger than this is not a key set (a few dozen keys are a few tens of KiB). */
#define JWK_SET_MAX_SIZE (256U * 1024U)

typedef enum JwkType {
        JWK_RSA,
        JWK_EC,
        JWK_OKP,
} JwkType;

typedef struct Jwk {
        JwkType type;
        gnutls_ecc_curve_t curve;       /* EC and OKP */
        char *kid;                      /* NULL if the key has none */
        char *alg;                      /* NULL if the key does not restrict itself to one */
        gnutls_pubkey_t pub;
} Jwk;

typedef struct JwkSet {
        Jwk *keys;
        size_t n;
} JwkSet;

void jwk_clear(Jwk *k);
void jwk_set_clear(JwkSet *s);

/* One public key. -EOPNOTSUPP for a key type or curve tokenbroker does not verify with (oct, X25519,
 * secp256k1, ...), -EBADMSG for a malformed one (missing or undecodable members, a point off the curve, an RSA
 * modulus under JWK_RSA_BITS_MIN). A private key's extra members are ignored. */
int jwk_from_json(json_object *o, Jwk *ret);

/* A JWKS document ({"keys": [...]}); keys for encryption ("use": "enc") and keys of types that cannot be used
 * are skipped. -EBADMSG (with *ret_error, may be NULL) when the document is not a key set. */
int jwk_set_parse(const char *body, size_t size, JwkSet *ret, char **ret_error);

/* The public JWK of a key: kty and crv, x, y for EC, crv, x for OKP, n, e for RSA. -EOPNOTSUPP for other
 * key types. */
int jwk_from_pubkey(gnutls_pubkey_t pub, json_object **ret);

/* RFC 7638: BASE64URL(SHA-256 of the required members in lexicographic order, no white space). -EINVAL for a
 * JWK that lacks one of them. */
int jwk_thumbprint(json_object *jwk, char **ret);
