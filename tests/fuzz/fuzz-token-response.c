/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for token_response_parse(), the one parser that reads bytes straight from the network,
 * and for the JWT payload decoding that reads the tokens it returns (jwt_get_exp, jwt_get_claims). Built by
 * tests/fuzz/local.mk: replayed over its corpus by `make check`, fuzzed by `make fuzz` (--enable-fuzzers).
 *
 * The first input byte picks the mode:
 *   bit 7 clear: bits 0-2 pick the HTTP status and bits 3-4 the token path, so one corpus covers the success
 *                and error paths and the Flume and Flixcheck envelopes; the rest is the response body. A token
 *                that parses is then decoded as a JWT, as the daemon does for its expiry and ExposeClaims=.
 *   bit 7 set:   the rest is a JWT's payload JSON; the harness base64url-encodes it into a compact JWS and
 *                reads its claims, so that mutations reach the JSON instead of breaking the base64. The rest
 *                is also tried as a whole token, as it would arrive. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alloc-util.h"
#include "form.h"
#include "fuzz.h"
#include "jwt.h"
#include "string-util.h"
#include "token-response.h"
#include "wire-api.h"

static char * const claim_names[] = { "exp", "sub", "user_id", "scope", "aud", "iat", "", "a\xff", NULL };

/* What the daemon relies on when it reads a token's claims. */
static void check_jwt(const char *token) {
        char **claims = NULL;
        int64_t exp;
        int r;

        r = jwt_get_exp(token, &exp);
        FUZZ_ASSERT(r == 0 || r == -ENOENT || r == -EINVAL || r == -EBADMSG || r == -ENOMEM);
        if (r == 0)
                FUZZ_ASSERT(exp >= 0);

        r = jwt_get_claims(token, claim_names, &claims);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r == 0) {
                size_t n = strv_length(claims);

                /* Pairs of a requested name and a printable value: the values go into URLs and headers. */
                FUZZ_ASSERT(n % 2 == 0);
                for (size_t i = 0; i < n; i += 2) {
                        bool known = false;

                        for (char * const *c = claim_names; *c; c++)
                                known = known || streq(*c, claims[i]);
                        FUZZ_ASSERT(known);
                        FUZZ_ASSERT(string_is_safe_utf8(claims[i + 1], strlen(claims[i + 1])));
                }
                strv_free_erase(claims);
        }
}

static void fuzz_jwt(const uint8_t *data, size_t size) {
        _cleanup_free_ char *payload = NULL, *token = NULL, *raw = NULL;

        payload = base64url_encode(data, size);
        if (payload) {
                token = strjoin("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", payload, ".c2ln");
                if (token)
                        check_jwt(token);
        }
        raw = fuzz_strndup(data, size);
        if (raw)
                check_jwt(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const int statuses[] = { 200, 201, 400, 401, 403, 429, 500, 503 };
        static const char *const paths[] = { NULL, "", "/data/0", "/resource" };
        TokenResponse t = { .expires_in = -1 };
        TokenError e = {};
        int status, r;
        const char *path;

        if (size < 1)
                return 0;
        if (data[0] & 0x80) {
                fuzz_jwt(data + 1, size - 1);
                return 0;
        }
        status = statuses[data[0] & 7];
        path = paths[(data[0] >> 3) & 3];

        r = token_response_parse((const char *) data + 1, size - 1, status, path, &t, &e);
        FUZZ_ASSERT(r == 0 || r == -EREMOTEIO || r == -EBADMSG || r == -ENOMEM);
        if (r == 0) {
                uint64_t sent = 1700000000ULL * 1000000ULL, expires;

                /* What the daemon relies on: a usable token and a sane expiry. The access token goes into
                 * "Authorization: Bearer" as it is: a b64token of bounded size. */
                FUZZ_ASSERT(!isempty(t.access_token) && t.token_type);
                FUZZ_ASSERT(strlen(t.access_token) <= BROKER_TOKEN_MAX);
                FUZZ_ASSERT(!t.access_token[strspn(t.access_token,
                                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                   "0123456789-._~+/=")]);
                FUZZ_ASSERT(t.access_token[0] != '=');
                FUZZ_ASSERT(!t.refresh_token || !strpbrk(t.refresh_token, "\r\n"));
                FUZZ_ASSERT(t.has_expires_in ? t.expires_in >= 0 : t.expires_in == -1);
                expires = token_response_expires_usec(&t, sent, 3600);
                /* A token that had expired when it came is never given a life. */
                FUZZ_ASSERT(!t.has_expires_in || t.expires_in > 0 || expires == sent);
                check_jwt(t.access_token);
                token_response_clear(&t);
        } else if (r != -ENOMEM) {
                /* An error's words end up in logs and in the caller's message. */
                FUZZ_ASSERT(e.error);
                FUZZ_ASSERT(!e.description || (strlen(e.description) <= 256 &&
                                               string_is_safe_utf8(e.description, strlen(e.description))));
                (void) token_error_is_login_required(&e, status == 400);
                token_error_clear(&e);
        }
        return 0;
}
