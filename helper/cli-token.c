/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Verbs that get tokens: token, warmup, reload. `tokenbroker token` is on the hot path of scripts and curl:
 * one connection (the private socket when there), one call, print. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc-util.h"
#include "bus-client.h"
#include "cli.h"
#include "exit-status.h"
#include "string-util.h"


int verb_token(int argc, char *argv[]) {
        static const struct option options[] = {
                { "scope", required_argument, NULL, 's' },
                { "resource", required_argument, NULL, 'r' },
                { "json", no_argument, NULL, 'j' },
                { "force-new", no_argument, NULL, 'f' },
                { "min-validity", required_argument, NULL, 'm' },
                {}
        };
        _cleanup_free_ char *resource = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(broker_token_clear) BrokerToken t = {};
        BrokerTokenOptions o = {};
        bool json = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        o.scope = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'f':
                        o.force_new = true;
                        break;
                case 'm': {
                        char *end;
                        unsigned long v;

                        errno = 0;
                        v = strtoul(optarg, &end, 10);
                        if (errno != 0 || end == optarg || *end || optarg[0] == '-' || v > UINT32_MAX)
                                return cli_usage_error("--min-validity takes a number of seconds, not '%s'.",
                                                       optarg);
                        o.min_validity = (uint32_t) v;
                        o.min_validity_set = true;
                        break;
                }
                case 'r': {
                        /* Repeated: one more resource of the set (RFC 8707 section 2). */
                        char *joined = resource ? strjoin(resource, " ", optarg) : strdup(optarg);

                        if (!joined)
                                return cli_fail("token", NULL, -ENOMEM);
                        free(resource);
                        resource = joined;
                        break;
                }
                default:
                        return EXIT_USAGE;
                }
        if (argc - optind != 1)
                return cli_usage_error("token takes one account name.");

        r = cli_connect(&bus);
        if (r > 0)
                return r;
        o.resource = resource;
        if (json)
                r = broker_get_token_info(bus, argv[optind], &o, &t, &error);
        else
                r = broker_get_token(bus, argv[optind], &o, &t, &error);
        if (r < 0)
                return cli_fail(argv[optind], &error, r);

        if (!json) {
                printf("%s\n", t.token);
                return EXIT_OK;
        }

        fputs("{\"access_token\":", stdout);
        json_print_string(stdout, t.token);
        fputs(",\"token_type\":", stdout);
        json_print_string(stdout, t.token_type);
        printf(",\"expires_at\":%" PRIi64, t.expires_at);
        if (t.scope) {
                fputs(",\"scope\":", stdout);
                json_print_string(stdout, t.scope);
        }
        fputs(",\"headers\":", stdout);
        json_print_pairs(stdout, t.headers);
        /* Claims are read from the token without checking its signature: good for building URLs, not for
         * trusting anything; the key next to them says so. */
        fputs(",\"claims\":", stdout);
        if (t.claims_json)
                json_print_pairs_raw(stdout, t.claims_json);
        else
                json_print_pairs(stdout, t.claims);
        fputs(",\"claims_verified\":false}\n", stdout);
        return EXIT_OK;
}

int verb_warmup(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        uint32_t started;
        int r;

        if (argc != 1)
                return cli_usage_error("warmup takes no arguments.");
        r = cli_connect(&bus);
        if (r > 0)
                return r;
        r = broker_call(bus, "Warmup", &error, &reply, NULL);
        if (r < 0)
                return cli_fail("warmup", &error, r);
        r = sd_bus_message_read(reply, "u", &started);
        if (r < 0)
                return cli_fail("warmup", NULL, r);
        printf("%" PRIu32 " token fetch(es) started.\n", started);
        return EXIT_OK;
}

int verb_revoke(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *revoked;
        int r;

        if (argc != 2)
                return cli_usage_error("revoke takes one account name.");
        r = cli_connect(&bus);
        if (r > 0)
                return r;
        r = broker_call(bus, "Revoke", &error, &reply, "s", argv[1]);
        if (r < 0)
                return cli_fail(argv[1], &error, r);
        r = sd_bus_message_read(reply, "s", &revoked);
        if (r < 0)
                return cli_fail(argv[1], NULL, r);
        if (isempty(revoked))
                printf("%s: nothing to revoke.\n", argv[1]);
        else
                printf("%s: %s revoked.\n", argv[1], streq(revoked, "refresh_token") ? "refresh token" : "access token");
        return EXIT_OK;
}
