/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared between the account-file-*.c files only; nothing outside lib/config/ includes this. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACCOUNT_GROUP "Account"
#define ACCOUNT_FILE_SIZE_MAX (64U * 1024U)
/* Far beyond any useful duration, and small enough that adding it to a time stamp cannot overflow. */
#define SECONDS_MAX UINT64_C(31622400)

/* Keys of the [Account] group, including ClientAuth.<grant>. */
bool account_config_key_is_known(const char *key);
/* Names people reach for when they try to put a secret into the file. */
bool account_config_key_is_secret(const char *key);

/* The raw-text locator (account-file-locate.c): GKeyFile keeps no line numbers. 1-based; 0 for none.
 * account_file_locate() gives the last line of `key` in `group` (the one GKeyFile keeps), or with key NULL
 * the line of the group's first header. */
unsigned account_file_locate(const char *data, size_t size, const char *group, const char *key);
unsigned account_file_locate_syntax_error(const char *data, size_t size, const char **ret_message);

/* Value checks (account-file-value.c). */
const char *account_url_problem(const char *url);
bool config_parse_bool(const char *s, bool *ret);
bool config_parse_seconds(const char *s, uint64_t min, uint64_t *ret);
bool config_is_identifier(const char *s);
bool config_is_header_name(const char *s);
