/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "launcher.h"
#include "log.h"
#include "string-util.h"
#include "wire-api.h"

/* The full program beside this launcher, when there is one: in a build tree both are built into the same
 * directory, so a launcher run from there uses the full program it was built with rather than an installed
 * one of another version. Installed, /usr/bin holds no tokenbroker-cli and this finds nothing. */
static char *sibling(const char *name) {
        char self[PATH_MAX];
        ssize_t n;
        char *slash, *p;

        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0)
                return NULL;
        self[n] = 0;
        slash = strrchr(self, '/');
        if (!slash)
                return NULL;
        *slash = 0;
        p = strjoin(self, "/", name);
        if (p && access(p, X_OK) < 0) {
                free(p);
                p = NULL;
        }
        return p;
}

int launcher_exec(const char *name, char *argv[]) {
        _cleanup_free_ char *path = NULL;
        const char *dir;

        dir = secure_getenv(BROKER_LIBEXECDIR_ENV);
        if (!isempty(dir) && dir[0] == '/')
                path = strjoin(dir, "/", name);
        else {
                path = sibling(name);
                if (!path)
                        path = strjoin(PKGLIBEXECDIR, "/", name);
        }
        if (!path)
                return log_oom();

        /* Anything printed so far must not be lost with this process's buffers. */
        (void) fflush(stdout);
        (void) execv(path, argv);
        return log_error_errno(errno, "Cannot run %s: %m", path);
}
