/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <gnutls/x509.h>
#include <string.h>

#include "alloc-util.h"
#include "jose-key.h"
#include "json-util.h"
#include "jwk.h"
#include "string-util.h"

JoseKeyType jose_key_type_from_string(const char *s) {
        if (streq_ptr(s, "ec"))
                return JOSE_KEY_EC;
        if (streq_ptr(s, "rsa"))
                return JOSE_KEY_RSA;
        return _JOSE_KEY_TYPE_INVALID;
}

int jose_key_generate(JoseKeyType type, char **ret_pem) {
        gnutls_x509_privkey_t key = NULL;
        gnutls_datum_t pem = {};
        char *s;
        int r;

        if (type < 0 || type >= _JOSE_KEY_TYPE_MAX)
                return -EINVAL;
        if (gnutls_x509_privkey_init(&key) < 0)
                return -ENOMEM;
        r = type == JOSE_KEY_EC
                    ? gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                                   GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)
                    : gnutls_x509_privkey_generate(key, GNUTLS_PK_RSA, 2048, 0);
        if (r >= 0)
                r = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &pem);
        gnutls_x509_privkey_deinit(key);
        if (r < 0)
                return -EIO;
        s = secret_strndup((const char *) pem.data, pem.size);
        gnutls_memset(pem.data, 0, pem.size);
        gnutls_free(pem.data);
        if (!s)
                return -ENOMEM;
        *ret_pem = s;
        return 0;
}

JwsAlg jose_key_alg(gnutls_privkey_t key) {
        gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
        unsigned bits = 0;
        int pk = gnutls_privkey_get_pk_algorithm(key, &bits);

        switch (pk) {
        case GNUTLS_PK_RSA:
                return bits >= JWK_RSA_BITS_MIN ? JWS_RS256 : JWS_ALG_INVALID;
        case GNUTLS_PK_EDDSA_ED25519:
                return JWS_EDDSA;
        case GNUTLS_PK_ECDSA:
                /* The curve alone: no coordinate, and no copy of the private scalar. */
                if (gnutls_privkey_export_ecc_raw2(key, &curve, NULL, NULL, NULL, 0) < 0)
                        return JWS_ALG_INVALID;
                return curve == GNUTLS_ECC_CURVE_SECP256R1 ? JWS_ES256
                       : curve == GNUTLS_ECC_CURVE_SECP384R1 ? JWS_ES384
                       : curve == GNUTLS_ECC_CURVE_SECP521R1 ? JWS_ES512
                                                              : JWS_ALG_INVALID;
        default:
                return JWS_ALG_INVALID;
        }
}

int jose_key_load(const char *pem, gnutls_privkey_t *ret) {
        gnutls_datum_t d = { .data = (unsigned char *) pem, .size = pem ? (unsigned) strlen(pem) : 0 };
        gnutls_privkey_t key;

        if (!pem)
                return -EBADMSG;
        if (gnutls_privkey_init(&key) < 0)
                return -ENOMEM;
        if (gnutls_privkey_import_x509_raw(key, &d, GNUTLS_X509_FMT_PEM, NULL, 0) < 0) {
                gnutls_privkey_deinit(key);
                return -EBADMSG;
        }
        if (jose_key_alg(key) == JWS_ALG_INVALID) {
                gnutls_privkey_deinit(key);
                return -EOPNOTSUPP;
        }
        *ret = key;
        return 0;
}

int private_key_pem_check(const char *pem, size_t size) {
        gnutls_datum_t d = { .data = (unsigned char *) pem, .size = (unsigned) size };
        gnutls_privkey_t key;
        int r;

        /* PKCS#8's "ENCRYPTED PRIVATE KEY" and the older "Proc-Type: 4,ENCRYPTED" both say so in the text. */
        if (memmem(pem, size, "ENCRYPTED", strlen("ENCRYPTED")))
                return -EKEYREJECTED;
        if (gnutls_privkey_init(&key) < 0)
                return -ENOMEM;
        r = gnutls_privkey_import_x509_raw(key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
        gnutls_privkey_deinit(key);
        return r < 0 ? -EBADMSG : 0;
}

int jose_key_public_members(gnutls_privkey_t key, json_object **ret) {
        gnutls_pubkey_t pub;
        int r;

        if (jose_key_alg(key) == JWS_ALG_INVALID)
                return -EOPNOTSUPP;
        if (gnutls_pubkey_init(&pub) < 0)
                return -ENOMEM;
        r = gnutls_pubkey_import_privkey(pub, key, 0, 0) < 0 ? -EIO : jwk_from_pubkey(pub, ret);
        gnutls_pubkey_deinit(pub);
        return r;
}

int jose_key_public_jwk(gnutls_privkey_t key, const char *kid, json_object **ret) {
        _cleanup_json_ json_object *jwk = NULL;
        _cleanup_free_ char *thumb = NULL;
        JwsAlg alg = jose_key_alg(key);
        int r;

        r = jose_key_public_members(key, &jwk);
        if (r < 0)
                return r;
        if (!kid) {
                r = jwk_thumbprint(jwk, &thumb);
                if (r < 0)
                        return r;
                kid = thumb;
        }
        if (json_object_object_add(jwk, "kid", json_object_new_string(kid)) < 0 ||
            json_object_object_add(jwk, "alg", json_object_new_string(jws_alg_to_string(alg))) < 0 ||
            json_object_object_add(jwk, "use", json_object_new_string("sig")) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(jwk);
        return 0;
}
