/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>

#include "json-util.h"
#include "string-util.h"
#include "tap.h"

static void test_json(void) {
        _cleanup_json_ json_object *o = NULL, *p = NULL, *num = NULL;
        int64_t v = 0;
        json_object *x;
        const char *doc = "{\"a\":[1,{\"b/c\":2,\"m~n\":\"3\"}],\"s\":\"x\",\"t\":true,\"neg\":-1,"
                          "\"big\":9223372036854775808,\"max\":9223372036854775807,\"f\":1.5,\"g\":60.0,"
                          "\"qs\":\" 5\",\"nul\":\"a\\u0000b\"}  \n";

        is_int(json_parse(doc, strlen(doc), &o), 0, "parse an object with trailing whitespace");
        is_int(json_parse("{} x", 4, &p), -EBADMSG, "trailing garbage refused");
        is_int(json_parse("{}{}", 4, &p), -EBADMSG, "two documents refused");
        is_int(json_parse("{\"a\":1,}", 8, &p), -EBADMSG, "trailing comma refused (strict)");
        is_int(json_parse("\"\xff\"", 3, &p), -EBADMSG, "invalid UTF-8 refused");
        is_int(json_parse("{\"a\":\"b\"", 8, &p), -EBADMSG, "truncated document refused");
        is_int(json_parse("{\"a\":1}\0", 8, &p), -EBADMSG, "raw NUL refused");
        is_int(json_parse("", 0, &p), -EBADMSG, "empty input refused");
        is_int(json_parse("42", 2, &num), 0, "bare number at top level");
        is_int(json_object_get_int(num), 42, "its value");

        char deep[200];
        memset(deep, '[', 100);
        memset(deep + 100, ']', 100);
        is_int(json_parse(deep, sizeof deep, &p), -EBADMSG, "depth 100 refused");
        memset(deep, '[', 60);
        memset(deep + 60, ']', 60);
        is_int(json_parse(deep, 120, &p), 0, "depth 60 accepted");

        ok(json_pointer_lookup(o, "") == o, "\"\" is the document");
        ok(json_pointer_lookup(o, NULL) == o, "NULL is the document");
        x = json_pointer_lookup(o, "/a/1/b~1c");
        ok(x && json_object_get_int(x) == 2, "~1 escapes '/'");
        x = json_pointer_lookup(o, "/a/1/m~0n");
        ok(x && streq(json_object_get_string(x), "3"), "~0 escapes '~'");
        ok(!json_pointer_lookup(o, "/a/01"), "leading zero index refused");
        ok(!json_pointer_lookup(o, "/a/2"), "index past the end");
        ok(!json_pointer_lookup(o, "a"), "pointer must start with '/'");
        ok(!json_pointer_lookup(NULL, "/a"), "NULL root");

        is_str(json_get_string(o, "s"), "x", "string member");
        is_str(json_get_string(o, "t"), "true", "boolean printed");
        is_str(json_get_string(o, "neg"), "-1", "integer printed");
        ok(!json_get_string(o, "a"), "array is not a string");
        ok(!json_get_string(o, "nul"), "string with embedded NUL refused");
        ok(!json_get_string(o, "missing"), "missing member");

        is_int(json_get_int64(o, "max", &v), 0, "INT64_MAX accepted");
        ok(v == INT64_MAX, "its value");
        is_int(json_get_int64(o, "big", &v), -ERANGE, "past INT64_MAX refused");
        is_int(json_get_int64(o, "neg", &v), -ERANGE, "negative refused");
        is_int(json_get_int64(o, "f", &v), -EINVAL, "fraction refused");
        is_int(json_get_int64(o, "g", &v), 0, "integral double accepted");
        is_int(v, 60, "its value");
        is_int(json_get_int64(o, "s", &v), -EINVAL, "non-numeric string refused");
        is_int(json_get_int64(o, "qs", &v), -EINVAL, "string with a space refused");
        is_int(json_get_int64(o, "missing", &v), -ENOENT, "missing member");
        x = json_pointer_lookup(o, "/a/1");
        is_int(json_get_int64(x, "m~n", &v), 0, "numeric string accepted");
        is_int(v, 3, "its value");
}

int main(void) {
        test_json();
        return tap_done();
}
