/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for redirect_request_parse(): the request line a browser (or anything else that can
 * reach the loopback port during an interactive login) sends to the redirect URI. It is read as it arrives,
 * so every prefix of an input is parsed as well, as the daemon would see it grow. */

#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "redirect-request.h"
#include "string-util.h"

static bool same(const char *a, const char *b) {
        return streq_ptr(a, b);
}

/* Absent, or printable UTF-8. */
static bool printable(const char *s) {
        return !s || string_is_safe_utf8(s, strlen(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        RedirectRequest r = {}, again = {};
        const uint8_t *eol;
        uint8_t *copy;
        int k;

        /* Beyond the limit everything is refused; a little past it covers the edge. */
        if (size > REDIRECT_REQUEST_MAX + 64)
                return 0;

        /* An exact-size copy, so that a read past the end is caught even where the fuzzer's buffer is
         * larger. */
        copy = malloc(size ? size : 1);
        if (!copy)
                return 0;
        memcpy(copy, data, size);

        k = redirect_request_parse((const char *) copy, size, &r);
        FUZZ_ASSERT(k == 0 || k == -EAGAIN || k == -EBADMSG || k == -ENOMEM);
        eol = size > 0 ? memchr(copy, '\n', size) : NULL;

        /* Waiting for more is right only while no line ended and the limit is not reached. */
        if (k == -EAGAIN)
                FUZZ_ASSERT(!eol && size < REDIRECT_REQUEST_MAX);
        if (!eol && size >= REDIRECT_REQUEST_MAX)
                FUZZ_ASSERT(k == -EBADMSG);

        if (k == 0) {
                FUZZ_ASSERT(eol);
                FUZZ_ASSERT(r.path && r.path[0] == '/' && !strpbrk(r.path, "? "));
                /* The values go into D-Bus strings (UTF-8 only), the log and the browser's page. */
                FUZZ_ASSERT(printable(r.code) && printable(r.state) && printable(r.error) &&
                            printable(r.error_description));

                /* Only the request line counts: what follows it changes nothing. */
                k = redirect_request_parse((const char *) copy, (size_t) (eol - copy) + 1, &again);
                FUZZ_ASSERT(k == 0 || k == -ENOMEM);
                if (k == 0) {
                        FUZZ_ASSERT(same(r.path, again.path) && same(r.code, again.code) &&
                                    same(r.state, again.state) && same(r.error, again.error) &&
                                    same(r.error_description, again.error_description));
                        redirect_request_clear(&again);
                }
                redirect_request_clear(&r);
        }

        /* Any prefix that ends no line waits for more (or is refused when over the limit). */
        if (size > 1) {
                size_t cut = eol ? (size_t) (eol - copy) : size - 1;

                k = redirect_request_parse((const char *) copy, cut, &again);
                FUZZ_ASSERT(k == -EAGAIN || k == -EBADMSG);
                FUZZ_ASSERT(k == -EAGAIN || cut >= REDIRECT_REQUEST_MAX);
        }
        free(copy);
        return 0;
}
