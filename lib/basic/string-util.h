/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
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
bool endswith(const char *s, const char *suffix);

/* Account names become file names and keyring attributes: [A-Za-z0-9._-], not starting with '.', at most
 * 64 characters. */
bool account_name_is_valid(const char *name);

/* Valid UTF-8 without control characters other than tab. */
bool string_is_safe_utf8(const char *s, size_t n);

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
char **strv_split(const char *s, const char *separators);
bool strv_contains(char * const *l, const char *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

char *strjoin_real(const char *x, ...) __attribute__((sentinel));
#define strjoin(a, ...) strjoin_real((a), __VA_ARGS__, NULL)
