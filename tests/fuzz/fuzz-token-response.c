/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libFuzzer harness for token_response_parse(): the one parser that reads bytes straight from the network.
 * Not built by `make`; build it against the engine's sources with clang, for example from the top of the
 * source tree after ./configure has written config.h into BUILDDIR:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -include BUILDDIR/config.h \
 *         -Ilib/basic -Ilib/oauth -Ilib/config $(pkg-config --cflags json-c) \
 *         tests/fuzz/fuzz-token-response.c lib/oauth/token-response.c lib/oauth/json-util.c \
 *         lib/oauth/jwt.c lib/oauth/form.c lib/basic/string-util.c lib/basic/alloc-util.c \
 *         $(pkg-config --libs json-c) -o fuzz-token-response
 *   ./fuzz-token-response -max_len=65536 tests/fuzz/corpus/token-response
 *
 * The first input byte picks the HTTP status and the token path, so one corpus covers the success and the
 * error paths and the Flume and Flixcheck envelopes. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "string-util.h"
#include "token-response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const int statuses[] = { 200, 201, 400, 401, 403, 429, 500, 503 };
        static const char *const paths[] = { NULL, "", "/data/0", "/resource" };
        TokenResponse t = { .expires_in = -1 };
        TokenError e = { .retry_after_sec = -1 };
        int status, r;
        const char *path;

        if (size < 1)
                return 0;
        status = statuses[data[0] & 7];
        path = paths[(data[0] >> 3) & 3];

        r = token_response_parse((const char *) data + 1, size - 1, status, path, &t, &e);
        if (r == 0) {
                /* What the daemon relies on: a usable token and a sane expiry. */
                if (isempty(t.access_token) || !t.token_type)
                        __builtin_trap();
                if (strpbrk(t.access_token, "\r\n"))
                        __builtin_trap();
                (void) token_response_expires_at(&t, 1700000000, 3600);
                token_response_clear(&t);
        } else {
                if (e.description && (strlen(e.description) > 256 ||
                                      !string_is_safe_utf8(e.description, strlen(e.description))))
                        __builtin_trap();
                (void) token_error_is_login_required(&e, status == 400);
                token_error_clear(&e);
        }
        return 0;
}
