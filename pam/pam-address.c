/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "pam-address.h"
#include "string-util.h"

static bool char_is_printable(char c) {
        return c > 0x20 && c < 0x7f;
}

bool pam_path_is_safe(const char *path, size_t max) {
        const char *p;
        size_t n;

        if (isempty(path) || path[0] != '/')
                return false;
        n = strnlen(path, max + 1);
        if (n > max)
                return false;

        for (size_t i = 0; i < n; i++)
                if (!char_is_printable(path[i]))
                        return false;

        /* No "." or ".." component: the path says plainly where it points. */
        for (p = path; *p; ) {
                size_t l;

                p += strspn(p, "/");
                l = strcspn(p, "/");
                if ((l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p += l;
        }

        return true;
}

/* D-Bus address values: bytes outside this set must be written as %XX. */
static bool char_is_dbus_optional_escape(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                strchr("-_/.\\*", c);
}

static int unescape_value(const char *s, size_t n, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t k = 0;

        out = malloc(n + 1);
        if (!out)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                if (s[i] == '%') {
                        int a, b;

                        if (i + 2 >= n)
                                return -EINVAL;
                        a = unhexchar(s[i + 1]);
                        b = unhexchar(s[i + 2]);
                        if (a < 0 || b < 0)
                                return -EINVAL;
                        out[k++] = (char) (a << 4 | b);
                        i += 2;
                } else
                        out[k++] = s[i];
        }
        out[k] = '\0';

        /* An escaped NUL would cut the path short of what the address says. */
        if (strlen(out) != k)
                return -EINVAL;

        *ret = TAKE_PTR(out);
        return 0;
}

int pam_bus_address_from_path(const char *path, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        assert(path);
        assert(ret);

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fputs("unix:path=", f);
        for (const char *p = path; *p; p++) {
                if (char_is_dbus_optional_escape(*p))
                        fputc(*p, f);
                else
                        fprintf(f, "%%%02x", (unsigned) (unsigned char) *p);
        }
        if (fclose(f) != 0 || !buf) {
                free(buf);
                return -ENOMEM;
        }

        *ret = buf;
        return 0;
}

int pam_bus_address_parse(const char *address, char **ret_path, char **ret_address, const char **ret_reason) {
        _cleanup_free_ char *path = NULL, *normalized = NULL;
        const char *value, *guid = NULL, *comma;
        size_t n, vlen;
        int r;

#define REFUSE(err, why)                        \
        ({                                      \
                if (ret_reason)                 \
                        *ret_reason = (why);    \
                -(err);                         \
        })

        if (isempty(address))
                return REFUSE(EINVAL, "empty");
        n = strnlen(address, PAM_BUS_ADDRESS_MAX + 1);
        if (n > PAM_BUS_ADDRESS_MAX)
                return REFUSE(E2BIG, "too long");
        for (size_t i = 0; i < n; i++)
                if (!char_is_printable(address[i]))
                        return REFUSE(EINVAL, "not printable ASCII");

        /* One address only: ";" would let sd-bus fall through to a second one we did not check. */
        if (strchr(address, ';'))
                return REFUSE(EINVAL, "more than one address");

        value = startswith(address, "unix:path=");
        if (!value)
                return REFUSE(EPROTONOSUPPORT, "not a unix:path= address");

        comma = strchr(value, ',');
        vlen = comma ? (size_t) (comma - value) : strlen(value);
        if (comma) {
                guid = startswith(comma + 1, "guid=");
                if (!guid || strlen(guid) != 32 || strspn(guid, "0123456789abcdefABCDEF") != 32)
                        return REFUSE(EINVAL, "unexpected key after the path");
        }

        r = unescape_value(value, vlen, &path);
        if (r == -ENOMEM)
                return REFUSE(ENOMEM, "out of memory");
        if (r < 0)
                return REFUSE(EINVAL, "bad escape in the path");
        if (!pam_path_is_safe(path, PAM_SOCKET_PATH_MAX))
                return REFUSE(EINVAL, "the path is not a plain absolute path of at most 107 characters");

        /* Written again from the checked path, so that what sd-bus connects to is what we looked at. */
        r = pam_bus_address_from_path(path, &normalized);
        if (r < 0)
                return REFUSE(ENOMEM, "out of memory");
        if (guid) {
                char *with_guid = strjoin(normalized, ",guid=", guid);

                if (!with_guid)
                        return REFUSE(ENOMEM, "out of memory");
                free(normalized);
                normalized = with_guid;
        }

#undef REFUSE
        if (ret_path)
                *ret_path = TAKE_PTR(path);
        if (ret_address)
                *ret_address = TAKE_PTR(normalized);
        return 0;
}

const char *pam_log_escape(const char *s, char *buf, size_t size) {
        size_t n, k = 0;

        assert(buf);
        assert(size >= 4);

        if (!s)
                s = "(null)";
        n = strnlen(s, size);
        for (; k < n && k < size - 1; k++)
                buf[k] = s[k] >= 0x20 && s[k] < 0x7f ? s[k] : '?';
        buf[k] = '\0';
        if (n >= size)
                memcpy(buf + size - 4, "...", 4);
        return buf;
}
