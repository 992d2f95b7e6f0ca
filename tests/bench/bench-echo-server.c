/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-echo-server PATH REPLY_FILE: the floor of a server on a UNIX socket speaking the token socket's
 * framing: one thread, epoll, each NUL-ended request answered at once with the same canned reply (a real
 * answer of the daemon, so that both write the same bytes). No JSON, no lookup, no checks: what the token
 * socket's throughput is compared with. Prints "ready" once it listens; runs until killed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_EVENTS 64

static char reply[256 * 1024];
static size_t reply_size;

static void serve(int fd) {
        char buf[65536];
        ssize_t k = read(fd, buf, sizeof(buf));

        if (k <= 0) {
                close(fd);
                return;
        }
        /* A client sends one request and waits for its answer: one NUL per read. */
        for (ssize_t i = 0; i < k; i++)
                if (buf[i] == 0) {
                        size_t done = 0;
                        while (done < reply_size) {
                                ssize_t w = write(fd, reply + done, reply_size - done);
                                if (w <= 0) {
                                        close(fd);
                                        return;
                                }
                                done += (size_t) w;
                        }
                }
}

int main(int argc, char *argv[]) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct epoll_event ev, events[MAX_EVENTS];
        int lfd, ep, rfd;
        ssize_t k;

        if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path))
                return 2;
        rfd = open(argv[2], O_RDONLY | O_CLOEXEC);
        if (rfd < 0 || (k = read(rfd, reply, sizeof(reply) - 1)) <= 0)
                return 2;
        close(rfd);
        reply_size = (size_t) k;
        if (reply[reply_size - 1] != 0)
                reply[reply_size++] = 0;

        strcpy(sa.sun_path, argv[1]);
        (void) unlink(argv[1]);
        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (lfd < 0 || bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(lfd, 128) < 0)
                return 1;
        ep = epoll_create1(EPOLL_CLOEXEC);
        ev = (struct epoll_event) { .events = EPOLLIN, .data.fd = lfd };
        if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
                return 1;
        puts("ready");
        fflush(stdout);

        for (;;) {
                int n = epoll_wait(ep, events, MAX_EVENTS, -1);

                for (int i = 0; i < n; i++) {
                        if (events[i].data.fd == lfd) {
                                int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                                if (c < 0)
                                        continue;
                                ev = (struct epoll_event) { .events = EPOLLIN, .data.fd = c };
                                if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) < 0)
                                        close(c);
                        } else
                                serve(events[i].data.fd);
                }
        }
}
