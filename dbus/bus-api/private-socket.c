/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The short path for front ends: $XDG_RUNTIME_DIR/tokenbroker/bus, a peer-to-peer D-Bus connection to the
 * same object the bus serves. A front end spared the bus daemon's hop and the Hello handshake answers in
 * about the time of a process spawn. Peers are checked with SO_PEERCRED when they connect: same uid only.
 *
 * Any process of the user can open connections here by the thousand, so they are bounded: at most
 * m->private_peers_max at once (the one idle longest makes room for a new one), closed after
 * PEER_IDLE_TIMEOUT_USEC without a call (unless a login they started is still running: `tokenbroker login`
 * waits for its LoginFinished signal in silence), and closed when they let answers pile up unread. */
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
#include "idle-exit.h"
#include "log.h"
#include "manager.h"
#include "private-socket.h"
#include "runtime-socket.h"
#include "string-util.h"
#include "time-util.h"

#define PEER_IDLE_TIMEOUT_USEC (15ULL * USEC_PER_SEC)
/* Answers a peer has not read yet: a front end reads each answer before its next call. */
#define PEER_WRITE_QUEUE_MAX 64U

struct PrivatePeer {
        Manager *manager;
        sd_bus *bus;
        sd_event_source *idle_timer;
        uint64_t last_active_usec;      /* CLOCK_MONOTONIC of its last call */
        char *login_account;            /* the account of the login it began, if any */
};

static sd_id128_t server_id(void) {
        static sd_id128_t id = SD_ID128_NULL;

        if (sd_id128_is_null(id))
                (void) sd_id128_randomize(&id);
        return id;
}

void private_peer_free(PrivatePeer *p) {
        if (!p)
                return;
        sd_event_source_disable_unref(p->idle_timer);
        /* No flush: a peer that reads nothing would block the event loop in it. */
        sd_bus_close_unref(p->bus);
        free(p->login_account);
        free(p);
}

/* Closing from within one of its own callbacks is fine: sd-bus holds a reference while it dispatches. */
static void peer_drop(PrivatePeer *p, const char *why) {
        Manager *m = p->manager;

        if (why)
                log_debug("Private socket: closing a peer connection: %s.", why);
        /* The table's value destructor frees the peer; a message being dispatched keeps its bus alive. */
        g_hash_table_remove(m->peers, p->bus);
}

static bool peer_in_login(const PrivatePeer *p) {
        return p->login_account && p->manager->engine.logins && g_hash_table_contains(p->manager->engine.logins, p->login_account);
}

static int on_peer_idle(sd_event_source *s, uint64_t usec, void *userdata) {
        PrivatePeer *p = userdata;
        uint64_t now = now_usec(CLOCK_MONOTONIC);

        if (peer_in_login(p) || now - p->last_active_usec < PEER_IDLE_TIMEOUT_USEC) {
                (void) sd_event_source_set_time(s, MAX(p->last_active_usec, now - PEER_IDLE_TIMEOUT_USEC / 2) +
                                                           PEER_IDLE_TIMEOUT_USEC);
                return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        }
        peer_drop(p, "idle");
        return 0;
}

static int on_peer_message(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        PrivatePeer *p = userdata;
        uint64_t queued = 0;
        uint8_t type;

        if (sd_bus_message_get_type(msg, &type) < 0 || type != SD_BUS_MESSAGE_METHOD_CALL)
                return 0;
        p->last_active_usec = now_usec(CLOCK_MONOTONIC);
        manager_note_activity(p->manager);
        /* A peer that sends calls without reading the answers would make us hold them all. */
        if (sd_bus_get_n_queued_write(p->bus, &queued) >= 0 && queued > PEER_WRITE_QUEUE_MAX) {
                log_warning("Private socket: closing a peer that left %llu answers unread.",
                            (unsigned long long) queued);
                peer_drop(p, NULL);
                return 1;       /* not dispatched */
        }
        return 0;
}

static int on_peer_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        peer_drop(userdata, NULL);
        return 0;
}

/* At the cap, the peer idle longest goes, unless it is waiting for a login: 0 when room was made. */
static int make_room(Manager *m) {
        PrivatePeer *oldest = NULL, *p;
        GHashTableIter i;

        g_hash_table_iter_init(&i, m->peers);
        while (g_hash_table_iter_next(&i, NULL, (void **) &p))
                if (!peer_in_login(p) && (!oldest || p->last_active_usec < oldest->last_active_usec))
                        oldest = p;
        if (!oldest)
                return -EBUSY;
        peer_drop(oldest, "making room for a new connection");
        return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        _cleanup_close_ int cfd = -1;
        struct ucred cred;
        PrivatePeer *p = NULL;
        int r;

        cfd = runtime_socket_accept(fd, "private", &cred);
        if (cfd < 0) {
                if (cfd != -EAGAIN && cfd != -EINTR)
                        accept_throttle_refused(&m->private_throttle, m->event, cfd);
                return 0;
        }
        if (cred.uid != geteuid()) {
                log_warning("Refused a private-socket connection from uid %u.", (unsigned) cred.uid);
                return 0;
        }
        if (g_hash_table_size(m->peers) >= m->private_peers_max && make_room(m) < 0) {
                accept_throttle_refused(&m->private_throttle, m->event, -EBUSY);
                return 0;
        }

        p = calloc(1, sizeof(*p));
        if (!p)
                return 0;
        p->manager = m;
        p->last_active_usec = now_usec(CLOCK_MONOTONIC);
        r = sd_bus_new(&p->bus);
        if (r < 0)
                goto fail;
        r = sd_bus_set_fd(p->bus, cfd, cfd);
        if (r < 0)
                goto fail;
        TAKE_FD(cfd);
        r = sd_bus_set_server(p->bus, 1, server_id());
        if (r < 0)
                goto fail;
        r = manager_add_object(m, p->bus);
        if (r < 0)
                goto fail;
        r = sd_bus_add_filter(p->bus, NULL, on_peer_message, p);
        if (r < 0)
                goto fail;
        r = sd_bus_match_signal(p->bus, NULL, NULL, "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
                                "Disconnected", on_peer_disconnected, p);
        if (r < 0)
                goto fail;
        r = sd_event_add_time_relative(m->event, &p->idle_timer, CLOCK_MONOTONIC, PEER_IDLE_TIMEOUT_USEC,
                                       USEC_PER_SEC, on_peer_idle, p);
        if (r < 0)
                goto fail;
        r = sd_bus_attach_event(p->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                goto fail;
        r = sd_bus_start(p->bus);
        if (r < 0)
                goto fail;

        g_hash_table_insert(m->peers, p->bus, p);
        return 0;
fail:
        log_warning_errno(r, "Failed to set up a private-socket connection, ignoring: %m");
        private_peer_free(p);
        return 0;
}

void private_peer_note_login(Manager *m, sd_bus_message *msg, const char *account) {
        PrivatePeer *p = g_hash_table_lookup(m->peers, sd_bus_message_get_bus(msg));

        if (!p)
                return;
        free(p->login_account);
        p->login_account = strdup(account);
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
        m->private_throttle = (AcceptThrottle) { .what = "private", .listen_source = m->listen_source };
        /* A socket from systemd has no socket_path: systemd owns the path, which is not unlinked on exit. */
        m->listen_fd = TAKE_FD(fd);
        log_debug("Serving front ends on %s (at most %u connections).", m->socket_path ?: "the socket from systemd",
                  m->private_peers_max);
        return 0;
}
