/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "alloc-util.h"
#include "log.h"
#include "runtime-socket.h"
#include "string-util.h"
#include "wire-api.h"

int runtime_socket_listen(const char *name, char **ret_path, int *ret_fd) {
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
        } sa = { .un.sun_family = AF_UNIX };
        _cleanup_free_ char *dir = NULL, *path = NULL;
        _cleanup_close_ int fd = -1;
        const char *runtime;
        struct stat st;

        runtime = secure_getenv("XDG_RUNTIME_DIR");
        if (isempty(runtime) || runtime[0] != '/') {
                *ret_path = NULL;
                *ret_fd = -1;
                return 0;
        }
        dir = strjoin(runtime, "/" BROKER_RUNTIME_SUBDIR);
        path = dir ? strjoin(dir, "/", name) : NULL;
        if (!path)
                return log_oom();
        if (strlen(path) >= sizeof(sa.un.sun_path))
                return log_error_errno(ENAMETOOLONG, "Socket path %s is too long.", path);

        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create %s: %m", dir);
        /* Refuse a directory someone else made for us to use. */
        if (lstat(dir, &st) < 0)
                return log_error_errno(errno, "Failed to stat %s: %m", dir);
        if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0077))
                return log_error_errno(EPERM, "%s is not a private directory of ours.", dir);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create the socket %s: %m", path);
        strncpy(sa.un.sun_path, path, sizeof(sa.un.sun_path) - 1);
        (void) unlink(path);
        if (bind(fd, &sa.sa, sizeof(sa.un)) < 0)
                return log_error_errno(errno, "Failed to bind %s: %m", path);
        if (chmod(path, 0600) < 0)
                return log_error_errno(errno, "Failed to chmod %s: %m", path);
        if (listen(fd, SOMAXCONN) < 0)
                return log_error_errno(errno, "Failed to listen on %s: %m", path);

        *ret_path = TAKE_PTR(path);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int runtime_socket_accept(int fd, const char *what, struct ucred *ret_cred) {
        _cleanup_close_ int cfd = -1;
        socklen_t len = sizeof(*ret_cred);

        cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (cfd < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return -errno;
                return log_warning_errno(errno, "Failed to accept a connection on the %s socket, ignoring: %m",
                                         what);
        }
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, ret_cred, &len) < 0)
                return log_warning_errno(errno, "Failed to get a %s-socket peer's credentials, ignoring: %m",
                                         what);
        return TAKE_FD(cfd);
}
