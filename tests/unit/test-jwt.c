/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "json-util.h"
#include "jwt.h"
#include "string-util.h"
#include "tap.h"

/* Tokens built by hand: header {"alg":"HS256","typ":"JWT"}, the payload named in each comment, and a fake
 * signature (nothing here verifies one). */
#define HDR "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

/* {"sub":"1234567890","name":"Jörg","exp":1700000000,"user_id":"~~~?~"}: unpadded, with '-' in it */
#define JWT_FULL                                                                                    \
        HDR ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkrDtnJnIiwi"                                     \
            "ZXhwIjoxNzAwMDAwMDAwLCJ1c2VyX2lkIjoifn5-P34ifQ.sig"
/* the same payload in standard base64 with padding, as a sloppy issuer might send it */
#define JWT_STD                                                                                     \
        HDR ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkrDtnJnIiwi"                                     \
            "ZXhwIjoxNzAwMDAwMDAwLCJ1c2VyX2lkIjoifn5+P34ifQ==.sig"
/* {"sub":"x"} */
#define JWT_NO_EXP HDR ".eyJzdWIiOiJ4In0.sig"
/* {"exp":1700000000.75} */
#define JWT_FRACTION HDR ".eyJleHAiOjE3MDAwMDAwMDAuNzV9.sig"
/* {"exp":"1700000000"} */
#define JWT_STRING_EXP HDR ".eyJleHAiOiIxNzAwMDAwMDAwIn0.sig"
/* {"exp":-5} */
#define JWT_NEGATIVE HDR ".eyJleHAiOi01fQ.sig"
/* {"exp":"soon"} */
#define JWT_WORD HDR ".eyJleHAiOiJzb29uIn0.sig"
/* [1,2]: JSON, but not an object */
#define JWT_ARRAY HDR ".WzEsMl0.sig"
/* {"exp":1700000000} x: trailing garbage */
#define JWT_TRAILING HDR ".eyJleHAiOjE3MDAwMDAwMDB9IHg.sig"

/* Flume's shape: {"user_id":1111,"type":"USER","scope":["read:personal"],"sub":null} */
#define JWT_FLUME HDR ".eyJ1c2VyX2lkIjoxMTExLCJ0eXBlIjoiVVNFUiIsInNjb3BlIjpbInJlYWQ6cGVyc29uYWwiXSwic3ViIjpudWxsfQ.sig"

static void test_claims(void) {
        char *names[] = { (char *) "user_id", (char *) "type", (char *) "scope", (char *) "sub", (char *) "missing", NULL };
        _cleanup_strv_free_ char **c = NULL, **none = NULL;

        is_int(jwt_get_claims(JWT_FLUME, names, &c), 0, "claims of a Flume token");
        is_int(strv_length(c), 6, "... three of five present and not null");
        if (strv_length(c) == 6) {
                is_str(c[0], "user_id", "user_id first, in the order asked");
                is_str(c[1], "1111", "... an integer printed");
                is_str(c[3], "USER", "a string as it is");
                is_str(c[5], "[\"read:personal\"]", "an array as its JSON text");
        }
        is_int(jwt_get_claims("opaque", names, &none), -EINVAL, "an opaque token has no claims");
        ok(!none, "... nothing returned");
}

static void test_decode(void) {
        _cleanup_json_ json_object *a = NULL, *b = NULL, *c = NULL;
        int64_t exp = 0;

        is_int(jwt_decode_payload(JWT_FULL, &a), 0, "decode base64url payload");
        is_str(json_get_string(a, "sub"), "1234567890", "sub claim");
        is_str(json_get_string(a, "name"), "J\xc3\xb6rg", "UTF-8 claim");
        is_str(json_get_string(a, "user_id"), "~~~?~", "claim whose encoding uses '-'");
        ok(json_get_int64(a, "exp", &exp) == 0 && exp == 1700000000, "exp claim");

        is_int(jwt_decode_payload(JWT_STD, &b), 0, "decode padded standard base64 payload");
        is_str(json_get_string(b, "user_id"), "~~~?~", "same claims");

        is_int(jwt_decode_payload(HDR ".eyJzdWIiOiJ4In0.", &c), 0,
               "empty signature (alg none) is still a JWT");
        is_str(json_get_string(c, "sub"), "x", "its claim");
}

static void test_not_jwt(void) {
        static const char *const bad[] = {
                "",
                "opaque-token-without-dots",
                "a.b",                                  /* two parts */
                HDR ".eyJzdWIiOiJ4In0.sig.x.y",         /* five parts: a JWE */
                HDR ".eyJzdWIiOiJ4In0.sig.",            /* four parts */
                HDR "..sig",                            /* empty payload */
                ".eyJzdWIiOiJ4In0.sig",                 /* empty header */
                HDR ".eyJzdWIi!iJ4In0.sig",             /* not base64 */
                HDR ".bm90IGpzb24.sig",                 /* "not json" */
                JWT_ARRAY,
                JWT_TRAILING,
        };
        json_object *o = NULL;
        int64_t exp = 0;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                is_int(jwt_decode_payload(bad[i], &o), -EINVAL, "not a JWT #%zu", i);
        ok(!o, "nothing returned");
        is_int(jwt_decode_payload(NULL, &o), -EINVAL, "NULL token");
        is_int(jwt_get_exp("opaque", &exp), -EINVAL, "exp of an opaque token");
        is_int(exp, 0, "output untouched on failure");
}

static void test_exp(void) {
        int64_t exp = 0;

        is_int(jwt_get_exp(JWT_FULL, &exp), 0, "exp present");
        is_int(exp, 1700000000, "its value");
        is_int(jwt_get_exp(JWT_NO_EXP, &exp), -ENOENT, "no exp");
        is_int(jwt_get_exp(JWT_FRACTION, &exp), 0, "fractional NumericDate");
        is_int(exp, 1700000000, "rounded down");
        is_int(jwt_get_exp(JWT_STRING_EXP, &exp), 0, "quoted exp accepted");
        is_int(exp, 1700000000, "its value");
        exp = 0;
        is_int(jwt_get_exp(JWT_NEGATIVE, &exp), -EBADMSG, "negative exp refused");
        is_int(jwt_get_exp(JWT_WORD, &exp), -EBADMSG, "non-numeric exp refused");
        is_int(exp, 0, "output untouched on failure");
}

int main(void) {
        test_decode();
        test_claims();
        test_not_jwt();
        test_exp();
        return tap_done();
}
