/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where in the raw text a key, a group or a syntax error is. GKeyFile parses; this only finds line numbers
 * for messages, so it follows GKeyFile's line rules loosely and never decides what a value is. Lines are
 * split at '\n' and white space around them is ignored, as GKeyFile does. Keys and groups are indexed in one
 * pass: looking each up in the text again made a file of 10,000 unknown keys take seconds to load. */

#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "account-file-internal.h"
#include "string-util.h"

typedef struct Line {
        const char *start;
        size_t len;
        unsigned number;
} Line;

static bool line_next(const char *data, size_t size, const char **pos, Line *line) {
        const char *end = data + size, *nl;

        if (*pos >= end)
                return false;
        nl = memchr(*pos, '\n', end - *pos);
        line->start = *pos;
        line->len = (nl ?: end) - *pos;
        line->number++;
        *pos = nl ? nl + 1 : end;
        while (line->len > 0 && g_ascii_isspace(*line->start)) {
                line->start++;
                line->len--;
        }
        while (line->len > 0 && g_ascii_isspace(line->start[line->len - 1]))
                line->len--;
        return true;
}

static bool line_is_comment(const Line *l) {
        return l->len == 0 || l->start[0] == '#';
}

/* For "[name]" lines: the name's start and length; false for anything else. */
static bool line_group(const Line *l, const char **ret_name, size_t *ret_len) {
        const char *close;

        if (l->len < 2 || l->start[0] != '[')
                return false;
        close = memchr(l->start, ']', l->len);
        if (!close || close != l->start + l->len - 1)
                return false;
        *ret_name = l->start + 1;
        *ret_len = close - l->start - 1;
        return true;
}

static bool line_key(const Line *l, const char **ret_key, size_t *ret_len) {
        const char *eq = memchr(l->start, '=', l->len);
        size_t n;

        if (!eq)
                return false;
        n = eq - l->start;
        while (n > 0 && g_ascii_isspace(l->start[n - 1]))
                n--;
        *ret_key = l->start;
        *ret_len = n;
        return true;
}

struct AccountFileIndex {
        GHashTable *keys;               /* key of the indexed group -> its last line */
        GHashTable *groups;             /* group name -> its first header line */
};

AccountFileIndex *account_file_index_free(AccountFileIndex *index) {
        if (!index)
                return NULL;
        if (index->keys)
                g_hash_table_unref(index->keys);
        if (index->groups)
                g_hash_table_unref(index->groups);
        free(index);
        return NULL;
}

int account_file_index_new(const char *data, size_t size, const char *group, AccountFileIndex **ret) {
        AccountFileIndex *index;
        const char *pos = data, *s;
        bool in_group = false;
        Line l = {};
        size_t n;

        index = calloc(1, sizeof(*index));
        if (!index)
                return -ENOMEM;
        /* GLib aborts rather than return NULL when it runs out of memory. */
        index->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        index->groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        while (line_next(data, size, &pos, &l)) {
                if (line_is_comment(&l))
                        continue;
                if (line_group(&l, &s, &n)) {
                        char *name = g_strndup(s, n);

                        in_group = streq(name, group);
                        if (g_hash_table_contains(index->groups, name))
                                g_free(name);
                        else
                                g_hash_table_insert(index->groups, name, GUINT_TO_POINTER(l.number));
                        continue;
                }
                /* A later line of the same key replaces the earlier one, as in GKeyFile. */
                if (in_group && line_key(&l, &s, &n))
                        g_hash_table_replace(index->keys, g_strndup(s, n), GUINT_TO_POINTER(l.number));
        }

        *ret = index;
        return 0;
}

unsigned account_file_index_key(const AccountFileIndex *index, const char *key) {
        return index ? GPOINTER_TO_UINT(g_hash_table_lookup(index->keys, key)) : 0;
}

unsigned account_file_index_group(const AccountFileIndex *index, const char *name) {
        return index ? GPOINTER_TO_UINT(g_hash_table_lookup(index->groups, name)) : 0;
}

/* Called only after GKeyFile refused the text, to say where. */
unsigned account_file_locate_syntax_error(const char *data, size_t size, const char **ret_message) {
        const char *pos = data, *s;
        bool have_group = false;
        Line l = {};
        size_t n;

        while (line_next(data, size, &pos, &l)) {
                if (!g_utf8_validate(l.start, l.len, NULL)) {
                        *ret_message = "not valid UTF-8";
                        return l.number;
                }
                if (line_is_comment(&l))
                        continue;
                if (l.start[0] == '[') {
                        if (!line_group(&l, &s, &n) || n == 0 || memchr(s, '[', n)) {
                                *ret_message = "invalid group header";
                                return l.number;
                        }
                        have_group = true;
                        continue;
                }
                if (!line_key(&l, &s, &n) || n == 0) {
                        *ret_message = "syntax error: expected a [Group], a Key=Value line or a # comment";
                        return l.number;
                }
                if (!have_group) {
                        *ret_message = "key before the first [Group] header";
                        return l.number;
                }
        }
        *ret_message = "syntax error";
        return 0;
}
