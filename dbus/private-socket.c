/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The short path for front ends: $XDG_RUNTIME_DIR/tokenbroker/bus, a peer-to-peer D-Bus connection to the
 * same object the bus serves. A front end spared the bus daemon's hop and the Hello handshake answers in
 * about the time of a process spawn. Peers are checked with SO_PEERCRED when they connect: same uid only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "log.h"
#include "manager.h"
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
        socklen_t len = sizeof(cred);
        sd_bus *peer = NULL;
        int r;

        cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (cfd < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        log_warning_errno(errno, "Failed to accept a connection on the private socket, ignoring: %m");
                return 0;
        }
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != geteuid()) {
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
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
        } sa = { .un.sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        const char *runtime;
        struct stat st;
        int r, n;

        n = sd_listen_fds(1);
        if (n > 1)
                return log_error_errno(EINVAL, "Expected at most one socket from systemd, got %d.", n);
        if (n == 1)
                fd = SD_LISTEN_FDS_START;       /* tokenbrokerd.socket holds it open from session start */
        else {
                runtime = secure_getenv("XDG_RUNTIME_DIR");
                if (isempty(runtime) || runtime[0] != '/') {
                        log_info("No XDG_RUNTIME_DIR: serving on the session bus only.");
                        return 0;
                }
                m->socket_dir = strjoin(runtime, "/" BROKER_RUNTIME_SUBDIR);
                m->socket_path = strjoin(runtime, "/" BROKER_RUNTIME_SUBDIR "/" BROKER_SOCKET_NAME);
                if (!m->socket_dir || !m->socket_path)
                        return log_oom();
                if (strlen(m->socket_path) >= sizeof(sa.un.sun_path))
                        return log_error_errno(ENAMETOOLONG, "Socket path %s is too long.", m->socket_path);

                if (mkdir(m->socket_dir, 0700) < 0 && errno != EEXIST)
                        return log_error_errno(errno, "Failed to create %s: %m", m->socket_dir);
                /* Refuse a directory someone else made for us to use. */
                if (lstat(m->socket_dir, &st) < 0)
                        return log_error_errno(errno, "Failed to stat %s: %m", m->socket_dir);
                if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0077))
                        return log_error_errno(EPERM, "%s is not a private directory of ours.", m->socket_dir);

                fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (fd < 0)
                        return log_error_errno(errno, "Failed to create the private socket: %m");
                strncpy(sa.un.sun_path, m->socket_path, sizeof(sa.un.sun_path) - 1);
                (void) unlink(m->socket_path);
                if (bind(fd, &sa.sa, sizeof(sa.un)) < 0)
                        return log_error_errno(errno, "Failed to bind %s: %m", m->socket_path);
                if (chmod(m->socket_path, 0600) < 0)
                        return log_error_errno(errno, "Failed to chmod %s: %m", m->socket_path);
                if (listen(fd, SOMAXCONN) < 0)
                        return log_error_errno(errno, "Failed to listen on %s: %m", m->socket_path);
        }

        r = sd_event_add_io(m->event, &m->listen_source, fd, EPOLLIN, on_accept, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the private socket: %m");
        (void) sd_event_source_set_description(m->listen_source, "private-socket");
        m->listen_fd = TAKE_FD(fd);
        if (n == 1) {
                /* systemd owns the path; do not unlink it on exit. */
                free(m->socket_path);
                m->socket_path = NULL;
        }
        log_debug("Serving front ends on %s.", m->socket_path ?: "the socket from systemd");
        return 0;
}
