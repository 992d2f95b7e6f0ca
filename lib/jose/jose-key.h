/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gnutls/abstract.h>
#include <json-c/json.h>

#include "jws.h"

/* The private keys tokenbroker signs with (client assertions, DPoP proofs): made here, kept in the keyring as
 * PKCS#8 PEM, loaded for each use. The PEM is a secret: callers wipe it (erase_and_free()). */

typedef enum JoseKeyType {
        JOSE_KEY_EC,            /* P-256, ES256: the default, small and fast */
        JOSE_KEY_RSA,           /* 2048 bits, RS256: for servers that take nothing else */
        _JOSE_KEY_TYPE_MAX,
        _JOSE_KEY_TYPE_INVALID = -1,
} JoseKeyType;

JoseKeyType jose_key_type_from_string(const char *s);   /* "ec", "rsa" */

/* A new key as PKCS#8 PEM (unencrypted: the keyring is its protection). */
int jose_key_generate(JoseKeyType type, char **ret_pem);

/* A PEM private key (PKCS#8 or the older PKCS#1/SEC 1 forms). -EBADMSG when it is not one, -EOPNOTSUPP for a
 * key that cannot sign JWS (no alg fits: another curve, RSA under 2048 bits). */
int jose_key_load(const char *pem, gnutls_privkey_t *ret);

/* Whether `pem` (`size` bytes) is an unencrypted private key of any kind GnuTLS reads (a TLS client key
 * need not be one JWS can use): 0, -EBADMSG when it is none, -EKEYREJECTED when it is encrypted. */
int private_key_pem_check(const char *pem, size_t size);

/* The JWS algorithm a key signs with: ES256/ES384/ES512 by its curve, RS256 for RSA, EdDSA for Ed25519. */
JwsAlg jose_key_alg(gnutls_privkey_t key);

/* The public half as a bare JWK: only the members that make the key (kty, crv, x, y; kty, n, e), as a DPoP
 * proof's header carries it. -EOPNOTSUPP for a key that cannot sign JWS. */
int jose_key_public_members(gnutls_privkey_t key, json_object **ret);

/* The public half as a JWK with "kid" (`kid`, or NULL: the RFC 7638 thumbprint), "alg" and "use": "sig", as
 * a server's client registration wants it. */
int jose_key_public_jwk(gnutls_privkey_t key, const char *kid, json_object **ret);
