/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "macro.h"

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static inline bool isempty(const char *s) {
        return !s || !*s;
}

static inline const char *strempty(const char *s) {
        return s ?: "";
}

static inline const char *strna(const char *s) {
        return s ?: "n/a";
}

/* Returns the rest of s after prefix, or NULL if s does not start with it. */
static inline const char *startswith(const char *s, const char *prefix) {
        size_t l = strlen(prefix);

        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

const char *startswith_no_case(const char *s, const char *prefix);

/* The value of one hex digit (either case), or -EINVAL: for %XX in URLs and D-Bus addresses. */
int unhexchar(char c);
bool endswith(const char *s, const char *suffix);

/* Account names become file names and keyring attributes: [A-Za-z0-9._-], not starting with '.', at most
 * 64 characters. */
bool account_name_is_valid(const char *name);

/* Length of the UTF-8 sequence at p (at most n bytes, n >= 1) with its code point in *ret_cp; 0 if the bytes
 * are not UTF-8: a stray continuation byte, a cut sequence, an overlong form, a surrogate, a value past
 * Unicode. */
size_t utf8_decode_char(const unsigned char *p, size_t n, uint32_t *ret_cp);

/* Valid UTF-8 without control characters other than tab. */
bool string_is_safe_utf8(const char *s, size_t n);

/* The largest secret (client secret, password, API key, refresh token) the keyring is given. */
#define SECRET_VALUE_MAX 16384U
/* A secret as SetSecret accepts it: 1 to SECRET_VALUE_MAX bytes of safe UTF-8 (no NUL, no CR or LF, no other
 * control character but tab), since it ends up in HTTP headers and bodies and in the git protocol, where a
 * line break would start a header or a key of its own. */
bool secret_value_is_valid(const char *s, size_t size);
/* The same for a PEM text (a key): 1 to SECRET_VALUE_MAX bytes of printable ASCII and line ends (LF, CRLF). */
bool pem_text_is_valid(const char *s, size_t size);

/* Messages that quote what a caller sent (an account name, a scope) quote at most this many characters of
 * it, so that a caller cannot make the daemon echo 30 MB back into its log or an error reply. */
#define STRING_EXCERPT_CHARS 64
/* A buffer that holds any excerpt: that many characters of up to 4 bytes each, "..." and the NUL. */
#define STRING_EXCERPT_SIZE (STRING_EXCERPT_CHARS * 4 + 3 + 1)
/* Writes into buf (size bytes, at least 4) the first STRING_EXCERPT_CHARS characters of s, followed by "..."
 * when s was longer (or did not fit into buf), with every character that is not printable UTF-8 (controls,
 * bytes that are not UTF-8, line separators, bidi overrides) replaced by '?'. NULL reads as "". Returns
 * buf. */
const char *string_excerpt(const char *s, char *buf, size_t size);
/* The same into a buffer that lives until the end of the enclosing block, e.g. for a printf argument. */
#define STRING_EXCERPT(s) string_excerpt((s), (char[STRING_EXCERPT_SIZE]) {}, STRING_EXCERPT_SIZE)

/* Space-separated words, sorted and deduplicated, joined by one space: the cache key for a scope set. */
char *scopes_normalize(const char *scopes);
/* Every word of `narrow` appears in `wide`. */
bool scopes_subset(const char *narrow, const char *wide);

/* NULL-terminated string vectors. */
size_t strv_length(char * const *l);
char **strv_free(char **l);
char **strv_free_erase(char **l);
int strv_push(char ***l, char *value);      /* takes ownership of value, even on failure */
int strv_extend(char ***l, const char *value);
/* As strv_extend(), unless `value` is in the list already. */
int strv_extend_unique(char ***l, const char *value);
char **strv_split(const char *s, const char *separators);
bool strv_contains(char * const *l, const char *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

char *strjoin_real(const char *x, ...) __attribute__((sentinel));
#define strjoin(a, ...) strjoin_real((a), __VA_ARGS__, NULL)
