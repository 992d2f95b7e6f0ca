/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* Opens a file that is named in a configuration and read whole later (a CA bundle): only a regular file of
 * at most `max_size` bytes is accepted. A FIFO would block its reader, and /dev/zero or a huge file would
 * never end; either would freeze the daemon in the middle of a request. Nothing is read here.
 *
 * The file is opened O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_NOCTTY (symbolic links are followed: CA bundles are
 * often links) and checked with fstat(). Something that is no regular file is refused before it is opened
 * at all, since opening a device can have effects of its own.
 *
 * Returns 0 with the descriptor in *ret_fd (closed instead when ret_fd is NULL, for a check only), or:
 *   -ENOENT  "does not exist"
 *   -EISDIR  "is a directory"
 *   -EBADFD  "is not a regular file" (a FIFO, a device, a socket)
 *   -EFBIG   "is larger than the limit"
 *   or open()'s or stat()'s own -errno, "cannot be opened"
 * with *ret_reason (may be NULL) set to that static phrase on failure only. */
int open_regular_file_bounded(const char *path, uint64_t max_size, int *ret_fd, const char **ret_reason);

/* For a file that holds a private key: 0 when an open descriptor's file belongs to this uid and no one else
 * may read or write it (what ssh asks of a key); -EPERM with *ret_reason set otherwise. */
int fd_is_private(int fd, const char **ret_reason);
