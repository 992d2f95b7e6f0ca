/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "curl-request.h"
#include "string-util.h"

/* curl 7.88's options that take a value (`curl --help all`), short and long. */
static const char short_with_value[] = "AbcCdDeEFhHKmoPQrtTuUwxXyYz";

static const char *const long_with_value[] = {
        "abstract-unix-socket", "alt-svc", "aws-sigv4", "cacert", "capath", "cert", "cert-type", "ciphers",
        "config", "connect-timeout", "connect-to", "continue-at", "cookie", "cookie-jar", "create-file-mode",
        "crlfile", "curves", "data", "data-ascii", "data-binary", "data-raw", "data-urlencode", "delegation",
        "dns-interface", "dns-ipv4-addr", "dns-ipv6-addr", "dns-servers", "doh-url", "dump-header",
        "egd-file", "engine", "etag-compare", "etag-save", "expect100-timeout", "form", "form-string",
        "ftp-account", "ftp-alternative-to-user", "ftp-method", "ftp-port", "ftp-ssl-ccc-mode",
        "happy-eyeballs-timeout-ms", "header", "help", "hostpubmd5", "hostpubsha256", "hsts", "interface",
        "json", "keepalive-time", "key", "key-type", "krb", "libcurl", "limit-rate", "local-port",
        "login-options", "mail-auth", "mail-from", "mail-rcpt", "max-filesize", "max-redirs", "max-time",
        "netrc-file", "noproxy", "oauth2-bearer", "output", "output-dir", "parallel-max", "pass",
        "pinnedpubkey", "preproxy", "proto", "proto-default", "proto-redir", "proxy", "proxy-cacert",
        "proxy-capath", "proxy-cert", "proxy-cert-type", "proxy-ciphers", "proxy-crlfile", "proxy-header",
        "proxy-key", "proxy-key-type", "proxy-pass", "proxy-pinnedpubkey", "proxy-service-name",
        "proxy-tls13-ciphers", "proxy-tlsauthtype", "proxy-tlspassword", "proxy-tlsuser", "proxy-user",
        "proxy1.0", "pubkey", "quote", "random-file", "range", "rate", "referer", "request",
        "request-target", "resolve", "retry", "retry-delay", "retry-max-time", "sasl-authzid",
        "service-name", "socks4", "socks4a", "socks5", "socks5-gssapi-service", "socks5-hostname",
        "speed-limit", "speed-time", "stderr", "telnet-option", "tftp-blksize", "time-cond", "tls-max",
        "tls13-ciphers", "tlsauthtype", "tlspassword", "tlsuser", "trace", "trace-ascii", "unix-socket",
        "upload-file", "url", "url-query", "user", "user-agent", "write-out",
};

static bool long_takes_value(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(long_with_value); i++)
                if (streq(long_with_value[i], name))
                        return true;
        return false;
}

typedef struct State {
        const char *request;    /* -X */
        bool head, upload, data, get;
        const char *url;
        unsigned urls;
        CurlRequest *ret;
} State;

/* The short options that matter here, by their long names. */
static const char *long_name(char c) {
        switch (c) {
        case 'X': return "request";
        case 'I': return "head";
        case 'G': return "get";
        case 'T': return "upload-file";
        case 'd': return "data";
        case 'F': return "form";
        case 'K': return "config";
        case 'o': return "output";
        case 'O': return "remote-name";
        case 'D': return "dump-header";
        case 'w': return "write-out";
        case 'c': return "cookie-jar";
        default: return "";
        }
}

/* Whether an option's value makes curl read stdin: "-" (-T -, -b -, -K -), "@-" (-d @-, -H @-, -w @-),
 * "name@-" (--data-urlencode), "name=@-" and "name=<-" (forms). Any option's: curl reads files in many. */
static bool reads_stdin(const char *value) {
        return value && (streq(value, "-") || startswith(value, "@-") || endswith(value, "@-") ||
                         strstr(value, "=@-") || strstr(value, "=<-"));
}

/* One option, by its long name, with its value (NULL for a flag). */
static void take_option(State *s, const char *name, const char *value) {
        s->ret->reads_stdin |= reads_stdin(value) && !streq(name, "output") && !streq(name, "dump-header") &&
                               !streq(name, "cookie-jar");
        /* What curl writes to stdout besides the body: the headers (-D -), -w's text, the cookie jar (-c -).
         * A held-back body would come after it, not in its place. */
        if (streq(name, "write-out") || ((streq(name, "dump-header") || streq(name, "cookie-jar")) &&
                                         streq_ptr(value, "-")))
                s->ret->writes_stdout = true;
        /* A dump of the user's own takes the place of the one that would show a nonce challenge. */
        if (streq(name, "dump-header"))
                s->ret->dumps_headers = true;

        if (streq(name, "request"))
                s->request = value;
        else if (streq(name, "head"))
                s->head = true;
        else if (streq(name, "get"))
                s->get = true;
        else if (streq(name, "upload-file")) {
                s->upload = true;
                s->ret->reads_stdin |= streq_ptr(value, "-") || streq_ptr(value, ".");
        } else if (startswith(name, "data") || streq(name, "json") || (startswith(name, "form") && value))
                s->data = true;
        else if (streq(name, "output") || startswith(name, "remote-name") || streq(name, "output-dir"))
                s->ret->writes_output = true;
        else if (streq(name, "url")) {
                s->url = value;
                s->urls++;
        }
}

int curl_request_parse(int argc, char * const *argv, CurlRequest *ret) {
        State s = { .ret = ret };
        bool options_end = false;

        *ret = (CurlRequest) {};
        for (int i = 0; i < argc; i++) {
                const char *a = argv[i];

                if (options_end || a[0] != '-' || a[1] == 0) {
                        s.url = a;
                        s.urls++;
                } else if (streq(a, "--"))
                        options_end = true;
                else if (a[1] == '-') {
                        const char *name = a + 2;

                        if (long_takes_value(name)) {
                                if (i + 1 >= argc)
                                        return -EINVAL;
                                take_option(&s, name, argv[++i]);
                        } else
                                take_option(&s, name, NULL);
                } else
                        /* Short flags may be grouped (-sS); one that takes a value ends the group, its value
                         * the rest of the word or the next argument (-XPOST, -X POST). */
                        for (const char *p = a + 1; *p; p++) {
                                if (!strchr(short_with_value, *p)) {
                                        take_option(&s, long_name(*p), NULL);
                                        continue;
                                }
                                if (p[1])
                                        take_option(&s, long_name(*p), p + 1);
                                else if (i + 1 < argc)
                                        take_option(&s, long_name(*p), argv[++i]);
                                else
                                        return -EINVAL;
                                break;
                        }
        }

        if (s.urls == 0)
                return -ENOENT;
        if (s.urls > 1)
                return -E2BIG;
        if (!startswith(s.url, "https://") && !startswith(s.url, "http://"))
                return -EINVAL;
        ret->url = s.url;
        ret->method = s.request  ? s.request
                      : s.head   ? "HEAD"
                      : s.get    ? "GET"
                      : s.upload ? "PUT"
                      : s.data   ? "POST"
                                 : "GET";
        return 0;
}
