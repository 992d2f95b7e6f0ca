/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks of single values in account files. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account-file-internal.h"
#include "macro.h"
#include "string-util.h"

static bool is_loopback_host(const char *host, size_t n) {
        char buf[64];
        struct in_addr a4;
        struct in6_addr a6;

        if (n == 0 || n >= sizeof(buf))
                return false;
        memcpy(buf, host, n);
        buf[n] = 0;
        if (strcasecmp(buf, "localhost") == 0)
                return true;
        if (inet_pton(AF_INET, buf, &a4) == 1)
                return (ntohl(a4.s_addr) >> 24) == 127;
        if (buf[0] == '[' && buf[n - 1] == ']') {
                buf[n - 1] = 0;
                return inet_pton(AF_INET6, buf + 1, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
        }
        return false;
}

/* NULL if the URL may be used as an endpoint, else why not. Tokens and secrets travel to these URLs, so
 * plain http:// is only good for a server on this machine. */
const char *account_url_problem(const char *url) {
        const char *rest, *port;
        size_t alen, hlen;
        bool https;

        if ((rest = startswith_no_case(url, "https://")))
                https = true;
        else if ((rest = startswith_no_case(url, "http://")))
                https = false;
        else
                return "must be an https:// URL";
        if (strpbrk(url, " \t"))
                return "must not contain white space";

        alen = strcspn(rest, "/?#");
        if (memchr(rest, '@', alen))
                return "must not contain a user name or password";
        if (rest[0] == '[') {
                const char *close = memchr(rest, ']', alen);
                if (!close)
                        return "has an invalid IPv6 address";
                hlen = close - rest + 1;
        } else
                hlen = strcspn(rest, ":/?#");
        if (hlen == 0)
                return "has no host";
        port = rest + hlen;
        if (port < rest + alen) {
                size_t plen = alen - hlen - 1;
                if (*port != ':' || plen == 0 || plen > 5 || strspn(port + 1, "0123456789") < plen ||
                    atoi(port + 1) > 65535)
                        return "has an invalid port";
        }
        if (!https && !is_loopback_host(rest, hlen))
                return "must use https:// (http:// is allowed for loopback hosts only)";
        return NULL;
}

bool config_parse_bool(const char *s, bool *ret) {
        static const char *const yes[] = { "1", "yes", "true", "on" };
        static const char *const no[] = { "0", "no", "false", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0) {
                        *ret = true;
                        return true;
                }
                if (strcasecmp(s, no[i]) == 0) {
                        *ret = false;
                        return true;
                }
        }
        return false;
}

bool config_parse_seconds(const char *s, uint64_t min, uint64_t *ret) {
        unsigned long long v;
        char *end;

        if (!*s || strspn(s, "0123456789") != strlen(s))
                return false;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end || v < min || v > SECONDS_MAX)
                return false;
        *ret = v;
        return true;
}

bool config_is_identifier(const char *s) {
        return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(s);
}

bool config_is_header_name(const char *s) {
        /* RFC 9110 token characters. */
        static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
                                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

        return *s && strspn(s, tchar) == strlen(s);
}
