/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "credential-proto.h"
#include "string-util.h"
#include "tap.h"

static void *mfree(void *p) {
        free(p);
        return NULL;
}

/* Runs both readers over the same bytes and checks they agree on the result code; returns the FILE* one. */
static int parse_both(const char *buf, size_t n, Credential *c, char **ret_message) {
        Credential other = {};
        _cleanup_free_ char *m2 = NULL;
        FILE *f;
        int r, r2;

        f = fmemopen((void *) buf, n, "r");
        if (!f)
                return -errno;
        r = credential_read(f, c, ret_message);
        fclose(f);

        r2 = credential_parse_buffer(buf, n, &other, &m2);
        if (r != r2)
                tap_diag("  FILE* reader gave %d, buffer reader %d", r, r2);
        else if (r >= 0 && (!streq_ptr(c->host, other.host) || !streq_ptr(c->password, other.password) ||
                            strv_length(c->wwwauth) != strv_length(other.wwwauth)))
                tap_diag("  readers disagree on the parsed fields");
        credential_clear(&other);
        return r == r2 ? r : -EPROTO;
}

#define PARSE(str, c, msg) parse_both((str), sizeof(str) - 1, (c), (msg))

static void test_basic(void) {
        Credential c = {};
        int r;

        r = PARSE("protocol=https\nhost=example.com:8443\npath=org/repo.git\nusername=bob\n"
                  "password=s3cret\nunknown=whatever\nquit=1\n\nprotocol=ignored-after-blank\n",
                  &c, NULL);
        is_int(r, 0, "plain request parses");
        is_str(c.protocol, "https", "protocol");
        is_str(c.host, "example.com:8443", "host keeps the port");
        is_str(c.path, "org/repo.git", "path");
        is_str(c.username, "bob", "username");
        is_str(c.password, "s3cret", "password");
        ok(c.wwwauth == NULL && c.capabilities == NULL, "no lists without list keys");
        ok(c.password_expiry_utc == 0 && !c.ephemeral, "no expiry, not ephemeral");
        credential_clear(&c);
        ok(!c.password && !c.host, "clear resets the fields");

        r = PARSE("", &c, NULL);
        is_int(r, 0, "empty input is an empty request");
        ok(!c.protocol && !c.host, "empty input sets nothing");
        is_int(credential_check_request(&c, &(const char *) { NULL }), -EINVAL, "empty request is refused");

        r = PARSE("protocol=https\nhost=a.example", &c, NULL);
        is_int(r, 0, "EOF without newline ends the input");
        is_str(c.host, "a.example", "last line without newline is read");
        credential_clear(&c);

        r = PARSE("protocol=https\r\nhost=crlf.example\r\n\r\nhost=after\n", &c, NULL);
        is_int(r, 0, "CRLF input parses");
        is_str(c.host, "crlf.example", "CR before LF is dropped and CRLF blank line ends input");
        credential_clear(&c);

        r = PARSE("host=first\nhost=second\npassword=one\npassword=two\n", &c, NULL);
        is_int(r, 0, "repeated keys parse");
        is_str(c.host, "second", "last host wins");
        is_str(c.password, "two", "last password wins");
        credential_clear(&c);

        r = PARSE("path=a=b=c\n=no key\npassword=\n", &c, NULL);
        is_int(r, 0, "'=' inside values and an empty key are accepted");
        is_str(c.path, "a=b=c", "value keeps later '='");
        is_str(c.password, "", "empty password is an empty string, not missing");
        credential_clear(&c);
}

static void test_lists(void) {
        Credential c = {};
        int r;

        r = PARSE("capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=h\n"
                  "wwwauth[]=Basic realm=\"x\"\nwwwauth[]=Bearer realm=\"y\", scope=\"repo\"\n"
                  "authtype=Bearer\ncredential=tok\nephemeral=1\npassword_expiry_utc=1700000000\n"
                  "oauth_refresh_token=rt\n",
                  &c, NULL);
        is_int(r, 0, "git 2.46 style request parses");
        is_int(strv_length(c.capabilities), 2, "two capabilities");
        ok(credential_has_capability(&c, "authtype"), "authtype capability");
        ok(!credential_has_capability(&c, "nope"), "unknown capability is absent");
        is_int(strv_length(c.wwwauth), 2, "two wwwauth[] values");
        is_str(c.wwwauth ? c.wwwauth[1] : NULL, "Bearer realm=\"y\", scope=\"repo\"",
               "wwwauth[] kept in order");
        is_str(c.authtype, "Bearer", "authtype");
        is_str(c.credential, "tok", "credential");
        ok(c.ephemeral, "ephemeral=1 is true");
        is_int(c.password_expiry_utc, 1700000000, "password_expiry_utc");
        is_str(c.oauth_refresh_token, "rt", "oauth_refresh_token");
        credential_clear(&c);

        r = PARSE("wwwauth[]=a\nwwwauth[]=b\nwwwauth[]=\nwwwauth[]=c\n", &c, NULL);
        is_int(r, 0, "list reset parses");
        is_int(strv_length(c.wwwauth), 1, "empty key[]= resets the list");
        is_str(c.wwwauth ? c.wwwauth[0] : NULL, "c", "values after the reset are kept");
        credential_clear(&c);

        r = PARSE("ephemeral=maybe\n", &c, NULL);
        is_int(r, -EBADMSG, "ephemeral must be a boolean");
        r = PARSE("ephemeral=false\npassword_expiry_utc=-5\n", &c, NULL);
        is_int(r, 0, "ephemeral=false and a signed expiry parse");
        ok(!c.ephemeral, "ephemeral=false");
        is_int(c.password_expiry_utc, 0, "a signed expiry counts as not given");
        credential_clear(&c);

        r = PARSE("password_expiry_utc=99999999999999999999999\n", &c, NULL);
        is_int(c.password_expiry_utc, 0, "an overflowing expiry counts as not given");
        credential_clear(&c);

        is_int(credential_parse_bool("yes"), 1, "bool yes");
        is_int(credential_parse_bool("OFF"), 0, "bool OFF");
        is_int(credential_parse_bool("2"), 1, "bool nonzero number");
        is_int(credential_parse_bool(""), 0, "bool empty");
        is_int(credential_parse_bool("0x"), -EINVAL, "bool garbage");
}

static void test_url(void) {
        Credential c = {};
        int r;

        r = PARSE("host=old\nusername=olduser\nwwwauth[]=x\ncapability[]=authtype\n"
                  "url=https://alice:p%40ss@git.example.com:8443/org/repo.git/\n",
                  &c, NULL);
        is_int(r, 0, "url= parses");
        is_str(c.protocol, "https", "url protocol");
        is_str(c.host, "git.example.com:8443", "url host with port");
        is_str(c.path, "org/repo.git", "url path without slashes around it");
        is_str(c.username, "alice", "url username");
        is_str(c.password, "p@ss", "url password is percent-decoded");
        ok(!c.wwwauth && !c.capabilities, "url= resets what came before, as git does");
        credential_clear(&c);

        r = PARSE("url=https://example.com\npath=later\n", &c, NULL);
        is_int(r, 0, "url without path");
        is_str(c.host, "example.com", "host");
        ok(c.path && streq(c.path, "later"), "keys after url= still apply");
        credential_clear(&c);

        r = PARSE("url=https://bob@h.example/a%20b?x=1\n", &c, NULL);
        is_int(r, 0, "url with user and query");
        is_str(c.username, "bob", "user without password");
        ok(!c.password, "no password");
        is_str(c.path, "a b?x=1", "path keeps the query, decoded");
        credential_clear(&c);

        r = PARSE("url=https://h.example?q@x\n", &c, NULL);
        is_int(r, 0, "'@' after a query marker is not userinfo");
        is_str(c.host, "h.example", "host ends at '?'");
        ok(!c.username, "no username from the query");
        credential_clear(&c);

        r = PARSE("url=cert:///etc/cert.pem\n", &c, NULL);
        is_int(r, 0, "url with empty host");
        is_str(c.host, "", "empty host is an empty string");
        is_str(c.path, "etc/cert.pem", "path");
        credential_clear(&c);

        r = PARSE("url=https://[::1]:9000/x\n", &c, NULL);
        is_int(r, 0, "IPv6 url");
        is_str(c.host, "[::1]:9000", "IPv6 host kept in brackets");
        credential_clear(&c);

        is_int(PARSE("url=example.com/repo\n", &c, NULL), -EBADMSG, "url without scheme is refused");
        is_int(PARSE("url=://example.com\n", &c, NULL), -EBADMSG, "url with empty scheme is refused");
        is_int(PARSE("url=https://ex%0aample.com\n", &c, NULL), -EBADMSG, "url with an encoded newline");
        is_int(PARSE("url=https://u:%00@ex.com\n", &c, NULL), -EBADMSG, "url with an encoded NUL");
        is_str(c.host, NULL, "a failed parse leaves nothing behind");

        r = PARSE("url=https://h%zzx.example/%4\n", &c, NULL);
        is_int(r, 0, "broken escapes stay as they are");
        is_str(c.host, "h%zzx.example", "broken escape in host");
        is_str(c.path, "%4", "truncated escape in path");
        credential_clear(&c);
}

static void test_errors(void) {
        _cleanup_free_ char *msg = NULL, *big = NULL;
        const char *reason = NULL;
        Credential c = {};
        size_t n;
        int r;

        r = PARSE("protocol=https\nhost\n", &c, &msg);
        is_int(r, -EBADMSG, "line without '=' is refused");
        is_str(msg, "line 2: line without '='", "message names the line, not its contents");
        ok(!c.protocol, "a failed read clears what it read");
        msg = mfree(msg);

        r = PARSE("protocol=https\npassword=a\0b\n", &c, &msg);
        is_int(r, -EBADMSG, "NUL byte is refused");
        ok(msg && strstr(msg, "NUL"), "message says NUL");
        ok(!c.password, "no password survives a failed read");
        msg = mfree(msg);

        /* A line of 65534 bytes plus its newline is the longest git allows. */
        n = CREDENTIAL_LINE_MAX - 1;
        big = malloc(n + 2);
        assert(big);
        memcpy(big, "path=", 5);
        memset(big + 5, 'a', n - 5);
        big[n] = '\n';
        big[n + 1] = 0;
        r = parse_both(big, n + 1, &c, &msg);
        is_int(r, 0, "line of 65535 bytes with its newline is accepted");
        is_int(c.path ? strlen(c.path) : 0, n - 5, "whole long value kept");
        credential_clear(&c);

        big = mfree(big);
        big = malloc(n + 3);
        assert(big);
        memcpy(big, "path=", 5);
        memset(big + 5, 'a', n - 4);
        big[n + 1] = '\n';
        r = parse_both(big, n + 2, &c, &msg);
        is_int(r, -EBADMSG, "line of 65536 bytes is refused");
        ok(msg && strstr(msg, "longer"), "message says too long");
        msg = mfree(msg);

        /* Also at EOF without a newline. */
        r = parse_both(big, n + 1, &c, &msg);
        is_int(r, -EBADMSG, "65535 bytes without newline at EOF are refused");
        msg = mfree(msg);

        is_int(credential_parse_line(&c, "x", 1, &reason), -EBADMSG, "parse_line: no '='");
        ok(reason && strstr(reason, "'='"), "parse_line gives a reason");
        is_int(credential_parse_line(&c, "\r", 1, &reason), 1, "parse_line: lone CR is blank");

        big = mfree(big);
        {
                /* More wwwauth[] values than any server sends is refused rather than stored. */
                size_t lines = 300, k = 0;

                big = malloc(lines * 16 + 1);
                assert(big);
                for (size_t i = 0; i < lines; i++)
                        k += (size_t) sprintf(big + k, "wwwauth[]=v%zu\n", i);
                r = parse_both(big, k, &c, &msg);
                is_int(r, -EBADMSG, "too many list values are refused");
                msg = mfree(msg);
        }

        r = PARSE("protocol=https\n", &c, NULL);
        is_int(credential_check_request(&c, &reason), -EINVAL, "missing host is refused");
        is_str(reason, "request without host=", "reason names the missing key");
        credential_clear(&c);
        r = PARSE("host=h\n", &c, NULL);
        is_int(credential_check_request(&c, &reason), -EINVAL, "missing protocol is refused");
        credential_clear(&c);
        r = PARSE("url=cert:///x\n", &c, NULL);
        is_int(credential_check_request(&c, &reason), 0, "empty host from url= is a host");
        credential_clear(&c);
}

static void test_write(void) {
        _cleanup_free_ char *out = NULL;
        Credential c = {}, back = {};
        size_t len = 0;
        FILE *f;
        int r;

        r = PARSE("capability[]=authtype\nprotocol=https\nhost=h:1\npath=p\nusername=u\npassword=pw\n"
                  "authtype=Bearer\ncredential=cr\nephemeral=yes\npassword_expiry_utc=42\n"
                  "wwwauth[]=w1\nwwwauth[]=w2\noauth_refresh_token=rt\n",
                  &c, NULL);
        is_int(r, 0, "full request parses");

        f = open_memstream(&out, &len);
        assert(f);
        is_int(credential_write(f, &c), 0, "write succeeds");
        fclose(f);
        is_str(out,
               "capability[]=authtype\nauthtype=Bearer\ncredential=cr\nephemeral=1\nprotocol=https\n"
               "host=h:1\npath=p\nusername=u\npassword=pw\noauth_refresh_token=rt\n"
               "password_expiry_utc=42\nwwwauth[]=w1\nwwwauth[]=w2\n",
               "capabilities first, then git's order");

        r = credential_parse_buffer(out, len, &back, NULL);
        is_int(r, 0, "written output reads back");
        ok(streq_ptr(back.host, c.host) && streq_ptr(back.password, c.password) &&
           streq_ptr(back.credential, c.credential) && back.ephemeral == c.ephemeral &&
           back.password_expiry_utc == c.password_expiry_utc && strv_length(back.wwwauth) == 2,
           "round trip keeps every field");
        credential_clear(&back);
        credential_clear(&c);
        out = mfree(out);

        f = open_memstream(&out, &len);
        assert(f);
        is_int(credential_write_item(f, "password", "a\nhost=evil"), -EINVAL, "value with newline refused");
        is_int(credential_write_item(f, "password", "tok\r"), -EINVAL, "value with CR refused");
        is_int(credential_write_item(f, "a=b", "v"), -EINVAL, "key with '=' refused");
        is_int(credential_write_item(f, "", "v"), -EINVAL, "empty key refused");
        is_int(credential_write_item(f, "k", NULL), 0, "NULL value writes nothing");
        is_int(credential_write_item(f, "k", ""), 0, "empty value is fine");
        fclose(f);
        is_str(out, "k=\n", "only the accepted item was written");
}

int main(void) {
        test_basic();
        test_lists();
        test_url();
        test_errors();
        test_write();
        return tap_done();
}
