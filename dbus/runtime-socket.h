/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/socket.h>

/* The daemon's sockets for front ends, side by side in $XDG_RUNTIME_DIR/tokenbroker: the private D-Bus
 * socket (private-socket.c) and the token socket (token-socket.c).
 *
 * Listens on $XDG_RUNTIME_DIR/tokenbroker/NAME: the directory is created 0700 when missing and refused when
 * it is not ours alone, a stale socket is replaced, the new one is made 0600. Returns 0 with the path and a
 * non-blocking listening socket, 0 with *ret_fd = -1 when there is no XDG_RUNTIME_DIR, or -errno
 * (logged). */
int runtime_socket_listen(const char *name, char **ret_path, int *ret_fd);

/* Accepts one connection (non-blocking) on the listening socket `fd` of the `what` socket, with its peer's
 * SO_PEERCRED in *ret_cred. -errno when there is none to take, or it failed (logged). */
int runtime_socket_accept(int fd, const char *what, struct ucred *ret_cred);
