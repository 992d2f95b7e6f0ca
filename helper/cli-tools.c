/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kube-credential, credential-helper and exec are answered by the launcher (launcher-tools.c), over the token socket. The full
 * command line gets them only when their arguments are wrong, and says how. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "bus-client.h"
#include "cli.h"
#include "string-util.h"
#include "exit-status.h"

int verb_kube_credential(int argc, char *argv[]) {
        return cli_usage_error("kube-credential takes one account name and, optionally, --scope SCOPES; "
                               "KUBERNETES_EXEC_INFO, when set, must ask for apiVersion "
                               "client.authentication.k8s.io/v1 or v1beta1.");
}

int verb_exec(int argc, char *argv[]) {
        return cli_usage_error("exec takes one or more --env VAR=ACCOUNT (VAR a variable name, ACCOUNT an account "
                               "name), then the command to run: tokenbroker exec --env GH_TOKEN=github -- gh pr list");
}

int verb_credential_helper(int argc, char *argv[]) {
        return cli_usage_error("credential-helper takes one operation, get, and reads {\"uri\": \"https://...\"} on "
                               "standard input.");
}

/* A Hosts= pattern as a URL line of GOAUTH: https only, a literal host (go matches URL prefixes, not
 * wildcards), a path only when it is literal or ends in '*' (then up to it); without a trailing '/', which
 * Go 1.24 never matches (golang/go#71889). NULL for a pattern it cannot say. */
static char *goauth_url(const char *pattern) {
        const char *rest = startswith(pattern, "https://"), *star;
        _cleanup_free_ char *url = NULL;
        size_t n;

        if (!rest) {
                if (strstr(pattern, "://"))
                        return NULL;
                rest = pattern;
        }
        star = strchr(rest, '*');
        if (star && star[1] != 0)
                return NULL;            /* a wildcard inside: no prefix says it */
        url = strjoin("https://", rest);
        if (!url)
                return NULL;
        n = strcspn(url, "*");
        while (n > strlen("https://") && url[n - 1] == '/')
                n--;
        url[n] = 0;
        /* A wildcard host ("*" alone, or "*.example.com" cut to nothing) is no URL. */
        if (n <= strlen("https://"))
                return NULL;
        return TAKE_PTR(url);
}

/* `tokenbroker goauth` without a URL: go's prefetch, every account with Hosts= it can say as URLs. */
int verb_goauth(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **names = NULL;
        int r;

        if (argc != 1)
                return cli_usage_error("goauth takes at most one https:// URL.");
        r = cli_connect(&bus);
        if (r > 0)
                return r;
        r = cli_account_names(bus, "goauth", &names);
        if (r != EXIT_OK)
                return r;

        STRV_FOREACH(n, names) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                _cleanup_(broker_token_clear) BrokerToken t = {};
                _cleanup_strv_free_ char **hosts = NULL, **urls = NULL;

                if (cli_account_strv(bus, *n, "hosts", &hosts) != EXIT_OK)
                        continue;
                STRV_FOREACH(h, hosts) {
                        char *u = goauth_url(*h);
                        if (u && strv_push(&urls, u) < 0)
                                return cli_fail("goauth", NULL, -ENOMEM);
                }
                if (strv_length(urls) == 0)
                        continue;
                /* An account that cannot give a token now (a login needed) is left out, and said so. */
                r = broker_get_token(bus, *n, NULL, &t, &e);
                if (r < 0) {
                        fprintf(stderr, "tokenbroker: goauth: %s: %s\n", *n, broker_error_message(&e, r));
                        continue;
                }
                STRV_FOREACH(u, urls)
                        printf("%s\n", *u);
                printf("\nAuthorization: %s %s\n", t.token_type ?: "Bearer", t.token);
                for (char **p = t.headers; p && p[0] && p[1]; p += 2)
                        printf("%s: %s\n", p[0], p[1]);
                putchar('\n');
        }
        return EXIT_OK;
}
