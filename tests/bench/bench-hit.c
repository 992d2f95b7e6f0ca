/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-hit TRANSPORT ACCOUNT ROUNDS: GetToken answered from the daemon's cache, against the floor of a bare
 * sd-bus round trip to the same daemon: org.freedesktop.DBus.Peer.Ping, which sd-bus answers inside
 * tokenbrokerd's process before any object handler runs. Same connection, same bus hop, same event loop and
 * wake-up, same match and filter processing: the difference is the broker's handler and its larger reply.
 *
 * The two calls alternate (and swap order every round) so that noise from other processes hits both alike.
 * Prints one line per round, "PING_USEC GETTOKEN_USEC", after warm-up rounds that fill the daemon's caller
 * cache and the caches of both processes. */
#include <stdio.h>

#include "bench-util.h"

#define WARMUP_ROUNDS 200

static int ping(sd_bus *bus, uint64_t *ret_usec) {
        uint64_t t0 = bench_now_usec();
        int r;

        r = bench_call(bus, "org.freedesktop.DBus.Peer", "Ping", "");
        *ret_usec = bench_now_usec() - t0;
        return r;
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        uint64_t a, b;
        long rounds;
        int r = 0;

        if (bench_setup(argc, argv, &bus, &rounds) < 0)
                return 2;

        for (long i = -WARMUP_ROUNDS; i < rounds; i++) {
                if (i & 1) {
                        r = bench_get_token(bus, argv[2], &b);
                        if (r >= 0)
                                r = ping(bus, &a);
                } else {
                        r = ping(bus, &a);
                        if (r >= 0)
                                r = bench_get_token(bus, argv[2], &b);
                }
                if (r < 0)
                        break;
                if (i >= 0)
                        printf("%llu %llu\n", (unsigned long long) a, (unsigned long long) b);
        }

        sd_bus_flush_close_unref(bus);
        return r < 0 ? 1 : 0;
}
