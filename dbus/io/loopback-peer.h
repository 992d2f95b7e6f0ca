/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* The uid that owns the other end of the accepted loopback TCP connection `fd`: 0 with *ret, or -errno when it
 * cannot be told (then the connection is to be refused: a login's redirect is taken only from our own user). */
int loopback_peer_uid(int fd, uid_t *ret);
