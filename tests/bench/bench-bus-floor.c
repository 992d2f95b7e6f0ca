/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-bus-floor ACCOUNT: the least a bus client can do to get a token: open the session bus (connect,
 * authenticate, Hello), make one GetToken call and print the token, as `tokenbroker token` does. It links
 * libc and libsystemd only and does no argument parsing, formatting or error mapping, so a front end that
 * beats it wins by its path (the private socket), not by doing less. */
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "bus-api.h"

int main(int argc, char *argv[]) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        sd_bus *bus = NULL;
        const char *token;
        int r;

        if (argc != 2)
                return 2;
        r = sd_bus_open_user(&bus);
        if (r >= 0)
                r = sd_bus_call_method(bus, BROKER_BUS_NAME, BROKER_OBJECT_PATH, BROKER_INTERFACE,
                                       "GetToken", &error, &reply, "sa{sv}", argv[1], 0);
        if (r >= 0)
                r = sd_bus_message_read(reply, "s", &token);
        if (r < 0) {
                fprintf(stderr, "bench-bus-floor: %s\n", error.message ?: "failed");
                return 1;
        }
        puts(token);
        return 0;
}
