/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <gnutls/crypto.h>
#include <string.h>

#include "alloc-util.h"
#include "dpop-proof.h"
#include "form.h"
#include "jose-key.h"
#include "json-util.h"
#include "jws.h"
#include "string-util.h"

/* RFC 9110 section 5.6.2: a method is a token. */
bool dpop_method_is_valid(const char *m) {
        static const char tchar[] =
                "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

        return !isempty(m) && strlen(m) <= 32 && strspn(m, tchar) == strlen(m);
}

bool dpop_nonce_is_valid(const char *nonce) {
        size_t n = nonce ? strlen(nonce) : 0;

        if (n == 0 || n > DPOP_NONCE_MAX)
                return false;
        for (const char *p = nonce; *p; p++)
                if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
                        return false;
        return true;
}

char *dpop_htu(const char *url) {
        const char *rest;

        if (!url || !((rest = startswith(url, "https://")) || (rest = startswith(url, "http://"))))
                return NULL;
        /* An authority, then nothing a header could not carry. */
        if (strchr("/?#", rest[0]) || strpbrk(url, " \t\r\n"))
                return NULL;
        return strndup(url, strcspn(url, "?#"));
}

char *dpop_ath(const char *access_token) {
        unsigned char digest[32];

        if (gnutls_hash_fast(GNUTLS_DIG_SHA256, access_token, strlen(access_token), digest) < 0)
                return NULL;
        return base64url_encode(digest, sizeof(digest));
}

int dpop_key_thumbprint(gnutls_privkey_t key, char **ret) {
        _cleanup_json_ json_object *jwk = NULL;
        int r;

        r = jose_key_public_members(key, &jwk);
        return r < 0 ? r : jwk_thumbprint(jwk, ret);
}

int dpop_proof_build(const DpopProofInput *in, char **ret) {
        _cleanup_json_ json_object *header = NULL, *claims = NULL, *jwk = NULL;
        _cleanup_free_ char *htu = NULL, *ath = NULL;
        JwsAlg alg;
        int r;

        if (!in->key || isempty(in->jti) || !dpop_method_is_valid(in->method) ||
            (in->nonce && !dpop_nonce_is_valid(in->nonce)))
                return -EINVAL;
        alg = jose_key_alg(in->key);
        if (alg == JWS_ALG_INVALID)
                return -EINVAL;
        htu = dpop_htu(in->url);
        if (!htu)
                return -EINVAL;
        if (in->access_token) {
                ath = dpop_ath(in->access_token);
                if (!ath)
                        return -ENOMEM;
        }
        r = jose_key_public_members(in->key, &jwk);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;

        header = json_object_new_object();
        claims = json_object_new_object();
        if (!header || !claims)
                return -ENOMEM;
        /* RFC 9449 section 4.2: typ, alg and the public key in the header; the request in the claims. */
        if (json_object_object_add(header, "typ", json_object_new_string(DPOP_PROOF_TYPE)) < 0 ||
            json_object_object_add(header, "jwk", TAKE_PTR(jwk)) < 0 ||
            json_object_object_add(claims, "jti", json_object_new_string(in->jti)) < 0 ||
            json_object_object_add(claims, "htm", json_object_new_string(in->method)) < 0 ||
            json_object_object_add(claims, "htu", json_object_new_string(htu)) < 0 ||
            json_object_object_add(claims, "iat", json_object_new_int64(in->now)) < 0 ||
            (in->nonce && json_object_object_add(claims, "nonce", json_object_new_string(in->nonce)) < 0) ||
            (ath && json_object_object_add(claims, "ath", json_object_new_string(ath)) < 0))
                return -ENOMEM;
        return jws_sign(alg, in->key, NULL, 0, header, claims, ret);
}
