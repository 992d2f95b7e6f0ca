/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for authorization server metadata (RFC 8414, OpenID Connect Discovery):
 * server_metadata_parse() reads a document fetched from the network and decides where secrets are sent, so
 * what it accepts must name the issuer that was asked for and give http(s) endpoints only.
 *
 * The first input byte picks the expected issuer (bits 0-1) and the mode (bit 7): clear, the rest is the
 * metadata document; set, the rest is an issuer URL given to server_metadata_urls(). */

#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "fuzz.h"
#include "server-metadata.h"
#include "string-util.h"

static const char *const issuers[] = {
        "https://auth.example.com",
        "https://auth.example.com/",
        "https://login.example.com/tenant/v2.0",
        "http://127.0.0.1:8080/realms/test",
};

static bool is_endpoint(const char *s) {
        return s && (startswith_no_case(s, "https://") || startswith_no_case(s, "http://")) &&
               !strpbrk(s, " \t\r\n");
}

static void check_urls(const uint8_t *data, size_t size) {
        _cleanup_free_ char *issuer = fuzz_strndup(data, size);
        char **urls = NULL;
        int r;

        if (!issuer)
                return;
        r = server_metadata_urls(issuer, &urls);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r == 0) {
                /* Two or three documents, each under the issuer's own scheme and host. */
                FUZZ_ASSERT(strv_length(urls) >= 2 && strv_length(urls) <= 3);
                STRV_FOREACH(u, urls) {
                        FUZZ_ASSERT(is_endpoint(*u));
                        FUZZ_ASSERT(strstr(*u, "/.well-known/"));
                }
                strv_free(urls);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ServerMetadata m = {};
        char *error = NULL;
        const char *expected;
        int r;

        if (size < 1)
                return 0;
        if (data[0] & 0x80) {
                check_urls(data + 1, size - 1);
                return 0;
        }
        expected = issuers[data[0] & 3];

        r = server_metadata_parse((const char *) data + 1, size - 1, expected, &m, &error);
        FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
        if (r == 0) {
                size_t n = strlen(expected) - (expected[strlen(expected) - 1] == '/');

                FUZZ_ASSERT(m.issuer && strncmp(m.issuer, expected, n) == 0);
                FUZZ_ASSERT(m.issuer[n] == 0 || (m.issuer[n] == '/' && m.issuer[n + 1] == 0));
                FUZZ_ASSERT(is_endpoint(m.token_endpoint));
                FUZZ_ASSERT(!m.authorization_endpoint || is_endpoint(m.authorization_endpoint));
                FUZZ_ASSERT(!m.device_authorization_endpoint || is_endpoint(m.device_authorization_endpoint));
                FUZZ_ASSERT(!m.revocation_endpoint || is_endpoint(m.revocation_endpoint));
                server_metadata_clear(&m);
        } else if (r == -EBADMSG) {
                /* The message is logged and shown: one printable line. */
                FUZZ_ASSERT(error);
                FUZZ_ASSERT(string_is_safe_utf8(error, strlen(error)));
        }
        free(error);
        return 0;
}
