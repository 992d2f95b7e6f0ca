/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "broker-socket.h"
#include "string-util.h"
#include "wire-api.h"

int broker_socket_path(const char *name, char **ret) {
        _cleanup_free_ char *path = NULL;
        const char *runtime;
        struct stat st;

        runtime = secure_getenv("XDG_RUNTIME_DIR");
        if (isempty(runtime) || runtime[0] != '/')
                return -ENOENT;
        path = strjoin(runtime, "/" BROKER_RUNTIME_SUBDIR "/", name);
        if (!path)
                return -ENOMEM;
        if (lstat(path, &st) < 0)
                return -errno;
        if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
                return -EPERM;

        *ret = TAKE_PTR(path);
        return 0;
}
