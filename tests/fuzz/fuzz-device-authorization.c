/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for device_authorization_parse() (RFC 8628 section 3.2): the answer that tells the
 * person which code to enter where, so what it accepts must be printable and point at an http(s) URL, and
 * the polling interval must stay in bounds whatever the server says. The same bytes go to
 * pushed_authorization_parse() (RFC 9126 section 2.2), the other answer a login reads before the browser
 * opens: its request_uri goes into the browser's URL, so it must be printable and without blanks.
 *
 * The first input byte picks the HTTP status (bits 0-2); the rest is the body. */

#include <errno.h>
#include <string.h>

#include "device-authorization.h"
#include "fuzz.h"
#include "pushed-authorization.h"
#include "string-util.h"

static bool printable(const char *s) {
        return s && string_is_safe_utf8(s, strlen(s));
}

static bool is_http_url(const char *s) {
        return s && (startswith_no_case(s, "https://") || startswith_no_case(s, "http://")) &&
               !strpbrk(s, " \t\r\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const int statuses[] = { 200, 200, 201, 400, 401, 429, 500, 503 };
        DeviceAuthorization d = {};
        TokenError e = {};
        int status, r;

        if (size < 1)
                return 0;
        status = statuses[data[0] & 7];

        r = device_authorization_parse((const char *) data + 1, size - 1, status, &d, &e);
        FUZZ_ASSERT(r == 0 || r == -EREMOTEIO || r == -EBADMSG || r == -ENOMEM);
        if (r == 0) {
                FUZZ_ASSERT(status >= 200 && status <= 299);
                FUZZ_ASSERT(printable(d.device_code) && printable(d.user_code));
                FUZZ_ASSERT(is_http_url(d.verification_uri) && printable(d.verification_uri));
                FUZZ_ASSERT(!d.verification_uri_complete ||
                            (is_http_url(d.verification_uri_complete) && printable(d.verification_uri_complete)));
                FUZZ_ASSERT(d.expires_in > 0);
                FUZZ_ASSERT(d.interval >= 1 && d.interval <= 60);
                device_authorization_clear(&d);
        } else if (r != -ENOMEM) {
                FUZZ_ASSERT(e.error);
                FUZZ_ASSERT(!e.description || printable(e.description));
                token_error_clear(&e);
        }

        PushedAuthorization p = {};
        r = pushed_authorization_parse((const char *) data + 1, size - 1, status, &p, &e);
        FUZZ_ASSERT(r == 0 || r == -EREMOTEIO || r == -EBADMSG || r == -ENOMEM);
        if (r == 0) {
                FUZZ_ASSERT(status >= 200 && status <= 299);
                FUZZ_ASSERT(printable(p.request_uri) && !strpbrk(p.request_uri, " \t"));
                FUZZ_ASSERT(p.expires_in > 0);
                pushed_authorization_clear(&p);
        } else if (r != -ENOMEM) {
                FUZZ_ASSERT(e.error);
                FUZZ_ASSERT(!e.description || printable(e.description));
        }
        token_error_clear(&e);
        return 0;
}
