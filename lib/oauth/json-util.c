/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "alloc-util.h"
#include "json-util.h"
#include "string-util.h"

/* Token responses are small objects; anything nested deeper than this is not one. */
#define JSON_MAX_DEPTH 64
/* json_tokener_parse_ex() takes an int length, so large inputs are fed in pieces. */
#define JSON_CHUNK ((size_t) 64 * 1024)

static bool json_is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool only_space(const char *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!json_is_space(p[i]))
                        return false;
        return true;
}

int json_parse(const char *data, size_t size, json_object **ret) {
        _cleanup_(wire_tokener_erase_and_freep) struct json_tokener *tok = NULL;
        json_object *o = NULL;
        size_t off = 0;

        assert(data || size == 0);
        assert(ret);

        /* A raw NUL is never valid JSON text, and json-c would take it for the end of the input. */
        if (size == 0 || memchr(data, 0, size))
                return -EBADMSG;

        tok = json_tokener_new_ex(JSON_MAX_DEPTH);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);

        while (off < size) {
                size_t n = MIN(size - off, JSON_CHUNK);
                enum json_tokener_error e;

                o = json_tokener_parse_ex(tok, data + off, (int) n);
                e = json_tokener_get_error(tok);
                if (o) {
                        size_t end = json_tokener_get_parse_end(tok);

                        /* One value, then nothing but whitespace. */
                        if (!only_space(data + off + end, size - off - end)) {
                                json_object_put(o);
                                return -EBADMSG;
                        }
                        *ret = o;
                        return 0;
                }
                if (e != json_tokener_continue)
                        return -EBADMSG;
                off += n;
        }

        /* A bare top-level number or literal is complete only once the tokener sees the end of input. */
        o = json_tokener_parse_ex(tok, "", 1);
        if (!o)
                return -EBADMSG;
        *ret = o;
        return 0;
}

json_object *json_pointer_lookup(json_object *root, const char *pointer) {
        json_object *r = NULL;

        if (!root)
                return NULL;
        if (isempty(pointer))
                return root;
        /* json-c implements RFC 6901: "~1" is '/', "~0" is '~', array indices without leading zeros. */
        if (json_pointer_get(root, pointer, &r) < 0)
                return NULL;
        return r;
}

const char *json_get_string(json_object *o, const char *key) {
        json_object *v;

        if (!o || !json_object_is_type(o, json_type_object))
                return NULL;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return NULL;
        switch (json_object_get_type(v)) {
        case json_type_string:
                /* An embedded "\u0000" would make the C string differ from the JSON one. */
                if (strlen(json_object_get_string(v)) != (size_t) json_object_get_string_len(v))
                        return NULL;
                return json_object_get_string(v);
        case json_type_int:
        case json_type_boolean:
                /* Printed into a buffer the object owns, so the result lives as long as `o`. */
                return json_object_get_string(v);
        default:
                return NULL;
        }
}

static int parse_uint63(const char *s, int64_t *ret) {
        uint64_t v = 0;

        if (!s || !*s)
                return -EINVAL;
        if (*s == '-')
                return s[1] >= '0' && s[1] <= '9' ? -ERANGE : -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                if (v > (uint64_t) (INT64_MAX - (*p - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t) (*p - '0');
        }
        *ret = (int64_t) v;
        return 0;
}

int json_get_int64(json_object *o, const char *key, int64_t *ret) {
        json_object *v;

        assert(ret);

        if (!o || !json_object_is_type(o, json_type_object))
                return -ENOENT;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return -ENOENT;

        switch (json_object_get_type(v)) {
        case json_type_int:
                /* json-c saturates out-of-range integers at INT64_MAX or UINT64_MAX; its printed form still
                 * shows the stored value, so parsing that catches both negatives and overflow. */
                return parse_uint63(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), ret);
        case json_type_string:
                if (strlen(json_object_get_string(v)) != (size_t) json_object_get_string_len(v))
                        return -EINVAL;
                return parse_uint63(json_object_get_string(v), ret);
        case json_type_double: {
                /* "3600.0" is an integer written oddly; "3600.5" is not an integer. */
                double d = json_object_get_double(v);

                if (!isfinite(d))
                        return -EINVAL;
                if (d < 0 || d >= 9223372036854775808.0)
                        return -ERANGE;
                if (d != (double) (int64_t) d)
                        return -EINVAL;
                *ret = (int64_t) d;
                return 0;
        }
        default:
                return -EINVAL;
        }
}
