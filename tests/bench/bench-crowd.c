/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-crowd TRANSPORT ACCOUNT N: N cold callers, each a process of its own with a connection of its own, as
 * N programs asking at once would be. Every child connects first and says so; then all are let go at once
 * (the parent closes the pipe they wait on) and each makes one GetToken call and reports whether it got a
 * token and a hash of it (never the token). The upstream request count is read at the token server by the
 * caller of this program; here every answer is checked: all must succeed with one and the same token.
 * Prints "ok=N failed=F differing=D usec=T", T from the release until the last answer. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "bus-api.h"

typedef struct Result {
        int ok;
        uint64_t hash;          /* FNV-1a of the token: enough to tell two tokens apart */
} Result;

static uint64_t fnv1a(const char *s) {
        uint64_t h = 1469598103934665603ULL;

        for (; *s; s++)
                h = (h ^ (uint8_t) *s) * 1099511628211ULL;
        return h;
}

static ssize_t read_full(int fd, void *buf, size_t size) {
        size_t done = 0;

        while (done < size) {
                ssize_t k = read(fd, (char *) buf + done, size - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -1 : (ssize_t) done;
                done += (size_t) k;
        }
        return (ssize_t) done;
}

/* One caller: connect, say ready, wait for the release, ask, report. */
static int caller(const char *transport, const char *account, int ready_fd, int go_fd, int result_fd) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        sd_bus *bus = NULL;
        const char *token;
        Result res = {};
        char c;

        if (bench_connect(transport, &bus) < 0)
                return 1;
        if (write(ready_fd, "r", 1) != 1)
                return 1;
        while (read(go_fd, &c, 1) < 0 && errno == EINTR)
                ;
        if (sd_bus_call_method(bus, bench_destination(bus), BROKER_OBJECT_PATH, BROKER_INTERFACE, "GetToken",
                               &error, &reply, "sa{sv}", account, 0) >= 0 &&
            sd_bus_message_read(reply, "s", &token) >= 0)
                res = (Result) { .ok = 1, .hash = fnv1a(token) };
        else
                fprintf(stderr, "GetToken failed: %s\n", error.message ?: "bad reply");
        /* A record smaller than PIPE_BUF: the children's writes never interleave. */
        return write(result_fd, &res, sizeof(res)) == sizeof(res) && res.ok ? 0 : 1;
}

int main(int argc, char *argv[]) {
        int ready[2], go[2], results[2];
        long n, started = 0, ok = 0, failed = 0, differing = 0;
        uint64_t first = 0, t0;
        Result res;
        char c;

        if (argc != 4 || (n = strtol(argv[3], NULL, 10)) <= 0) {
                fprintf(stderr, "Usage: %s bus|private ACCOUNT N\n", argv[0]);
                return 2;
        }
        if (pipe(ready) < 0 || pipe(go) < 0 || pipe(results) < 0)
                return 2;
        for (; started < n; started++) {
                pid_t pid = fork();

                if (pid < 0) {
                        fprintf(stderr, "fork: %s\n", strerror(errno));
                        break;
                }
                if (pid == 0) {
                        close(ready[0]);
                        close(go[1]);
                        close(results[0]);
                        _exit(caller(argv[1], argv[2], ready[1], go[0], results[1]));
                }
        }
        close(ready[1]);
        close(go[0]);
        close(results[1]);
        /* All connected before any is let go: the connections' cost is not in the time. */
        for (long i = 0; i < started; i++)
                if (read_full(ready[0], &c, 1) != 1) {
                        fprintf(stderr, "a caller could not connect\n");
                        break;
                }

        t0 = bench_now_usec();
        close(go[1]);
        while (read_full(results[0], &res, sizeof(res)) == (ssize_t) sizeof(res)) {
                if (!res.ok)
                        failed++;
                else {
                        if (ok++ == 0)
                                first = res.hash;
                        else if (res.hash != first)
                                differing++;
                }
        }
        t0 = bench_now_usec() - t0;
        while (wait(NULL) > 0 || errno == EINTR)
                ;
        failed += n - ok - failed;      /* the ones that never answered */

        printf("ok=%ld failed=%ld differing=%ld usec=%llu\n", ok, failed, differing, (unsigned long long) t0);
        return failed > 0 || differing > 0 ? 1 : 0;
}
