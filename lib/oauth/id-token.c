/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "id-token.h"
#include "json-util.h"
#include "string-util.h"

static int fail(char **ret_error, int error, const char *message) {
        if (ret_error) {
                free(*ret_error);
                *ret_error = strdup(message);
        }
        return error;
}

static const char *claim_string(json_object *claims, const char *name) {
        json_object *v;

        if (!json_object_object_get_ex(claims, name, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

/* A NumericDate claim (RFC 7519 section 2): a JSON number of seconds; fractions are cut. */
static int claim_time(json_object *claims, const char *name, int64_t *ret) {
        json_object *v;

        if (!json_object_object_get_ex(claims, name, &v))
                return -ENOENT;
        if (json_object_is_type(v, json_type_int))
                *ret = json_object_get_int64(v);
        else if (json_object_is_type(v, json_type_double)) {
                double d = json_object_get_double(v);

                /* Not a time an int64 holds (NaN, infinite, 1e300): no conversion, which would be undefined. */
                if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0))
                        return -EINVAL;
                *ret = (int64_t) d;
        } else
                return -EINVAL;
        return 0;
}

static bool aud_has(json_object *aud, const char *client_id, size_t *ret_count) {
        bool found = false;

        if (json_object_is_type(aud, json_type_string)) {
                *ret_count = 1;
                return streq(json_object_get_string(aud), client_id);
        }
        *ret_count = 0;
        if (!json_object_is_type(aud, json_type_array))
                return false;
        *ret_count = json_object_array_length(aud);
        for (size_t i = 0; i < *ret_count; i++) {
                json_object *v = json_object_array_get_idx(aud, i);

                if (json_object_is_type(v, json_type_string) && streq(json_object_get_string(v), client_id))
                        found = true;
        }
        return found;
}

int id_token_check_claims(const Jws *id_token, const IdTokenExpect *x, char **ret_error) {
        json_object *claims = id_token->payload, *aud;
        const char *iss = claim_string(claims, "iss"), *azp = claim_string(claims, "azp"),
                   *nonce = claim_string(claims, "nonce");
        int64_t exp, iat;
        size_t n_aud = 0;

        if (!iss)
                return fail(ret_error, -EBADMSG, "The ID token has no iss claim.");
        /* Item 2: exactly the issuer, so that a token of one server cannot pass as another's (mix-up). */
        if (x->issuer && !streq(iss, x->issuer))
                return fail(ret_error, -EBADMSG, "The ID token's iss is not the account's issuer.");
        if (!claim_string(claims, "sub"))
                return fail(ret_error, -EBADMSG, "The ID token has no sub claim.");
        /* Items 3 and 4: issued to this client; with several audiences, azp names who it is for. */
        if (!json_object_object_get_ex(claims, "aud", &aud) || !aud_has(aud, x->client_id, &n_aud))
                return fail(ret_error, -EBADMSG, "The ID token's aud does not name this client.");
        if (azp ? !streq(azp, x->client_id) : n_aud > 1)
                return fail(ret_error, -EBADMSG, "The ID token's azp does not name this client.");
        /* Items 9 and 10. */
        if (claim_time(claims, "exp", &exp) < 0)
                return fail(ret_error, -EBADMSG, "The ID token has no exp claim.");
        if (exp <= x->now - ID_TOKEN_SKEW_SEC)
                return fail(ret_error, -EBADMSG, "The ID token has expired.");
        if (claim_time(claims, "iat", &iat) < 0)
                return fail(ret_error, -EBADMSG, "The ID token has no iat claim.");
        if (iat > x->now + ID_TOKEN_SKEW_SEC)
                return fail(ret_error, -EBADMSG, "The ID token was issued in the future (iat).");
        /* Item 11: the nonce ties the token to this login's authorization request (replay). */
        if (x->nonce && !streq_ptr(nonce, x->nonce))
                return fail(ret_error, -EBADMSG, nonce ? "The ID token's nonce is not this login's."
                                                       : "The ID token has no nonce, although the login sent one.");
        return 0;
}

int id_token_check_signature(const Jws *id_token, const JwkSet *keys, const char *client_secret, char **ret_error) {
        int r;

        /* Item 8: a MAC keyed with the client secret; only a confidential client can check it. */
        if (jws_alg_is_hmac(id_token->alg)) {
                if (!client_secret)
                        return fail(ret_error, -EKEYREJECTED, "The ID token is signed with a client secret (HS*), "
                                                              "and this client has none.");
                r = jws_verify_hmac(id_token, client_secret, strlen(client_secret));
        } else
                r = jws_verify_set(id_token, keys);
        if (r == -ENOKEY)
                return fail(ret_error, -ENOKEY, "No key of the issuer's key set fits the ID token (kid, alg).");
        if (r < 0)
                return fail(ret_error, -EKEYREJECTED, "The ID token's signature is not the issuer's.");
        return 0;
}
