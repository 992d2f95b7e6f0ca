/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-cold TRANSPORT ACCOUNT ROUNDS: the cold path as the daemon serves it. Each round forgets the cached
 * token (Invalidate, not timed), then times one GetToken. For an account living on a rotating refresh token
 * that call covers the refresh request, the rotated refresh token's store in the keyring (the daemon holds
 * the new access token back until the store is done) and the reply. Prints one line per round, in usec. */
#include <stdio.h>

#include "bench-util.h"
#include "bus-api.h"

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        uint64_t usec;
        long rounds;
        int r = 0;

        if (bench_setup(argc, argv, &bus, &rounds) < 0)
                return 2;

        for (long i = 0; i < rounds; i++) {
                r = bench_call(bus, BROKER_INTERFACE, "Invalidate", "ss", argv[2], "");
                if (r >= 0)
                        r = bench_get_token(bus, argv[2], &usec);
                if (r < 0)
                        break;
                printf("%llu\n", (unsigned long long) usec);
        }

        sd_bus_flush_close_unref(bus);
        return r < 0 ? 1 : 0;
}
