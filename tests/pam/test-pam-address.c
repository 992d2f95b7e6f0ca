/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks on values from the PAM environment: the bus address and paths a hostile environment could
 * set. */
#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "macro.h"
#include "pam-address.h"
#include "tap.h"

static void refused(const char *address, int want_errno, const char *want_reason_part, const char *what) {
        char *path = (char *) 0x1, *normalized = (char *) 0x1;
        const char *reason = NULL;
        int r;

        r = pam_bus_address_parse(address, &path, &normalized, &reason);
        is_int(r, -want_errno, "%s: refused", what);
        ok(reason && strstr(reason, want_reason_part), "%s: reason \"%s\"", what, reason ? reason : "(null)");
        ok(path == (char *) 0x1 && normalized == (char *) 0x1, "%s: outputs untouched", what);
}

static void accepted(const char *address, const char *want_path, const char *want_address, const char *what) {
        _cleanup_free_ char *path = NULL, *normalized = NULL;
        const char *reason = NULL;

        is_int(pam_bus_address_parse(address, &path, &normalized, &reason), 0, "%s: accepted", what);
        is_str(path, want_path, "%s: path", what);
        is_str(normalized, want_address, "%s: normalized address", what);
}

int main(void) {
        char buf[PAM_BUS_ADDRESS_MAX + 64], esc[16];

        accepted("unix:path=/run/user/1000/bus", "/run/user/1000/bus", "unix:path=/run/user/1000/bus",
                 "systemd user bus");
        accepted("unix:path=/tmp/dbus-HFHg5hBAen,guid=9cff7bc64ba9e765358ba6dd6b067707", "/tmp/dbus-HFHg5hBAen",
                 "unix:path=/tmp/dbus-HFHg5hBAen,guid=9cff7bc64ba9e765358ba6dd6b067707",
                 "dbus-daemon address with guid");
        accepted("unix:path=/tmp/a%40b", "/tmp/a@b", "unix:path=/tmp/a%40b", "escaped @");
        accepted("unix:path=/tmp/a@b", "/tmp/a@b", "unix:path=/tmp/a%40b", "unescaped @ is escaped again");
        accepted("unix:path=/tmp/x%2Cy", "/tmp/x,y", "unix:path=/tmp/x%2cy", "escaped comma stays escaped");
        accepted("unix:path=/tmp/%25", "/tmp/%", "unix:path=/tmp/%25", "escaped percent stays escaped");

        refused(NULL, EINVAL, "empty", "NULL");
        refused("", EINVAL, "empty", "empty");
        refused("garbage", EPROTONOSUPPORT, "unix:path=", "garbage");
        refused("unixexec:path=/bin/sh,argv1=-c", EPROTONOSUPPORT, "unix:path=", "unixexec (would run a program)");
        refused("tcp:host=127.0.0.1,port=1", EPROTONOSUPPORT, "unix:path=", "tcp");
        refused("unix:abstract=/tmp/dbus-x", EPROTONOSUPPORT, "unix:path=", "abstract socket");
        refused("unix:tmpdir=/tmp", EPROTONOSUPPORT, "unix:path=", "listen-only address");
        refused("UNIX:path=/run/user/0/bus", EPROTONOSUPPORT, "unix:path=", "upper-case transport");
        refused("unix:path=/run/user/0/bus;unixexec:path=/bin/sh", EINVAL, "more than one", "two addresses");
        refused("unix:path=/run/user/0/bus,guid=xyz", EINVAL, "unexpected key", "short guid");
        refused("unix:path=/run/user/0/bus,argv0=x", EINVAL, "unexpected key", "other key");
        refused("unix:path=/run/user/0/bus,guid=9cff7bc64ba9e765358ba6dd6b067707,x=y", EINVAL, "unexpected key",
                "trailing key after guid");
        refused("unix:path=relative/bus", EINVAL, "absolute", "relative path");
        refused("unix:path=", EINVAL, "absolute", "empty path");
        refused("unix:path=/run/user/1000/../0/bus", EINVAL, "absolute", "dot-dot component");
        refused("unix:path=/run/user/./bus", EINVAL, "absolute", "dot component");
        refused("unix:path=/tmp/%00x", EINVAL, "escape", "escaped NUL");
        refused("unix:path=/tmp/%zz", EINVAL, "escape", "bad escape");
        refused("unix:path=/tmp/%2", EINVAL, "escape", "truncated escape");
        refused("unix:path=/tmp/%0a", EINVAL, "absolute", "escaped newline");
        refused("unix:path=/tmp/a%20b", EINVAL, "absolute", "escaped space");
        refused("unix:path=/tmp/\xff\xfe", EINVAL, "printable", "non-UTF-8 bytes");
        refused("unix:path=/tmp/\xc3\xa9", EINVAL, "printable", "UTF-8 that is not ASCII");
        refused("unix:path=/tmp/a b", EINVAL, "printable", "raw space");
        refused("unix:path=/tmp/\n", EINVAL, "printable", "raw newline");

        memset(buf, 'a', sizeof(buf));
        memcpy(buf, "unix:path=/", 11);
        buf[PAM_BUS_ADDRESS_MAX + 1] = '\0';
        refused(buf, E2BIG, "too long", "address over 512 bytes");
        memset(buf, 'a', sizeof(buf));
        memcpy(buf, "unix:path=/", 11);
        buf[10 + PAM_SOCKET_PATH_MAX + 1] = '\0';
        refused(buf, EINVAL, "107", "path over 107 bytes");
        buf[10 + PAM_SOCKET_PATH_MAX] = '\0';
        {
                _cleanup_free_ char *p = NULL;

                is_int(pam_bus_address_parse(buf, &p, NULL, NULL), 0, "path of exactly 107 bytes accepted");
                is_int(p ? strlen(p) : 0, PAM_SOCKET_PATH_MAX, "and returned whole");
        }

        ok(pam_path_is_safe("/run/user/1000", 96), "plain runtime dir is safe");
        ok(pam_path_is_safe("/run/user/1000/", 96), "trailing slash is fine");
        ok(pam_path_is_safe("/a/..b/.c", 96), "dots inside names are fine");
        ok(!pam_path_is_safe("run/user", 96), "relative path is not");
        ok(!pam_path_is_safe("/run/user/../../etc", 96), "dot-dot is not");
        ok(!pam_path_is_safe("/run/user/1000", 5), "over the length cap is not");
        ok(!pam_path_is_safe("/tmp/\x1b[31m", 96), "escape sequence is not");
        ok(!pam_path_is_safe("", 96) && !pam_path_is_safe(NULL, 96), "empty or NULL is not");

        {
                _cleanup_free_ char *a = NULL;

                is_int(pam_bus_address_from_path("/run/user/0/tokenbroker/bus", &a), 0, "address from path");
                is_str(a, "unix:path=/run/user/0/tokenbroker/bus", "plain path needs no escapes");
        }

        is_str(pam_log_escape("alice", esc, sizeof(esc)), "alice", "log escape: plain name kept");
        is_str(pam_log_escape("a\nb\x1b[c\xff", esc, sizeof(esc)), "a?b?[c?", "log escape: control bytes hidden");
        is_str(pam_log_escape("0123456789abcdefghij", esc, sizeof(esc)), "0123456789ab...", "log escape: cut");
        is_str(pam_log_escape("0123456789abcde", esc, sizeof(esc)), "0123456789abcde", "log escape: exact fit");
        is_str(pam_log_escape(NULL, esc, sizeof(esc)), "(null)", "log escape: NULL");

        return tap_done();
}
