/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tokenbroker curl NAME [--scope S] [--] ARGS...: runs curl with the account's token and extra headers
 * (Floriday's X-Api-Key). They reach curl through a memfd named by `-H @/dev/fd/N`, never through argv or
 * the environment, where any process of the machine could read them. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-client.h"
#include "cli.h"
#include "exit-status.h"
#include "string-util.h"

static int write_all(int fd, const char *s) {
        size_t n = strlen(s);

        while (n > 0) {
                ssize_t k = write(fd, s, n);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                s += k;
                n -= (size_t) k;
        }
        return 0;
}

static bool header_is_safe(const char *s) {
        return !strpbrk(s, "\r\n");
}

/* A sealed memfd holding "Authorization: Bearer TOKEN" and the extra headers, one per line. */
static int headers_memfd(const BrokerToken *t, int *ret) {
        _cleanup_close_ int fd = -1;
        int r;

        if (!header_is_safe(t->token))
                return -EBADMSG;
        fd = memfd_create("tokenbroker-headers", MFD_ALLOW_SEALING);        /* inherited by curl on purpose */
        if (fd < 0)
                return -errno;
        if ((r = write_all(fd, "Authorization: Bearer ")) < 0 || (r = write_all(fd, t->token)) < 0 ||
            (r = write_all(fd, "\n")) < 0)
                return r;
        for (char **h = t->headers; h && h[0] && h[1]; h += 2) {
                if (!header_is_safe(h[0]) || !header_is_safe(h[1]))
                        return -EBADMSG;
                if ((r = write_all(fd, h[0])) < 0 || (r = write_all(fd, ": ")) < 0 || (r = write_all(fd, h[1])) < 0 ||
                    (r = write_all(fd, "\n")) < 0)
                        return r;
        }
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
            lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

int verb_curl(int argc, char *argv[]) {
        static const struct option options[] = {
                { "scope", required_argument, NULL, 's' },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(broker_token_clear) BrokerToken t = {};
        _cleanup_free_ char **args = NULL;
        char header_arg[32];
        const char *scope = NULL, *account;
        int c, fd = -1, r;
        size_t n = 0;

        optind = 0;
        /* "+": options stop at the first non-option, the account name; the rest is curl's. */
        while ((c = getopt_long(argc, argv, "+", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        scope = optarg;
                        break;
                default:
                        return EXIT_USAGE;
                }
        if (optind >= argc)
                return cli_usage_error("curl takes an account name, then curl's arguments.");
        account = argv[optind++];
        if (optind < argc && streq(argv[optind], "--"))
                optind++;

        r = cli_connect(&bus);
        if (r > 0)
                return r;
        r = broker_get_token(bus, account, scope, NULL, &t, &error);
        if (r < 0)
                return cli_fail(account, &error, r);
        bus = sd_bus_flush_close_unref(bus);

        r = headers_memfd(&t, &fd);
        if (r < 0) {
                fprintf(stderr, "tokenbroker: %s: cannot pass the token to curl: %s\n", account, strerror(-r));
                return EXIT_FAILURE_OTHER;
        }
        broker_token_clear(&t);

        args = calloc((size_t) (argc - optind) + 4, sizeof(char *));
        if (!args)
                return EXIT_FAILURE_OTHER;
        (void) snprintf(header_arg, sizeof(header_arg), "@/dev/fd/%d", fd);
        args[n++] = (char *) "curl";
        args[n++] = (char *) "-H";
        args[n++] = header_arg;
        for (int i = optind; i < argc; i++)
                args[n++] = argv[i];
        args[n] = NULL;

        fflush(stdout);
        execvp("curl", args);
        fprintf(stderr, "tokenbroker: cannot run curl: %s\n", strerror(errno));
        return errno == ENOENT ? EXIT_UNREACHABLE : EXIT_FAILURE_OTHER;
}
