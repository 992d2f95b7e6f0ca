/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for the JOSE reader: an issuer's key set (jwk_set_parse()) and an ID token (jws_parse(),
 * then the claims and signature checks) come from the network, and what passes them decides whether a login
 * is kept.
 *
 * The first input byte picks the mode: bit 0 clear, the rest is a JWKS document; set, the rest is a compact
 * JWS, checked as an ID token with an HMAC secret and against an empty key set. */

#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "fuzz.h"
#include "id-token.h"
#include "jwk.h"
#include "jws.h"
#include "string-util.h"

static void check_key_set(const uint8_t *data, size_t size) {
        JwkSet set = {};
        char *error = NULL;
        int r;

        r = jwk_set_parse((const char *) data, size, &set, &error);
        FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
        if (r == 0)
                for (size_t i = 0; i < set.n; i++)
                        FUZZ_ASSERT(set.keys[i].pub);
        else if (r == -EBADMSG)
                FUZZ_ASSERT(error && string_is_safe_utf8(error, strlen(error)));
        jwk_set_clear(&set);
        free(error);
}

static void check_token(const uint8_t *data, size_t size) {
        _cleanup_free_ char *token = fuzz_strndup(data, size), *error = NULL;
        Jws j = { .alg = JWS_ALG_INVALID };
        JwkSet none = {};
        IdTokenExpect x = { .issuer = "https://op.example", .client_id = "app", .nonce = "n", .now = 1700000000 };
        int r;

        if (!token)
                return;
        r = jws_parse(token, &j, &error);
        FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
        if (r == 0) {
                FUZZ_ASSERT(j.alg != JWS_ALG_INVALID && j.header && j.payload && j.signature_size > 0);
                r = id_token_check_claims(&j, &x, &error);
                FUZZ_ASSERT(r == 0 || r == -EBADMSG);
                r = id_token_check_signature(&j, &none, "secret", &error);
                /* Without keys only an HMAC can pass, and only with the right secret. */
                FUZZ_ASSERT(r == 0 ? jws_alg_is_hmac(j.alg) : r == -ENOKEY || r == -EKEYREJECTED);
        }
        jws_clear(&j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        if (data[0] & 1)
                check_token(data + 1, size - 1);
        else
                check_key_set(data + 1, size - 1);
        return 0;
}
