/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

#include "macro.h"
#include "wire-json.h"          /* _cleanup_json_, shared with the token socket's messages */

/* Parses exactly one JSON value from `data` (not NUL-terminated, any size up to the caller's cap). Trailing
 * garbage, depth over 64 or invalid UTF-8 is -EBADMSG. */
int json_parse(const char *data, size_t size, json_object **ret);

/* RFC 6901 JSON pointer ("" is the document, "/data/0" the first element of "data"); borrowed, or NULL.
 * (Not named json_pointer_get: json-c's <json-c/json_pointer.h> already declares that name.) */
json_object *json_pointer_lookup(json_object *root, const char *pointer);

/* A member as a string: strings as they are, integers and booleans printed; NULL for anything else. */
const char *json_get_string(json_object *o, const char *key);
/* A member as an integer: a JSON integer, or a string holding one (some servers quote expires_in).
 * -ENOENT if absent or null, -EINVAL if not an integer, -ERANGE if negative or past INT64_MAX. */
int json_get_int64(json_object *o, const char *key, int64_t *ret);
