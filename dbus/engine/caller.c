/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "caller.h"
#include "log.h"
#include "string-util.h"

int caller_check_uid(uid_t uid, const char *who, Failure *f) {
        /* The daemon never changes its uid: asked once, not in every call (a system call each). */
        static uid_t self = (uid_t) -1;

        if (self == (uid_t) -1)
                self = geteuid();
        if (uid == self)
                return 0;
        log_warning("Refused a call from %s of uid %u: only uid %u is served.", who, (unsigned) uid,
                    (unsigned) self);
        return failure_set(f, -EACCES, "Access denied: tokenbrokerd serves only its own user.");
}

/* The full front ends, which the launchers exec() when the token socket is absent (wire-api.h), run on
 * behalf of their launchers: AllowedCallers= names the command people run, and the daemon must not refuse
 * `tokenbroker token` just because it took the D-Bus path. Only the copies where the launchers look for them
 * count: $(pkglibexecdir), standing in for $(bindir), or the directory TOKENBROKER_LIBEXECDIR names, where
 * both halves sit side by side. Returns the launcher's path, or NULL when exe is no full front end. */
static char *launcher_of(const char *exe) {
        static const struct {
                const char *full, *launcher;
        } halves[] = {
                { BROKER_FULL_CLI, "tokenbroker" },
                { BROKER_FULL_GIT_HELPER, "git-credential-tokenbroker" },
        };
        _cleanup_free_ char *dir = NULL, *env_dir = NULL;
        const char *base = strrchr(exe, '/'), *env;

        if (!base)
                return NULL;
        dir = strndup(exe, (size_t) (base - exe));
        if (!dir)
                return NULL;
        env = secure_getenv(BROKER_LIBEXECDIR_ENV);
        if (!isempty(env))
                env_dir = realpath(env, NULL);

        for (size_t i = 0; i < ELEMENTSOF(halves); i++) {
                if (!streq(base + 1, halves[i].full))
                        continue;
                if (streq(dir, PKGLIBEXECDIR))
                        return strjoin(BINDIR "/", halves[i].launcher);
                if (env_dir && streq(dir, env_dir))
                        return strjoin(env_dir, "/", halves[i].launcher);
        }
        return NULL;
}

int caller_check_program(const Caller *c, char * const *allowed, Failure *f) {
        _cleanup_free_ char *exe = NULL, *launcher = NULL;
        const char *program;

        if (strv_length(allowed) == 0)
                return 0;

        exe = c->ops->executable(c);
        launcher = exe ? launcher_of(exe) : NULL;
        if (exe && (strv_contains(allowed, exe) || (launcher && strv_contains(allowed, launcher))))
                return 0;

        program = launcher ?: exe;
        log_warning("Refused a token to %s: not in the account's AllowedCallers.",
                    program ?: "an unknown program");
        return failure_set(f, -EACCES, "Access denied: %s is not an allowed caller of this account.",
                              program ?: "this program");
}
