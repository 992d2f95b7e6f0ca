/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "macro.h"
#include "string-util.h"
#include "tap.h"

/* UTF-8 length in characters of a valid string. */
static size_t utf8_chars(const char *s) {
        size_t n = 0;

        for (; *s; s++)
                n += ((unsigned char) *s & 0xc0) != 0x80;
        return n;
}

static void test_safe_utf8(void) {
        const char *mixed = "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x94\x91";

        ok(string_is_safe_utf8("plain text\twith a tab", 21), "ASCII with a tab is safe");
        ok(string_is_safe_utf8(mixed, strlen(mixed)), "2, 3 and 4 byte characters");
        ok(!string_is_safe_utf8("a\nb", 3), "LF is not");
        ok(!string_is_safe_utf8("a\rb", 3), "CR is not");
        ok(!string_is_safe_utf8("a\x7f", 2), "DEL is not");
        ok(!string_is_safe_utf8("a\0b", 3), "NUL is not");
        ok(!string_is_safe_utf8("\xc0\xaf", 2), "an overlong form is not");
        ok(!string_is_safe_utf8("\xed\xa0\x80", 3), "a surrogate is not");
        ok(!string_is_safe_utf8("\xe2\x82", 2), "a cut sequence is not");
        ok(!string_is_safe_utf8("\x80", 1), "a stray continuation byte is not");
        ok(string_is_safe_utf8("", 0), "nothing is safe");
}

static void test_secret_value(void) {
        _cleanup_free_ char *big = malloc(SECRET_VALUE_MAX + 2);

        assert(big);
        memset(big, 'k', SECRET_VALUE_MAX + 1);
        big[SECRET_VALUE_MAX + 1] = 0;

        ok(secret_value_is_valid("s3cr3t", 6), "a plain secret");
        ok(secret_value_is_valid("p\xc3\xa4ss w\tord", strlen("p\xc3\xa4ss w\tord")),
           "UTF-8, a space and a tab");
        ok(!secret_value_is_valid("", 0), "empty is refused");
        ok(!secret_value_is_valid(NULL, 0), "NULL is refused");
        ok(secret_value_is_valid(big, SECRET_VALUE_MAX), "exactly SECRET_VALUE_MAX (16384) bytes");
        ok(!secret_value_is_valid(big, SECRET_VALUE_MAX + 1), "one byte more is refused");
        ok(!secret_value_is_valid("key\r\nX-Injected: 1", 18), "an api-key with CR LF is refused");
        ok(!secret_value_is_valid("key\n", 4), "a trailing LF is refused");
        ok(!secret_value_is_valid("key\r", 4), "a trailing CR is refused");
        ok(!secret_value_is_valid("ab\0cd", 5), "an embedded NUL is refused");
        ok(!secret_value_is_valid("\xff\xfe", 2), "bytes that are not UTF-8 are refused");
        ok(!secret_value_is_valid("a\x1b[31m", 6), "an escape sequence is refused");
}

static void test_excerpt(void) {
        char buf[STRING_EXCERPT_SIZE], small[8];
        _cleanup_free_ char *huge = NULL, *wide = NULL;
        const size_t huge_size = 30 * 1024 * 1024;
        const char *e;
        char exact[STRING_EXCERPT_CHARS + 2];

        is_str(string_excerpt("work", buf, sizeof(buf)), "work", "a short string is kept whole");
        is_str(string_excerpt(NULL, buf, sizeof(buf)), "", "NULL is empty");
        is_str(string_excerpt("", buf, sizeof(buf)), "", "empty stays empty");

        /* Both sides of the limit. */
        memset(exact, 'x', STRING_EXCERPT_CHARS);
        exact[STRING_EXCERPT_CHARS] = 0;
        e = string_excerpt(exact, buf, sizeof(buf));
        is_int(strlen(e), STRING_EXCERPT_CHARS, "exactly 64 characters are kept whole");
        ok(!endswith(e, "..."), "... without \"...\"");
        exact[STRING_EXCERPT_CHARS] = 'y';
        exact[STRING_EXCERPT_CHARS + 1] = 0;
        e = string_excerpt(exact, buf, sizeof(buf));
        is_int(strlen(e), STRING_EXCERPT_CHARS + 3, "65 characters are cut to 64 ...");
        ok(endswith(e, "...") && !strchr(e, 'y'), "... followed by \"...\"");

        /* What the daemon must not echo whole: a 30 MB account name. */
        huge = malloc(huge_size + 1);
        assert(huge);
        memset(huge, 'A', huge_size);
        huge[huge_size] = 0;
        e = string_excerpt(huge, buf, sizeof(buf));
        is_int(strlen(e), STRING_EXCERPT_CHARS + 3, "30 MB become 64 characters and \"...\"");

        is_str(string_excerpt("a\nb\rc\x1b[0m\x7f", buf, sizeof(buf)), "a?b?c?[0m?", "controls become '?'");
        is_str(string_excerpt("bad\xff\xfeutf8", buf, sizeof(buf)), "bad??utf8",
               "each byte that is not UTF-8 is a '?'");
        is_str(string_excerpt("r\xe2\x80\xae" "evil\xc2\x85" "x", buf, sizeof(buf)), "r?evil?x",
               "a bidi override and a C1 control are one '?' each");
        is_str(string_excerpt("gr\xc3\xbc\xc3\x9f", buf, sizeof(buf)), "gr\xc3\xbc\xc3\x9f", "UTF-8 is kept");
        e = string_excerpt("\xe2\x82\xac\xe2\x82", buf, sizeof(buf));
        is_str(e, "\xe2\x82\xac??", "a character cut at the end does not leak into the excerpt");

        /* 100 four-byte characters: the full-size buffer holds 64 of them, never a partial one. */
        wide = malloc(100 * 4 + 1);
        assert(wide);
        for (size_t i = 0; i < 100; i++)
                memcpy(wide + 4 * i, "\xf0\x9f\x94\x91", 4);
        wide[400] = 0;
        e = string_excerpt(wide, buf, sizeof(buf));
        is_int(utf8_chars(e), STRING_EXCERPT_CHARS + 3, "64 four-byte characters and \"...\" fit");
        ok(string_is_safe_utf8(e, strlen(e)), "... as valid UTF-8");
        wide[STRING_EXCERPT_CHARS * 4] = 0;
        e = string_excerpt(wide, buf, sizeof(buf));
        is_int(strlen(e), STRING_EXCERPT_CHARS * 4, "exactly 64 four-byte characters are kept whole");
        ok(!endswith(e, "..."), "... without \"...\"");

        /* A small buffer cuts earlier, still at a character boundary and with "...". */
        is_str(string_excerpt("abcdefghij", small, sizeof(small)), "abcd...", "a small buffer: cut to fit");
        is_str(string_excerpt("abc", small, sizeof(small)), "abc", "... and short input is whole");
        e = string_excerpt(wide, small, sizeof(small));
        ok(string_is_safe_utf8(e, strlen(e)) && endswith(e, "..."), "a small buffer never cuts a character");

        is_str(STRING_EXCERPT("via the macro"), "via the macro", "STRING_EXCERPT() for a printf argument");
}

static void test_unhexchar(void) {
        is_int(unhexchar('0'), 0, "unhexchar: '0'");
        is_int(unhexchar('9'), 9, "unhexchar: '9'");
        is_int(unhexchar('a'), 10, "unhexchar: 'a'");
        is_int(unhexchar('F'), 15, "unhexchar: 'F' (either case)");
        is_int(unhexchar('g'), -EINVAL, "unhexchar: 'g' is no hex digit");
        is_int(unhexchar('/'), -EINVAL, "unhexchar: '/' (just below '0') is none");
        is_int(unhexchar(0), -EINVAL, "unhexchar: NUL is none");
}

int main(void) {
        test_unhexchar();
        test_safe_utf8();
        test_secret_value();
        test_excerpt();
        return tap_done();
}
