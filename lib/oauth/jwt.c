/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "form.h"
#include "json-util.h"
#include "jwt.h"
#include "string-util.h"

int jwt_decode_payload(const char *token, json_object **ret) {
        _cleanup_json_ json_object *o = NULL;
        const char *dot1, *dot2, *payload;
        void *buf = NULL;
        size_t n, size;
        int r;

        assert(ret);

        if (!token)
                return -EINVAL;

        /* A JWS in compact form is exactly header.payload.signature. A JWE has five parts and its payload
         * is encrypted, so it is as opaque to us as any other token. The signature may be empty
         * ("alg":"none"). */
        dot1 = strchr(token, '.');
        if (!dot1 || dot1 == token)
                return -EINVAL;
        payload = dot1 + 1;
        dot2 = strchr(payload, '.');
        if (!dot2 || strchr(dot2 + 1, '.'))
                return -EINVAL;
        n = (size_t) (dot2 - payload);
        if (n == 0)
                return -EINVAL;

        r = base64url_decode(payload, n, &buf, &size);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;

        r = json_parse(buf, size, &o);
        /* The payload is part of a credential; do not leave its plain text behind. */
        erase_buffer(buf, size);
        free(buf);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || !json_object_is_type(o, json_type_object))
                return -EINVAL;

        *ret = TAKE_PTR(o);
        return 0;
}

int jwt_get_exp(const char *token, int64_t *ret) {
        _cleanup_json_ json_object *payload = NULL;
        int64_t exp;
        int r;

        assert(ret);

        r = jwt_decode_payload(token, &payload);
        if (r < 0)
                return r;

        /* NumericDate may carry fractions (RFC 7519 section 2); json_get_int64 takes whole ones only, so a
         * fractional exp is rounded down here. */
        r = json_get_int64(payload, "exp", &exp);
        if (r == -EINVAL) {
                json_object *v = json_object_object_get(payload, "exp");
                double d;

                if (!json_object_is_type(v, json_type_double))
                        return -EBADMSG;
                d = json_object_get_double(v);
                if (!(d >= 0 && d < 9223372036854775807.0))
                        return -EBADMSG;
                exp = (int64_t) d;
        } else if (r == -ERANGE)
                return -EBADMSG;
        else if (r < 0)
                return r;

        *ret = exp;
        return 0;
}

static int get_claims(const char *token, char * const *names, bool as_json, char ***ret) {
        _cleanup_json_ json_object *payload = NULL;
        _cleanup_strv_free_ char **l = NULL;
        int r;

        assert(ret);

        r = jwt_decode_payload(token, &payload);
        if (r < 0)
                return r;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (char * const *n = names; n && *n; n++) {
                json_object *v;
                const char *s;

                if (!json_object_object_get_ex(payload, *n, &v) || json_object_is_type(v, json_type_null))
                        continue;
                /* Strings as they are (for URL templates), anything else as its JSON text; or every value as
                 * its JSON text, for those who keep the types. */
                s = json_object_is_type(v, json_type_string) && !as_json
                            ? json_get_string(payload, *n)
                            : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
                if (!s || !string_is_safe_utf8(s, strlen(s)))
                        continue;
                if (strv_extend(&l, *n) < 0 || strv_extend(&l, s) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int jwt_get_claims(const char *token, char * const *names, char ***ret) {
        return get_claims(token, names, false, ret);
}

int jwt_get_claims_json(const char *token, char * const *names, char ***ret) {
        return get_claims(token, names, true, ret);
}
