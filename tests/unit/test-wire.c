/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "exit-status.h"
#include "macro.h"
#include "string-util.h"
#include "tap.h"
#include "wire-errors.h"
#include "wire-json.h"

static void test_errors(void) {
        static const struct {
                const char *name;
                int error, exit_status;
        } table[] = {
                { BROKER_ERROR_NO_SUCH_ACCOUNT, -ESRCH, EXIT_NO_ACCOUNT },
                { BROKER_ERROR_LOGIN_REQUIRED, -EKEYEXPIRED, EXIT_LOGIN_REQUIRED },
                { BROKER_ERROR_KEYRING_LOCKED, -ENOLCK, EXIT_KEYRING_LOCKED },
                { BROKER_ERROR_PROVIDER, -EREMOTEIO, EXIT_PROVIDER },
                { BROKER_ERROR_BAD_RESPONSE, -EBADMSG, EXIT_PROVIDER },
                { BROKER_ERROR_UNAVAILABLE, -EHOSTUNREACH, EXIT_UNREACHABLE },
                { BROKER_ERROR_ACCESS_DENIED, -EACCES, EXIT_ACCESS_DENIED },
                { BROKER_ERROR_INVALID_ARGS, -EINVAL, EXIT_USAGE },
                { BROKER_ERROR_CONFIG, -EUCLEAN, EXIT_CONFIG },
                { BROKER_ERROR_MISSING_SECRET, -ENOKEY, EXIT_CONFIG },
                { BROKER_ERROR_EXISTS, -EEXIST, EXIT_USAGE },
        };
        char buf[BROKER_ERROR_NAME_MAX];

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                is_str(broker_error_name(table[i].error, buf), table[i].name, "-errno %d is %s",
                       table[i].error, table[i].name);
                is_int(broker_error_to_errno(table[i].name), table[i].error, "%s is -errno %d",
                       table[i].name, table[i].error);
                is_int(exit_status_from_errno(broker_error_to_errno(table[i].name)), table[i].exit_status,
                       "%s exits %d", table[i].name, table[i].exit_status);
        }

        /* Other errnos travel in sd-bus's generic form, and come back as the same errno. */
        is_str(broker_error_name(EPROTO, buf), "System.Error.EPROTO", "EPROTO is System.Error.EPROTO");
        is_int(broker_error_to_errno("System.Error.EPROTO"), -EPROTO, "... and back");
        is_int(exit_status_from_errno(-EPROTO), EXIT_PROVIDER, "... which exits 5");
        is_int(broker_error_to_errno("System.Error.ENOMEM"), -ENOMEM, "System.Error.ENOMEM");
        is_int(broker_error_to_errno("System.Error.NOTANERRNO"), -EIO, "an unknown System.Error is EIO");
        is_int(broker_error_to_errno("org.example.Whatever"), -EIO, "an unknown name is EIO, as in sd-bus");
        is_int(broker_error_to_errno(NULL), -EIO, "no name is EIO");
        is_int(exit_status_from_errno(-ECONNRESET), EXIT_UNREACHABLE, "a reset connection is unreachable");
}

static int parse(const char *s, json_object **ret) {
        return wire_message_parse(s, strlen(s), ret);
}

static void test_messages(void) {
        _cleanup_json_ json_object *o = NULL, *e = NULL;
        _cleanup_erase_ char *text = NULL;
        json_object *p = NULL;
        const char *v = NULL;
        size_t size = 0;

        ok(parse("{\"method\":\"m\",\"parameters\":{\"account\":\"a\"}}", &o) == 0, "an object parses");
        ok(wire_json_get_string(o, "method", &v) == 1 && v && strcmp(v, "m") == 0, "... its method");
        ok(json_object_object_get_ex(o, "parameters", &p), "... its parameters");
        is_int(wire_json_get_string(p, "scope", &v), 0, "an absent member is 0");
        ok(v == NULL, "... and NULL");
        is_int(wire_json_get_string(o, "parameters", &v), -EINVAL, "a member of another type is -EINVAL");
        o = wire_json_erase_and_put(o);

        ok(parse(" {\"a\": null} \n", &o) == 0, "whitespace around the object is fine");
        is_int(wire_json_get_string(o, "a", &v), 0, "... and null is absent");
        o = wire_json_erase_and_put(o);

        is_int(parse("", &o), -EBADMSG, "nothing is no message");
        is_int(parse("[1]", &o), -EBADMSG, "an array is no message");
        is_int(parse("\"s\"", &o), -EBADMSG, "a string is no message");
        is_int(parse("{\"a\":1}x", &o), -EBADMSG, "trailing garbage is refused");
        is_int(parse("{\"a\":1}{}", &o), -EBADMSG, "two objects are refused");
        is_int(parse("{\"a\":", &o), -EBADMSG, "a truncated object is refused");
        is_int(parse("{\"a\":1,}", &o), -EBADMSG, "a trailing comma is refused (strict)");
        is_int(parse("{\"a\":\"\xff\"}", &o), -EBADMSG, "invalid UTF-8 is refused");
        is_int(parse("{\"a\":[[[[[[[[[[[[1]]]]]]]]]]]]}", &o), -EBADMSG, "deep nesting is refused");
        is_int(wire_message_parse("{}\0{}", 5, &o), -EBADMSG, "a NUL inside is refused");

        e = wire_error_new(BROKER_ERROR_NO_SUCH_ACCOUNT, "No such account 'x'.");
        ok(e != NULL, "an error message");
        ok(wire_message_format(e, &text, &size) == 0, "... is formatted");
        is_int(size, strlen(text) + 1, "... with its NUL");
        is_str(text,
               "{\"error\":\"org.tokenbroker.Error.NoSuchAccount\","
               "\"parameters\":{\"message\":\"No such account 'x'.\"}}",
               "... as one line of JSON");
        text = erase_and_free(text);

        e = wire_json_erase_and_put(e);
        e = json_object_new_object();
        json_object_object_add(e, "token", json_object_new_string("a/b\"c"));
        ok(wire_message_format(e, &text, &size) == 0, "a token is formatted");
        ok(strstr(text, "a/b\\\"c") != NULL, "... slashes unescaped, quotes escaped");
        ok(parse(text, &o) == 0 && wire_json_get_string(o, "token", &v) == 1 && strcmp(v, "a/b\"c") == 0,
           "... and read back");
        wire_json_erase(o);
        ok(json_object_object_get_ex(o, "token", &p) && json_object_get_string_len(p) == 5 &&
           memcmp(json_object_get_string(p), "\0\0\0\0\0", 5) == 0, "erasing wipes the strings");
        o = wire_json_erase_and_put(o);
        e = wire_json_erase_and_put(e);

        /* A string with an embedded NUL would be cut there by every C caller, and "good\u0000x" served as
         * "good": it is a bad parameter, wherever the NUL is. */
        ok(parse("{\"account\":\"good\\u0000x\",\"scope\":\"\\u0000\",\"token\":\"x\\u0000\","
                 "\"empty\":\"\",\"fine\":\"g\\u00f6od\"}", &o) == 0,
           "a message with NULs inside strings parses");
        v = "unchanged";
        is_int(wire_json_get_string(o, "account", &v), -EINVAL, "\"good\\u0000x\" is refused");
        is_str(v, "unchanged", "... and nothing is returned");
        is_int(wire_json_get_string(o, "scope", &v), -EINVAL, "a lone NUL is refused");
        is_int(wire_json_get_string(o, "token", &v), -EINVAL, "a trailing NUL is refused");
        ok(wire_json_get_string(o, "empty", &v) == 1 && v && v[0] == 0, "an empty string is still a string");
        ok(wire_json_get_string(o, "fine", &v) == 1 && streq(v, "g\xc3\xb6od"), "other escapes are fine");
}

/* json-c copies each string it reads into the tokener's print buffer and frees it unwiped: a token in an
 * answer, or a token in an Invalidate request, would stay in freed memory. */
static void test_tokener_erase(void) {
        static const char text[] = "{\"parameters\":{\"token\":\"SECRET-TOKEN-1234\"}}";
        struct json_tokener *tok = json_tokener_new();
        json_object *o = tok ? json_tokener_parse_ex(tok, text, (int) strlen(text)) : NULL;

        ok(o && tok->pb && memmem(tok->pb->buf, (size_t) tok->pb->size, "SECRET-TOKEN", 12),
           "the tokener's buffer holds the last string read");
        wire_tokener_erase(tok);
        ok(tok && tok->pb && !memmem(tok->pb->buf, (size_t) tok->pb->size, "SECRET", 6),
           "... until it is erased");
        json_object_put(o);
        wire_tokener_erase_and_free(tok);
}

int main(void) {
        test_errors();
        test_messages();
        test_tokener_erase();
        return tap_done();
}
