/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

/* JWT payload decoding, without verifying the signature: tokenbroker only reads a token's own claims
 * (expiry, Flume's user_id) to schedule refreshes and fill URL templates; the resource server verifies. */

/* The decoded payload object of a three-part JWT; -EINVAL if `token` is not a JWT. */
int jwt_decode_payload(const char *token, json_object **ret);

/* The `exp` claim in Unix seconds; -ENOENT if there is none, -EINVAL if not a JWT, -EBADMSG if exp is not a
 * non-negative number. */
int jwt_get_exp(const char *token, int64_t *ret);

/* The named claims that the payload has, as name, value, ..., NULL: strings as they are, other values as
 * their JSON text; claims that are absent, null or not printable are left out. -EINVAL if not a JWT. */
int jwt_get_claims(const char *token, char * const *names, char ***ret);
/* As jwt_get_claims(), every value as its JSON text (a string quoted): its type kept for JSON output. */
int jwt_get_claims_json(const char *token, char * const *names, char ***ret);
