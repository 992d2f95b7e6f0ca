/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "alloc-util.h"
#include "broker-socket.h"
#include "string-util.h"
#include "time-util.h"
#include "process-harden.h"
#include "wire-client.h"
#include "wire-errors.h"
#include "wire-json.h"

/* A daemon that is up accepts at once; one whose backlog stays full this long is better asked over D-Bus. */
#define WIRE_CONNECT_TIMEOUT_USEC (1ULL * USEC_PER_SEC)

int wire_connect(int *ret_fd) {
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
        } sa = { .un.sun_family = AF_UNIX };
        struct timeval tv = { .tv_sec = WIRE_CONNECT_TIMEOUT_USEC / USEC_PER_SEC };
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        struct ucred cred;
        socklen_t len = sizeof(cred);
        int r;

        r = broker_socket_path(BROKER_TOKEN_SOCKET_NAME, &path);
        if (r < 0)
                return r;
        if (strlen(path) >= sizeof(sa.un.sun_path))
                return -ENAMETOOLONG;
        strncpy(sa.un.sun_path, path, sizeof(sa.un.sun_path) - 1);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* A blocking connect to a full backlog waits at most this long; so does each send. */
        if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
                return -errno;
        if (connect(fd, &sa.sa, sizeof(sa.un)) < 0)
                return errno == EINPROGRESS ? -ETIMEDOUT : -errno;
        /* The token is to come from our own daemon, not from whoever bound the name. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return -errno;
        if (cred.uid != geteuid())
                return -EPERM;

        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int send_all(int fd, const char *buf, size_t size) {
        while (size > 0) {
                ssize_t n = send(fd, buf, size, MSG_NOSIGNAL);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? -ETIMEDOUT : -errno;
                }
                buf += n;
                size -= (size_t) n;
        }
        return 0;
}

/* Reads up to the NUL that ends one message. The buffer is wiped on every path (it holds a token): one byte
 * more than a message may have keeps it a string for erase_and_free(). */
#define WIRE_REPLY_START (4U * 1024U)

/* The answer has TIMEOUT to begin and as long again for the rest: the clock is read only when an answer
 * takes more than one read, which spares the usual call (one read) the first touch of the clock's pages. */
static int receive_message(int fd, usec_t timeout, json_object **ret) {
        _cleanup_erase_ char *buf = NULL;
        size_t size = 0, allocated = WIRE_REPLY_START;
        usec_t deadline = USEC_INFINITY;
        int r;

        /* Most answers are a token of a few hundred bytes to a few KiB: a buffer of the largest answer would
         * be an mmap() and munmap() in every call, and even 16 KiB touch pages that a short-lived front end
         * then faults in. It grows, by copies that leave no token behind, when an answer is longer. */
        buf = calloc(1, allocated + 1);
        if (!buf)
                return -ENOMEM;
        for (bool first = true;; first = false) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                usec_t wait = timeout;
                char *end;
                ssize_t n;

                if (!first) {
                        usec_t now = now_usec(CLOCK_MONOTONIC);

                        if (deadline == USEC_INFINITY)
                                deadline = now + timeout;
                        if (now >= deadline)
                                return -ETIMEDOUT;
                        wait = deadline - now;
                }
                r = poll(&p, 1, (int) ((wait + USEC_PER_MSEC - 1) / USEC_PER_MSEC));
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (r == 0)
                        return -ETIMEDOUT;

                if (size == allocated) {
                        size_t more = MIN(allocated * 4, (size_t) WIRE_REPLY_MAX);
                        char *bigger = calloc(1, more + 1);

                        if (!bigger)
                                return -ENOMEM;
                        memcpy(bigger, buf, size);
                        erase_and_free(buf);
                        buf = bigger;
                        allocated = more;
                }
                n = recv(fd, buf + size, allocated - size, 0);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -ECONNRESET;     /* the daemon went away before it answered */
                end = memchr(buf + size, 0, (size_t) n);
                size += (size_t) n;
                if (end) {
                        r = wire_message_parse(buf, (size_t) (end - buf), ret);
                        erase_buffer(buf, size);
                        return r;
                }
                if (size >= WIRE_REPLY_MAX)
                        return -EMSGSIZE;
        }
}

void wire_reply_done(WireReply *reply) {
        reply->root = wire_json_erase_and_put(reply->root);
        reply->parameters = NULL;
        reply->error = NULL;
}

int wire_call(int fd, const char *method, json_object *parameters, WireReply *ret) {
        return wire_call_timeout(fd, method, parameters, BROKER_CALL_TIMEOUT_USEC, ret);
}

int wire_call_timeout(int fd, const char *method, json_object *parameters, usec_t timeout, WireReply *ret) {
        _cleanup_json_erase_ json_object *request = NULL, *reply = NULL;
        _cleanup_erase_ char *text = NULL;
        json_object *p = NULL, *e = NULL;
        size_t size;
        int r;

        request = json_object_new_object();
        if (!request ||
            json_object_object_add(request, "method", json_object_new_string(method)) < 0 ||
            json_object_object_add(request, "parameters", json_object_get(parameters)) < 0)
                return -ENOMEM;
        r = wire_message_format(request, &text, &size);
        if (r < 0)
                return r;
        r = send_all(fd, text, size);
        if (r < 0)
                return r;

        r = receive_message(fd, timeout, &reply);
        if (r < 0)
                return r;
        /* The answer may carry a token; the daemon's checks of this process are done. */
        process_hold_secrets();

        if (json_object_object_get_ex(reply, "error", &e) && !json_object_is_type(e, json_type_string))
                return -EBADMSG;
        if (json_object_object_get_ex(reply, "parameters", &p)) {
                if (!json_object_is_type(p, json_type_object))
                        return -EBADMSG;
        } else {
                p = json_object_new_object();
                if (!p || json_object_object_add(reply, "parameters", p) < 0)
                        return -ENOMEM;
        }

        *ret = (WireReply) {
                .parameters = p,
                .error = e ? json_object_get_string(e) : NULL,
                .root = TAKE_PTR(reply),
        };
        return 0;
}

int wire_reply_errno(const WireReply *reply) {
        return broker_error_to_errno(reply->error);
}

const char *wire_reply_message(const WireReply *reply) {
        const char *m = NULL;

        if (wire_json_get_string(reply->parameters, "message", &m) <= 0 || isempty(m))
                return strerror(-wire_reply_errno(reply));
        return m;
}
