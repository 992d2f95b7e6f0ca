/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The short path for front ends: $XDG_RUNTIME_DIR/tokenbroker/bus, a peer-to-peer D-Bus connection to the
 * same object the bus serves. A front end spared the bus daemon's hop and the Hello handshake answers in
 * about the time of a process spawn. Peers are checked with SO_PEERCRED when they connect: same uid only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "log.h"
#include "manager.h"
#include "runtime-socket.h"
#include "string-util.h"

static sd_id128_t server_id(void) {
        static sd_id128_t id = SD_ID128_NULL;

        if (sd_id128_is_null(id))
                (void) sd_id128_randomize(&id);
        return id;
}

static int on_peer_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        sd_bus *peer = sd_bus_message_get_bus(msg);

        if (g_hash_table_remove(m->peers, peer)) {
                /* Closing from within its own callback is fine; the last reference goes with the message. */
                sd_bus_close(peer);
                sd_bus_unref(peer);
        }
        return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        _cleanup_close_ int cfd = -1;
        struct ucred cred;
        sd_bus *peer = NULL;
        int r;

        cfd = runtime_socket_accept(fd, "private", &cred);
        if (cfd < 0)
                return 0;
        if (cred.uid != geteuid()) {
                log_warning("Refused a private-socket connection from uid %u.", (unsigned) cred.uid);
                return 0;
        }

        r = sd_bus_new(&peer);
        if (r < 0)
                return 0;
        r = sd_bus_set_fd(peer, cfd, cfd);
        if (r < 0)
                goto fail;
        TAKE_FD(cfd);
        r = sd_bus_set_server(peer, 1, server_id());
        if (r < 0)
                goto fail;
        r = manager_add_object(m, peer);
        if (r < 0)
                goto fail;
        r = sd_bus_match_signal(peer, NULL, NULL, "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
                                "Disconnected", on_peer_disconnected, m);
        if (r < 0)
                goto fail;
        r = sd_bus_attach_event(peer, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                goto fail;
        r = sd_bus_start(peer);
        if (r < 0)
                goto fail;

        g_hash_table_add(m->peers, peer);
        return 0;
fail:
        log_warning_errno(r, "Failed to set up a private-socket connection, ignoring: %m");
        sd_bus_flush_close_unref(peer);
        return 0;
}

int manager_listen_private(Manager *m) {
        _cleanup_close_ int fd = -1;
        int r, n;

        n = sd_listen_fds(1);
        if (n > 1)
                return log_error_errno(EINVAL, "Expected at most one socket from systemd, got %d.", n);
        if (n == 1)
                fd = SD_LISTEN_FDS_START;       /* tokenbrokerd.socket holds it open from session start */
        else {
                r = runtime_socket_listen(BROKER_SOCKET_NAME, &m->socket_path, &fd);
                if (r < 0)
                        return r;
                if (fd < 0) {
                        log_info("No XDG_RUNTIME_DIR: serving on the session bus only.");
                        return 0;
                }
        }

        r = sd_event_add_io(m->event, &m->listen_source, fd, EPOLLIN, on_accept, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the private socket: %m");
        (void) sd_event_source_set_description(m->listen_source, "private-socket");
        /* A socket from systemd has no socket_path: systemd owns the path, which is not unlinked on exit. */
        m->listen_fd = TAKE_FD(fd);
        log_debug("Serving front ends on %s.", m->socket_path ?: "the socket from systemd");
        return 0;
}
