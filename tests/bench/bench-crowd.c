/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-crowd TRANSPORT ACCOUNT N: N concurrent cold callers from one process. All N GetToken calls are
 * queued on one connection before any reply is read, so the daemon sees them as N callers waiting at once
 * (as many processes would, without the cost of spawning them). The upstream request count is read at the
 * token server by the caller of this program; here every reply is checked: all must succeed with one and
 * the same token. Prints "ok=N failed=F differing=D usec=T". */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench-util.h"
#include "bus-api.h"

typedef struct Crowd {
        long pending, failed, differing;
        char *first;            /* the first token seen; the others are compared with it */
} Crowd;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Crowd *c = userdata;
        const char *token;
        (void) ret_error;

        c->pending--;
        if (sd_bus_message_is_method_error(m, NULL) || sd_bus_message_read(m, "s", &token) < 0) {
                const sd_bus_error *e = sd_bus_message_get_error(m);

                if (c->failed++ == 0)
                        fprintf(stderr, "GetToken failed: %s\n", e && e->message ? e->message : "bad reply");
                return 0;
        }
        if (!c->first) {
                c->first = strdup(token);
                if (!c->first)
                        return -ENOMEM;
        } else if (strcmp(c->first, token) != 0)
                c->differing++;
        return 0;
}

int main(int argc, char *argv[]) {
        Crowd c = {};
        sd_bus *bus = NULL;
        uint64_t t0;
        long n;
        int r = 0;

        if (bench_setup(argc, argv, &bus, &n) < 0)
                return 2;

        t0 = bench_now_usec();
        for (long i = 0; i < n && r >= 0; i++) {
                /* Floating: the slot belongs to the connection and goes with the reply. */
                r = sd_bus_call_method_async(bus, NULL, bench_destination(bus), BROKER_OBJECT_PATH,
                                             BROKER_INTERFACE, "GetToken", on_reply, &c, "sa{sv}", argv[2],
                                             0);
                if (r >= 0)
                        c.pending++;
        }
        while (r >= 0 && c.pending > 0) {
                r = sd_bus_process(bus, NULL);
                if (r == 0)
                        r = sd_bus_wait(bus, UINT64_MAX);
        }
        if (r < 0)
                fprintf(stderr, "Lost the connection: %s\n", strerror(-r));

        printf("ok=%ld failed=%ld differing=%ld usec=%llu\n", n - c.pending - c.failed, c.failed,
               c.differing, (unsigned long long) (bench_now_usec() - t0));
        bench_free_secret(c.first);
        sd_bus_flush_close_unref(bus);
        return r < 0 || c.failed > 0 || c.differing > 0 ? 1 : 0;
}
