/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc-util.h"
#include "credential-proto.h"
#include "string-util.h"

/* git puts no bound on key[] lists; a handful of WWW-Authenticate headers is all a real server sends. The
 * bound keeps a hostile or broken input from costing quadratic time. */
#define CREDENTIAL_LIST_MAX 256U

void credential_clear(Credential *c) {
        if (!c)
                return;

        free(c->protocol);
        free(c->host);
        free(c->path);
        free(c->username);
        erase_and_free(c->password);
        erase_and_free(c->credential);
        erase_and_free(c->oauth_refresh_token);
        free(c->authtype);
        strv_free(c->wwwauth);
        strv_free(c->capabilities);
        *c = (Credential) {};
}

static bool key_is(const char *key, size_t len, const char *name) {
        return strlen(name) == len && memcmp(key, name, len) == 0;
}

/* Replaces *field with a copy of value; the old value is wiped first when it was a secret. */
static int set_field(char **field, const char *value, size_t len, bool secret) {
        char *copy;

        copy = secret ? secret_strndup(value, len) : strndup(value, len);
        if (!copy)
                return -ENOMEM;
        if (secret)
                erase_and_free(*field);
        else
                free(*field);
        *field = copy;
        return 0;
}

static int list_add(char ***list, const char *value, size_t len, const char **ret_reason) {
        /* "key[]=" with nothing after it resets the list (git-credential(1)). */
        if (len == 0) {
                *list = strv_free(*list);
                return 0;
        }
        if (strv_length(*list) >= CREDENTIAL_LIST_MAX) {
                *ret_reason = "too many values for a key[] attribute";
                return -EBADMSG;
        }
        return strv_push(list, strndup(value, len));
}

int credential_parse_bool(const char *v) {
        static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };
        char *end;
        long long n;

        if (isempty(v))
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(v, no[i]) == 0)
                        return 0;

        errno = 0;
        n = strtoll(v, &end, 10);
        if (errno != 0 || end == v || *end)
                return -EINVAL;
        return n != 0;
}

/* git reads the expiry with strtoumax and treats 0 or an overflow as "never"; anything that is not plain
 * digits is "not given" here, so a stray sign cannot turn into a date far in the future. */
static uint64_t parse_expiry(const char *v, size_t len) {
        uint64_t t = 0;

        if (len == 0 || len > 20)
                return 0;
        for (size_t i = 0; i < len; i++) {
                unsigned d;

                if (v[i] < '0' || v[i] > '9')
                        return 0;
                d = (unsigned) (v[i] - '0');
                if (t > (UINT64_MAX - d) / 10)
                        return 0;
                t = t * 10 + d;
        }
        return t;
}

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Percent-decodes s[0..n) as git's url_decode_mem() does ('+' stays, a broken escape stays as it is). A part
 * that decodes to a newline or NUL is refused: git refuses the newline, and a NUL would cut the value. */
static int url_decode(const char *s, size_t n, bool secret, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t k = 0;

        out = malloc(n + 1);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char ch = s[i];

                if (ch == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
                        ch = (char) (hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]));
                        i += 2;
                }
                if (ch == '\n' || ch == '\0') {
                        erase_buffer(out, k);
                        return -EBADMSG;
                }
                out[k++] = ch;
        }
        out[k] = 0;

        if (secret) {
                char *copy = secret_strndup(out, k);

                erase_buffer(out, k);
                if (!copy)
                        return -ENOMEM;
                *ret = copy;
                return 0;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

int credential_from_url(Credential *c, const char *url) {
        const char *proto_end, *cp, *at, *colon, *slash, *host;
        Credential n = {};
        int r;

        /* git's credential_from_url() starts from a blank credential: url= replaces what came before. */
        credential_clear(c);

        proto_end = strstr(url, "://");
        if (!proto_end || proto_end == url)
                return -EBADMSG;
        cp = proto_end + 3;
        at = strchr(cp, '@');
        colon = strchr(cp, ':');
        /* A query or fragment marker ends the host part as well as a slash does. */
        slash = cp + strcspn(cp, "/?#");

        if (!at || slash <= at)
                host = cp;
        else if (!colon || at <= colon) {
                r = url_decode(cp, (size_t) (at - cp), false, &n.username);
                if (r < 0)
                        goto fail;
                host = at + 1;
        } else {
                r = url_decode(cp, (size_t) (colon - cp), false, &n.username);
                if (r < 0)
                        goto fail;
                r = url_decode(colon + 1, (size_t) (at - colon - 1), true, &n.password);
                if (r < 0)
                        goto fail;
                host = at + 1;
        }

        r = url_decode(url, (size_t) (proto_end - url), false, &n.protocol);
        if (r < 0)
                goto fail;
        r = url_decode(host, (size_t) (slash - host), false, &n.host);
        if (r < 0)
                goto fail;

        /* Slashes around the path are trimmed, as git does. */
        while (*slash == '/')
                slash++;
        if (*slash) {
                size_t len = strlen(slash);

                while (len > 1 && slash[len - 1] == '/')
                        len--;
                r = url_decode(slash, len, false, &n.path);
                if (r < 0)
                        goto fail;
        }

        *c = n;
        return 0;

fail:
        credential_clear(&n);
        return r == -ENOMEM ? r : -EBADMSG;
}

int credential_parse_line(Credential *c, const char *line, size_t len, const char **ret_reason) {
        const char *eq, *value;
        size_t klen, vlen;
        int r;

        assert(c);
        assert(line || len == 0);
        assert(ret_reason);

        /* git's strbuf_getline() drops a "\r" before the "\n"; a CRLF input therefore reads the same. */
        if (len > 0 && line[len - 1] == '\r')
                len--;
        if (len == 0)
                return 1;

        if (memchr(line, '\0', len)) {
                *ret_reason = "NUL byte in input";
                return -EBADMSG;
        }
        eq = memchr(line, '=', len);
        if (!eq) {
                *ret_reason = "line without '='";
                return -EBADMSG;
        }
        klen = (size_t) (eq - line);
        value = eq + 1;
        vlen = len - klen - 1;

        if (key_is(line, klen, "protocol"))
                r = set_field(&c->protocol, value, vlen, false);
        else if (key_is(line, klen, "host"))
                r = set_field(&c->host, value, vlen, false);
        else if (key_is(line, klen, "path"))
                r = set_field(&c->path, value, vlen, false);
        else if (key_is(line, klen, "username"))
                r = set_field(&c->username, value, vlen, false);
        else if (key_is(line, klen, "password"))
                r = set_field(&c->password, value, vlen, true);
        else if (key_is(line, klen, "credential"))
                r = set_field(&c->credential, value, vlen, true);
        else if (key_is(line, klen, "oauth_refresh_token"))
                r = set_field(&c->oauth_refresh_token, value, vlen, true);
        else if (key_is(line, klen, "authtype"))
                r = set_field(&c->authtype, value, vlen, false);
        else if (key_is(line, klen, "wwwauth[]"))
                r = list_add(&c->wwwauth, value, vlen, ret_reason);
        else if (key_is(line, klen, "capability[]"))
                r = list_add(&c->capabilities, value, vlen, ret_reason);
        else if (key_is(line, klen, "password_expiry_utc")) {
                c->password_expiry_utc = parse_expiry(value, vlen);
                r = 0;
        } else if (key_is(line, klen, "ephemeral")) {
                _cleanup_free_ char *v = strndup(value, vlen);

                if (!v)
                        return -ENOMEM;
                r = credential_parse_bool(v);
                if (r < 0) {
                        *ret_reason = "ephemeral= is not a boolean";
                        return -EBADMSG;
                }
                c->ephemeral = r;
                r = 0;
        } else if (key_is(line, klen, "url")) {
                _cleanup_(erase_and_freep) char *url = secret_strndup(value, vlen);

                if (!url)
                        return -ENOMEM;
                r = credential_from_url(c, url);
                if (r == -EBADMSG)
                        *ret_reason = "url= cannot be parsed (no scheme, or a newline or NUL inside)";
        } else
                /* Unknown keys are for future versions of git; quit= and state[] are among them here. */
                r = 0;

        if (r == -ENOMEM)
                *ret_reason = "out of memory";
        return r < 0 ? r : 0;
}

static int fail_at(Credential *c, unsigned lineno, const char *reason, int r, char **ret_message) {
        credential_clear(c);
        if (ret_message && asprintf(ret_message, "line %u: %s", lineno, reason) < 0)
                *ret_message = NULL;
        return r;
}

static void line_buffer_free(char **p) {
        if (*p) {
                erase_buffer(*p, CREDENTIAL_LINE_MAX);
                free(*p);
        }
}

int credential_read(FILE *f, Credential *c, char **ret_message) {
        _cleanup_(line_buffer_free) char *buf = NULL;
        const char *reason = NULL;
        unsigned lineno = 0;
        int r;

        assert(f);
        assert(c);

        buf = malloc(CREDENTIAL_LINE_MAX);
        if (!buf)
                return fail_at(c, 0, "out of memory", -ENOMEM, ret_message);

        for (;;) {
                bool eof = false;
                size_t len = 0;

                lineno++;
                for (;;) {
                        int ch = getc(f);

                        if (ch == EOF) {
                                if (ferror(f))
                                        return fail_at(c, lineno, "read error", -EIO, ret_message);
                                eof = true;
                                break;
                        }
                        if (ch == '\n')
                                break;
                        if (ch == '\0')
                                return fail_at(c, lineno, "NUL byte in input", -EBADMSG, ret_message);
                        /* The line with its "\n" may be CREDENTIAL_LINE_MAX bytes at most. */
                        if (len >= CREDENTIAL_LINE_MAX - 1)
                                return fail_at(c, lineno, "line longer than 65534 bytes", -EBADMSG,
                                               ret_message);
                        buf[len++] = (char) ch;
                }
                if (eof && len == 0)
                        return 0;

                r = credential_parse_line(c, buf, len, &reason);
                erase_buffer(buf, len);
                if (r < 0)
                        return fail_at(c, lineno, reason, r, ret_message);
                if (r > 0 || eof)
                        return 0;
        }
}

int credential_parse_buffer(const char *buf, size_t n, Credential *c, char **ret_message) {
        const char *reason = NULL;
        unsigned lineno = 0;
        size_t pos = 0;
        int r;

        assert(buf || n == 0);
        assert(c);

        while (pos < n) {
                const char *line = buf + pos, *nl;
                size_t len;

                lineno++;
                nl = memchr(line, '\n', n - pos);
                len = nl ? (size_t) (nl - line) : n - pos;
                if (len >= CREDENTIAL_LINE_MAX)
                        return fail_at(c, lineno, "line longer than 65534 bytes", -EBADMSG, ret_message);
                if (memchr(line, '\0', len))
                        return fail_at(c, lineno, "NUL byte in input", -EBADMSG, ret_message);

                r = credential_parse_line(c, line, len, &reason);
                if (r < 0)
                        return fail_at(c, lineno, reason, r, ret_message);
                if (r > 0)
                        return 0;
                pos += len + (nl ? 1 : 0);
        }
        return 0;
}

bool credential_has_capability(const Credential *c, const char *name) {
        return strv_contains(c->capabilities, name);
}

int credential_check_request(const Credential *c, const char **ret_reason) {
        /* git itself refuses to run helpers without these; a request without them is not from git. */
        if (!c->protocol) {
                *ret_reason = "request without protocol=";
                return -EINVAL;
        }
        if (!c->host) {
                *ret_reason = "request without host=";
                return -EINVAL;
        }
        return 0;
}

int credential_write_item(FILE *f, const char *key, const char *value) {
        if (isempty(key) || strpbrk(key, "=\n"))
                return -EINVAL;
        if (!value)
                return 0;
        /* A "\n" would end the value early and start a line of our making; git drops a trailing "\r". */
        if (strpbrk(value, "\n\r"))
                return -EINVAL;
        if (fprintf(f, "%s=%s\n", key, value) < 0)
                return -EIO;
        return 0;
}

int credential_write(FILE *f, const Credential *c) {
        const struct {
                const char *key;
                const char *value;
        } items[] = {
                { "authtype", c->authtype },
                { "credential", c->credential },
                { "ephemeral", c->ephemeral ? "1" : NULL },
                { "protocol", c->protocol },
                { "host", c->host },
                { "path", c->path },
                { "username", c->username },
                { "password", c->password },
                { "oauth_refresh_token", c->oauth_refresh_token },
        };
        int r;

        STRV_FOREACH(s, c->capabilities) {
                r = credential_write_item(f, "capability[]", *s);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(items); i++) {
                r = credential_write_item(f, items[i].key, items[i].value);
                if (r < 0)
                        return r;
        }
        if (c->password_expiry_utc > 0 &&
            fprintf(f, "password_expiry_utc=%llu\n", (unsigned long long) c->password_expiry_utc) < 0)
                return -EIO;
        STRV_FOREACH(s, c->wwwauth) {
                r = credential_write_item(f, "wwwauth[]", *s);
                if (r < 0)
                        return r;
        }
        return 0;
}
