/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "alloc-util.h"
#include "string-util.h"
#include "tap.h"
#include "time-util.h"
#include "token-response.h"
#include "wire-api.h"

/* A JWT with payload {"exp":1700000000} (header {"alg":"HS256","typ":"JWT"}, fake signature). */
#define JWT_EXP "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDAwMDB9.c2ln"

typedef struct Result {
        TokenResponse t;
        TokenError e;
        int r;
} Result;

static void result_clear(Result *x) {
        if (x->r == 0)
                token_response_clear(&x->t);
        else
                token_error_clear(&x->e);
}

static Result parse(const char *body, int status, const char *path) {
        Result x = {};

        x.r = token_response_parse(body, strlen(body), status, path, &x.t, &x.e);
        return x;
}

static void test_rfc_success(void) {
        _cleanup_(result_clear) Result a = {}, b = {}, c = {}, d = {};

        /* RFC 6749 section 5.1 */
        a = parse("{\"access_token\":\"2YotnFZFEjr1zCsicMWpAA\",\"token_type\":\"Bearer\","
                  "\"expires_in\":3600,"
                  "\"refresh_token\":\"tGzv3JOkF0XG5Qx2TlKWIA\",\"scope\":\"read write\","
                  "\"example_parameter\":1}",
                  200, NULL);
        is_int(a.r, 0, "RFC 6749 token response");
        is_str(a.t.access_token, "2YotnFZFEjr1zCsicMWpAA", "access_token");
        is_str(a.t.token_type, "Bearer", "token_type");
        is_int(a.t.expires_in, 3600, "expires_in");
        is_str(a.t.refresh_token, "tGzv3JOkF0XG5Qx2TlKWIA", "refresh_token");
        is_str(a.t.scope, "read write", "scope");
        ok(!a.t.id_token, "no id_token");
        ok(token_response_expires_usec(&a.t, 1000 * USEC_PER_SEC + 5, 60) == 4600 * USEC_PER_SEC + 5,
           "expiry from expires_in, counted from the moment the request was sent");

        b = parse("{\"access_token\":\"at\",\"token_type\":\"bearer\",\"expires_in\":\"7200\","
                  "\"scope\":[\"a\",\"b\"],"
                  "\"id_token\":\"x.y.z\"}",
                  201, "");
        is_int(b.r, 0, "lowercase bearer, quoted expires_in, 201");
        is_str(b.t.token_type, "Bearer", "token_type in one spelling, whatever the server's case");
        is_int(b.t.expires_in, 7200, "string expires_in parsed");
        is_str(b.t.scope, "a b", "scope array joined");
        is_str(b.t.id_token, "x.y.z", "id_token");
        ok(!b.t.refresh_token, "no refresh_token");

        c = parse("{\"access_token\":\"" JWT_EXP "\",\"expires_in\":\"soon\"}", 200, NULL);
        is_int(c.r, 0, "no token_type, junk expires_in");
        is_str(c.t.token_type, "Bearer", "missing token_type means Bearer");
        is_int(c.t.expires_in, -1, "junk expires_in is absent");
        ok(!c.t.has_expires_in, "... and says so");
        ok(token_response_expires_usec(&c.t, 1000 * USEC_PER_SEC, 60) == 1700000000 * USEC_PER_SEC,
           "expiry from the JWT's exp");
        /* A JWT exp earlier than expires_in says (server clock rounding) is the truth while it is ahead ... */
        c.t.has_expires_in = true;
        c.t.expires_in = 3600;
        ok(token_response_expires_usec(&c.t, 1699999000 * USEC_PER_SEC + 700000, 60) == 1700000000 * USEC_PER_SEC,
           "an earlier JWT exp bounds expires_in");
        /* ... but one already past means the clocks disagree: expires_in wins. */
        ok(token_response_expires_usec(&c.t, 1800000000 * USEC_PER_SEC, 60) == (1800000000 + 3600) * USEC_PER_SEC,
           "a JWT exp in the past does not shorten expires_in");

        d = parse(" {\"access_token\":\"opaque\",\"token_type\":\"BEARER\"}\r\n", 200, NULL);
        is_int(d.r, 0, "upper-case BEARER, surrounding whitespace");
        ok(!d.t.has_expires_in && d.t.expires_in == -1, "no expires_in: absent, -1");
        ok(token_response_expires_usec(&d.t, 1000 * USEC_PER_SEC, 60) == 1060 * USEC_PER_SEC,
           "expiry from the default lifetime");
        d.t.has_expires_in = true;
        d.t.expires_in = INT64_MAX;
        ok(token_response_expires_usec(&d.t, 1000 * USEC_PER_SEC, 60) == UINT64_MAX, "expiry saturates");
}

/* expires_in of 0 or less: the token has expired when it arrives, whatever else the response says. */
static void test_expired(void) {
        static const char *const values[] = {
                "0", "-1", "-5", "\"0\"", "\"-5\"", "-1.5", "-9223372036854775808",
        };
        const uint64_t sent = 1699999000 * USEC_PER_SEC + 700000;

        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                _cleanup_free_ char *body = strjoin("{\"access_token\":\"at\",\"expires_in\":", values[i],
                                                    "}");
                _cleanup_free_ char *jwt_body = strjoin("{\"access_token\":\"" JWT_EXP "\",\"expires_in\":",
                                                        values[i], "}");
                _cleanup_(result_clear) Result a = parse(body, 200, NULL), b = parse(jwt_body, 200, NULL);

                is_int(a.r, 0, "expires_in %s: the response parses", values[i]);
                ok(a.t.has_expires_in && a.t.expires_in == 0, "... expires_in is present, and 0");
                ok(token_response_expires_usec(&a.t, sent, 3600) == sent,
                   "... the token expires at the moment the request was sent");
                is_int(b.r, 0, "expires_in %s with a JWT whose exp is ahead", values[i]);
                ok(token_response_expires_usec(&b.t, sent, 3600) == sent,
                   "... expires when sent all the same");
        }

        {
                _cleanup_(result_clear) Result a = parse("{\"access_token\":\"at\",\"expires_in\":1}", 200,
                                                         NULL);

                ok(a.t.has_expires_in && a.t.expires_in == 1, "expires_in 1 is 1");
                ok(token_response_expires_usec(&a.t, sent, 3600) == sent + USEC_PER_SEC,
                   "... one second after sending");
        }
        {
                /* Absent, null, junk and past INT64_MAX still mean "not said": the default lifetime. */
                static const char *const absent[] = { "", ",\"expires_in\":null", ",\"expires_in\":\"soon\"",
                                                      ",\"expires_in\":99999999999999999999" };

                for (size_t i = 0; i < ELEMENTSOF(absent); i++) {
                        _cleanup_free_ char *body = strjoin("{\"access_token\":\"at\"", absent[i], "}");
                        _cleanup_(result_clear) Result a = parse(body, 200, NULL);

                        is_int(a.r, 0, "%s: parses", body);
                        ok(!a.t.has_expires_in && a.t.expires_in == -1, "... expires_in absent (-1)");
                        ok(token_response_expires_usec(&a.t, sent, 3600) == sent + 3600 * USEC_PER_SEC,
                           "... the default lifetime");
                }
        }
}

/* RFC 6750 section 2.1: what goes after "Authorization: Bearer " is a b64token,
 * 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
static void test_token_syntax(void) {
        static const char *const good[] = {
                "at", "A", "2YotnFZFEjr1zCsicMWpAA", "a-b.c_d~e+f/g", "abc=", "abc==", "x===",
                JWT_EXP,
                "op_Wq3PXz-8s_kY1vT0aBcDeFgHiJkLmNoP",          /* the test token server's opaque tokens */
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",     /* hex */
        };
        static const char *const bad[] = {
                "a b", " ab", "ab ", "a\\tb", "a,b", "a;b", "a:b", "a@b", "a%20b", "a\\\"b", "a\\\\b",
                "a=b", "=ab", "ab=c=", "==", "a!b", "a*b", "(ab)", "a<b>", "a?b", "a#b", "a{b}", "a|b",
                "a^b", "a`b", "a'b",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_free_ char *body = strjoin("{\"access_token\":\"", good[i], "\"}");
                _cleanup_(result_clear) Result x = parse(body, 200, NULL);

                is_int(x.r, 0, "access_token %s is a b64token", good[i]);
                is_str(x.r == 0 ? x.t.access_token : NULL, good[i], "... kept as sent");
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *body = strjoin("{\"access_token\":\"", bad[i],
                                                    "\",\"token_type\":\"Bearer\"}");
                _cleanup_(result_clear) Result x = parse(body, 200, NULL);

                is_int(x.r, -EBADMSG, "access_token %s is refused", bad[i]);
                is_str(x.r < 0 ? x.e.error : NULL, "invalid_response", "... as invalid_response");
                ok(x.r < 0 && x.e.description && strstr(x.e.description, "Bearer"),
                   "... saying a Bearer header cannot carry it (\"%s\")",
                   x.r < 0 ? strna(x.e.description) : "");
        }
        {
                /* Refresh tokens never go into a header: they keep the wider RFC 6749 syntax. */
                _cleanup_(result_clear) Result x =
                        parse("{\"access_token\":\"at\",\"refresh_token\":\"r t,1\"}", 200, NULL);

                is_int(x.r, 0, "a refresh token with a space and a comma is taken");
        }
}

/* BROKER_TOKEN_MAX: the largest access token handed out, on both sides. */
static void test_token_size(void) {
        _cleanup_free_ char *token = malloc(BROKER_TOKEN_MAX + 2), *fits = NULL, *over = NULL;

        assert(token);
        is_int(BROKER_TOKEN_MAX, 32768, "BROKER_TOKEN_MAX is 32 KiB");
        memset(token, 'a', BROKER_TOKEN_MAX + 1);
        token[BROKER_TOKEN_MAX] = 0;
        fits = strjoin("{\"access_token\":\"", token, "\",\"token_type\":\"Bearer\"}");
        token[BROKER_TOKEN_MAX] = 'a';
        token[BROKER_TOKEN_MAX + 1] = 0;
        over = strjoin("{\"access_token\":\"", token, "\",\"token_type\":\"Bearer\"}");
        assert(fits && over);

        {
                _cleanup_(result_clear) Result x = parse(fits, 200, NULL);

                is_int(x.r, 0, "an access token of exactly 32768 bytes is taken");
                is_int(x.r == 0 ? strlen(x.t.access_token) : 0, BROKER_TOKEN_MAX, "... whole");
        }
        {
                _cleanup_(result_clear) Result x = parse(over, 200, NULL);

                is_int(x.r, -EBADMSG, "32769 bytes are refused");
                is_str(x.r < 0 ? x.e.error : NULL, "invalid_response", "... as invalid_response");
                ok(x.r < 0 && x.e.description && strstr(x.e.description, "32768"),
                   "... with a description naming the limit (\"%s\")",
                   x.r < 0 ? strna(x.e.description) : "");
        }
}

static void test_envelopes(void) {
        _cleanup_(result_clear) Result a = {}, b = {}, c = {}, d = {}, e = {}, f = {}, g = {}, h = {};

        /* Flume: the token is the first element of "data" */
        a = parse("{\"success\":true,\"code\":602,\"message\":\"Request OK\",\"http_code\":200,"
                  "\"http_message\":\"OK\","
                  "\"detailed\":null,\"data\":[{\"token_type\":\"bearer\",\"access_token\":\"" JWT_EXP "\","
                  "\"expires_in\":604800,\"refresh_token\":\"rt-flume\"}],\"count\":1,\"pagination\":null}",
                  200, "/data/0");
        is_int(a.r, 0, "Flume envelope with TokenPath /data/0");
        is_str(a.t.access_token, JWT_EXP, "access_token from data[0]");
        is_str(a.t.refresh_token, "rt-flume", "refresh_token from data[0]");
        is_int(a.t.expires_in, 604800, "expires_in from data[0]");

        b = parse("{\"success\":false,\"code\":1002,\"message\":\"Bad Request\",\"http_code\":400,"
                  "\"http_message\":\"Bad Request\",\"detailed\":[\"Refresh token is invalid.\"],"
                  "\"data\":[]}",
                  400, "/data/0");
        is_int(b.r, -EREMOTEIO, "Flume refusal");
        is_str(b.e.error, "invalid_grant", "dead refresh token maps to invalid_grant");
        is_str(b.e.description, "Refresh token is invalid.", "description from detailed[0]");
        is_int(b.e.http_status, 400, "status kept");
        ok(token_error_is_login_required(&b.e, true), "login required");

        c = parse("{\"success\":false,\"message\":\"Rate limited\",\"http_code\":429,"
                  "\"detailed\":null}", 200,
                  "/data/0");
        is_int(c.r, -EREMOTEIO, "Flume success:false at HTTP 200 is a refusal");
        is_str(c.e.error, "http_429", "error from http_code");
        is_str(c.e.description, "Rate limited", "description from message");
        ok(!token_error_is_login_required(&c.e, true), "rate limit is not a dead grant");

        d = parse("{\"success\":false,\"message\":\"Something failed\"}", 200, NULL);
        is_int(d.r, -EREMOTEIO, "envelope without http_code");
        is_str(d.e.error, "provider_error", "synthesized error");

        /* Flixcheck wraps the token in "resource" */
        e = parse("{\"success\":true,\"resource\":{\"access_token\":\"fx\",\"token_type\":\"Bearer\","
                  "\"expires_in\":86400}}",
                  200, "/resource");
        is_int(e.r, 0, "Flixcheck resource wrapper");
        is_str(e.t.access_token, "fx", "access_token from resource");
        is_int(e.t.expires_in, 86400, "expires_in from resource");

        /* A wrapper left out (Flume with envelope=false, Flixcheck's flat shape): the top level is used. */
        f = parse("{\"access_token\":\"top\",\"token_type\":\"bearer\"}", 200, "/data/0");
        is_int(f.r, 0, "TokenPath that does not resolve falls back to a top-level token");
        is_str(f.t.access_token, "top", "... the top-level access_token");

        g = parse("{\"data\":[]}", 200, "/data/0");
        is_int(g.r, -EBADMSG, "TokenPath that does not resolve, and no top-level token");
        ok(g.e.description && strstr(g.e.description, "/data/0"), "description names the path");

        /* Flume's envelope=true error at 400 for bad user credentials: not a dead refresh token. */
        h = parse("{\"success\":false,\"code\":1001,\"message\":\"Bad Request\",\"http_code\":400,"
                  "\"http_message\":\"Bad Request\",\"detailed\":[\"Invalid user credentials.\"],"
                  "\"data\":[],\"count\":0,\"pagination\":null}", 400, "/data/0");
        is_int(h.r, -EREMOTEIO, "Flume bad credentials");
        is_str(h.e.error, "http_400", "... a plain 400");
        is_str(h.e.description, "Invalid user credentials.", "... described by detailed[0]");
        ok(!token_error_is_login_required(&h.e, false), "... on the password grant no login loop");
}

static void test_rfc_errors(void) {
        _cleanup_(result_clear) Result a = {}, b = {}, c = {}, d = {}, e = {}, f = {}, g = {};

        a = parse("{\"error\":\"invalid_grant\","
                  "\"error_description\":\"The refresh token has expired\"}", 400, NULL);
        is_int(a.r, -EREMOTEIO, "RFC error");
        is_str(a.e.error, "invalid_grant", "error code");
        is_str(a.e.description, "The refresh token has expired", "error_description");
        ok(token_error_is_login_required(&a.e, false), "invalid_grant needs a login, any grant");

        b = parse("{\"error\":\"invalid_client\"}", 401, NULL);
        is_int(b.r, -EREMOTEIO, "invalid_client");
        ok(!b.e.description, "no description");
        ok(!token_error_is_login_required(&b.e, true), "a bad client secret is not fixed by a login");

        c = parse("{\"error\":\"authorization_pending\"}", 200, NULL);
        is_int(c.r, -EREMOTEIO, "RFC error at HTTP 200 (device flow poll)");
        is_str(c.e.error, "authorization_pending", "error code");

        d = parse("{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials.\","
                  "\"status\":\"UNAUTHENTICATED\"}}",
                  401, NULL);
        is_int(d.r, -EREMOTEIO, "error object");
        is_str(d.e.error, "http_401", "synthesized code");
        is_str(d.e.description, "Request had invalid authentication credentials.", "message");

        e = parse("{\"message\":\"Service down\"}", 503, NULL);
        is_int(e.r, -EREMOTEIO, "JSON without error fields at 503");
        is_str(e.e.error, "http_503", "status code");
        is_str(e.e.description, "Service down", "message");

        f = parse("{\"error\":\"invalid_token\"}", 401, NULL);
        ok(token_error_is_login_required(&f.e, true), "invalid_token on a refresh needs a login");
        ok(!token_error_is_login_required(&f.e, false), "but not on another grant");

        g = parse("{\"access_token\":\"at\",\"token_type\":\"bearer\"}", 500, NULL);
        is_int(g.r, -EREMOTEIO, "a token with a 5xx status is not trusted");
        ok(!token_error_is_login_required(NULL, true), "no error, no login");
}

static void test_not_json(void) {
        _cleanup_(result_clear) Result a = {}, b = {}, c = {}, d = {}, e = {}, f = {};

        /* Sharetribe answers a dead refresh token with a bare 401 */
        a = parse("Unauthorized", 401, NULL);
        is_int(a.r, -EREMOTEIO, "status-only 401 with text body");
        is_str(a.e.error, "http_401", "error from status");
        is_str(a.e.description, "Unauthorized", "short text kept");
        ok(token_error_is_login_required(&a.e, true), "dead on a refresh");
        ok(!token_error_is_login_required(&a.e, false), "not on the first grant");

        b = parse("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", 502, NULL);
        is_int(b.r, -EREMOTEIO, "HTML error page");
        is_str(b.e.error, "http_502", "error from status");
        ok(!b.e.description, "HTML is not a description");

        c = parse("<html><body>Welcome</body></html>", 200, NULL);
        is_int(c.r, -EBADMSG, "HTML at 200");
        is_str(c.e.description, "response is not JSON", "clear description");
        is_int(c.e.http_status, 200, "status kept");

        d = parse("{\"access_token\":\"abc\",\"token_ty", 200, NULL);
        is_int(d.r, -EBADMSG, "truncated JSON");
        is_str(d.e.description, "response is not JSON", "clear description");

        e = parse("[{\"access_token\":\"abc\"}]", 200, NULL);
        is_int(e.r, -EBADMSG, "JSON array");

        f = parse("", 204, NULL);
        is_int(f.r, -EBADMSG, "empty 204");
}

static void test_bad_tokens(void) {
        static const char *const bodies[] = {
                "{\"token_type\":\"bearer\"}",
                "{\"access_token\":\"\"}",
                "{\"access_token\":42}",
                "{\"access_token\":null}",
                "{\"access_token\":\"a\\nb\"}",
                "{\"access_token\":\"a\\u0000b\"}",
                "{\"access_token\":\"\\u00e4\"}",
                "{\"access_token\":\"ok\",\"refresh_token\":\"r\\r\\nX-Injected: 1\"}",
                "{\"access_token\":\"ok\",\"token_type\":7}",
        };

        for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
                _cleanup_(result_clear) Result x = parse(bodies[i], 200, NULL);

                is_int(x.r, -EBADMSG, "not a usable token #%zu", i);
                ok(x.r != -EBADMSG || !isempty(x.e.description), "with a description");
        }

        _cleanup_(result_clear) Result m = parse("{\"access_token\":\"x\","
                                                 "\"token_type\":\"mac\"}", 200, NULL);
        is_int(m.r, -EBADMSG, "MAC token refused");
        ok(m.e.description && strstr(m.e.description, "mac"), "description names the type");

        /* RFC 9449 section 5: a DPoP-bound token, named in one spelling whatever the case the server used.
         */
        _cleanup_(result_clear) Result dp =
                parse("{\"access_token\":\"x\",\"token_type\":\"dpop\"}", 200, NULL);
        is_int(dp.r, 0, "a DPoP token is taken");
        is_str(dp.t.token_type, "DPoP", "... as DPoP");

        _cleanup_(result_clear) Result n = parse("{\"access_token\":\"x\","
                                                 "\"id_token\":\"a\\nb\"}", 200, NULL);
        is_int(n.r, 0, "bad id_token does not spoil the token");
        ok(!n.t.id_token, "it is dropped");

        TokenResponse t;
        is_int(token_response_parse("{\"access_token\":1}", 18, 200, NULL, &t, NULL), -EBADMSG,
               "ret_error may be NULL");
}

static void test_sanitize(void) {
        _cleanup_(result_clear) Result a = {}, b = {};
        _cleanup_free_ char *body = NULL, *long_desc = NULL;
        size_t n = 300;

        a = parse("{\"error\":\"bad\\u0007code\",\"error_description\":\"line1\\nline2\\t\\u001b[31mred"
                  "\\u202eevil\\u0085x \"}",
                  400, NULL);
        is_int(a.r, -EREMOTEIO, "error with control characters");
        is_str(a.e.error, "bad code", "controls in the code become spaces");
        is_str(a.e.description, "line1 line2  [31mred?evil?x", "controls and bidi overrides replaced");

        _cleanup_(result_clear) Result c = parse("{\"error\":\"\\u0007\\n\"}", 401, NULL);
        is_int(c.r, -EREMOTEIO, "error code of control characters only");
        is_str(c.e.error, "unknown_error", "gets a printable name");

        /* 300 two-byte characters: cut to 256 bytes, on a character boundary */
        long_desc = malloc(n * 2 + 1);
        assert(long_desc);
        for (size_t i = 0; i < n; i++)
                memcpy(long_desc + 2 * i, "\xc3\xa4", 2);
        long_desc[n * 2] = 0;
        body = strjoin("{\"error\":\"x\",\"error_description\":\"", long_desc, "\"}");
        assert(body);
        b = parse(body, 400, NULL);
        is_int(b.r, -EREMOTEIO, "long description");
        is_int(strlen(b.e.description), 256, "cut to 256 bytes");
        ok(string_is_safe_utf8(b.e.description, strlen(b.e.description)), "still valid UTF-8");
}

static void test_huge(void) {
        const size_t n = 10 * 1024 * 1024;
        _cleanup_(result_clear) Result a = {}, b = {}, c = {};
        _cleanup_free_ char *buf = malloc(n + 64);
        uint32_t x = 12345;

        assert(buf);

        /* 10 MiB of pseudo-random bytes */
        for (size_t i = 0; i < n; i++) {
                x = x * 1103515245 + 12345;
                buf[i] = (char) (x >> 16);
        }
        a.r = token_response_parse(buf, n, 200, NULL, &a.t, &a.e);
        is_int(a.r, -EBADMSG, "10 MiB of garbage at 200");
        token_error_clear(&a.e);
        a.r = token_response_parse(buf, n, 500, NULL, &a.t, &a.e);
        is_int(a.r, -EREMOTEIO, "10 MiB of garbage at 500");
        ok(!a.e.description, "not quoted");

        /* 10 MiB of JSON that never ends: crosses every internal chunk and is still refused */
        memcpy(buf, "{\"access_token\":\"", 17);
        memset(buf + 17, 'a', n - 17);
        b.r = token_response_parse(buf, n, 200, NULL, &b.t, &b.e);
        is_int(b.r, -EBADMSG, "10 MiB truncated JSON");

        /* ... and once closed it is parsed across chunks, and refused as a token over BROKER_TOKEN_MAX */
        memcpy(buf + n, "\",\"token_type\":\"bearer\"}", 25);
        c.r = token_response_parse(buf, n + 24, 200, NULL, &c.t, &c.e);
        is_int(c.r, -EBADMSG, "10 MiB token parsed across chunks, and refused");
        ok(c.r < 0 && c.e.description && strstr(c.e.description, "32768"), "... for its size");

        /* 10 MiB of some other member do not spoil a token. */
        token_error_clear(&c.e);
        memcpy(buf, "{\"padding\":\"", 12);
        memset(buf + 12, 'a', n - 12);
        memcpy(buf + n, "\",\"access_token\":\"at\"}", 23);
        c.r = token_response_parse(buf, n + 22, 200, NULL, &c.t, &c.e);
        is_int(c.r, 0, "a token after 10 MiB of another member");
        is_str(c.r == 0 ? c.t.access_token : NULL, "at", "... is read");
}

int main(void) {
        test_rfc_success();
        test_expired();
        test_token_syntax();
        test_token_size();
        test_envelopes();
        test_rfc_errors();
        test_not_json();
        test_bad_tokens();
        test_sanitize();
        test_huge();
        return tap_done();
}
