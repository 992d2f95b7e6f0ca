/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alloc-util.h"
#include "host-match.h"
#include "string-util.h"

/* A host name and its port, pointing into the string they came from. */
typedef struct Authority {
        const char *name;
        size_t name_len;
        unsigned port;                /* 0: none given */
} Authority;

static bool parse_port(const char *s, size_t n, unsigned *ret) {
        unsigned v = 0;

        if (n == 0 || n > 5)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (unsigned) (s[i] - '0');
        }
        if (v == 0 || v > 65535)
                return false;
        *ret = v;
        return true;
}

/* Splits "name[:port]" or "[v6]:port". Refuses what no URL host can contain, so that a request host such as
 * "evil.com/x.example.com" or one with a '*' cannot be made to match. A pattern may start with "*.". */
static bool parse_authority(const char *s, size_t n, bool is_pattern, Authority *ret) {
        Authority a = {};
        const char *colon;

        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                /* strchr() also finds the terminating NUL, so a NUL byte is refused as well. */
                if (strchr("@/ \t?#", s[i]))
                        return false;
                if (s[i] == '*' && !(is_pattern && i == 0 && n >= 2 && s[1] == '.'))
                        return false;
        }

        if (s[0] == '[') {
                const char *close = memchr(s, ']', n);

                if (!close || close == s + 1)
                        return false;
                a.name = s + 1;
                a.name_len = (size_t) (close - s - 1);
                if (close + 1 < s + n) {
                        if (close[1] != ':' ||
                            !parse_port(close + 2, (size_t) (s + n - close - 2), &a.port))
                                return false;
                }
                *ret = a;
                return true;
        }

        a.name = s;
        colon = memchr(s, ':', n);
        if (colon) {
                a.name_len = (size_t) (colon - s);
                if (!parse_port(colon + 1, (size_t) (s + n - colon - 1), &a.port))
                        return false;
        } else
                a.name_len = n;
        /* One trailing dot names the same host ("example.com." is fully qualified "example.com"). */
        if (a.name_len > 1 && a.name[a.name_len - 1] == '.')
                a.name_len--;
        if (a.name_len == 0 || a.name[0] == '.')
                return false;

        *ret = a;
        return true;
}

static unsigned default_port(const char *protocol) {
        if (strcasecmp(protocol, "https") == 0)
                return 443;
        if (strcasecmp(protocol, "http") == 0)
                return 80;
        return 0;
}

static bool name_is_loopback(const char *name, size_t n) {
        static const char suffix[] = ".localhost";
        const size_t sl = sizeof(suffix) - 1;
        unsigned octets = 0, digits = 0;

        if (n == 9 && strncasecmp(name, "localhost", 9) == 0)
                return true;
        if (n > sl && strncasecmp(name + n - sl, suffix, sl) == 0)
                return true;
        if (n == 3 && memcmp(name, "::1", 3) == 0)
                return true;

        /* 127.0.0.0/8 written as a dotted quad. */
        if (n < 4 || memcmp(name, "127.", 4) != 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (name[i] >= '0' && name[i] <= '9') {
                        if (++digits > 3)
                                return false;
                } else if (name[i] == '.') {
                        if (digits == 0)
                                return false;
                        octets++;
                        digits = 0;
                } else
                        return false;
        }
        return octets == 3 && digits > 0;
}

bool host_is_loopback(const char *host) {
        Authority a;

        if (isempty(host) || !parse_authority(host, strlen(host), false, &a))
                return false;
        return name_is_loopback(a.name, a.name_len);
}

static bool name_match(const char *pattern, size_t pn, const char *name, size_t n) {
        const char *dot;

        if (pn >= 2 && pattern[0] == '*' && pattern[1] == '.') {
                /* "*.rest": one whole, non-empty label in front of ".rest". */
                dot = memchr(name, '.', n);
                if (!dot || dot == name)
                        return false;
                return (size_t) (name + n - dot) == pn - 1 && strncasecmp(dot, pattern + 1, pn - 1) == 0;
        }
        return pn == n && strncasecmp(pattern, name, n) == 0;
}

/* Whether the n bytes at seg are a dot segment ("." or "..") once percent-encoded dots are decoded, with
 * *ret_encoded set if any dot was encoded. */
static bool segment_is_dots(const char *seg, size_t n, bool *ret_encoded) {
        size_t dots = 0;
        bool encoded = false;

        for (size_t i = 0; i < n; i++) {
                if (seg[i] == '.')
                        dots++;
                else if (i + 2 < n && seg[i] == '%' && seg[i + 1] == '2' && strchr("eE", seg[i + 2])) {
                        dots++;
                        encoded = true;
                        i += 2;
                } else
                        return false;
        }
        *ret_encoded = encoded;
        return dots == 1 || dots == 2;
}

/* Whether servers could read the path's segments differently from how they are written. git has decoded
 * the URL's path once before it sends it, so an escape still in it was encoded twice in the URL: a segment
 * that is "." or ".." only once "%2e" is decoded is a way up to a server that decodes twice and a plain name
 * to one that does not, and an encoded slash or backslash may or may not separate segments. A backslash is
 * a separator to some servers; an empty segment ("a//b") is one segment or none, depending on whether a
 * server merges slashes before it resolves ".."; and some drop ";parameters" first, so that "..;x" is ".."
 * to them. Such a path matches no path pattern. */
static bool path_is_ambiguous(const char *path) {
        const char *seg = path;

        if (strchr(path, '\\') || strcasestr(path, "%2f") || strcasestr(path, "%5c"))
                return true;
        for (;;) {
                size_t n = strcspn(seg, "/");
                const char *semicolon = memchr(seg, ';', n);
                bool encoded = false;

                if (n == 0 && seg[n] == '/')
                        return true;
                /* The segment without its parameters, when it has any; all of it otherwise. */
                if (segment_is_dots(seg, semicolon ? (size_t) (semicolon - seg) : n, &encoded) &&
                    (encoded || semicolon))
                        return true;
                if (!seg[n])
                        return false;
                seg += n + 1;
        }
}

/* Removes the last segment, and its slash, from the output. */
static void pop_segment(char *out, size_t *k) {
        while (*k > 0 && out[*k - 1] != '/')
                (*k)--;
        if (*k > 0)
                (*k)--;
}

/* RFC 3986 section 5.2.4 on a path given without its leading slash, which comes back without it as well.
 * Nothing but dot segments changes; escapes stay as they are, so that they can only make a path fail to
 * match. */
static char *path_remove_dot_segments(const char *path) {
        _cleanup_free_ char *in = NULL, *out = NULL;
        size_t k = 0;

        /* The algorithm reads an absolute path: the leading slash is put back for it. The output is never
         * longer than the input. */
        in = strjoin("/", path);
        out = malloc(strlen(path) + 2);
        if (!in || !out)
                return NULL;

        /* The input always starts with '/', so of the algorithm's steps B, C and E remain. */
        for (const char *s = in; *s;) {
                if (startswith(s, "/./"))
                        s += 2;
                else if (streq(s, "/.")) {
                        out[k++] = '/';
                        break;
                } else if (startswith(s, "/../")) {
                        pop_segment(out, &k);
                        s += 3;
                } else if (streq(s, "/..")) {
                        pop_segment(out, &k);
                        out[k++] = '/';
                        break;
                } else {
                        size_t l = 1 + strcspn(s + 1, "/");

                        memcpy(out + k, s, l);
                        k += l;
                        s += l;
                }
        }
        out[k] = 0;

        if (k > 0 && out[0] == '/')
                memmove(out, out + 1, k);
        return TAKE_PTR(out);
}

static bool path_match(const char *pattern, size_t pn, const char *path) {
        _cleanup_free_ char *glob = NULL, *below = NULL, *normalized = NULL;

        while (pn > 0 && pattern[0] == '/') {
                pattern++;
                pn--;
        }
        while (pn > 0 && pattern[pn - 1] == '/')
                pn--;
        if (pn == 0)
                return true;

        /* Matched as the server will resolve it: "team/../other" is not under "team". */
        while (*path == '/')
                path++;
        if (path_is_ambiguous(path))
                return false;
        normalized = path_remove_dot_segments(path);
        if (!normalized)
                return false;

        glob = strndup(pattern, pn);
        if (!glob)
                return false;
        if (fnmatch(glob, normalized, 0) == 0)
                return true;
        /* A pattern names its own subtree as well, by whole segments: "org" covers "org/repo.git", not
         * "organisation". */
        below = strjoin(glob, "/*");
        return below && fnmatch(below, normalized, 0) == 0;
}

bool host_pattern_match(const char *pattern, const char *protocol, const char *host, const char *path) {
        const char *rest, *scheme_end, *slash;
        Authority pa, ra;
        unsigned pport, rport;

        if (isempty(pattern) || isempty(protocol) || isempty(host))
                return false;
        if (!parse_authority(host, strlen(host), false, &ra))
                return false;

        scheme_end = strstr(pattern, "://");
        if (scheme_end) {
                if (scheme_end == pattern || (size_t) (scheme_end - pattern) != strlen(protocol) ||
                    strncasecmp(pattern, protocol, (size_t) (scheme_end - pattern)) != 0)
                        return false;
                rest = scheme_end + 3;
        } else {
                /* No scheme: https, or http that never leaves the machine. */
                if (strcasecmp(protocol, "https") != 0 &&
                    !(strcasecmp(protocol, "http") == 0 && name_is_loopback(ra.name, ra.name_len)))
                        return false;
                rest = pattern;
        }

        slash = rest + strcspn(rest, "/");
        if (!parse_authority(rest, (size_t) (slash - rest), true, &pa))
                return false;

        if (!name_match(pa.name, pa.name_len, ra.name, ra.name_len))
                return false;

        pport = pa.port ?: default_port(protocol);
        rport = ra.port ?: default_port(protocol);
        if (pport != rport)
                return false;

        if (*slash && !isempty(path) && !path_match(slash, strlen(slash), path))
                return false;

        return true;
}

static char *name_lowercase(const char *name, size_t n) {
        char *k = strndup(name, n);

        if (k)
                for (char *c = k; *c; c++)
                        if (*c >= 'A' && *c <= 'Z')
                                *c = (char) (*c - 'A' + 'a');
        return k;
}

char *host_pattern_key(const char *pattern, bool *ret_wildcard) {
        const char *rest, *scheme_end;
        Authority pa;

        if (isempty(pattern))
                return NULL;
        scheme_end = strstr(pattern, "://");
        rest = scheme_end ? scheme_end + 3 : pattern;
        if (scheme_end == pattern || !parse_authority(rest, strcspn(rest, "/"), true, &pa))
                return NULL;
        *ret_wildcard = pa.name_len >= 2 && pa.name[0] == '*' && pa.name[1] == '.';
        return *ret_wildcard ? name_lowercase(pa.name + 2, pa.name_len - 2) : name_lowercase(pa.name, pa.name_len);
}

char *host_request_key(const char *host, const char **ret_parent) {
        Authority ra;
        char *k, *dot;

        if (isempty(host) || !parse_authority(host, strlen(host), false, &ra))
                return NULL;
        k = name_lowercase(ra.name, ra.name_len);
        if (k && ret_parent) {
                /* As name_match() reads "*.rest": one non-empty label, then the rest. */
                dot = strchr(k, '.');
                *ret_parent = dot && dot != k ? dot + 1 : NULL;
        }
        return k;
}

bool hosts_serve(char * const *patterns, const char *protocol, const char *host, const char *path) {
        if (strv_length(patterns) == 0)
                return strcasecmp(protocol, "https") == 0 ||
                       (strcasecmp(protocol, "http") == 0 && host_is_loopback(host));

        STRV_FOREACH(p, (char **) patterns)
                if (host_pattern_match(*p, protocol, host, path))
                        return true;
        return false;
}
