/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam_tokenbroker: at session start, ask the user's tokenbrokerd to fetch the tokens of the accounts marked
 * Warmup=true, so that they are there when the desktop asks for them.
 *
 *   session optional pam_tokenbroker.so [timeout=SECONDS] [debug] [stderr]
 *
 * It never fails or delays a login: the work happens in a background process running as the user, and every
 * path returns PAM_SUCCESS (the job was started) or PAM_IGNORE (nothing to do). The PAM process itself only
 * forks; it loads no libcurl, libsecret or GLib and does no network work. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "alloc-util.h"
#include "pam-address.h"
#include "pam-options.h"
#include "pam-warmup.h"
#include "string-util.h"

/* More supplementary groups than Linux allows (NGROUPS_MAX is 65536) means something is wrong. */
#define GROUPS_MAX 65536

static void warn_option(void *userdata, const char *arg, const char *reason) {
        const PamWarmup *w = userdata;
        char esc[96];

        pam_warmup_log(w, LOG_WARNING, "Option \"%s\": %s, ignoring.", pam_log_escape(arg, esc, sizeof(esc)),
                       reason);
}

/* getpwnam_r() rather than pam_modutil_getpwnam(): the latter keeps its result as PAM module data, which
 * libpam refuses outside a module call, and the entry is only needed for the length of this call. */
static int lookup_user(const char *user, struct passwd *ret, char **ret_buf) {
        _cleanup_free_ char *buf = NULL;
        struct passwd *result = NULL;
        size_t size = 4096;

        for (;;) {
                char *b;
                int r;

                b = realloc(buf, size);
                if (!b)
                        return -ENOMEM;
                buf = b;

                r = getpwnam_r(user, ret, buf, size, &result);
                if (r == 0)
                        break;
                if (r != ERANGE || size >= 1024 * 1024)
                        return -r;
                size *= 2;
        }
        if (!result)
                return -ESRCH;

        *ret_buf = TAKE_PTR(buf);
        return 0;
}

static int lookup_groups(const char *user, gid_t gid, gid_t **ret, int *ret_n) {
        _cleanup_free_ gid_t *groups = NULL;
        int n = 32;

        for (;;) {
                gid_t *g;
                int m = n;

                g = reallocarray(groups, (size_t) n, sizeof(gid_t));
                if (!g)
                        return -ENOMEM;
                groups = g;

                if (getgrouplist(user, gid, groups, &m) >= 0) {
                        n = m;
                        break;
                }
                /* Too small: m now says how many there are. */
                if (m <= n || m > GROUPS_MAX)
                        return -E2BIG;
                n = m;
        }

        *ret = TAKE_PTR(groups);
        *ret_n = n;
        return 0;
}

int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        _cleanup_free_ gid_t *groups = NULL;
        _cleanup_free_ char *pwbuf = NULL;
        PamWarmup w = { .pamh = pamh };
        struct passwd pw;
        const void *item = NULL;
        char esc[96];
        int r;

        /* Twice: the first pass learns `stderr` and `debug` wherever they are on the line, so the second
         * pass reports bad arguments where they were asked for. */
        pam_options_init(&w.options);
        (void) pam_options_parse(&w.options, argc, argv, NULL, NULL);
        (void) pam_options_parse(&w.options, argc, argv, warn_option, &w);

        /* PAM_USER, not pam_get_user(): that would prompt when it is unset, and this module never prompts. */
        if (pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS || isempty(item)) {
                pam_warmup_log(&w, LOG_NOTICE, "No user name set, ignoring.");
                return PAM_IGNORE;
        }
        w.user = item;

        r = lookup_user(w.user, &pw, &pwbuf);
        if (r < 0) {
                pam_warmup_log_errno(&w, LOG_NOTICE, r, "User \"%s\" does not exist, ignoring.",
                                     pam_log_escape(w.user, esc, sizeof(esc)));
                return PAM_IGNORE;
        }
        w.uid = pw.pw_uid;
        w.gid = pw.pw_gid;

        r = lookup_groups(pw.pw_name, pw.pw_gid, &groups, &w.n_groups);
        if (r < 0) {
                pam_warmup_log_errno(&w, LOG_WARNING, r, "Failed to look up the groups of user %s, ignoring: %m",
                                     w.user);
                return PAM_IGNORE;
        }
        w.groups = groups;

        r = pam_warmup_spawn(&w);
        if (r < 0) {
                pam_warmup_log_errno(&w, LOG_WARNING, r, "Failed to start the token warmup for user %s, "
                                     "ignoring: %m", w.user);
                return PAM_IGNORE;
        }

        pam_warmup_log(&w, LOG_DEBUG, "Started the token warmup for user %s in the background.", w.user);
        return PAM_SUCCESS;
}

int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        /* Tokens outlive a session on purpose: other sessions of the user may still use them. */
        return PAM_SUCCESS;
}

/* A session module only: the other stacks get a neutral answer if someone lists it there. */
int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        return PAM_IGNORE;
}

int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        return PAM_IGNORE;
}

int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        return PAM_IGNORE;
}

int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        return PAM_IGNORE;
}
