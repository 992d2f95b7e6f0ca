/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `tokenbroker doctor`: everything tokenbroker depends on, checked in the order one depends on the other (the
 * session bus, the daemon, its sockets, the keyring, then every account: its file, its secrets, its token
 * endpoint), one line each, and for each problem the command or setting that fixes it. Exits with the exit
 * status class of the first problem (mostly 6 unreachable, 7 keyring, 9 configuration, 4 login needed), 0
 * when there is none. Nothing here asks for a token: the accounts are checked by the daemon's CheckAccount. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "bus-client.h"
#include "cli.h"
#include "exit-status.h"
#include "string-util.h"

#define SECRET_SERVICE "org.freedesktop.secrets"

typedef struct Doctor {
        int status;             /* the exit status of the first problem */
        unsigned problems;
} Doctor;

static void ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ok(const char *fmt, ...) {
        va_list ap;

        fputs("ok    ", stdout);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
}

/* A problem: what is wrong, then the fix on its own line. */
static void problem(Doctor *d, int status, const char *fix, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void problem(Doctor *d, int status, const char *fix, const char *fmt, ...) {
        va_list ap;

        fputs("FAIL  ", stdout);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
        if (fix)
                printf("      fix: %s\n", fix);
        if (d->problems++ == 0)
                d->status = status;
}

/* The private socket is only looked at (the daemon answered on it or on the bus already, and a connection
 * that says nothing is logged as a failed peer); the token socket is connected to as well. */
static void check_socket(Doctor *d, const char *dir, const char *name, bool required) {
        _cleanup_free_ char *path = strjoin(dir, "/", name);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct stat st;
        int fd;

        if (!path)
                return;
        if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
                if (required)
                        problem(d, EXIT_UNREACHABLE, "restart the daemon: systemctl --user restart tokenbrokerd",
                                "socket %s: missing", path);
                else
                        printf("warn  socket %s: missing; the front ends use D-Bus instead (slower)\n", path);
                return;
        }
        if (st.st_uid != geteuid() || (st.st_mode & 0077)) {
                problem(d, EXIT_ACCESS_DENIED, "restart the daemon, which makes it anew: systemctl --user restart tokenbrokerd",
                        "socket %s: owned by uid %u with mode %04o, not ours and 0600", path, (unsigned) st.st_uid,
                        (unsigned) (st.st_mode & 07777));
                return;
        }
        if (required) {
                ok("socket %s: present, ours, 0600", path);
                return;
        }
        if (strlen(path) >= sizeof(sa.sun_path))
                return;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0)
                ok("socket %s: accepts connections", path);
        else
                problem(d, EXIT_UNREACHABLE, "restart the daemon: systemctl --user restart tokenbrokerd",
                        "socket %s: refuses connections (%m)", path);
        if (fd >= 0)
                close(fd);
}

/* The session bus's Secret Service, its default collection and whether it is unlocked. */
static void check_keyring(Doctor *d, sd_bus *user_bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *collection;
        int locked = 0, r;

        if (!user_bus)
                return;
        r = sd_bus_call_method(user_bus, SECRET_SERVICE, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service",
                               "ReadAlias", &error, &reply, "s", "default");
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &collection);
        if (r < 0) {
                problem(d, EXIT_KEYRING_LOCKED,
                        "install and start a Secret Service (apt-get install gnome-keyring; it starts with the "
                        "desktop session)",
                        "keyring: no Secret Service on the session bus (%s)", broker_error_message(&error, r));
                return;
        }
        if (streq(collection, "/")) {
                problem(d, EXIT_KEYRING_LOCKED,
                        "log in to the desktop once, or create a default collection (seahorse)",
                        "keyring: the Secret Service has no default collection");
                return;
        }
        sd_bus_error_free(&error);
        r = sd_bus_get_property_trivial(user_bus, SECRET_SERVICE, collection, "org.freedesktop.Secret.Collection",
                                        "Locked", &error, 'b', &locked);
        if (r < 0)
                problem(d, EXIT_KEYRING_LOCKED, NULL, "keyring: collection %s cannot be asked: %s", collection,
                        broker_error_message(&error, r));
        else if (locked)
                problem(d, EXIT_KEYRING_LOCKED,
                        "unlock it: log in to the desktop, or open Passwords and Keys (seahorse) and unlock it",
                        "keyring: collection %s is locked", collection);
        else
                ok("keyring: collection %s is unlocked", collection);
}

static void check_refused(Doctor *d, sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *name, *why;
        int r;

        r = broker_call(bus, "ListRefusedAccounts", &error, &reply, NULL);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "{ss}");
        while (r >= 0 && (r = sd_bus_message_read(reply, "{ss}", &name, &why)) > 0)
                /* The reason names the file, the line and the fix. */
                problem(d, EXIT_CONFIG, NULL, "account %s: not loaded: %s", name, why);
        if (r < 0)
                problem(d, EXIT_FAILURE_OTHER, NULL, "accounts: the daemon does not list its refused files: %s",
                        broker_error_message(&error, r));
}

/* CheckAccount's answer for one account, printed. */
static void report_account(Doctor *d, const char *name, sd_bus_message *reply) {
        _cleanup_strv_free_ char **missing = NULL;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *endpoint = NULL, *endpoint_problem = NULL;
        int r;

        if (e) {
                problem(d, exit_status_from_errno(-sd_bus_error_get_errno(e)), NULL, "account %s: %s", name,
                        e->message ?: e->name);
                return;
        }
        r = sd_bus_message_read_strv(reply, &missing);
        if (r >= 0)
                r = sd_bus_message_read(reply, "ss", &endpoint, &endpoint_problem);
        if (r < 0) {
                problem(d, EXIT_FAILURE_OTHER, NULL, "account %s: cannot read the daemon's answer", name);
                return;
        }
        STRV_FOREACH(k, missing) {
                _cleanup_free_ char *fix = NULL;

                if (streq(*k, "refresh-token"))
                        fix = strjoin("tokenbroker login ", name);
                else if (streq(*k, "private-key"))
                        fix = strjoin("tokenbroker keygen ", name, ", then register the public key it prints");
                else
                        fix = strjoin("tokenbroker set-secret ", name, " ", *k);
                if (streq(*k, "refresh-token"))
                        problem(d, EXIT_LOGIN_REQUIRED, fix, "account %s: needs a login (no refresh token yet)", name);
                else
                        problem(d, EXIT_CONFIG, fix, "account %s: its %s is not in the keyring", name, *k);
        }
        if (!isempty(endpoint_problem))
                problem(d, EXIT_UNREACHABLE,
                        "check the network and the account's TokenURL=, Issuer= and CAFile= (tokenbroker.conf(5))",
                        "account %s: token endpoint %s: %s", name, isempty(endpoint) ? "(none)" : endpoint,
                        endpoint_problem);
        else if (strv_length(missing) == 0)
                ok("account %s: secrets in the keyring; %s answers", name, endpoint);
}

typedef struct PendingCheck {
        char *name;
        sd_bus_message *reply;
        bool done;
} PendingCheck;

static int on_check_reply(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        PendingCheck *p = userdata;

        p->reply = sd_bus_message_ref(m);
        p->done = true;
        return 0;
}

/* Every account at once (each check may wait up to ten seconds for a server that does not answer). */
static void check_accounts(Doctor *d, sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ PendingCheck *checks = NULL;
        size_t n, left;
        int r;

        r = broker_call(bus, "ListAccounts", &error, &reply, NULL);
        if (r >= 0)
                r = sd_bus_message_read_strv(reply, &names);
        if (r < 0) {
                problem(d, EXIT_FAILURE_OTHER, NULL, "accounts: cannot list them: %s", broker_error_message(&error, r));
                return;
        }
        n = strv_length(names);
        if (n == 0) {
                printf("warn  no accounts; add one with 'tokenbroker add NAME --token-url URL --client-id ID'\n");
                return;
        }
        checks = calloc(n, sizeof(PendingCheck));
        if (!checks)
                return;
        left = n;
        for (size_t i = 0; i < n; i++) {
                checks[i].name = names[i];
                r = sd_bus_call_method_async(bus, NULL, sd_bus_is_bus_client(bus) ? BROKER_BUS_NAME : NULL,
                                             BROKER_OBJECT_PATH, BROKER_INTERFACE, "CheckAccount", on_check_reply,
                                             &checks[i], "s", names[i]);
                if (r < 0) {
                        checks[i].done = true;
                        left--;
                        problem(d, EXIT_FAILURE_OTHER, NULL, "account %s: cannot ask the daemon: %s", names[i],
                                strerror(-r));
                }
        }
        while (left > 0) {
                left = 0;
                for (size_t i = 0; i < n; i++)
                        left += !checks[i].done;
                if (left == 0)
                        break;
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
                        break;
        }
        for (size_t i = 0; i < n; i++) {
                if (checks[i].reply)
                        report_account(d, checks[i].name, checks[i].reply);
                else if (!checks[i].done)
                        problem(d, EXIT_UNREACHABLE, NULL, "account %s: no answer from the daemon", checks[i].name);
                sd_bus_message_unref(checks[i].reply);
        }
}

int verb_doctor(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *user_bus = NULL, *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *dir = NULL;
        const char *runtime = secure_getenv("XDG_RUNTIME_DIR");
        Doctor d = {};
        int r;

        if (argc != 1)
                return cli_usage_error("doctor takes no arguments.");

        r = sd_bus_open_user(&user_bus);
        if (r >= 0)
                ok("session bus: %s", strna(secure_getenv("DBUS_SESSION_BUS_ADDRESS")));
        else
                problem(&d, EXIT_UNREACHABLE,
                        "run in a desktop or systemd user session (DBUS_SESSION_BUS_ADDRESS), or under dbus-run-session",
                        "session bus: cannot connect: %s", strerror(-r));

        r = broker_open(&bus);
        if (r >= 0)
                r = broker_call(bus, "ListAccounts", &error, &reply, NULL);
        if (r < 0) {
                problem(&d, EXIT_UNREACHABLE,
                        "systemctl --user start tokenbrokerd (its log: journalctl --user -u tokenbrokerd), or run "
                        "'tokenbrokerd &'",
                        "daemon: not reachable: %s", broker_error_message(&error, r));
                check_keyring(&d, user_bus);
                return d.status;
        }
        ok("daemon: tokenbrokerd answers%s", sd_bus_is_bus_client(bus) ? " on the session bus" : " on its socket");

        if (isempty(runtime))
                problem(&d, EXIT_UNREACHABLE, "log in through a session that sets XDG_RUNTIME_DIR (pam_systemd)",
                        "sockets: XDG_RUNTIME_DIR is not set");
        else {
                dir = strjoin(runtime, "/tokenbroker");
                if (dir) {
                        check_socket(&d, dir, "bus", true);
                        check_socket(&d, dir, "token", false);
                }
        }
        check_keyring(&d, user_bus);
        check_refused(&d, bus);
        check_accounts(&d, bus);

        if (d.problems == 0)
                printf("No problems found.\n");
        else
                printf("%u problem%s found.\n", d.problems, d.problems == 1 ? "" : "s");
        return d.status;
}
