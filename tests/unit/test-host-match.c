/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stddef.h>

#include <stdlib.h>

#include "alloc-util.h"
#include "host-match.h"
#include "macro.h"
#include "string-util.h"
#include "tap.h"

static const struct {
        const char *pattern, *protocol, *host, *path;
        bool want;
} cases[] = {
        /* Scheme. */
        { "https://git.example.com", "https", "git.example.com", NULL, true },
        { "https://git.example.com", "http", "git.example.com", NULL, false },
        { "HTTPS://git.example.com", "https", "git.example.com", NULL, true },
        { "http://git.example.com", "http", "git.example.com", NULL, true },
        { "http://git.example.com", "https", "git.example.com", NULL, false },
        { "git.example.com", "https", "git.example.com", NULL, true },
        { "git.example.com", "http", "git.example.com", NULL, false },
        { "localhost", "http", "localhost:8080", NULL, false },    /* port must match */
        { "localhost:8080", "http", "localhost:8080", NULL, true },
        { "127.0.0.1:3000", "http", "127.0.0.1:3000", NULL, true },
        { "[::1]:3000", "http", "[::1]:3000", NULL, true },
        { "git.example.com", "ssh", "git.example.com", NULL, false },
        { "ftp://git.example.com", "ftp", "git.example.com", NULL, true },
        { "https://git.example.com", "", "git.example.com", NULL, false },
        { "://git.example.com", "https", "git.example.com", NULL, false },

        /* Host names. */
        { "https://Git.Example.COM", "https", "git.example.com", NULL, true },
        { "https://git.example.com", "https", "GIT.EXAMPLE.COM", NULL, true },
        { "https://git.example.com", "https", "git.example.com.", NULL, true },
        { "https://git.example.com.", "https", "git.example.com", NULL, true },
        { "https://git.example.com", "https", "git.example.co", NULL, false },
        { "https://git.example.com", "https", "xgit.example.com", NULL, false },
        { "https://git.example.com", "https", "git.example.com.evil", NULL, false },
        { "https://example.com", "https", "git.example.com", NULL, false },
        { "https://*.example.com", "https", "git.example.com", NULL, true },
        { "https://*.example.com", "https", "GIT.example.COM", NULL, true },
        { "https://*.example.com", "https", "example.com", NULL, false },
        { "https://*.example.com", "https", "a.b.example.com", NULL, false },
        { "https://*.example.com", "https", ".example.com", NULL, false },
        { "https://*.example.com", "https", "gitexample.com", NULL, false },
        { "https://*.example.com", "https", "git.example.com.evil.net", NULL, false },
        { "https://*example.com", "https", "gitexample.com", NULL, false },   /* '*' only as a label */
        { "https://git.*.com", "https", "git.example.com", NULL, false },
        { "https://*", "https", "localhost", NULL, false },
        { "https://*.", "https", "a.", NULL, false },
        { "https://git.example.com", "https", "*.example.com", NULL, false },
        { "https://git.example.com", "https", "", NULL, false },
        { "", "https", "git.example.com", NULL, false },
        { "https://", "https", "git.example.com", NULL, false },
        { "https://user@git.example.com", "https", "git.example.com", NULL, false },
        { "https://git.example.com", "https", "user@git.example.com", NULL, false },
        { "https://git.example.com", "https", "evil.com/git.example.com", NULL, false },
        { "https://git.example.com", "https", "git.example.com#x", NULL, false },

        /* Ports. */
        { "https://example.com:8443", "https", "example.com:8443", NULL, true },
        { "https://example.com:8443", "https", "example.com", NULL, false },
        { "https://example.com", "https", "example.com:8443", NULL, false },
        { "https://example.com", "https", "example.com:443", NULL, true },    /* default port */
        { "https://example.com:443", "https", "example.com", NULL, true },
        { "http://example.com:80", "http", "example.com", NULL, true },
        { "https://example.com:80", "https", "example.com", NULL, false },
        { "https://example.com:08443", "https", "example.com:8443", NULL, true },
        { "https://example.com:99999", "https", "example.com:99999", NULL, false },
        { "https://example.com:0", "https", "example.com:0", NULL, false },
        { "https://example.com:", "https", "example.com", NULL, false },
        { "https://example.com:x", "https", "example.com", NULL, false },
        { "https://example.com", "https", "example.com:", NULL, false },
        { "https://[2001:db8::1]:8443", "https", "[2001:DB8::1]:8443", NULL, true },
        { "https://[2001:db8::1]", "https", "[2001:db8::1]:8443", NULL, false },
        { "https://[2001:db8::1]x", "https", "[2001:db8::1]", NULL, false },

        /* Paths: only when the request has one. */
        { "https://example.com:8443/repo.git", "https", "example.com:8443", "repo.git", true },
        { "https://example.com:8443/repo.git", "https", "example.com:8443", NULL, true },
        { "https://example.com:8443/repo.git", "https", "example.com:8443", "", true },
        { "https://example.com:8443/repo.git", "https", "example.com:8443", "other.git", false },
        { "https://example.com/org", "https", "example.com", "org/repo.git", true },
        { "https://example.com/org/", "https", "example.com", "org/repo.git", true },
        { "https://example.com/org", "https", "example.com", "org", true },
        { "https://example.com/org", "https", "example.com", "organisation/repo.git", false },
        { "https://*.example.com/org/*", "https", "git.example.com", "org/repo.git", true },
        { "https://*.example.com/org/*", "https", "git.example.com", "org/a/b.git", true },
        { "https://*.example.com/org/*", "https", "git.example.com", "other/repo.git", false },
        { "https://*.example.com/org/*", "https", "git.example.com", NULL, true },
        { "https://example.com/org/*.git", "https", "example.com", "org/x.git", true },
        { "https://example.com/org/*.git", "https", "example.com", "org/x", false },
        { "https://example.com/", "https", "example.com", "anything", true },
        { "https://example.com/org", "https", "example.com", "/org/repo.git", true },

        /* Paths are matched as the server resolves them, dot segments removed (RFC 3986 section 5.2.4), so
         * that a path cannot climb out of the pattern's subtree. */
        { "https://example.com/team/", "https", "example.com", "team/../other/repo.git", false },
        { "https://example.com/team", "https", "example.com", "team/../other/repo.git", false },
        { "https://example.com/team/*", "https", "example.com", "team/../other/repo.git", false },
        { "https://example.com/other", "https", "example.com", "team/../other/repo.git", true },
        { "https://example.com/team/", "https", "example.com", "team/./../other", false },
        { "https://example.com/team/", "https", "example.com", "team/sub/../..", false },
        { "https://example.com/team/", "https", "example.com", "team/..", false },
        { "https://example.com/team/", "https", "example.com", "/team/../../team/x.git", true },
        { "https://example.com/team/", "https", "example.com", "team/./repo.git", true },
        { "https://example.com/team/", "https", "example.com", "team/sub/../repo.git", true },
        { "https://example.com/org/*.git", "https", "example.com", "org/../x.git", false },
        /* ... and by whole segments: a pattern is its own path and everything below it, nothing more. */
        { "https://example.com/team", "https", "example.com", "teamfoo/x", false },
        { "https://example.com/team/", "https", "example.com", "teamfoo/x", false },
        { "https://example.com/team", "https", "example.com", "team-x", false },
        { "https://example.com/team/", "https", "example.com", "team-x/repo.git", false },
        { "https://example.com/team/", "https", "example.com", "team", true },
        { "https://example.com/team/", "https", "example.com", "team/", true },
        { "https://example.com/team", "https", "example.com", "team/x", true },
        /* Escapes stay as they are, so they can only fail to match. */
        { "https://example.com/team", "https", "example.com", "%74eam/x", false },
        { "https://example.com/team", "https", "example.com", "team/%41", true },
        { "https://example.com/team/", "https", "example.com", "team/a%2eb/..%2e", true },
        { "https://example.com/team/a.b", "https", "example.com", "team/a%2eb", false },
        /* Paths that servers read differently match no path pattern. git sends the path decoded once, so
         * an escape in it was encoded twice: a dot segment of encoded dots is ".." to a server that decodes
         * twice and a name to one that does not, and neither "team" nor "other" may claim it. */
        { "https://example.com/team/", "https", "example.com", "team/%2e%2e/other", false },
        { "https://example.com/team/", "https", "example.com", "team/%2E%2E/other", false },
        { "https://example.com/team/", "https", "example.com", "team/.%2e/other", false },
        { "https://example.com/team/", "https", "example.com", "team/%2e/repo.git", false },
        { "https://example.com/team/*", "https", "example.com", "team/%2e%2e/other/repo.git", false },
        { "https://example.com/other", "https", "example.com", "team/%2e%2e/other/repo.git", false },
        { "https://example.com/*", "https", "example.com", "team/%2e%2e/other/repo.git", false },
        /* ... an encoded slash or backslash, a backslash, an empty segment inside the path, a dot segment
         * with ";parameters". */
        { "https://example.com/team/", "https", "example.com", "team/%2f../other", false },
        { "https://example.com/team/", "https", "example.com", "team/x%2Fy", false },
        { "https://example.com/team/", "https", "example.com", "team\\..\\other", false },
        { "https://example.com/team/", "https", "example.com", "team/%5c..%5Cother", false },
        { "https://example.com/team/", "https", "example.com", "team//../other", false },
        { "https://example.com/team/", "https", "example.com", "team/..;/other", false },
        { "https://example.com/team/", "https", "example.com", "team/.;x/repo.git", false },
        { "https://example.com/team/", "https", "example.com", "team/%2e%2e;x/other", false },
        { "https://example.com/team/", "https", "example.com", "team/%2e%2e/%2e%2e/team/x.git", false },
        { "https://example.com/*", "https", "example.com", "team/%2f", false },
        /* A pattern without a path still covers the whole host, whatever the path. */
        { "https://example.com", "https", "example.com", "team/../other", true },
        { "https://example.com/", "https", "example.com", "team\\x", true },
};

/* What the daemon's index of accounts by host relies on (dbus/engine/account-index.c): a pattern matches a
 * request only when the request's key is the pattern's key, or, for a "*." pattern, the key's parent is. Every
 * pattern of the table is tried against every request of it. Returns the number of pairs that broke it. */
static unsigned index_keys_break(void) {
        unsigned broken = 0;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                for (size_t j = 0; j < ELEMENTSOF(cases); j++) {
                        _cleanup_free_ char *pk = NULL, *rk = NULL;
                        const char *parent = NULL;
                        bool wildcard = false, keyed;

                        if (!host_pattern_match(cases[i].pattern, cases[j].protocol, cases[j].host, cases[j].path))
                                continue;
                        pk = host_pattern_key(cases[i].pattern, &wildcard);
                        rk = host_request_key(cases[j].host, &parent);
                        keyed = pk && rk && (wildcard ? parent && streq(pk, parent) : streq(pk, rk));
                        if (!keyed) {
                                tap_diag("\"%s\" matches %s://%s but is keyed %s%s, the request %s (parent %s)",
                                     cases[i].pattern, cases[j].protocol, cases[j].host, wildcard ? "*." : "",
                                     pk ?: "(none)", rk ?: "(none)", parent ?: "(none)");
                                broken++;
                        }
                }
        return broken;
}

int main(void) {
        is_int(index_keys_break(), 0, "every match is found under the pattern's host key (the daemon's index)");
        {
                bool w = false, w1 = true, w2 = false;
                _cleanup_free_ char *k1 = host_pattern_key("HTTPS://Git.Example.COM.:8443/org", &w1);
                _cleanup_free_ char *k2 = host_pattern_key("*.Example.org", &w2);
                _cleanup_free_ char *k3 = host_pattern_key("https://[::1]:8080", &w);
                const char *parent = NULL;
                _cleanup_free_ char *r1 = host_request_key("A.Example.ORG.:443", &parent);

                is_str(k1, "git.example.com", "a pattern's key: its host, lowercased, no port, dot or path");
                is_str(k2, "example.org", "a \"*.\" pattern's key: what follows the star");
                ok(w2 && !w1, "... said to be a wildcard, and only that one");
                is_str(k3, "::1", "an IPv6 literal's key: without brackets");
                is_str(r1, "a.example.org", "a request's key");
                is_str(parent, "example.org", "... and its parent");
                ok(!host_pattern_key("user@host", &w) && !host_pattern_key("://h", &w), "no key for a pattern "
                   "that matches nothing");
                ok(!host_request_key("a b", NULL), "no key for a host no pattern matches");
        }
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                is_int(host_pattern_match(cases[i].pattern, cases[i].protocol, cases[i].host, cases[i].path),
                       cases[i].want, "\"%s\" vs %s://%s%s%s", cases[i].pattern, cases[i].protocol,
                       cases[i].host, cases[i].path ? "/" : "", cases[i].path ?: "");

        ok(!host_pattern_match(NULL, "https", "h", NULL), "NULL pattern");
        ok(!host_pattern_match("h", NULL, "h", NULL), "NULL protocol");
        ok(!host_pattern_match("h", "https", NULL, NULL), "NULL host");

        ok(host_is_loopback("localhost"), "localhost");
        ok(host_is_loopback("LOCALHOST:80"), "localhost with port");
        ok(host_is_loopback("git.localhost"), "*.localhost");
        ok(host_is_loopback("127.0.0.1"), "127.0.0.1");
        ok(host_is_loopback("127.1.2.3:9000"), "127.1.2.3 with port");
        ok(host_is_loopback("[::1]:9000"), "[::1] with port");
        ok(!host_is_loopback("127.0.0.1.evil.com"), "127.0.0.1.evil.com is not");
        ok(!host_is_loopback("127.0.0"), "three octets are not");
        ok(!host_is_loopback("127.0.0.1000"), "four digits are not");
        ok(!host_is_loopback("localhost.evil.com"), "localhost.evil.com is not");
        ok(!host_is_loopback("evillocalhost"), "evillocalhost is not");
        ok(!host_is_loopback("10.0.0.1"), "10.0.0.1 is not");
        ok(!host_is_loopback(""), "empty is not");

        {
                char *none[] = { NULL }, *some[] = { "git.example.com", "*.example.org/team", NULL };

                ok(hosts_serve(none, "https", "anything.example", NULL), "no Hosts=: any https host is served");
                ok(hosts_serve(NULL, "HTTP", "localhost:8080", NULL), "... and http on loopback");
                ok(!hosts_serve(none, "http", "git.example.com", NULL), "... but not http elsewhere");
                ok(hosts_serve(some, "https", "git.example.com", "any/repo.git"), "Hosts=: a matching pattern serves");
                ok(hosts_serve(some, "https", "a.example.org", "team/x.git"), "... the second one too");
                ok(!hosts_serve(some, "https", "a.example.org", "other/x.git"), "... not outside its path");
                ok(!hosts_serve(some, "https", "a.example.org", "team/../other/x.git"), "... nor above it");
                ok(!hosts_serve(some, "https", "evil.example.com", NULL), "... nor another host");
        }

        return tap_done();
}
