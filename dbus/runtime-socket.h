/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>

/* The daemon's sockets for front ends, side by side in $XDG_RUNTIME_DIR/tokenbroker: the private D-Bus
 * socket (private-socket.c) and the token socket (token-socket.c). */

#define RUNTIME_LOCK_NAME "lock"

/* Takes $XDG_RUNTIME_DIR/tokenbroker/lock (flock) before any socket there is touched: a second daemon must
 * not replace the sockets of a running one. 0 with the locked fd (held for the process's life), 0 with
 * *ret_fd = -1 when there is no XDG_RUNTIME_DIR, -EBUSY when another daemon holds it, or -errno (all
 * logged). */
int runtime_dir_lock(int *ret_fd);

/* Listens on $XDG_RUNTIME_DIR/tokenbroker/NAME: the directory is created 0700 when missing and refused when
 * it is not ours alone, a stale socket is replaced (the caller holds the lock), the new one is made 0600.
 * Returns 0 with the path and a non-blocking listening socket, 0 with *ret_fd = -1 when there is no
 * XDG_RUNTIME_DIR, or -errno (logged). */
int runtime_socket_listen(const char *name, char **ret_path, int *ret_fd);

/* Accepts one connection (non-blocking) on the listening socket `fd` of the `what` socket, with its peer's
 * SO_PEERCRED in *ret_cred. -errno when there is none to take, or it failed (logged). */
int runtime_socket_accept(int fd, const char *what, struct ucred *ret_cred);

/* File descriptors are a budget: connections from front ends (which any process of the user can open by the
 * thousand) may take only part of RLIMIT_NOFILE, so that the keyring worker (GLib makes pipes for every
 * call), libcurl (at most HTTP_MAX_CONNECTIONS sockets), the bus, account files and logins always find one.
 * What the two sockets may hold at once, from the soft limit. */
#define RUNTIME_FD_RESERVE 256U
void runtime_socket_limits(unsigned *ret_token_conns, unsigned *ret_private_peers);

/* When accept() fails for want of file descriptors, the listener is switched off for a moment instead of
 * being woken again at once by the connection still waiting (a busy loop), and the condition is logged once
 * per period with a count, not once per refused connection. */
typedef struct AcceptThrottle {
        const char *what;
        sd_event_source *listen_source;         /* borrowed */
        sd_event_source *resume_timer;
        uint64_t logged_usec;                   /* CLOCK_MONOTONIC of the last log line */
        unsigned refused;                       /* connections refused since then */
} AcceptThrottle;

/* accept() failed with `error` (-EMFILE, -ENFILE, ...) or a connection was refused at the cap: pause the
 * listener (for fd exhaustion) and log at most once per period. */
void accept_throttle_refused(AcceptThrottle *t, sd_event *event, int error);
void accept_throttle_done(AcceptThrottle *t);
