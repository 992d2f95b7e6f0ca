/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <gnutls/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "form.h"
#include "json-util.h"
#include "jws.h"
#include "string-util.h"

typedef struct AlgInfo {
        const char *name;
        gnutls_mac_algorithm_t mac;             /* HS */
        gnutls_sign_algorithm_t sign;           /* the others */
        gnutls_pk_algorithm_t pk;
        gnutls_ecc_curve_t curve;               /* ES: the one curve the alg allows */
        size_t half;                            /* ES: the size of r and of s */
} AlgInfo;

static const AlgInfo algs[_JWS_ALG_MAX] = {
        [JWS_HS256] = { "HS256", .mac = GNUTLS_MAC_SHA256 },
        [JWS_HS384] = { "HS384", .mac = GNUTLS_MAC_SHA384 },
        [JWS_HS512] = { "HS512", .mac = GNUTLS_MAC_SHA512 },
        [JWS_RS256] = { "RS256", .sign = GNUTLS_SIGN_RSA_SHA256, .pk = GNUTLS_PK_RSA },
        [JWS_RS384] = { "RS384", .sign = GNUTLS_SIGN_RSA_SHA384, .pk = GNUTLS_PK_RSA },
        [JWS_RS512] = { "RS512", .sign = GNUTLS_SIGN_RSA_SHA512, .pk = GNUTLS_PK_RSA },
        /* RFC 7518 section 3.5: MGF1 with the same hash, a salt as long as the hash: GnuTLS's RSAE default. */
        [JWS_PS256] = { "PS256", .sign = GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, .pk = GNUTLS_PK_RSA },
        [JWS_PS384] = { "PS384", .sign = GNUTLS_SIGN_RSA_PSS_RSAE_SHA384, .pk = GNUTLS_PK_RSA },
        [JWS_PS512] = { "PS512", .sign = GNUTLS_SIGN_RSA_PSS_RSAE_SHA512, .pk = GNUTLS_PK_RSA },
        [JWS_ES256] = { "ES256", .sign = GNUTLS_SIGN_ECDSA_SHA256, .pk = GNUTLS_PK_ECDSA,
                        .curve = GNUTLS_ECC_CURVE_SECP256R1, .half = 32 },
        [JWS_ES384] = { "ES384", .sign = GNUTLS_SIGN_ECDSA_SHA384, .pk = GNUTLS_PK_ECDSA,
                        .curve = GNUTLS_ECC_CURVE_SECP384R1, .half = 48 },
        [JWS_ES512] = { "ES512", .sign = GNUTLS_SIGN_ECDSA_SHA512, .pk = GNUTLS_PK_ECDSA,
                        .curve = GNUTLS_ECC_CURVE_SECP521R1, .half = 66 },
        [JWS_EDDSA] = { "EdDSA", .sign = GNUTLS_SIGN_EDDSA_ED25519, .pk = GNUTLS_PK_EDDSA_ED25519,
                        .curve = GNUTLS_ECC_CURVE_ED25519 },
};

JwsAlg jws_alg_from_string(const char *s) {
        for (JwsAlg a = 0; a < _JWS_ALG_MAX; a++)
                if (streq_ptr(s, algs[a].name))
                        return a;
        return JWS_ALG_INVALID;
}

const char *jws_alg_to_string(JwsAlg a) {
        return a >= 0 && a < _JWS_ALG_MAX ? algs[a].name : NULL;
}

bool jws_alg_is_hmac(JwsAlg a) {
        return a >= 0 && a < _JWS_ALG_MAX && algs[a].mac != 0;
}

void jws_clear(Jws *j) {
        if (!j)
                return;
        json_object_put(j->header);
        json_object_put(j->payload);
        free(j->signing_input);
        free(j->signature);
        *j = (Jws) { .alg = JWS_ALG_INVALID };
}

static int fail(char **ret_error, const char *message) {
        if (ret_error) {
                free(*ret_error);
                *ret_error = strdup(message);
        }
        return -EBADMSG;
}

/* One base64url part as a JSON object. */
static int decode_object(const char *s, size_t n, json_object **ret) {
        _cleanup_free_ void *p = NULL;
        size_t size;

        if (base64url_decode(s, n, &p, &size) < 0 || json_parse(p, size, ret) < 0)
                return -EBADMSG;
        if (!json_object_is_type(*ret, json_type_object)) {
                json_object_put(*ret);
                *ret = NULL;
                return -EBADMSG;
        }
        return 0;
}

int jws_parse(const char *compact, Jws *ret, char **ret_error) {
        _cleanup_(jws_clear) Jws j = { .alg = JWS_ALG_INVALID };
        const char *dot1, *dot2, *alg;
        void *sig;
        size_t n;

        if (!compact || strlen(compact) > JWS_MAX_SIZE)
                return fail(ret_error, "The token is not a JWS (missing or too large).");
        dot1 = strchr(compact, '.');
        dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
        if (!dot2 || strchr(dot2 + 1, '.'))
                return fail(ret_error, "The token is not a compact JWS (three parts).");
        if (decode_object(compact, (size_t) (dot1 - compact), &j.header) < 0)
                return fail(ret_error, "The token's JOSE header is not a JSON object.");
        if (decode_object(dot1 + 1, (size_t) (dot2 - dot1 - 1), &j.payload) < 0)
                return fail(ret_error, "The token's payload is not a JSON object.");
        alg = json_get_string(j.header, "alg");
        j.alg = jws_alg_from_string(alg);
        if (j.alg == JWS_ALG_INVALID)
                return fail(ret_error, "The token's alg is missing, none, or not one tokenbroker checks.");
        /* RFC 7515 section 4.1.11: an extension the recipient does not understand makes the JWS invalid. */
        if (json_object_object_get_ex(j.header, "crit", NULL))
                return fail(ret_error, "The token's header lists critical extensions.");
        if (base64url_decode(dot2 + 1, strlen(dot2 + 1), &sig, &n) < 0)
                return fail(ret_error, "The token's signature is not base64url.");
        if (n == 0) {
                free(sig);
                return fail(ret_error, "The token has no signature.");
        }
        j.signature = sig;
        j.signature_size = n;
        j.signing_input = strndup(compact, (size_t) (dot2 - compact));
        if (!j.signing_input)
                return -ENOMEM;
        *ret = j;
        j = (Jws) { .alg = JWS_ALG_INVALID };
        return 0;
}

static bool key_fits(const AlgInfo *info, JwsAlg alg, const Jwk *key) {
        static const gnutls_pk_algorithm_t pk_of[] = {
                [JWK_RSA] = GNUTLS_PK_RSA, [JWK_EC] = GNUTLS_PK_ECDSA, [JWK_OKP] = GNUTLS_PK_EDDSA_ED25519,
        };

        if (info->mac || pk_of[key->type] != info->pk)
                return false;
        if (info->curve && key->curve != info->curve)
                return false;
        /* A key that names its algorithm is used for that one only (RFC 7517 section 4.4). */
        return !key->alg || streq(key->alg, jws_alg_to_string(alg));
}

int jws_verify(const Jws *j, const Jwk *key) {
        const AlgInfo *info = &algs[j->alg];
        gnutls_datum_t data = { .data = (unsigned char *) j->signing_input,
                                .size = (unsigned) strlen(j->signing_input) };
        gnutls_datum_t sig = { .data = j->signature, .size = (unsigned) j->signature_size }, der = {};
        int r;

        if (!key_fits(info, j->alg, key))
                return -EINVAL;
        if (info->pk == GNUTLS_PK_ECDSA) {
                /* JOSE sends r||s, each the size of the curve's order (RFC 7518 section 3.4); GnuTLS wants DER. */
                gnutls_datum_t rr = { .data = j->signature, .size = (unsigned) info->half },
                               ss = { .data = j->signature + info->half, .size = (unsigned) info->half };

                if (j->signature_size != 2 * info->half)
                        return -EKEYREJECTED;
                if (gnutls_encode_rs_value(&der, &rr, &ss) < 0)
                        return -ENOMEM;
                sig = der;
        }
        r = gnutls_pubkey_verify_data2(key->pub, info->sign, 0, &data, &sig);
        gnutls_free(der.data);
        return r < 0 ? -EKEYREJECTED : 0;
}

static bool memeq_const_time(const unsigned char *a, const unsigned char *b, size_t n) {
        unsigned char d = 0;

        for (size_t i = 0; i < n; i++)
                d |= a[i] ^ b[i];
        return d == 0;
}

int jws_verify_hmac(const Jws *j, const void *secret, size_t secret_size) {
        const AlgInfo *info = &algs[j->alg];
        unsigned char mac[64];
        size_t n;
        bool ok;

        if (!info->mac || !secret)
                return -EINVAL;
        n = gnutls_hmac_get_len(info->mac);
        if (gnutls_hmac_fast(info->mac, secret, secret_size, j->signing_input, strlen(j->signing_input), mac) < 0)
                return -EIO;
        ok = j->signature_size == n && memeq_const_time(mac, j->signature, n);
        erase_buffer(mac, sizeof(mac));
        return ok ? 0 : -EKEYREJECTED;
}

int jws_verify_set(const Jws *j, const JwkSet *set) {
        const char *kid = json_get_string(j->header, "kid");
        bool tried = false;

        for (size_t i = 0; set && i < set->n; i++) {
                const Jwk *k = &set->keys[i];

                if (kid && !streq_ptr(k->kid, kid))
                        continue;
                if (!key_fits(&algs[j->alg], j->alg, k))
                        continue;
                tried = true;
                if (jws_verify(j, k) == 0)
                        return 0;
        }
        return tried ? -EKEYREJECTED : -ENOKEY;
}

/* An ECDSA signature from DER to r||s, each left-padded to `half` bytes. */
static int ecdsa_der_to_jose(const gnutls_datum_t *der, size_t half, unsigned char *out) {
        gnutls_datum_t rr = {}, ss = {};
        int r = 0;

        if (gnutls_decode_rs_value(der, &rr, &ss) < 0)
                return -EIO;
        memset(out, 0, 2 * half);
        for (int k = 0; k < 2; k++) {
                const gnutls_datum_t *d = k == 0 ? &rr : &ss;
                const unsigned char *p = d->data;
                size_t n = d->size;

                while (n > 0 && *p == 0) {      /* DER's sign byte */
                        p++;
                        n--;
                }
                if (n > half) {
                        r = -EIO;
                        break;
                }
                memcpy(out + k * half + half - n, p, n);
        }
        gnutls_free(rr.data);
        gnutls_free(ss.data);
        return r;
}

static bool privkey_fits(const AlgInfo *info, gnutls_privkey_t key) {
        gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
        unsigned bits = 0;
        int pk = gnutls_privkey_get_pk_algorithm(key, &bits);

        if (pk != (int) info->pk)
                return false;
        if (pk == GNUTLS_PK_RSA)
                return bits >= JWK_RSA_BITS_MIN;
        /* The curve alone: no coordinate, and no copy of the private scalar. */
        if (pk == GNUTLS_PK_ECDSA)
                return gnutls_privkey_export_ecc_raw2(key, &curve, NULL, NULL, NULL, 0) >= 0 && curve == info->curve;
        return true;
}

int jws_sign_input(JwsAlg alg, gnutls_privkey_t key, const void *secret, size_t secret_size,
                   const char *signing_input, char **ret) {
        const AlgInfo *info;
        gnutls_datum_t data = { .data = (unsigned char *) signing_input, .size = (unsigned) strlen(signing_input) };
        gnutls_datum_t sig = {};
        unsigned char buf[132];
        char *s;
        int r;

        if (alg < 0 || alg >= _JWS_ALG_MAX)
                return -EINVAL;
        info = &algs[alg];
        if (info->mac) {
                size_t n = gnutls_hmac_get_len(info->mac);

                if (!secret)
                        return -EINVAL;
                if (gnutls_hmac_fast(info->mac, secret, secret_size, signing_input, data.size, buf) < 0)
                        return -EIO;
                s = base64url_encode(buf, n);
                erase_buffer(buf, sizeof(buf));
        } else {
                if (!key || !privkey_fits(info, key))
                        return -EINVAL;
                if (gnutls_privkey_sign_data2(key, info->sign, 0, &data, &sig) < 0)
                        return -EIO;
                if (info->pk == GNUTLS_PK_ECDSA) {
                        r = ecdsa_der_to_jose(&sig, info->half, buf);
                        gnutls_free(sig.data);
                        if (r < 0)
                                return r;
                        s = base64url_encode(buf, 2 * info->half);
                } else {
                        s = base64url_encode(sig.data, sig.size);
                        gnutls_free(sig.data);
                }
        }
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static char *encode_object(json_object *o) {
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

        return s ? base64url_encode(s, strlen(s)) : NULL;
}

int jws_sign(JwsAlg alg, gnutls_privkey_t key, const void *secret, size_t secret_size, json_object *header,
             json_object *payload, char **ret) {
        _cleanup_free_ char *h = NULL, *p = NULL, *input = NULL, *sig = NULL;
        char *out;
        int r;

        if (!jws_alg_to_string(alg))
                return -EINVAL;
        if (json_object_object_add(header, "alg", json_object_new_string(jws_alg_to_string(alg))) < 0)
                return -ENOMEM;
        h = encode_object(header);
        p = encode_object(payload);
        if (!h || !p)
                return -ENOMEM;
        input = strjoin(h, ".", p);
        if (!input)
                return -ENOMEM;
        r = jws_sign_input(alg, key, secret, secret_size, input, &sig);
        if (r < 0)
                return r;
        out = strjoin(input, ".", sig);
        if (!out)
                return -ENOMEM;
        *ret = out;
        return 0;
}
