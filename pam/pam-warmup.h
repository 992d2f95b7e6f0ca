/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <security/pam_modules.h>
#include <sys/types.h>

#include "macro.h"
#include "pam-options.h"

/* What the background job needs to know, collected by the PAM process before it forks: the user's ids
 * and groups are resolved there (NSS is not safe to call after fork() in a threaded application). */
typedef struct PamWarmup {
        pam_handle_t *pamh;
        PamOptions options;
        const char *user;        /* PAM_USER, known to exist */
        uid_t uid;
        gid_t gid;
        gid_t *groups;
        int n_groups;
} PamWarmup;

/* Logs to syslog at LOG_AUTHPRIV through pam_syslog(), and also to stderr with the `stderr` option.
 * LOG_DEBUG lines only with the `debug` option. %m prints `error`. Returns -abs(error). */
int pam_warmup_log_full(const PamWarmup *w, int priority, int error, const char *format, ...) _printf_(4, 5);
#define pam_warmup_log(w, priority, ...) (void) pam_warmup_log_full(w, priority, 0, __VA_ARGS__)
#define pam_warmup_log_errno(w, priority, error, ...) pam_warmup_log_full(w, priority, error, __VA_ARGS__)

/* Forks the background job and reaps the intermediate child, so the application is left with neither a
 * zombie nor a process to wait for. The PAM process waits only for that intermediate child, whose one job is
 * to fork again. */
int pam_warmup_spawn(PamWarmup *w);
