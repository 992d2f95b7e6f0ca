/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fs-util.h"

static int check_stat(const struct stat *st, uint64_t max_size, const char **ret_reason) {
        if (S_ISDIR(st->st_mode)) {
                *ret_reason = "is a directory";
                return -EISDIR;
        }
        if (!S_ISREG(st->st_mode)) {
                *ret_reason = "is not a regular file";
                return -EBADFD;
        }
        if (st->st_size < 0 || (uint64_t) st->st_size > max_size) {
                *ret_reason = "is larger than the limit";
                return -EFBIG;
        }
        return 0;
}

static int open_reason(int r, const char **ret_reason) {
        *ret_reason = r == -ENOENT ? "does not exist" : "cannot be opened";
        return r;
}

int open_regular_file_bounded(const char *path, uint64_t max_size, int *ret_fd, const char **ret_reason) {
        _cleanup_close_ int fd = -1;
        const char *reason_buf, **reason = ret_reason ?: &reason_buf;
        struct stat st;
        int r;

        assert(path);

        /* A first look by name, so that a device or a FIFO is never opened. */
        if (stat(path, &st) < 0)
                return open_reason(-errno, reason);
        r = check_stat(&st, max_size, reason);
        if (r < 0)
                return r;

        /* O_NONBLOCK: should the name have been swapped for a FIFO since, open() still returns at once. */
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return open_reason(-errno, reason);
        /* What counts is what was opened. */
        if (fstat(fd, &st) < 0)
                return open_reason(-errno, reason);
        r = check_stat(&st, max_size, reason);
        if (r < 0)
                return r;

        if (ret_fd)
                *ret_fd = TAKE_FD(fd);
        return 0;
}

int fd_is_private(int fd, const char **ret_reason) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_uid != geteuid()) {
                if (ret_reason)
                        *ret_reason = "belongs to another user";
                return -EPERM;
        }
        if (st.st_mode & 077) {
                if (ret_reason)
                        *ret_reason = "may be read by others (chmod 600 it)";
                return -EPERM;
        }
        return 0;
}
