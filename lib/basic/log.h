/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include <errno.h>
#include <syslog.h>

#include "macro.h"

/* Logging for every binary. Messages go to stderr; under journald (JOURNAL_STREAM is set) each line gets a
 * "<N>" priority prefix that journald turns into the entry's priority, so no libsystemd-journal is linked.
 * Never pass a secret, a token or a response body here: log the account, the status, lengths and expiry. */

void log_setup(const char *program_name);
void log_set_max_level(int level);
int log_get_max_level(void);
/* Errors are also written, as bare lines, to `f` (NULL: not): for a protocol whose caller reads only stdout
 * (docker-credential-helpers). */
void log_errors_also_to(FILE *f);

int log_internal(int level, int error, const char *file, int line, const char *format, ...) _printf_(5, 6);

#define log_full_errno(level, error, ...)                                                  \
        ({                                                                                 \
                int _l = (level), _e = (error);                                            \
                _l <= log_get_max_level() ? log_internal(_l, _e, __FILE__, __LINE__, __VA_ARGS__) \
                                          : -ERRNO_VALUE(_e);                              \
        })

#define log_full(level, ...) (void) log_full_errno(level, 0, __VA_ARGS__)

#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)

/* These return -abs(error), so "return log_error_errno(r, "Failed to ...: %m");" logs once and propagates. */
#define log_debug_errno(error, ...) log_full_errno(LOG_DEBUG, error, __VA_ARGS__)
#define log_info_errno(error, ...) log_full_errno(LOG_INFO, error, __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, error, __VA_ARGS__)
#define log_error_errno(error, ...) log_full_errno(LOG_ERR, error, __VA_ARGS__)

#define log_oom() log_error_errno(ENOMEM, "Out of memory.")
