/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tokenbroker dpop-proof NAME METHOD URL: a DPoP proof (RFC 9449) for one request with the account's
 * DPoP-bound token, for scripts that call an API themselves:
 *
 *   tokenbroker token NAME | sed 's/^/Authorization: DPoP /' |
 *       curl -H @- -H "DPoP: $(tokenbroker dpop-proof NAME GET URL)" URL
 *
 * The proof carries the hash of the token the account hands out now (the same one `token` prints while it is
 * cached), or of none with --no-token. The daemon signs it; the key stays there. */
#include <getopt.h>
#include <stdio.h>

#include "alloc-util.h"
#include "bus-client.h"
#include "cli.h"
#include "exit-status.h"

int verb_dpop_proof(int argc, char *argv[]) {
        static const struct option options[] = {
                { "scope", required_argument, NULL, 's' },
                { "resource", required_argument, NULL, 'r' },
                { "nonce", required_argument, NULL, 'n' },
                { "no-token", no_argument, NULL, 'T' },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(broker_token_clear) BrokerToken t = {};
        _cleanup_free_ char *proof = NULL;
        const char *scope = NULL, *resource = NULL, *nonce = NULL;
        bool with_token = true;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        scope = optarg;
                        break;
                case 'r':
                        resource = optarg;
                        break;
                case 'n':
                        nonce = optarg;
                        break;
                case 'T':
                        with_token = false;
                        break;
                default:
                        return EXIT_USAGE;
                }
        if (argc - optind != 3)
                return cli_usage_error("dpop-proof takes an account name, an HTTP method and a URL.");

        r = cli_connect(&bus);
        if (r > 0)
                return r;
        if (with_token) {
                BrokerTokenOptions o = { .scope = scope, .resource = resource };

                r = broker_get_token(bus, argv[optind], &o, &t, &error);
                if (r < 0)
                        return cli_fail(argv[optind], &error, r);
        }
        r = broker_get_dpop_proof(bus, argv[optind], argv[optind + 1], argv[optind + 2], t.token, nonce,
                                  &proof, &error);
        if (r < 0)
                return cli_fail(argv[optind], &error, r);
        printf("%s\n", proof);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILURE_OTHER;
}
