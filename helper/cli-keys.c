/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Verbs for an account's signing key (ClientAuth=private_key_jwt): keygen and public-key. The key is made and
 * kept by tokenbrokerd; only its public half comes here, to be printed for the server's client registration. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "bus-client.h"
#include "cli.h"
#include "exit-status.h"
#include "string-util.h"

/* Prints the public JWK of a GenerateKey or GetPublicKey reply (r: the call's result), or why there is none. */
static int print_public_key(const char *account, int r, const sd_bus_error *error, sd_bus_message *reply,
                            bool jwks) {
        const char *jwk;

        if (r < 0)
                return cli_fail(account, error, r);
        r = sd_bus_message_read(reply, "s", &jwk);
        if (r < 0)
                return cli_fail(account, NULL, r);
        /* A JWKS document is what a server's "jwks" registration field takes: one key in a "keys" array. */
        if (jwks)
                printf("{\"keys\":[%s]}\n", jwk);
        else
                printf("%s\n", jwk);
        return EXIT_OK;
}

int verb_keygen(int argc, char *argv[]) {
        static const struct option options[] = {
                { "type", required_argument, NULL, 't' },
                { "jwks", no_argument, NULL, 'j' },
                { "replace", no_argument, NULL, 'r' },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *type = "ec";
        bool jwks = false, replace = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 't':
                        type = optarg;
                        break;
                case 'j':
                        jwks = true;
                        break;
                case 'r':
                        replace = true;
                        break;
                default:
                        return EXIT_USAGE;
                }
        if (optind + 1 != argc)
                return cli_usage_error("keygen takes one account name.");
        if (!streq(type, "ec") && !streq(type, "rsa"))
                return cli_usage_error("--type is ec (P-256, ES256) or rsa (2048 bits, RS256).");

        r = cli_connect(&bus);
        if (r > 0)
                return r;
        r = broker_call(bus, "GenerateKey", &error, &reply, "ssa{sv}", argv[optind], type, 1, "replace", "b", replace);
        r = print_public_key(argv[optind], r, &error, reply, jwks);
        if (r != EXIT_OK)
                return r;
        fprintf(stderr, "Account '%s' has a new private key in the keyring. Register the public key above with the "
                        "server (its client's jwks), then set ClientAuth=private_key_jwt.\n", argv[optind]);
        return EXIT_OK;
}

int verb_public_key(int argc, char *argv[]) {
        static const struct option options[] = {
                { "jwks", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        bool jwks = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'j':
                        jwks = true;
                        break;
                default:
                        return EXIT_USAGE;
                }
        if (optind + 1 != argc)
                return cli_usage_error("public-key takes one account name.");
        r = cli_connect(&bus);
        if (r > 0)
                return r;
        r = broker_call(bus, "GetPublicKey", &error, &reply, "s", argv[optind]);
        return print_public_key(argv[optind], r, &error, reply, jwks);
}
