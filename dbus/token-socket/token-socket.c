/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The token socket: listening, connections and framing (NUL-terminated JSON messages, wire-api.h). A front
 * end connects, sends one request and reads one answer; the checks and the answers are
 * token-socket-methods.c's. Peers of another uid may connect (the directory is 0700, but a socket can be
 * handed on): every request checks the SO_PEERCRED taken here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alloc-util.h"
#include "idle-exit.h"
#include "log.h"
#include "runtime-socket.h"
#include "string-util.h"
#include "time-util.h"
#include "token-socket.h"
#include "wire-errors.h"
#include "wire-json.h"

/* The input buffer starts small and grows to WIRE_MESSAGE_MAX: most requests are a hundred bytes. */
#define INPUT_CHUNK 1024U
/* Ready connections taken per epoll_wait() of the token epoll set; more are taken in the next iteration. */
#define READY_BATCH 64

/* Out of the token epoll set: before its fd is closed, and while nothing is to be waited for on it (epoll
 * reports a hang-up whatever it is asked for, again and again). */
static void conn_unwatch(TokenConn *c) {
        if (c->events == 0)
                return;
        if (c->fd >= 0)
                (void) epoll_ctl(c->manager->token_epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
        c->manager->n_token_watched--;
        if (c->manager->token_lone == c)
                c->manager->token_lone = NULL;
        c->events = 0;
}

static TokenConn *conn_free(TokenConn *c) {
        conn_unwatch(c);
        sd_event_source_disable_unref(c->idle_source);
        sd_event_source_disable_unref(c->defer_source);
        if (c->fd >= 0)
                (void) close(c->fd);
        erase_buffer(c->in, c->in_allocated);
        free(c->in);
        erase_buffer(c->out, c->out_size);
        free(c->out);
        free(c->pending_account);
        free(c);
        return NULL;
}

TokenConn *token_conn_ref(TokenConn *c) {
        c->n_ref++;
        return c;
}

TokenConn *token_conn_unref(TokenConn *c) {
        if (!c || --c->n_ref > 0)
                return NULL;
        return conn_free(c);
}

/* Stops everything but the references: the peer is gone or was dropped. */
static void conn_close(TokenConn *c) {
        if (c->closed)
                return;
        c->closed = true;
        conn_unwatch(c);
        c->idle_source = sd_event_source_disable_unref(c->idle_source);
        c->defer_source = sd_event_source_disable_unref(c->defer_source);
        if (c->fd >= 0)
                (void) close(c->fd);
        c->fd = -1;
        if (g_hash_table_remove(c->manager->token_conns, c))
                token_conn_unref(c);
}

static void conn_update_events(TokenConn *c) {
        struct epoll_event ev;
        uint32_t events = 0;

        if (c->closed)
                return;
        if (c->out_done < c->out_size)
                events |= EPOLLOUT;
        /* Nothing is read while a request waits, or while its answer is not read yet: a peer that sends
         * requests without reading the answers holds one answer here, not all of them. A peer that hangs up
         * meanwhile is noticed when its answer cannot be written. */
        else if (!c->busy && !c->eof && !c->close_when_sent && c->in_size < WIRE_MESSAGE_MAX)
                events |= EPOLLIN;
        if (events == c->events)
                return;         /* the usual case: waiting for the next request, as before this one */
        if (events == 0) {
                conn_unwatch(c);
                return;
        }
        ev = (struct epoll_event) { .events = events, .data.ptr = c };
        if (epoll_ctl(c->manager->token_epoll_fd, c->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &ev) < 0) {
                log_warning_errno(errno, "Token socket: cannot watch a connection, closing it: %m");
                conn_close(c);
                return;
        }
        if (c->events == 0)
                c->manager->n_token_watched++;
        c->events = events;
}

static void conn_flush(TokenConn *c) {
        while (!c->closed && c->out_done < c->out_size) {
                ssize_t n = send(c->fd, c->out + c->out_done, c->out_size - c->out_done,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN) {
                                log_debug_errno(errno, "Token socket: cannot write an answer, closing: %m");
                                conn_close(c);
                        }
                        return;
                }
                c->out_done += (size_t) n;
        }
        if (c->closed)
                return;
        erase_buffer(c->out, c->out_size);
        free(c->out);
        c->out = NULL;
        c->out_size = c->out_done = 0;
        if (c->close_when_sent)
                conn_close(c);
}

/* Queues one message (taken) and writes what the peer takes now. */
static void conn_send(TokenConn *c, json_object *message) {
        _cleanup_json_erase_ json_object *m = message;
        _cleanup_erase_ char *text = NULL;
        char *buf;
        size_t size, pending;
        int r;

        if (c->closed)
                return;
        r = m ? wire_message_format(m, &text, &size) : -ENOMEM;
        if (r < 0) {
                log_warning_errno(r, "Token socket: cannot format an answer, closing: %m");
                conn_close(c);
                return;
        }

        /* After an answer the peer has not read yet (a framing error answered while one was pending). */
        pending = c->out_size - c->out_done;
        if (pending + size > WIRE_REPLY_MAX) {
                log_warning("Token socket: an answer of %zu bytes after %zu unread ones is too much, closing.",
                            size, pending);
                conn_close(c);
                return;
        }
        if (pending == 0)
                buf = TAKE_PTR(text);   /* the usual case: the formatted text is the buffer, not a copy */
        else {
                buf = malloc(pending + size);
                if (!buf) {
                        conn_close(c);
                        return;
                }
                memcpy(buf, c->out + c->out_done, pending);
                memcpy(buf + pending, text, size);
        }
        erase_buffer(c->out, c->out_size);
        free(c->out);
        c->out = buf;
        c->out_size = pending + size;
        c->out_done = 0;
        conn_flush(c);
}

/* An answer went out: the next request may be taken, and the peer has another idle period to send it. */
static void conn_answered(TokenConn *c) {
        c->busy = false;
        c->pending_method = NULL;
        c->pending_tool = NULL;
        free(c->pending_account);
        c->pending_account = NULL;
        if (c->closed)
                return;
        /* The idle timer stays where it is and looks at this time when it fires (on_idle()): moving it for
         * every answer would cost a timerfd_settime() each. */
        c->last_active_usec = now_usec(CLOCK_MONOTONIC);
        /* A request that came in while this one waited is in the buffer already, and no EPOLLIN will say
         * so; nor will one about an end of input seen meanwhile. Otherwise the next request wakes us. */
        if (c->in_size > 0 || c->eof)
                (void) sd_event_source_set_enabled(c->defer_source, SD_EVENT_ONESHOT);
        conn_update_events(c);
}

void token_conn_reply(TokenConn *c, json_object *parameters) {
        _cleanup_json_erase_ json_object *p = parameters;
        json_object *m;

        if (!p) {
                token_conn_reply_error(c, -ENOMEM, NULL, NULL);
                return;
        }
        m = json_object_new_object();
        if (m && json_object_object_add(m, "parameters", TAKE_PTR(p)) < 0)
                m = wire_json_erase_and_put(m);
        conn_send(c, m);
        conn_answered(c);
}

void token_conn_reply_error(TokenConn *c, int error, const char *message, const char *account) {
        char buf[BROKER_ERROR_NAME_MAX];
        int code = ERRNO_VALUE(error);
        json_object *m, *p;

        /* The one place where the token socket turns the engine's -errno into its error name. */
        m = wire_error_new(broker_error_name(code, buf), !isempty(message) ? message : strerror(code));
        if (m && account && (!json_object_object_get_ex(m, "parameters", &p) ||
                             json_object_object_add(p, "account", json_object_new_string(account)) < 0))
                m = wire_json_erase_and_put(m);
        conn_send(c, m);
        conn_answered(c);
}

void token_conn_wait(TokenConn *c) {
        c->busy = true;
}

/* The peer broke the framing: it is told so, and the connection ends there. */
static void conn_refuse(TokenConn *c, const char *message) {
        c->close_when_sent = true;
        token_conn_reply_error(c, -EINVAL, message, NULL);
}

static void conn_read(TokenConn *c) {
        ssize_t n;

        if (c->in_size >= WIRE_MESSAGE_MAX)
                return;         /* full: conn_process() refuses the request */
        if (c->in_size == c->in_allocated) {
                size_t size = MIN(MAX(c->in_allocated * 2, (size_t) INPUT_CHUNK), (size_t) WIRE_MESSAGE_MAX);
                char *buf = malloc(size);

                if (!buf) {
                        conn_close(c);
                        return;
                }
                if (c->in_size > 0)
                        memcpy(buf, c->in, c->in_size);
                erase_buffer(c->in, c->in_size);
                free(c->in);
                c->in = buf;
                c->in_allocated = size;
        }

        n = recv(c->fd, c->in + c->in_size, c->in_allocated - c->in_size, MSG_DONTWAIT);
        if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        conn_close(c);
                return;
        }
        if (n == 0)
                c->eof = true;
        c->in_size += (size_t) n;
}

/* Takes the requests that arrived completely, one at a time. */
static void conn_process(TokenConn *c) {
        while (!c->closed && !c->busy && !c->close_when_sent && c->out_done >= c->out_size) {
                _cleanup_json_erase_ json_object *request = NULL;
                char *end = c->in ? memchr(c->in, 0, c->in_size) : NULL;
                size_t n;
                int r;

                if (!end) {
                        if (c->in_size >= WIRE_MESSAGE_MAX)
                                conn_refuse(c, "Request too large: a message is at most 64 KiB.");
                        else if (c->eof && c->out_done >= c->out_size)
                                conn_close(c);  /* done, or a request cut short: nothing to answer */
                        else if (c->eof)
                                c->close_when_sent = true;
                        break;
                }

                n = (size_t) (end - c->in);
                r = wire_message_parse(c->in, n, &request);
                /* The request leaves the buffer, and its bytes are wiped: it may carry a token. */
                memmove(c->in, end + 1, c->in_size - n - 1);
                erase_buffer(c->in + c->in_size - n - 1, n + 1);
                c->in_size -= n + 1;
                if (r < 0) {
                        conn_refuse(c, "Malformed request: not one JSON object.");
                        break;
                }

                c->busy = true;
                c->last_active_usec = now_usec(CLOCK_MONOTONIC);
                manager_note_activity(c->manager);
                token_socket_dispatch(c, request);
        }
        conn_update_events(c);
}

static void conn_io(TokenConn *c, uint32_t revents) {
        if (c->closed)
                return;         /* closed while another of the batch was served (an answer to it, which serving
                                 * that one completed, could not be written) */
        if (revents & (EPOLLOUT | EPOLLERR))
                conn_flush(c);
        if (!c->closed && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                conn_read(c);
        conn_process(c);
}

/* Every connection's readiness at once. The loop dispatches one source per iteration and polls again before
 * the next, so with a source of its own each connection would cost an epoll_wait() per request under load;
 * here one takes up to READY_BATCH of them, as a plain epoll server does. */
static int on_ready(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        struct epoll_event ev[READY_BATCH];
        int n;

        /* With one connection in the set, the set's readiness is that connection's: a lone client (a script
         * asking again and again, a launcher's hang-up) is served without asking the set which one is
         * ready. The connection is offered what it waits for; a read or write that finds nothing to do
         * returns EAGAIN, and the set stops being ready once the kernel re-checks it. */
        if (m->n_token_watched == 1 && m->token_lone) {
                TokenConn *c = token_conn_ref(m->token_lone);

                conn_io(c, c->events);
                token_conn_unref(c);
                return 0;
        }

        n = epoll_wait(fd, ev, READY_BATCH, 0);
        if (n < 0) {
                if (errno != EINTR)
                        log_warning_errno(errno, "Token socket: cannot poll its connections: %m");
                return 0;
        }
        if (n == 1)
                m->token_lone = ev[0].data.ptr;     /* cleared when it leaves the set */
        /* Serving one may close another: each stays allocated until the whole batch is done. */
        for (int i = 0; i < n; i++)
                token_conn_ref(ev[i].data.ptr);
        for (int i = 0; i < n; i++)
                conn_io(ev[i].data.ptr, ev[i].events);
        for (int i = 0; i < n; i++)
                token_conn_unref(ev[i].data.ptr);
        return 0;
}

static int on_defer(sd_event_source *s, void *userdata) {
        TokenConn *c = token_conn_ref(userdata);

        conn_process(c);
        token_conn_unref(c);
        return 0;
}

static int on_idle(sd_event_source *s, uint64_t usec, void *userdata) {
        TokenConn *c = userdata;

        /* A request waiting for a token fetch is no idleness: the fetch has time-outs of its own. */
        if (c->busy) {
                (void) sd_event_source_set_time_relative(s, WIRE_IDLE_TIMEOUT_USEC);
                (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
                return 0;
        }
        /* Answered since the timer was set: idle since that answer, not since then. */
        if (c->last_active_usec + WIRE_IDLE_TIMEOUT_USEC > usec) {
                (void) sd_event_source_set_time(s, c->last_active_usec + WIRE_IDLE_TIMEOUT_USEC);
                (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
                return 0;
        }
        log_debug("Token socket: closing a connection of pid %d idle for %llu s.", (int) c->caller.pid,
                  (unsigned long long) (WIRE_IDLE_TIMEOUT_USEC / USEC_PER_SEC));
        conn_close(c);
        return 0;
}

/* At the cap, the connection idle longest makes room, one waiting for a token fetch never: 0 when room was
 * made. Every connection is closed after WIRE_IDLE_TIMEOUT_USEC anyway; this is for a flood within that. */
static int make_room(Manager *m) {
        TokenConn *oldest = NULL, *c;
        GHashTableIter i;

        g_hash_table_iter_init(&i, m->token_conns);
        while (g_hash_table_iter_next(&i, (void **) &c, NULL))
                if (!c->busy && (!oldest || c->last_active_usec < oldest->last_active_usec))
                        oldest = c;
        if (!oldest)
                return -EBUSY;
        log_debug("Token socket: closing the connection of pid %d, idle longest, to make room.",
                  (int) oldest->caller.pid);
        conn_close(oldest);
        return 0;
}

static int socket_check_user(const Caller *c, Failure *f) {
        const SocketCaller *s = (const SocketCaller *) c;
        char who[32];

        (void) snprintf(who, sizeof(who), "pid %d", (int) s->pid);
        return caller_check_uid(s->uid, who, f);
}

static char *socket_executable(const Caller *c) {
        const SocketCaller *s = (const SocketCaller *) c;
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *exe = NULL;

        /* sd-bus reads /proc/PID/exe as it does for a bus caller, so both transports see the same path. */
        if (sd_bus_creds_new_from_pid(&creds, s->pid, SD_BUS_CREDS_EXE | SD_BUS_CREDS_PID) < 0 ||
            sd_bus_creds_get_exe(creds, &exe) < 0)
                return NULL;
        return strdup(exe);
}

static const CallerOps socket_caller_ops = {
        .check_user = socket_check_user,
        .executable = socket_executable,
};

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        _cleanup_close_ int cfd = -1;
        struct ucred cred;
        TokenConn *c;
        int r;

        cfd = runtime_socket_accept(fd, "token", &cred);
        if (cfd < 0) {
                if (cfd != -EAGAIN && cfd != -EINTR)
                        accept_throttle_refused(&m->token_throttle, m->event, cfd);
                return 0;
        }
        if (g_hash_table_size(m->token_conns) >= m->token_conns_max && make_room(m) < 0) {
                accept_throttle_refused(&m->token_throttle, m->event, -EBUSY);
                return 0;
        }

        c = calloc(1, sizeof(*c));
        if (!c) {
                log_oom();
                return 0;
        }
        *c = (TokenConn) {
                .n_ref = 1,
                .manager = m,
                .caller = { .caller.ops = &socket_caller_ops, .uid = cred.uid, .pid = cred.pid },
                .fd = TAKE_FD(cfd),
                .last_active_usec = now_usec(CLOCK_MONOTONIC),
        };
        r = sd_event_add_time_relative(m->event, &c->idle_source, CLOCK_MONOTONIC, WIRE_IDLE_TIMEOUT_USEC,
                                       USEC_PER_SEC / 10, on_idle, c);
        if (r >= 0)
                r = sd_event_add_defer(m->event, &c->defer_source, on_defer, c);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->defer_source, SD_EVENT_OFF);
        if (r < 0) {
                log_warning_errno(r, "Failed to set up a token-socket connection, ignoring: %m");
                conn_free(c);
                return 0;
        }
        g_hash_table_add(m->token_conns, c);
        conn_update_events(c);  /* into the token epoll set, waiting for its first request */
        return 0;
}

void token_socket_close_all(Manager *m) {
        GList *l;

        if (!m->token_conns)
                return;
        l = g_hash_table_get_keys(m->token_conns);
        for (GList *i = l; i; i = i->next)
                conn_close(i->data);
        g_list_free(l);
}

int manager_listen_token(Manager *m) {
        _cleanup_close_ int fd = -1;
        int r;

        r = runtime_socket_listen(BROKER_TOKEN_SOCKET_NAME, &m->token_socket_path, &fd);
        if (r < 0 || fd < 0)
                return r;       /* without XDG_RUNTIME_DIR: logged for the private socket already */

        m->token_epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (m->token_epoll_fd < 0)
                return log_error_errno(errno, "Failed to create the token socket's epoll set: %m");
        r = sd_event_add_io(m->event, &m->token_epoll_source, m->token_epoll_fd, EPOLLIN, on_ready, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the token socket's connections: %m");
        (void) sd_event_source_set_description(m->token_epoll_source, "token-connections");

        r = sd_event_add_io(m->event, &m->token_listen_source, fd, EPOLLIN, on_accept, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the token socket: %m");
        (void) sd_event_source_set_description(m->token_listen_source, "token-socket");
        m->token_throttle = (AcceptThrottle) { .what = "token", .listen_source = m->token_listen_source };
        m->token_listen_fd = TAKE_FD(fd);
        log_debug("Serving tokens on %s (at most %u connections).", m->token_socket_path, m->token_conns_max);
        return 0;
}
