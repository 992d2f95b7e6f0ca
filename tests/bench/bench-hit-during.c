/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-hit-during PATH ACCOUNT: one connection to the token socket PATH asking for ACCOUNT's cached token,
 * a request every millisecond, until its standard input ends; then prints how long the slowest answer took
 * (microseconds) and how many there were. Says "ready" on stderr once the first answer is in, so that the
 * bench starts what it measures during (a reload) only then. An answer that is not a token stops it. */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench-util.h"
#include "wire-api.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* One request and its answer; returns its time in microseconds, or 0 on failure. */
static uint64_t ask(int fd, const char *request, size_t size) {
        static char answer[WIRE_REPLY_MAX];
        uint64_t t0 = bench_now_usec();
        size_t got = 0;

        if (write(fd, request, size) != (ssize_t) size)
                return 0;
        for (;;) {
                ssize_t k = read(fd, answer + got, sizeof(answer) - got);
                if (k <= 0)
                        return 0;
                got += (size_t) k;
                if (answer[got - 1] == 0)
                        break;
                if (got == sizeof(answer))
                        return 0;
        }
        if (!memmem(answer, got, "\"token\":\"", 9)) {
                fprintf(stderr, "not a token: %.200s\n", answer);
                return 0;
        }
        return MAX(bench_now_usec() - t0, (uint64_t) 1);
}

int main(int argc, char *argv[]) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
        uint64_t slowest = 0;
        unsigned long count = 0;
        char request[512];
        int fd, n;

        if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "Usage: %s PATH ACCOUNT\n", argv[0]);
                return 2;
        }
        n = snprintf(request, sizeof(request), "{\"method\":\"%s\",\"parameters\":{\"account\":\"%s\"}}",
                     WIRE_METHOD_GET_TOKEN, argv[2]);
        if (n < 0 || (size_t) n >= sizeof(request))
                return 2;
        strcpy(sa.sun_path, argv[1]);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                perror("connect");
                return 1;
        }
        for (;;) {
                uint64_t t = ask(fd, request, (size_t) n + 1);
                char c;

                if (t == 0)
                        return 1;
                if (count++ == 0)
                        fprintf(stderr, "ready\n");
                else
                        slowest = MAX(slowest, t);
                /* A millisecond between requests; the end of stdin ends the run. */
                if (poll(&in, 1, 1) > 0 && read(STDIN_FILENO, &c, 1) <= 0)
                        break;
        }
        printf("%llu %lu\n", (unsigned long long) slowest, count - 1);
        return 0;
}
