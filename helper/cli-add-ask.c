/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `tokenbroker add` at a terminal with nothing but (at most) a name: it asks for what the account needs, as
 * `gh auth login` does, in the order a person knows the answers: the service (a provider profile, which
 * brings the endpoints its service publishes), where its token endpoint is when the profile does not know,
 * the grant when the profile leaves it open, the client id, the user name of a password grant, the scopes.
 * Each question shows its choices and its default (Enter takes it). The daemon checks the answers as it
 * checks any file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "cli.h"
#include "string-util.h"

/* One answer, without its line end; NULL at the end of the input. */
static char *ask(const char *question, const char *choices, const char *def) {
        char *line = NULL;
        size_t alloc = 0;
        ssize_t n;

        fputs(question, stderr);
        if (choices)
                fprintf(stderr, " [%s]", choices);
        if (def)
                fprintf(stderr, " (%s)", def);
        fputs(": ", stderr);
        fflush(stderr);
        n = getline(&line, &alloc, stdin);
        if (n < 0) {
                free(line);
                return NULL;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
                line[--n] = 0;
        if (n == 0 && def) {
                free(line);
                return strdup(def);
        }
        return line;
}

/* Asks until the answer is one of `choices` (space-separated) or, with `def`, empty. */
static char *ask_choice(const char *question, const char *choices, const char *def) {
        _cleanup_strv_free_ char **l = strv_split(choices, " ");

        for (;;) {
                char *a = ask(question, choices, def);

                if (!a || strv_contains(l, a))
                        return a;
                fprintf(stderr, "Please answer one of: %s.\n", choices);
                free(a);
        }
}

/* Asks until the answer is not empty (or, with `optional`, may be). */
static char *ask_text(const char *question, bool optional) {
        for (;;) {
                char *a = ask(question, NULL, NULL);

                if (!a || optional || !isempty(a))
                        return a;
                free(a);
        }
}

static int add_setting(char ***settings, const char *key, char *value) {
        _cleanup_free_ char *v = value;

        if (isempty(v))
                return 0;
        if (strv_extend(settings, key) < 0 || strv_extend(settings, v) < 0)
                return -ENOMEM;
        return 0;
}

int cli_add_ask(char **name, char ***settings) {
        _cleanup_free_ char *provider = NULL, *grant = NULL;
        char *a;
        int r;

        fputs("A new account: each question shows its choices and, in parentheses, what Enter takes.\n", stderr);
        while (!*name) {
                a = ask_text("Account name (letters, digits, '.', '_', '-')", false);
                if (!a)
                        return -ENODATA;
                if (account_name_is_valid(a)) {
                        *name = a;
                        break;
                }
                fprintf(stderr, "'%s' is not a valid account name.\n", a);
                free(a);
        }

        provider = ask_choice("Service", "generic flaik floriday flixcheck flume sharetribe", "generic");
        if (!provider)
                return -ENODATA;
        r = add_setting(settings, "Provider", strdup(provider));
        if (r < 0)
                return r;

        if (streq(provider, "floriday")) {
                a = ask_choice("Floriday environment", "staging live", "staging");
                if (!a)
                        return -ENODATA;
                r = add_setting(settings, "Environment", a);
        } else if (streq(provider, "generic") || streq(provider, "flaik")) {
                /* An issuer names every endpoint through its metadata; a token URL only the one. */
                a = ask_text("Issuer URL, for discovery (Enter: give the token URL instead)", true);
                if (!a)
                        return -ENODATA;
                if (isempty(a)) {
                        free(a);
                        a = ask_text(streq(provider, "flaik") ? "Token URL (https://auth-REGION.ENV.flaik.com/connect/token)"
                                                             : "Token URL",
                                     false);
                        if (!a)
                                return -ENODATA;
                        r = add_setting(settings, "TokenURL", a);
                } else
                        r = add_setting(settings, "Issuer", a);
        }
        if (r < 0)
                return r;

        /* The profiles of flaik, floriday, flixcheck and flume fix the grant; the others leave it open. */
        if (streq(provider, "generic") || streq(provider, "sharetribe")) {
                grant = ask_choice("Grant", "client_credentials password authorization_code device_code",
                                   "client_credentials");
                if (!grant)
                        return -ENODATA;
                r = add_setting(settings, "Grant", strdup(grant));
                if (r < 0)
                        return r;
                /* A public client (device code, a desktop app's code flow) has no secret. */
                if (streq(grant, "device_code") || streq(grant, "authorization_code")) {
                        a = ask_choice("Does the client have a secret", "yes no",
                                       streq(grant, "device_code") ? "no" : "yes");
                        if (!a)
                                return -ENODATA;
                        if (streq(a, "no"))
                                r = add_setting(settings, "ClientAuth", strdup("none"));
                        free(a);
                        if (r < 0)
                                return r;
                }
        }

        a = ask_text("Client ID", false);
        if (!a)
                return -ENODATA;
        r = add_setting(settings, "ClientID", a);
        if (r < 0)
                return r;

        if (streq_ptr(grant, "password") || streq(provider, "flume")) {
                a = ask_text("User name", false);
                if (!a)
                        return -ENODATA;
                r = add_setting(settings, "Username", a);
                if (r < 0)
                        return r;
        }

        a = ask_text("Scopes, space-separated (Enter: none)", true);
        if (!a)
                return -ENODATA;
        return add_setting(settings, "Scopes", a);
}
