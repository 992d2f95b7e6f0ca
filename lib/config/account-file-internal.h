/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared between the account-file-*.c files only; nothing outside lib/config/ includes this. */

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "account-file.h"
#include "macro.h"

#define ACCOUNT_GROUP "Account"
#define ACCOUNT_FILE_SIZE_MAX (64U * 1024U)
/* Far beyond any useful duration, and small enough that adding it to a time stamp cannot overflow. */
#define SECONDS_MAX UINT64_C(31622400)

/* Keys of the [Account] group, including ClientAuth.<grant>. */
bool account_config_key_is_known(const char *key);
/* Names people reach for when they try to put a secret into the file. */
bool account_config_key_is_secret(const char *key);

/* The raw-text locator (account-file-locate.c): GKeyFile keeps no line numbers. Lines are 1-based; 0 for
 * none. The index is built in one pass over the text, so that a file with thousands of keys or groups costs
 * no more to report on than to read. */
typedef struct AccountFileIndex AccountFileIndex;
int account_file_index_new(const char *data, size_t size, const char *group, AccountFileIndex **ret);
AccountFileIndex *account_file_index_free(AccountFileIndex *index);
/* The last line of `key` in the group the index was made for: the one GKeyFile keeps. */
unsigned account_file_index_key(const AccountFileIndex *index, const char *key);
/* The first header line of the group `name`, any group. */
unsigned account_file_index_group(const AccountFileIndex *index, const char *name);
unsigned account_file_locate_syntax_error(const char *data, size_t size, const char **ret_message);

/* The diagnostics of one file (account-file-diagnostics.c): lines "PATH:LINE: Key: message". At most
 * DIAGNOSTICS_MAX lines are kept before warnings are only counted (n_dropped) and summed up by
 * diagnostics_finish() in one line "PATH: ... and N more warnings"; errors are always kept. */
#define DIAGNOSTICS_MAX 100U

typedef struct Diagnostics {
        const char *path;
        char **lines;                   /* NULL-terminated, n_lines long */
        size_t n_lines, n_allocated;
        size_t n_dropped;
        unsigned n_errors;
        bool oom;
} Diagnostics;

/* Returns -EUCLEAN for an error and 0 for a warning, so that a caller can return what it reports. */
int diagnostics_report(Diagnostics *d, bool error, unsigned line, const char *key, const char *format, ...)
        _printf_(5, 6);
/* Adds the summary line, appends the lines to *ret (when ret is not NULL) and empties d. -ENOMEM if any
 * line was lost to a failed allocation. */
int diagnostics_finish(Diagnostics *d, char ***ret);
void diagnostics_clear(Diagnostics *d);

/* Value checks (account-file-value.c). */
const char *account_url_problem(const char *url);
bool config_parse_bool(const char *s, bool *ret);
bool config_parse_seconds(const char *s, uint64_t min, uint64_t *ret);
bool config_is_identifier(const char *s);
bool config_is_header_name(const char *s);

/* One load of one file. */
typedef struct AccountFileParser {
        Diagnostics diag;
        AccountFileIndex *index;        /* once the text has parsed */
} AccountFileParser;

/* The line to report a key at: its own, else the [Account] header's. */
static inline unsigned account_file_key_line(const AccountFileParser *p, const char *key) {
        return account_file_index_key(p->index, key) ?: account_file_index_group(p->index, ACCOUNT_GROUP);
}

/* Reads the keys of the [Account] group into `a` (account-file-keys.c): Provider= first, whose profile the
 * other keys override, then every other key once, reporting bad values as errors and unknown keys as
 * warnings. */
void account_file_parse_keys(AccountFileParser *p, GKeyFile *kf, AccountConfig *a);
