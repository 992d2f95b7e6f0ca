/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* helper/curl-request.c: the method and URL a curl command line makes, as `tokenbroker curl` signs a DPoP
 * proof for them; an option's value is never taken for the URL. */
#include <errno.h>

#include "curl-request.h"
#include "macro.h"
#include "string-util.h"
#include "tap.h"

#define PARSE(ret, ...)                                                                                     \
        curl_request_parse(ELEMENTSOF(((char *[]){__VA_ARGS__})), (char *[]){__VA_ARGS__}, ret)

static void expect(int r, const CurlRequest *c, const char *method, const char *url, const char *what) {
        is_int(r, 0, "%s: parsed", what);
        is_str(c->method, method, "%s: %s", what, method);
        is_str(c->url, url, "%s: the URL", what);
}

int main(void) {
        CurlRequest c;
        const char *u = "https://api.example.com/v1/items?page=2";

        expect(PARSE(&c, "-s", (char *) u), &c, "GET", u, "a plain GET");
        expect(PARSE(&c, "-X", "DELETE", (char *) u), &c, "DELETE", u, "-X METHOD");
        expect(PARSE(&c, "-sXPATCH", (char *) u), &c, "PATCH", u,
               "-sXPATCH: grouped flags, the value attached");
        expect(PARSE(&c, "--request", "PUT", (char *) u), &c, "PUT", u, "--request METHOD");
        expect(PARSE(&c, "-d", "a=1", (char *) u), &c, "POST", u, "-d: POST");
        expect(PARSE(&c, "--json", "{}", (char *) u), &c, "POST", u, "--json: POST");
        expect(PARSE(&c, "-F", "f=@x", (char *) u), &c, "POST", u, "-F: POST");
        expect(PARSE(&c, "-G", "-d", "q=1", (char *) u), &c, "GET", u,
               "-G -d: GET with the data in the query");
        expect(PARSE(&c, "-I", (char *) u), &c, "HEAD", u, "-I: HEAD");
        expect(PARSE(&c, "-T", "file", (char *) u), &c, "PUT", u, "-T: PUT");
        expect(PARSE(&c, "-d", "x", "-X", "PUT", (char *) u), &c, "PUT", u, "-X wins over the data's POST");
        expect(PARSE(&c, "--url", (char *) u), &c, "GET", u, "--url URL");
        expect(PARSE(&c, "-H", "X-A: https://not.the/url", "-e", "https://referer.example/", "-x",
                     "http://proxy:3128", (char *) u),
               &c, "GET", u, "URLs as values of -H, -e and -x are not the URL");
        expect(PARSE(&c, "--proxy", "http://proxy:3128", "--", (char *) u), &c, "GET", u,
               "--proxy's value is not the URL, and -- ends the options");
        expect(PARSE(&c, "--compressed", "-sSf", (char *) u), &c, "GET", u, "flags take no value");

        is_int(PARSE(&c, "-s"), -ENOENT, "no URL: -ENOENT");
        is_int(PARSE(&c, (char *) u, "https://b.example/"), -E2BIG, "two URLs: -E2BIG");
        is_int(PARSE(&c, "example.com/x"), -EINVAL, "a URL without its scheme: -EINVAL");
        is_int(PARSE(&c, (char *) u, "-X"), -EINVAL, "an option without its value: -EINVAL");

        ok(PARSE(&c, "-d", "@-", (char *) u) == 0 && c.reads_stdin, "-d @-: reads stdin");
        ok(PARSE(&c, "-F", "file=@-", (char *) u) == 0 && c.reads_stdin, "-F name=@-: reads stdin");
        ok(PARSE(&c, "-T", "-", (char *) u) == 0 && c.reads_stdin, "-T -: reads stdin");
        ok(PARSE(&c, "-d", "a=1", (char *) u) == 0 && !c.reads_stdin, "-d a=1: does not");
        ok(PARSE(&c, "-H", "@-", (char *) u) == 0 && c.reads_stdin, "-H @-: headers from stdin");
        ok(PARSE(&c, "--data-urlencode", "name@-", (char *) u) == 0 && c.reads_stdin,
           "--data-urlencode name@-: reads stdin");
        ok(PARSE(&c, "-b", "-", (char *) u) == 0 && c.reads_stdin, "-b -: cookies from stdin");
        ok(PARSE(&c, "-o", "-", (char *) u) == 0 && !c.reads_stdin, "-o -: writes stdout, reads nothing");
        ok(PARSE(&c, "-w", "%{http_code}", (char *) u) == 0 && c.writes_stdout,
           "-w: more than the body on stdout");
        ok(PARSE(&c, "-D", "-", (char *) u) == 0 && c.writes_stdout && c.dumps_headers,
           "-D -: the headers on stdout, in a dump of the user's own");
        ok(PARSE(&c, "-D", "h.txt", (char *) u) == 0 && !c.writes_stdout && c.dumps_headers,
           "-D FILE: a dump of its own");
        ok(PARSE(&c, "-c", "-", (char *) u) == 0 && c.writes_stdout, "-c -: the cookie jar on stdout");
        ok(PARSE(&c, "-s", (char *) u) == 0 && !c.writes_stdout && !c.dumps_headers, "-s: only the body");
        ok(PARSE(&c, "-o", "out.json", (char *) u) == 0 && c.writes_output,
           "-o FILE: the body goes to the file");
        ok(PARSE(&c, "-O", (char *) u) == 0 && c.writes_output, "-O: likewise");
        ok(PARSE(&c, "-s", (char *) u) == 0 && !c.writes_output, "without: to stdout");
        return tap_done();
}
