/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "alloc-util.h"
#include "wire-json.h"

/* Requests and replies are flat objects with one nested map (headers, parameters); deeper is no message. */
#define WIRE_MAX_DEPTH 8

void wire_tokener_erase(struct json_tokener *tok) {
        if (tok && tok->pb && tok->pb->buf)
                erase_buffer(tok->pb->buf, (size_t) tok->pb->size);
}

void wire_tokener_erase_and_free(struct json_tokener *tok) {
        if (!tok)
                return;
        wire_tokener_erase(tok);
        json_tokener_free(tok);
}

int wire_message_parse(const char *buf, size_t size, json_object **ret) {
        _cleanup_(wire_tokener_erase_and_freep) struct json_tokener *tok = NULL;
        _cleanup_json_ json_object *o = NULL;

        /* A NUL ends a message: one inside is a framing error, not a character. */
        if (size == 0 || size >= INT32_MAX || memchr(buf, 0, size))
                return -EBADMSG;

        tok = json_tokener_new_ex(WIRE_MAX_DEPTH);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);

        o = json_tokener_parse_ex(tok, buf, (int) size);
        if (!o || !json_object_is_type(o, json_type_object))
                return -EBADMSG;
        /* One object, then nothing but whitespace. */
        for (size_t i = json_tokener_get_parse_end(tok); i < size; i++)
                if (!strchr(" \t\n\r", buf[i]))
                        return -EBADMSG;

        *ret = TAKE_PTR(o);
        return 0;
}

int wire_message_format(json_object *o, char **ret, size_t *ret_size) {
        const char *text;
        size_t n;
        char *buf;

        text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                                 &n);
        if (!text)
                return -ENOMEM;
        buf = memdup(text, n + 1);          /* the NUL that ends the message */
        /* json-c keeps the text with the object until it is freed, and frees it without wiping. */
        erase_buffer((char *) text, n);
        if (!buf)
                return -ENOMEM;

        *ret = buf;
        *ret_size = n + 1;
        return 0;
}

void wire_json_erase(json_object *o) {
        switch (json_object_get_type(o)) {
        case json_type_string:
                erase_buffer((char *) json_object_get_string(o), (size_t) json_object_get_string_len(o));
                break;
        case json_type_object: {
                json_object_object_foreach(o, key, value) {
                        (void) key;
                        wire_json_erase(value);
                }
                break;
        }
        case json_type_array:
                for (size_t i = 0; i < json_object_array_length(o); i++)
                        wire_json_erase(json_object_array_get_idx(o, i));
                break;
        default:
                break;
        }
}

json_object *wire_json_erase_and_put(json_object *o) {
        if (o) {
                wire_json_erase(o);
                json_object_put(o);
        }
        return NULL;
}

int wire_json_get_string(json_object *o, const char *key, const char **ret) {
        const char *s;
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
                *ret = NULL;
                return 0;
        }
        if (!json_object_is_type(v, json_type_string))
                return -EINVAL;
        s = json_object_get_string(v);
        /* JSON may carry "\u0000"; every C caller would cut the string there and see "good" where
         * "good\u0000x" was sent. */
        if (strlen(s) != (size_t) json_object_get_string_len(v))
                return -EINVAL;
        *ret = s;
        return 1;
}

json_object *wire_error_new(const char *name, const char *message) {
        _cleanup_json_ json_object *o = NULL, *p = NULL;

        o = json_object_new_object();
        p = json_object_new_object();
        if (!o || !p ||
            json_object_object_add(o, "error", json_object_new_string(name)) < 0 ||
            json_object_object_add(p, "message", json_object_new_string(message ?: "")) < 0 ||
            json_object_object_add(o, "parameters", TAKE_PTR(p)) < 0)
                return NULL;
        return TAKE_PTR(o);
}
