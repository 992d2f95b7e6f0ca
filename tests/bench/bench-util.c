/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"
#include "bus-api.h"

uint64_t bench_now_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static int connect_private(sd_bus **ret) {
        const char *runtime = getenv("XDG_RUNTIME_DIR");
        char address[4096];
        sd_bus *bus = NULL;
        int r;

        if (!runtime || runtime[0] != '/')
                return -ENOENT;
        r = snprintf(address, sizeof(address), "unix:path=%s/" BROKER_RUNTIME_SUBDIR "/" BROKER_SOCKET_NAME,
                     runtime);
        if (r < 0 || (size_t) r >= sizeof(address))
                return -ENAMETOOLONG;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

int bench_connect(const char *transport, sd_bus **ret) {
        int r;

        if (strcmp(transport, "bus") == 0)
                r = sd_bus_open_user(ret);
        else if (strcmp(transport, "private") == 0)
                r = connect_private(ret);
        else
                r = -EINVAL;
        if (r < 0)
                fprintf(stderr, "Cannot connect over '%s': %s\n", transport, strerror(-r));
        return r;
}

const char *bench_destination(sd_bus *bus) {
        return sd_bus_is_bus_client(bus) ? BROKER_BUS_NAME : NULL;
}

int bench_setup(int argc, char *argv[], sd_bus **ret_bus, long *ret_count) {
        long count;

        if (argc != 4 || (count = strtol(argv[3], NULL, 10)) <= 0) {
                fprintf(stderr, "Usage: %s bus|private ACCOUNT COUNT\n", argv[0]);
                return -EINVAL;
        }
        *ret_count = count;
        return bench_connect(argv[1], ret_bus);
}

int bench_call(sd_bus *bus, const char *interface, const char *member, const char *types, ...) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;
        int r;

        va_start(ap, types);
        r = sd_bus_call_methodv(bus, bench_destination(bus), BROKER_OBJECT_PATH, interface, member, &error,
                                NULL, types, ap);
        va_end(ap);
        if (r < 0)
                fprintf(stderr, "%s failed: %s\n", member, error.message ?: strerror(-r));
        sd_bus_error_free(&error);
        return r;
}

int bench_get_token(sd_bus *bus, const char *account, uint64_t *ret_usec) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        uint64_t t0 = bench_now_usec();
        const char *token;
        int r;

        r = sd_bus_call_method(bus, bench_destination(bus), BROKER_OBJECT_PATH, BROKER_INTERFACE, "GetToken",
                               &error, &reply, "sa{sv}", account, 0);
        if (r >= 0)
                r = sd_bus_message_read(reply, "s", &token);
        *ret_usec = bench_now_usec() - t0;
        if (r < 0)
                fprintf(stderr, "GetToken failed: %s\n", error.message ?: strerror(-r));
        sd_bus_message_unref(reply);
        sd_bus_error_free(&error);
        return r;
}

void bench_free_secret(char *s) {
        if (!s)
                return;
        explicit_bzero(s, strlen(s));
        free(s);
}
