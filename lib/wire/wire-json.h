/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "macro.h"

/* Messages of the token socket (wire-api.h), for the daemon and the front ends alike: json-c builds and
 * reads them; nothing here writes JSON by hand. */

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
#define _cleanup_json_ _cleanup_(json_object_putp)

/* Parses one message, the `size` bytes before its NUL: exactly one JSON object, strict, valid UTF-8, nested
 * at most a few levels. -EBADMSG otherwise. */
int wire_message_parse(const char *buf, size_t size, json_object **ret);

/* The message `o` as it is sent: its JSON text and the terminating NUL, `*ret_size` bytes in all. Free the
 * buffer with erase_and_free(): a reply may carry a token, which is why json-c's own copy of the text is
 * wiped before this returns. */
int wire_message_format(json_object *o, char **ret, size_t *ret_size);

/* Wipes every string inside `o` in place, for a message that carried a token or a password, before it is
 * freed. */
void wire_json_erase(json_object *o);

/* Frees a message after wiping its strings. */
json_object *wire_json_erase_and_put(json_object *o);
DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, wire_json_erase_and_put);
#define _cleanup_json_erase_ _cleanup_(wire_json_erase_and_putp)

/* Frees a tokener after wiping its print buffer, where json-c keeps the last string it read (a token in an
 * answer, a token or a password in a request) and which it frees unwiped. json-c has no accessor for that
 * buffer; the struct is public. */
void wire_tokener_erase(struct json_tokener *tok);
void wire_tokener_erase_and_free(struct json_tokener *tok);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_tokener *, wire_tokener_erase_and_free);

/* A member that is a string when present: 1 with *ret borrowed, 0 when absent or null, -EINVAL when it is
 * something else or a string with a NUL inside ("\u0000"), which C would read cut short. */
int wire_json_get_string(json_object *o, const char *key, const char **ret);

/* {"error": name, "parameters": {"message": message}} */
json_object *wire_error_new(const char *name, const char *message);
