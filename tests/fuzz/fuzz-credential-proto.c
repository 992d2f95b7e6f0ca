/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for the git credential protocol reader (tests/fuzz/local.mk builds it; see README.md).
 *
 * Every input goes through both readers, which must agree; whatever they accept must write out and read back
 * to the same fields, and the writer must never emit a line the reader refuses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credential-proto.h"
#include "fuzz.h"
#include "host-match.h"
#include "string-util.h"

static void check_same(const Credential *a, const Credential *b) {
        if (!streq_ptr(a->protocol, b->protocol) || !streq_ptr(a->host, b->host) ||
            !streq_ptr(a->path, b->path) || !streq_ptr(a->username, b->username) ||
            !streq_ptr(a->password, b->password) || !streq_ptr(a->credential, b->credential) ||
            !streq_ptr(a->authtype, b->authtype) ||
            !streq_ptr(a->oauth_refresh_token, b->oauth_refresh_token) ||
            a->ephemeral != b->ephemeral || a->password_expiry_utc != b->password_expiry_utc ||
            strv_length(a->wwwauth) != strv_length(b->wwwauth) ||
            strv_length(a->capabilities) != strv_length(b->capabilities))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Credential a = {}, b = {}, c = {};
        char *out = NULL;
        size_t len = 0;
        FILE *f;
        int ra, rb;

        ra = credential_parse_buffer((const char *) data, size, &a, NULL);

        f = fmemopen((void *) data, size, "r");
        if (size > 0 && f) {
                rb = credential_read(f, &b, NULL);
                fclose(f);
                if ((ra < 0) != (rb < 0))
                        abort();
                if (ra >= 0)
                        check_same(&a, &b);
        }

        if (ra >= 0) {
                f = open_memstream(&out, &len);
                if (f) {
                        int w = credential_write(f, &a);

                        fclose(f);
                        /* Values with "\r" are readable but not writable; the rest must round-trip. */
                        if (w >= 0) {
                                if (credential_parse_buffer(out, len, &c, NULL) < 0)
                                        abort();
                                check_same(&a, &c);
                        }
                        free(out);
                }
                if (a.protocol && a.host)
                        (void) host_pattern_match("https://*.example.com:8443/org/*", a.protocol, a.host,
                                                  a.path);
                if (a.path && a.host && a.protocol)
                        (void) host_pattern_match(a.path, a.protocol, a.host, a.username);
        }

        credential_clear(&a);
        credential_clear(&b);
        credential_clear(&c);
        return 0;
}
