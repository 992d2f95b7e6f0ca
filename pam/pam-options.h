/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* The module's arguments from the PAM service file:
 *
 *   session optional pam_tokenbroker.so [timeout=SECONDS] [debug] [stderr]
 *
 * Parsing never fails: an argument that is not understood is reported through the callback and skipped, so
 * a typo in a service file cannot break logins. */

#define PAM_OPTIONS_TIMEOUT_DEFAULT_SEC 10U
#define PAM_OPTIONS_TIMEOUT_MAX_SEC 300U

typedef struct PamOptions {
        bool debug;              /* log each step at LOG_DEBUG */
        bool log_stderr;         /* also copy log lines to the application's stderr (pamtester, tests) */
        unsigned timeout_sec;    /* the background job waits this long for the bus, then for the reply */
} PamOptions;

/* Called for each skipped argument, with a short reason ("unknown option", "invalid timeout"). */
typedef void (*pam_options_warn_t)(void *userdata, const char *arg, const char *reason);

void pam_options_init(PamOptions *o);

/* Fills *o from argv and returns the number of arguments that were ignored. */
int pam_options_parse(PamOptions *o, int argc, const char **argv, pam_options_warn_t warn, void *userdata);
