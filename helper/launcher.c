/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "alloc-util.h"
#include "launcher.h"
#include "log.h"
#include "string-util.h"
#include "wire-api.h"

int launcher_exec(const char *name, char *argv[]) {
        _cleanup_free_ char *path = NULL;
        const char *dir;

        dir = secure_getenv(BROKER_LIBEXECDIR_ENV);
        if (isempty(dir) || dir[0] != '/')
                dir = PKGLIBEXECDIR;
        path = strjoin(dir, "/", name);
        if (!path)
                return log_oom();

        /* Anything printed so far must not be lost with this process's buffers. */
        (void) fflush(stdout);
        (void) execv(path, argv);
        return log_error_errno(errno, "Cannot run %s: %m", path);
}
