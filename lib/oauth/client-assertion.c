/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "client-assertion.h"
#include "jose-key.h"
#include "json-util.h"
#include "jws.h"
#include "string-util.h"

int client_assertion_build(const ClientAssertionInput *in, char **ret) {
        _cleanup_json_ json_object *header = NULL, *claims = NULL;
        JwsAlg alg;

        if (isempty(in->client_id) || isempty(in->audience) || isempty(in->jti) || (!in->key && !in->secret))
                return -EINVAL;
        alg = in->key ? jose_key_alg(in->key) : JWS_HS256;
        if (alg == JWS_ALG_INVALID)
                return -EINVAL;

        header = json_object_new_object();
        claims = json_object_new_object();
        if (!header || !claims)
                return -ENOMEM;
        if ((in->key && in->kid && json_object_object_add(header, "kid", json_object_new_string(in->kid)) < 0) ||
            json_object_object_add(header, "typ", json_object_new_string("JWT")) < 0 ||
            /* RFC 7523 section 3: iss and sub are the client, aud the server, exp bounds the assertion. */
            json_object_object_add(claims, "iss", json_object_new_string(in->client_id)) < 0 ||
            json_object_object_add(claims, "sub", json_object_new_string(in->client_id)) < 0 ||
            json_object_object_add(claims, "aud", json_object_new_string(in->audience)) < 0 ||
            json_object_object_add(claims, "jti", json_object_new_string(in->jti)) < 0 ||
            json_object_object_add(claims, "iat", json_object_new_int64(in->now)) < 0 ||
            json_object_object_add(claims, "exp", json_object_new_int64(in->now + CLIENT_ASSERTION_LIFETIME_SEC)) < 0)
                return -ENOMEM;
        return jws_sign(alg, in->key, in->secret, in->secret ? strlen(in->secret) : 0, header, claims, ret);
}
