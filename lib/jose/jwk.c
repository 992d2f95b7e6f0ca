/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <gnutls/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "form.h"
#include "json-util.h"
#include "jwk.h"
#include "string-util.h"

void jwk_clear(Jwk *k) {
        if (!k)
                return;
        if (k->pub)
                gnutls_pubkey_deinit(k->pub);
        free(k->kid);
        free(k->alg);
        *k = (Jwk) {};
}

void jwk_set_clear(JwkSet *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                jwk_clear(&s->keys[i]);
        free(s->keys);
        *s = (JwkSet) {};
}

static void datum_free(gnutls_datum_t *d) {
        free(d->data);
        *d = (gnutls_datum_t) {};
}

/* A base64url member decoded; -EBADMSG when absent, not a string or not base64url. */
static int get_b64(json_object *o, const char *key, gnutls_datum_t *ret) {
        json_object *v;
        void *p;
        size_t n;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return -EBADMSG;
        if (base64url_decode(json_object_get_string(v), (size_t) json_object_get_string_len(v), &p, &n) < 0)
                return -EBADMSG;
        if (n == 0) {
                free(p);
                return -EBADMSG;
        }
        *ret = (gnutls_datum_t) { .data = p, .size = (unsigned) n };
        return 0;
}

static const char *get_str(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static const struct {
        const char *name;
        gnutls_ecc_curve_t curve;
        JwkType type;
} curves[] = {
        { "P-256", GNUTLS_ECC_CURVE_SECP256R1, JWK_EC },
        { "P-384", GNUTLS_ECC_CURVE_SECP384R1, JWK_EC },
        { "P-521", GNUTLS_ECC_CURVE_SECP521R1, JWK_EC },
        { "Ed25519", GNUTLS_ECC_CURVE_ED25519, JWK_OKP },
};

static int import_ec(json_object *o, JwkType type, gnutls_pubkey_t pub, gnutls_ecc_curve_t *ret_curve) {
        _cleanup_(datum_free) gnutls_datum_t x = {}, y = {};
        const char *crv = get_str(o, "crv");
        gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
        unsigned size;

        for (size_t i = 0; i < ELEMENTSOF(curves); i++)
                if (crv && streq(crv, curves[i].name) && curves[i].type == type)
                        curve = curves[i].curve;
        if (curve == GNUTLS_ECC_CURVE_INVALID)
                return crv ? -EOPNOTSUPP : -EBADMSG;
        size = (unsigned) gnutls_ecc_curve_get_size(curve);
        /* RFC 7518 section 6.2.1.2: the coordinates are the full size of the field, never shortened. */
        if (get_b64(o, "x", &x) < 0 || x.size != size)
                return -EBADMSG;
        if (type == JWK_EC && (get_b64(o, "y", &y) < 0 || y.size != size))
                return -EBADMSG;
        if (gnutls_pubkey_import_ecc_raw(pub, curve, &x, type == JWK_EC ? &y : NULL) < 0)
                return -EBADMSG;
        *ret_curve = curve;
        return 0;
}

static int import_rsa(json_object *o, gnutls_pubkey_t pub) {
        _cleanup_(datum_free) gnutls_datum_t n = {}, e = {};
        unsigned bits = 0;

        if (get_b64(o, "n", &n) < 0 || get_b64(o, "e", &e) < 0)
                return -EBADMSG;
        if (gnutls_pubkey_import_rsa_raw(pub, &n, &e) < 0)
                return -EBADMSG;
        if (gnutls_pubkey_get_pk_algorithm(pub, &bits) != GNUTLS_PK_RSA || bits < JWK_RSA_BITS_MIN)
                return -EBADMSG;
        return 0;
}

int jwk_from_json(json_object *o, Jwk *ret) {
        _cleanup_(jwk_clear) Jwk k = {};
        const char *kty, *kid, *alg;
        int r;

        if (!json_object_is_type(o, json_type_object) || !(kty = get_str(o, "kty")))
                return -EBADMSG;
        if (streq(kty, "RSA"))
                k.type = JWK_RSA;
        else if (streq(kty, "EC"))
                k.type = JWK_EC;
        else if (streq(kty, "OKP"))
                k.type = JWK_OKP;
        else
                return -EOPNOTSUPP;

        if (gnutls_pubkey_init(&k.pub) < 0)
                return -ENOMEM;
        r = k.type == JWK_RSA ? import_rsa(o, k.pub) : import_ec(o, k.type, k.pub, &k.curve);
        if (r < 0)
                return r;
        /* A point that is not on its curve would make every check against it meaningless. */
        if (gnutls_pubkey_verify_params(k.pub) < 0)
                return -EBADMSG;

        kid = get_str(o, "kid");
        alg = get_str(o, "alg");
        if ((kid && !(k.kid = strdup(kid))) || (alg && !(k.alg = strdup(alg))))
                return -ENOMEM;
        *ret = k;
        k = (Jwk) {};
        return 0;
}

int jwk_set_parse(const char *body, size_t size, JwkSet *ret, char **ret_error) {
        _cleanup_(jwk_set_clear) JwkSet set = {};
        _cleanup_json_ json_object *root = NULL;
        json_object *keys;
        size_t n;

        if (size > JWK_SET_MAX_SIZE || json_parse(body, size, &root) < 0 ||
            !json_object_is_type(root, json_type_object) || !json_object_object_get_ex(root, "keys", &keys) ||
            !json_object_is_type(keys, json_type_array)) {
                if (ret_error)
                        *ret_error = strdup("The key set is not a JWKS document (a JSON object with a \"keys\" "
                                            "array).");
                return -EBADMSG;
        }
        n = json_object_array_length(keys);
        set.keys = calloc(n ?: 1, sizeof(Jwk));
        if (!set.keys)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(keys, i);
                const char *use = json_object_is_type(o, json_type_object) ? get_str(o, "use") : NULL;
                int r;

                if (use && !streq(use, "sig"))
                        continue;
                r = jwk_from_json(o, &set.keys[set.n]);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0)
                        set.n++;
        }
        *ret = set;
        set = (JwkSet) {};
        return 0;
}

static int add_b64(json_object *o, const char *key, const unsigned char *p, size_t n) {
        _cleanup_free_ char *s = base64url_encode(p, n);

        if (!s)
                return -ENOMEM;
        return json_object_object_add(o, key, json_object_new_string(s)) < 0 ? -ENOMEM : 0;
}

/* A coordinate of `size` bytes, from GnuTLS's big-endian integer without leading zeros. */
static int add_coordinate(json_object *o, const char *key, const gnutls_datum_t *d, size_t size) {
        unsigned char buf[66] = {};

        if (d->size > size || size > sizeof(buf))
                return -EINVAL;
        memcpy(buf + size - d->size, d->data, d->size);
        return add_b64(o, key, buf, size);
}

int jwk_from_pubkey(gnutls_pubkey_t pub, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        gnutls_datum_t a = {}, b = {};
        gnutls_ecc_curve_t curve;
        int pk, r = -EOPNOTSUPP;

        if (!o)
                return -ENOMEM;
        pk = gnutls_pubkey_get_pk_algorithm(pub, NULL);
        if (pk == GNUTLS_PK_RSA) {
                if (gnutls_pubkey_export_rsa_raw2(pub, &a, &b, GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
                        return -ENOMEM;
                json_object_object_add(o, "kty", json_object_new_string("RSA"));
                r = add_b64(o, "n", a.data, a.size);
                if (r >= 0)
                        r = add_b64(o, "e", b.data, b.size);
        } else if (pk == GNUTLS_PK_ECDSA || pk == GNUTLS_PK_EDDSA_ED25519) {
                bool okp = pk == GNUTLS_PK_EDDSA_ED25519;

                if (gnutls_pubkey_export_ecc_raw2(pub, &curve, &a, okp ? NULL : &b,
                                                  okp ? 0 : GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < ELEMENTSOF(curves); i++)
                        if (curves[i].curve == curve) {
                                json_object_object_add(o, "kty", json_object_new_string(okp ? "OKP" : "EC"));
                                json_object_object_add(o, "crv", json_object_new_string(curves[i].name));
                                r = add_coordinate(o, "x", &a, gnutls_ecc_curve_get_size(curve));
                                if (r >= 0 && !okp)
                                        r = add_coordinate(o, "y", &b, gnutls_ecc_curve_get_size(curve));
                        }
        }
        gnutls_free(a.data);
        gnutls_free(b.data);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

/* A member's value for the canonical form: a string that needs no escaping in JSON. */
static const char *canonical_member(json_object *jwk, const char *key) {
        const char *s = get_str(jwk, key);

        if (!s || s[strcspn(s, "\"\\")] || !string_is_safe_utf8(s, strlen(s)))
                return NULL;
        return s;
}

int jwk_thumbprint(json_object *jwk, char **ret) {
        _cleanup_free_ char *canonical = NULL;
        const char *kty = canonical_member(jwk, "kty");
        unsigned char digest[32];
        char *s;
        int n;

        if (!kty)
                return -EINVAL;
        /* RFC 7638 section 3.2: only the required members, sorted, no white space. */
        if (streq(kty, "RSA")) {
                const char *e = canonical_member(jwk, "e"), *m = canonical_member(jwk, "n");

                if (!e || !m)
                        return -EINVAL;
                n = asprintf(&canonical, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", e, m);
        } else if (streq(kty, "EC")) {
                const char *crv = canonical_member(jwk, "crv"), *x = canonical_member(jwk, "x"),
                           *y = canonical_member(jwk, "y");

                if (!crv || !x || !y)
                        return -EINVAL;
                n = asprintf(&canonical, "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", crv, x, y);
        } else if (streq(kty, "OKP")) {
                const char *crv = canonical_member(jwk, "crv"), *x = canonical_member(jwk, "x");

                if (!crv || !x)
                        return -EINVAL;
                n = asprintf(&canonical, "{\"crv\":\"%s\",\"kty\":\"OKP\",\"x\":\"%s\"}", crv, x);
        } else
                return -EINVAL;
        if (n < 0)
                return -ENOMEM;
        if (gnutls_hash_fast(GNUTLS_DIG_SHA256, canonical, (size_t) n, digest) < 0)
                return -EIO;
        s = base64url_encode(digest, sizeof(digest));
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}
