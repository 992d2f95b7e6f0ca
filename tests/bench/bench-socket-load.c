/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-socket-load PATH ACCOUNT CLIENTS MSEC: CLIENTS processes, each with one connection to the UNIX socket
 * PATH, send GetToken requests for ACCOUNT one after another (the next once the last answer is read, as the
 * token socket takes them) for MSEC milliseconds. Prints the calls per second of all together. An answer
 * that is not a token (the daemon's) or the canned one (bench-echo-server's) stops the run: errors must
 * never pass for fast answers. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "wire-api.h"

/* One client: returns the number of answers, or -1. */
static long client(const char *path, const char *account, uint64_t until) {
        static char answer[WIRE_REPLY_MAX];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char request[512];
        long calls = 0;
        int fd, n;

        n = snprintf(request, sizeof(request), "{\"method\":\"%s\",\"parameters\":{\"account\":\"%s\"}}",
                     WIRE_METHOD_GET_TOKEN, account);
        if (n < 0 || (size_t) n >= sizeof(request) || strlen(path) >= sizeof(sa.sun_path))
                return -1;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -1;
        while (bench_now_usec() < until) {
                size_t size = 0;

                if (write(fd, request, (size_t) n + 1) != n + 1)
                        return -1;
                for (;;) {
                        ssize_t k = read(fd, answer + size, sizeof(answer) - size);
                        if (k <= 0)
                                return -1;
                        size += (size_t) k;
                        if (answer[size - 1] == 0)
                                break;
                        if (size == sizeof(answer))
                                return -1;
                }
                if (!memmem(answer, size, "\"token\":\"", 9)) {
                        fprintf(stderr, "not a token: %.200s\n", answer);
                        return -1;
                }
                calls++;
        }
        close(fd);
        return calls;
}

int main(int argc, char *argv[]) {
        long clients, msec, total = 0;
        uint64_t start, until;
        int results[2], failed = 0;

        if (argc != 5 || (clients = strtol(argv[3], NULL, 10)) <= 0 || (msec = strtol(argv[4], NULL, 10)) <= 0) {
                fprintf(stderr, "Usage: %s PATH ACCOUNT CLIENTS MSEC\n", argv[0]);
                return 2;
        }
        if (pipe(results) < 0)
                return 2;
        /* All start after a common moment, far enough ahead for every fork to be done. */
        start = bench_now_usec() + 50000 + (uint64_t) clients * 2000;
        until = start + (uint64_t) msec * 1000;
        for (long i = 0; i < clients; i++) {
                pid_t pid = fork();
                if (pid < 0)
                        return 2;
                if (pid == 0) {
                        long calls;

                        close(results[0]);
                        while (bench_now_usec() < start)
                                usleep(100);
                        calls = client(argv[1], argv[2], until);
                        _exit(write(results[1], &calls, sizeof(calls)) == sizeof(calls) ? 0 : 1);
                }
        }
        close(results[1]);
        for (long i = 0; i < clients; i++) {
                long calls;

                if (read(results[0], &calls, sizeof(calls)) != sizeof(calls) || calls < 0)
                        failed = 1;
                else
                        total += calls;
        }
        while (wait(NULL) > 0 || errno == EINTR)
                ;
        if (failed) {
                fprintf(stderr, "a client failed\n");
                return 1;
        }
        printf("%.0f\n", (double) total * 1000.0 / (double) msec);
        return 0;
}
