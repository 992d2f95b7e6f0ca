/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Where a front end finds the daemon's sockets: $XDG_RUNTIME_DIR/tokenbroker/NAME (wire-api.h, bus-api.h).
 * Returns 0 with the path when it is a socket of ours; anything else there may be a trap laid by someone
 * else: -EPERM. -ENOENT without XDG_RUNTIME_DIR or socket. */
int broker_socket_path(const char *name, char **ret);
