/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* application/x-www-form-urlencoded per the WHATWG URL standard as RFC 6749 uses it: unreserved characters
 * (ALPHA DIGIT - . _ ~) as they are, everything else %XX (space is %20, never '+'). */
char *form_urlencode(const char *s);

/* Appends "name=value" (both encoded) to *body, with '&' when *body is not empty. The old buffer is wiped. */
int form_append(char **body, const char *name, const char *value);

/* Decodes %XX and '+' (for the loopback redirect's query string). NULL on malformed escapes. */
char *form_urldecode(const char *s, size_t n);

/* Looks up `name` in a query string "a=1&b=2"; newly allocated, decoded value, or NULL. */
char *form_query_get(const char *query, const char *name);

/* base64 (RFC 4648 section 4, with padding) and base64url (section 5, without padding). */
char *base64_encode(const void *p, size_t n);
char *base64url_encode(const void *p, size_t n);
/* Decodes base64url or base64, padded or not; *ret_size excludes the NUL it appends. */
int base64url_decode(const char *s, size_t n, void **ret, size_t *ret_size);
