/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam_tokenbroker.so under real Linux-PAM: service files in a temporary directory load the built module
 * through pam_start_confdir(). This process makes itself a child subreaper, so the module's background job
 * is reparented here when the module's intermediate child exits: it can be inspected while it runs (uid,
 * groups, open files) and reaped afterwards (exit status, and a count that shows whether the module left a
 * zombie behind). The job's log lines reach a file through the module's `stderr` option.
 *
 * Run as root (as in CI), the job is also checked to drop to `nobody`; the success path is served by a
 * peer-to-peer D-Bus endpoint in this process on the user's private broker socket, which records the call. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <security/pam_modules.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "macro.h"
#include "string-util.h"
#include "tap.h"
#include "time-util.h"

#define BOUND_USEC (1 * USEC_PER_SEC)      /* pam_open_session() must return within this */
#define REAP_USEC (15 * USEC_PER_SEC)      /* the background job must be gone within this */

static char tmpdir[] = "/tmp/tb-pam-test.XXXXXX";
static char confdir[256], logpath[256], rtdir[256];
static int conv_calls;
static const char *self_user;
static uid_t self_uid;

typedef int (*pam_sm_fn)(pam_handle_t *, int, int, const char **);

typedef struct Run {
        int pam_status;
        usec_t elapsed;
        int n_reaped;               /* processes reparented here and reaped: 1 = just the background job */
        int job_status;             /* exit status of the background job, -1 if there was none */
        usec_t job_lifetime;
        char *log;
} Run;

typedef void (*while_running_fn)(pid_t job, void *userdata);

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
        conv_calls++;
        return PAM_CONV_ERR;
}

static const char *module_path(void) {
        static char path[4096];
        const char *b = getenv("abs_top_builddir");

        snprintf(path, sizeof(path), "%s/pam/.libs/pam_tokenbroker.so", b ? b : ".");
        return path;
}

static void write_file(const char *path, const char *content) {
        FILE *f = fopen(path, "we");

        if (!f || fputs(content, f) < 0 || fclose(f) != 0) {
                printf("Bail out! cannot write %s: %m\n", path);
                exit(1);
        }
}

static void write_service(const char *name, const char *args) {
        char path[512], *content = NULL;

        snprintf(path, sizeof(path), "%s/%s", confdir, name);
        /* The shape a distribution would use: optional, followed by the rest of the session stack. */
        if (asprintf(&content, "session optional %s %s\nsession required pam_permit.so\n", module_path(),
                     args) < 0)
                exit(1);
        write_file(path, content);
        free(content);
}

static char *read_all(const char *path) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f, *out;
        int c;

        out = open_memstream(&buf, &size);
        f = fopen(path, "re");
        if (f) {
                while ((c = fgetc(f)) != EOF)
                        fputc(c, out);
                fclose(f);
        }
        fclose(out);
        return buf;
}

/* Children of this process, found through /proc (a reparented job shows up here). */
static pid_t first_child(void) {
        DIR *d = opendir("/proc");
        struct dirent *de;
        pid_t found = 0;

        while (d && (de = readdir(d))) {
                char path[300], buf[512], *p;
                int ppid;
                FILE *f;

                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
                f = fopen(path, "re");
                if (!f)
                        continue;
                if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
                    sscanf(p + 1, " %*c %d", &ppid) == 1 && ppid == getpid())
                        found = atoi(de->d_name);
                fclose(f);
                if (found)
                        break;
        }
        if (d)
                closedir(d);
        return found;
}

static void run_session(const char *service, const char *user, const char *const *env, while_running_fn cb,
                        void *userdata, Run *ret) {
        pam_handle_t *pamh = NULL;
        usec_t t0, started;
        int saved, fd, r, status;
        pid_t job;

        *ret = (Run) { .job_status = -1 };

        /* The job inherits this stderr: point it at the log file for the length of the session. */
        fflush(stdout);
        fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
        saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        if (fd < 0 || saved < 0 || dup2(fd, STDERR_FILENO) < 0)
                exit(1);
        close(fd);

        r = pam_start_confdir(service, user, &(struct pam_conv) { conv, NULL }, confdir, &pamh);
        if (r == PAM_SUCCESS)
                for (const char *const *e = env; e && *e; e++)
                        (void) pam_putenv(pamh, *e);

        t0 = now_usec(CLOCK_MONOTONIC);
        if (r == PAM_SUCCESS)
                r = pam_open_session(pamh, 0);
        ret->elapsed = now_usec(CLOCK_MONOTONIC) - t0;
        ret->pam_status = r;
        started = now_usec(CLOCK_MONOTONIC);

        if (pamh) {
                (void) pam_close_session(pamh, 0);
                (void) pam_end(pamh, r);
        }
        dup2(saved, STDERR_FILENO);
        close(saved);

        job = first_child();
        if (job > 0 && cb)
                cb(job, userdata);

        for (;;) {
                pid_t pid = waitpid(-1, &status, WNOHANG);

                if (pid < 0)
                        break;          /* ECHILD: all gone */
                if (pid > 0) {
                        ret->n_reaped++;
                        if (pid == job) {
                                ret->job_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                                ret->job_lifetime = now_usec(CLOCK_MONOTONIC) - started;
                        }
                        continue;
                }
                if (now_usec(CLOCK_MONOTONIC) - started > REAP_USEC) {
                        tap_diag("background job %d still running, killing it", (int) job);
                        if (job > 0)
                                kill(job, SIGKILL);
                        started = now_usec(CLOCK_MONOTONIC);
                }
                usleep(10 * 1000);
        }

        ret->log = read_all(logpath);
}

static void run_clear(Run *r) {
        free(r->log);
        r->log = NULL;
}

static bool log_has(const Run *r, const char *needle) {
        bool found = r->log && strstr(r->log, needle);

        if (!found)
                tap_diag("log does not contain \"%s\"; log:\n%s", needle, r->log ? r->log : "(none)");
        return found;
}

static int listen_unix(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
                printf("Bail out! cannot listen on %s: %m\n", path);
                exit(1);
        }
        return fd;
}

/* ---- what the background job looks like while it runs ---- */

typedef struct Inspect {
        int marker_fd;              /* open without O_CLOEXEC in this process: must not reach the job */
        char fds[64];               /* the job's fd numbers, "0 1 2" */
        char uid_line[128], gid_line[128], groups_line[256], nnp_line[64];
} Inspect;

static void read_fds(pid_t pid, char *out, size_t size) {
        char path[64];
        int n[32], k = 0;
        DIR *d;
        struct dirent *de;

        snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
        d = opendir(path);
        while (d && (de = readdir(d)) && k < 32)
                if (de->d_name[0] != '.')
                        n[k++] = atoi(de->d_name);
        if (d)
                closedir(d);

        /* readdir order is not sorted; a little insertion sort keeps the comparison simple. */
        for (int i = 1; i < k; i++)
                for (int j = i; j > 0 && n[j - 1] > n[j]; j--) {
                        int t = n[j];
                        n[j] = n[j - 1];
                        n[j - 1] = t;
                }
        out[0] = '\0';
        for (int i = 0; i < k; i++)
                snprintf(out + strlen(out), size - strlen(out), "%s%d", i ? " " : "", n[i]);
}

static void read_status_line(pid_t pid, const char *key, char *out, size_t size) {
        char path[64], line[512];
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        out[0] = '\0';
        f = fopen(path, "re");
        while (f && fgets(line, sizeof(line), f))
                if (startswith(line, key)) {
                        size_t n = MIN(strcspn(line, "\n"), size - 1);

                        memcpy(out, line, n);
                        out[n] = '\0';
                        break;
                }
        if (f)
                fclose(f);
}

static void inspect_job(pid_t job, void *userdata) {
        Inspect *in = userdata;
        usec_t t0 = now_usec(CLOCK_MONOTONIC);

        /* The job closes its files and drops privileges first thing; give it a moment to get there. */
        do {
                read_fds(job, in->fds, sizeof(in->fds));
                read_status_line(job, "NoNewPrivs:", in->nnp_line, sizeof(in->nnp_line));
                if (streq(in->fds, "0 1 2") && strstr(in->nnp_line, "1"))
                        break;
                usleep(5 * 1000);
        } while (now_usec(CLOCK_MONOTONIC) - t0 < 500 * USEC_PER_MSEC);

        read_status_line(job, "Uid:", in->uid_line, sizeof(in->uid_line));
        read_status_line(job, "Gid:", in->gid_line, sizeof(in->gid_line));
        read_status_line(job, "Groups:", in->groups_line, sizeof(in->groups_line));
}

/* ---- a peer on the private broker socket that answers Warmup() and records who called ---- */

typedef struct Peer {
        int listen_fd;
        int calls;
        uid_t caller_uid;
        char member[64];
} Peer;

static int method_warmup(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Peer *p = userdata;

        p->calls++;
        snprintf(p->member, sizeof(p->member), "%s", sd_bus_message_get_member(m));
        return sd_bus_reply_method_return(m, "u", 2);
}

static const sd_bus_vtable peer_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Warmup", "", "u", method_warmup, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static void serve_peer(pid_t job, void *userdata) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        Peer *p = userdata;
        struct ucred cred;
        socklen_t len = sizeof(cred);
        sd_id128_t id;
        usec_t t0 = now_usec(CLOCK_MONOTONIC);
        int fd;

        if (poll(&(struct pollfd) { .fd = p->listen_fd, .events = POLLIN }, 1, 5000) <= 0)
                return;
        fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
                return;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
                p->caller_uid = cred.uid;

        if (sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fd, fd) < 0 || sd_id128_randomize(&id) < 0 ||
            sd_bus_set_server(bus, 1, id) < 0 ||
            sd_bus_add_object_vtable(bus, NULL, BROKER_OBJECT_PATH, BROKER_INTERFACE, peer_vtable, p) < 0 ||
            sd_bus_start(bus) < 0) {
                close(fd);
                return;
        }

        while (p->calls == 0 && now_usec(CLOCK_MONOTONIC) - t0 < 5 * USEC_PER_SEC) {
                int r = sd_bus_process(bus, NULL);

                if (r < 0)
                        break;
                if (r == 0)
                        (void) sd_bus_wait(bus, 100 * USEC_PER_MSEC);
        }
}

/* ---- the cases ---- */

static const char *const *env2(const char *a, const char *b) {
        static const char *v[3];

        v[0] = a;
        v[1] = b;
        v[2] = NULL;
        return v;
}

static void test_missing_bus(void) {
        char bus_env[512], rt_env[512], want[1024];
        Inspect in = {};
        Run r;

        snprintf(bus_env, sizeof(bus_env), "DBUS_SESSION_BUS_ADDRESS=unix:path=%s/missing", tmpdir);
        snprintf(rt_env, sizeof(rt_env), "XDG_RUNTIME_DIR=%s", rtdir);
        in.marker_fd = open("/dev/null", O_RDONLY);     /* no O_CLOEXEC on purpose */
        conv_calls = 0;

        run_session("tb-timeout1", self_user, env2(bus_env, rt_env), inspect_job, &in, &r);
        is_int(r.pam_status, PAM_SUCCESS, "no bus: pam_open_session succeeds");
        ok(r.elapsed < BOUND_USEC, "no bus: pam_open_session returned in %llu ms",
           (unsigned long long) (r.elapsed / USEC_PER_MSEC));
        is_int(conv_calls, 0, "no bus: the module never prompts");
        is_int(r.n_reaped, 1, "no bus: one background job, no zombie left by the module");
        is_str(in.fds, "0 1 2", "no bus: the job holds only stdin, stdout and stderr (fd %d did not leak)",
               in.marker_fd);
        ok(strstr(in.nnp_line, "1"), "no bus: the job runs with no_new_privs (%s)", in.nnp_line);
        is_int(r.job_status, 1, "no bus: the job reports failure");
        ok(r.job_lifetime >= 900 * USEC_PER_MSEC && r.job_lifetime < 4 * USEC_PER_SEC,
           "no bus: the job waited for the bus about timeout=1 (%llu ms)",
           (unsigned long long) (r.job_lifetime / USEC_PER_MSEC));
        snprintf(want, sizeof(want), "No session bus for user %s at %s/missing after 1 s", self_user, tmpdir);
        ok(log_has(&r, want), "no bus: the log says why");
        ok(log_has(&r, "No such file or directory"), "no bus: with the error");
        ok(log_has(&r, "Option \"bogus\": unknown option, ignoring."), "unknown option logged, ignoring");
        ok(log_has(&r, "Option \"timeout=0\": invalid timeout"), "bad timeout logged");
        run_clear(&r);
        close(in.marker_fd);
}

static void test_silent_daemon(void) {
        char path[512], bus_env[600], want[1024];
        Run r;
        int fd;

        /* Accepts connections (the kernel completes them from the backlog) and never says a word. */
        snprintf(path, sizeof(path), "%s/silent", rtdir);
        fd = listen_unix(path);
        snprintf(bus_env, sizeof(bus_env), "DBUS_SESSION_BUS_ADDRESS=unix:path=%s", path);

        run_session("tb-timeout1", self_user, env2(bus_env, NULL), NULL, NULL, &r);
        is_int(r.pam_status, PAM_SUCCESS, "silent daemon: pam_open_session succeeds");
        ok(r.elapsed < BOUND_USEC, "silent daemon: returned in %llu ms",
           (unsigned long long) (r.elapsed / USEC_PER_MSEC));
        is_int(r.n_reaped, 1, "silent daemon: one background job, no zombie");
        is_int(r.job_status, 1, "silent daemon: the job gives up");
        ok(r.job_lifetime < 4 * USEC_PER_SEC, "silent daemon: within the call timeout (%llu ms)",
           (unsigned long long) (r.job_lifetime / USEC_PER_MSEC));
        ok(poll(&(struct pollfd) { .fd = fd, .events = POLLIN }, 1, 0) == 1,
           "silent daemon: the job did connect");
        snprintf(want, sizeof(want), "No answer from the session bus at unix:path=%s, not warming up tokens: "
                 "Connection timed out", path);
        ok(log_has(&r, want), "silent daemon: the log says it timed out");
        run_clear(&r);
        close(fd);
        unlink(path);
}

static void test_bogus_addresses(void) {
        char pwned[512], unixexec[700], overlong[700], want[1024], rt_env[512];
        struct stat st;

        snprintf(pwned, sizeof(pwned), "%s/pwned", tmpdir);
        snprintf(unixexec, sizeof(unixexec), "DBUS_SESSION_BUS_ADDRESS=unixexec:path=/usr/bin/touch,argv0=touch,"
                 "argv1=%s", pwned);
        snprintf(overlong, sizeof(overlong), "DBUS_SESSION_BUS_ADDRESS=unix:path=/%0600d", 0);
        snprintf(rt_env, sizeof(rt_env), "XDG_RUNTIME_DIR=%s", rtdir);

        const struct {
                const char *env;
                const char *reason;
                const char *what;
        } cases[] = {
                { "DBUS_SESSION_BUS_ADDRESS=garbage", "not a unix:path= address", "garbage" },
                { overlong, "too long", "overlong" },
                { "DBUS_SESSION_BUS_ADDRESS=unix:path=/tmp/\xff\xfe\x80", "not printable ASCII", "non-UTF-8" },
                { "DBUS_SESSION_BUS_ADDRESS=unix:path=/tmp/bus\n\x1b[2J", "not printable ASCII", "control chars" },
                { unixexec, "not a unix:path= address", "unixexec" },
                { "DBUS_SESSION_BUS_ADDRESS=tcp:host=127.0.0.1,port=9", "not a unix:path= address", "tcp" },
                { "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus;tcp:host=127.0.0.1,port=9",
                  "more than one address", "address list" },
                { "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/../../etc/bus", "plain absolute path",
                  "dot-dot path" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Run r;

                run_session("tb-timeout1", self_user, env2(cases[i].env, rt_env), NULL, NULL, &r);
                is_int(r.pam_status, PAM_SUCCESS, "bogus address (%s): pam_open_session succeeds", cases[i].what);
                ok(r.elapsed < BOUND_USEC, "bogus address (%s): returned in %llu ms", cases[i].what,
                   (unsigned long long) (r.elapsed / USEC_PER_MSEC));
                is_int(r.n_reaped, 1, "bogus address (%s): no zombie", cases[i].what);
                ok(log_has(&r, "Ignoring DBUS_SESSION_BUS_ADDRESS=\"") && log_has(&r, cases[i].reason),
                   "bogus address (%s): the log says why (%s)", cases[i].what, cases[i].reason);
                /* Refused, it falls back to the runtime directory's bus, which is not there. */
                snprintf(want, sizeof(want), "No session bus for user %s at %s/bus after 1 s", self_user, rtdir);
                ok(log_has(&r, want), "bogus address (%s): falls back to XDG_RUNTIME_DIR/bus", cases[i].what);
                ok(!r.log || (!strchr(r.log, '\x1b') && !strchr(r.log, '\xff')),
                   "bogus address (%s): no raw control or 8-bit bytes reach the log", cases[i].what);
                run_clear(&r);
        }
        ok(stat(pwned, &st) < 0 && errno == ENOENT, "unixexec: nothing was run");
}

static void test_hostile_runtime_dir(void) {
        char want[256];
        struct stat st;
        Run r;

        snprintf(want, sizeof(want), "/run/user/%u/bus", (unsigned) self_uid);
        if (lstat(want, &st) == 0) {
                ok(true, "# SKIP %s exists on this machine", want);
                return;
        }

        run_session("tb-timeout1", self_user, env2("XDG_RUNTIME_DIR=/run/../etc\n", NULL), NULL, NULL, &r);
        is_int(r.pam_status, PAM_SUCCESS, "hostile XDG_RUNTIME_DIR: pam_open_session succeeds");
        ok(log_has(&r, "Ignoring XDG_RUNTIME_DIR=\"/run/../etc?\""), "hostile XDG_RUNTIME_DIR: logged, escaped");
        snprintf(want, sizeof(want), "No session bus for user %s at /run/user/%u/bus", self_user,
                 (unsigned) self_uid);
        ok(log_has(&r, want), "hostile XDG_RUNTIME_DIR: falls back to /run/user/UID");
        run_clear(&r);
}

static void test_no_such_user(void) {
        Run r;

        conv_calls = 0;
        run_session("tb-timeout1", "tb-no-such-user-7d1f", NULL, NULL, NULL, &r);
        is_int(r.pam_status, PAM_SUCCESS, "no such user: the session stack still succeeds");
        ok(r.elapsed < BOUND_USEC, "no such user: returned at once");
        is_int(r.n_reaped, 0, "no such user: no process started");
        ok(log_has(&r, "User \"tb-no-such-user-7d1f\" does not exist, ignoring."), "no such user: logged");
        is_int(conv_calls, 0, "no such user: no prompt");
        run_clear(&r);

        run_session("tb-timeout1", "evil\n\x1b[31muser\xff", NULL, NULL, NULL, &r);
        is_int(r.pam_status, PAM_SUCCESS, "hostile user name: the session stack still succeeds");
        ok(log_has(&r, "User \"evil??[31muser?\" does not exist, ignoring."), "hostile user name: logged, escaped");
        run_clear(&r);
}

/* The module's own return values, called the way libpam calls them. */
static void test_return_values(void) {
        const char *args[] = { "stderr", "timeout=1" };
        pam_handle_t *pamh = NULL;
        void *handle;
        pam_sm_fn open_fn, close_fn;
        int saved, fd, status;
        static const char *const ignoring[] = {
                "pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt", "pam_sm_chauthtok",
        };

        handle = dlopen(module_path(), RTLD_NOW | RTLD_LOCAL);
        if (!ok(handle, "dlopen the module"))
                return;
        open_fn = (pam_sm_fn) dlsym(handle, "pam_sm_open_session");
        close_fn = (pam_sm_fn) dlsym(handle, "pam_sm_close_session");

        saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        dup2(fd, STDERR_FILENO);
        close(fd);

        pam_start_confdir("tb-timeout1", "tb-no-such-user-7d1f", &(struct pam_conv) { conv, NULL }, confdir,
                          &pamh);
        is_int(open_fn(pamh, 0, ELEMENTSOF(args), args), PAM_IGNORE, "open_session, no such user: PAM_IGNORE");
        is_int(close_fn(pamh, 0, ELEMENTSOF(args), args), PAM_SUCCESS, "close_session: PAM_SUCCESS");
        for (size_t i = 0; i < ELEMENTSOF(ignoring); i++) {
                pam_sm_fn fn = (pam_sm_fn) dlsym(handle, ignoring[i]);

                is_int(fn ? fn(pamh, 0, 0, NULL) : -1, PAM_IGNORE, "%s: PAM_IGNORE", ignoring[i]);
        }
        pam_end(pamh, PAM_SUCCESS);

        pamh = NULL;
        pam_start_confdir("tb-timeout1", NULL, &(struct pam_conv) { conv, NULL }, confdir, &pamh);
        conv_calls = 0;
        is_int(open_fn(pamh, 0, ELEMENTSOF(args), args), PAM_IGNORE, "open_session, no user set: PAM_IGNORE");
        is_int(conv_calls, 0, "open_session, no user set: no prompt for one");
        pam_end(pamh, PAM_SUCCESS);

        pamh = NULL;
        pam_start_confdir("tb-timeout1", self_user, &(struct pam_conv) { conv, NULL }, confdir, &pamh);
        {
                char bus_env[512];

                snprintf(bus_env, sizeof(bus_env), "DBUS_SESSION_BUS_ADDRESS=unix:path=%s/missing", tmpdir);
                pam_putenv(pamh, bus_env);
        }
        is_int(open_fn(pamh, 0, ELEMENTSOF(args), args), PAM_SUCCESS, "open_session, job started: PAM_SUCCESS");
        pam_end(pamh, PAM_SUCCESS);
        while (waitpid(-1, &status, 0) > 0)
                ;

        dup2(saved, STDERR_FILENO);
        close(saved);
        dlclose(handle);
}

/* As root: the job becomes `nobody` for real, and refuses a socket nobody does not own. */
static void test_drop_to_nobody(void) {
        char path[512], bus_env[600], rt_env[512];
        struct passwd *pw = getpwnam("nobody");
        Inspect in = {};
        char want[1024];
        Run r;
        int fd;

        if (geteuid() != 0 || !pw) {
                ok(true, "# SKIP needs root and a nobody user");
                return;
        }

        /* In a directory nobody may search, so that it is the owner check that refuses it. */
        snprintf(path, sizeof(path), "%s/root-owned", tmpdir);
        fd = listen_unix(path);
        chmod(path, 0777);
        snprintf(bus_env, sizeof(bus_env), "DBUS_SESSION_BUS_ADDRESS=unix:path=%s", path);
        snprintf(rt_env, sizeof(rt_env), "XDG_RUNTIME_DIR=%s", rtdir);
        in.marker_fd = -1;

        run_session("tb-timeout1", "nobody", env2(bus_env, rt_env), inspect_job, &in, &r);
        is_int(r.pam_status, PAM_SUCCESS, "nobody: pam_open_session succeeds");
        snprintf(want, sizeof(want), "Uid:\t%u\t%u\t%u\t%u", pw->pw_uid, pw->pw_uid, pw->pw_uid, pw->pw_uid);
        is_str(in.uid_line, want, "nobody: real, effective, saved and fs uid dropped");
        snprintf(want, sizeof(want), "Gid:\t%u\t%u\t%u\t%u", pw->pw_gid, pw->pw_gid, pw->pw_gid, pw->pw_gid);
        is_str(in.gid_line, want, "nobody: all gids dropped");
        ok(!strstr(in.groups_line, " 0 ") && !streq(in.groups_line, "Groups:\t0") &&
           !startswith(in.groups_line, "Groups:\t0 "),
           "nobody: root's supplementary groups are gone (%s)", in.groups_line);
        is_str(in.fds, "0 1 2", "nobody: only stdin, stdout and stderr");
        is_int(r.job_status, 1, "nobody: the job gives up");
        ok(poll(&(struct pollfd) { .fd = fd, .events = POLLIN }, 1, 0) == 0,
           "nobody: a socket owned by someone else is never connected to");
        snprintf(want, sizeof(want), "No session bus for user nobody at %s after 1 s", path);
        ok(log_has(&r, want) && log_has(&r, "Operation not permitted"), "nobody: the log says why");
        ok(log_has(&r, "Ignoring XDG_RUNTIME_DIR=") && log_has(&r, "not a directory owned by user nobody"),
           "nobody: a runtime directory owned by root is not used");
        run_clear(&r);
        close(fd);
        unlink(path);
}

/* The success path: the job finds the broker's private socket and calls Warmup() on it, as the user. */
static void test_warmup_on_private_socket(void) {
        const struct passwd *pw = geteuid() == 0 ? getpwnam("nobody") : getpwuid(geteuid());
        char rt[512], sub[600], path[700], rt_env[600], want[1024];
        Peer peer = {};
        Run r;

        if (!pw) {
                ok(true, "# SKIP no user to run as");
                return;
        }

        snprintf(rt, sizeof(rt), "%s/rt-%s", tmpdir, pw->pw_name);
        snprintf(sub, sizeof(sub), "%s/" BROKER_RUNTIME_SUBDIR, rt);
        snprintf(path, sizeof(path), "%s/" BROKER_SOCKET_NAME, sub);
        if (mkdir(rt, 0700) < 0 || mkdir(sub, 0700) < 0)
                exit(1);
        peer.listen_fd = listen_unix(path);
        if (chown(rt, pw->pw_uid, pw->pw_gid) < 0 || chown(sub, pw->pw_uid, pw->pw_gid) < 0 ||
            chown(path, pw->pw_uid, pw->pw_gid) < 0)
                exit(1);
        snprintf(rt_env, sizeof(rt_env), "XDG_RUNTIME_DIR=%s", rt);

        run_session("tb-timeout1", pw->pw_name, env2(rt_env, NULL), serve_peer, &peer, &r);
        is_int(r.pam_status, PAM_SUCCESS, "warmup (%s): pam_open_session succeeds", pw->pw_name);
        ok(r.elapsed < BOUND_USEC, "warmup: returned in %llu ms", (unsigned long long) (r.elapsed / USEC_PER_MSEC));
        is_int(peer.calls, 1, "warmup: the broker got one call");
        is_str(peer.member, "Warmup", "warmup: it was Warmup()");
        is_int(peer.caller_uid, pw->pw_uid, "warmup: the caller is the user, uid %u", pw->pw_uid);
        is_int(r.job_status, 0, "warmup: the job reports success");
        is_int(r.n_reaped, 1, "warmup: no zombie");
        snprintf(want, sizeof(want), "Token warmup for user %s started for 2 account(s) over the broker's socket.",
                 pw->pw_name);
        ok(log_has(&r, want), "warmup: logged with the count from the reply");
        run_clear(&r);
        close(peer.listen_fd);
}

int main(void) {
        struct passwd *pw;

        if (!mkdtemp(tmpdir)) {
                printf("Bail out! mkdtemp: %m\n");
                return 1;
        }
        /* Traversable, so that a job running as nobody reaches the directories made for it below. */
        chmod(tmpdir, 0711);
        snprintf(confdir, sizeof(confdir), "%s/pam.d", tmpdir);
        snprintf(logpath, sizeof(logpath), "%s/job.log", tmpdir);
        snprintf(rtdir, sizeof(rtdir), "%s/rt", tmpdir);
        if (mkdir(confdir, 0755) < 0 || mkdir(rtdir, 0700) < 0)
                return 1;

        pw = getpwuid(geteuid());
        if (!pw) {
                printf("1..0 # SKIP the current uid has no passwd entry\n");
                return 0;
        }
        self_user = strdup(pw->pw_name);
        self_uid = pw->pw_uid;

        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
                printf("Bail out! PR_SET_CHILD_SUBREAPER: %m\n");
                return 1;
        }

        write_service("tb-timeout1", "timeout=1 stderr debug bogus timeout=0");

        test_missing_bus();
        test_silent_daemon();
        test_bogus_addresses();
        test_hostile_runtime_dir();
        test_no_such_user();
        test_return_values();
        test_drop_to_nobody();
        test_warmup_on_private_socket();

        {
                char cmd[300];

                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
                (void) system(cmd);
        }
        return tap_done();
}
