/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for the account-file parser, account_config_load_data(): GKeyFile's INI syntax, the
 * line locator that runs beside it (account-file-locate.c), the value checks and the provider presets. The
 * files are the user's own, but they are also written by `tokenbroker add` from command-line values and by
 * hand, and their diagnostics go to the log and the terminal.
 *
 * What a loaded account must satisfy is what the daemon relies on without checking again: its name, URLs
 * that are https:// (http:// only for loopback), absolute paths, enum values in range, pairs that pair up.
 * Every diagnostic is one printable line. */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "account-file-internal.h"
#include "account-file.h"
#include "fuzz.h"
#include "string-util.h"

static void check_url(const char *url) {
        FUZZ_ASSERT(!url || !account_url_problem(url));
}

static void check_paths(char * const *l) {
        STRV_FOREACH(p, (char **) l)
                FUZZ_ASSERT((*p)[0] == '/');
}

static void check_account(const AccountConfig *a) {
        FUZZ_ASSERT(streq(a->name, "fuzz"));
        FUZZ_ASSERT(a->client_id);
        FUZZ_ASSERT(a->token_url || a->issuer);
        check_url(a->token_url);
        check_url(a->issuer);
        check_url(a->authorize_url);
        check_url(a->device_authorization_url);
        check_url(a->revocation_url);
        FUZZ_ASSERT(!a->ca_file || a->ca_file[0] == '/');
        check_paths(a->allowed_callers);
        FUZZ_ASSERT(a->grant >= 0 && a->grant < _GRANT_MAX && a->grant != GRANT_REFRESH_TOKEN);
        FUZZ_ASSERT(a->client_auth >= 0 && a->client_auth < _CLIENT_AUTH_MAX);
        FUZZ_ASSERT(a->request_encoding >= 0 && a->request_encoding < _REQUEST_ENCODING_MAX);
        for (GrantType g = 0; g < _GRANT_MAX; g++) {
                ClientAuth c = account_config_client_auth(a, g);
                FUZZ_ASSERT(c >= 0 && c < _CLIENT_AUTH_MAX);
        }
        FUZZ_ASSERT(strv_length(a->extra_params) % 2 == 0);
        FUZZ_ASSERT(strv_length(a->authorize_param_names) % 2 == 0);
        FUZZ_ASSERT(strv_length(a->token_param_names) % 2 == 0);
        FUZZ_ASSERT(a->timeout_sec >= 1 && a->default_lifetime_sec >= 1);
        FUZZ_ASSERT(a->provider && a->git_username);
        FUZZ_ASSERT(!a->subject_account || account_name_is_valid(a->subject_account));
        FUZZ_ASSERT(!a->actor_account || account_name_is_valid(a->actor_account));
        FUZZ_ASSERT(!a->revocation_auth || streq(a->revocation_auth, "client") ||
                    streq(a->revocation_auth, "bearer"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        AccountConfig *a = NULL;
        char **diagnostics = NULL;
        int r;

        /* Twice the file-size cap is plenty: larger text is refused before it is parsed (-EFBIG). */
        if (size > 2 * ACCOUNT_FILE_SIZE_MAX)
                return 0;

        r = account_config_load_data("/fuzz/accounts/fuzz.conf", (const char *) data, size, &a, &diagnostics);
        FUZZ_ASSERT(r == 0 || r == -EUCLEAN || r == -EFBIG || r == -ENOMEM);
        FUZZ_ASSERT(r != -EFBIG || size > ACCOUNT_FILE_SIZE_MAX);
        if (r == 0) {
                check_account(a);
                account_config_free(a);
        } else if (r == -EUCLEAN || r == -EFBIG)
                FUZZ_ASSERT(strv_length(diagnostics) > 0);
        /* However many keys and groups a file has, a screenful of warnings, the errors and one summary. */
        FUZZ_ASSERT(strv_length(diagnostics) <= DIAGNOSTICS_MAX + 64);

        STRV_FOREACH(d, diagnostics) {
                FUZZ_ASSERT(startswith(*d, "/fuzz/accounts/fuzz.conf"));
                /* One line each, nothing a terminal would act on. */
                FUZZ_ASSERT(string_is_safe_utf8(*d, strlen(*d)));
        }
        strv_free(diagnostics);
        return 0;
}
