/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <security/pam_ext.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "bus-client.h"
#include "bus-errors.h"
#include "pam-address.h"
#include "pam-warmup.h"
#include "string-util.h"
#include "time-util.h"

#define POLL_INTERVAL_USEC (100 * USEC_PER_MSEC)
#define RUNTIME_DIR_MAX 96

int pam_warmup_log_full(const PamWarmup *w, int priority, int error, const char *format, ...) {
        char buf[1024];
        va_list ap;
        int saved = errno;

        if (priority == LOG_DEBUG && !w->options.debug)
                return -ERRNO_VALUE(error);

        errno = ERRNO_VALUE(error);
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        pam_syslog(w->pamh, priority, "%s", buf);
        if (w->options.log_stderr)
                (void) dprintf(STDERR_FILENO, "pam_tokenbroker[%d]: %s\n", (int) getpid(), buf);

        errno = saved;
        return -ERRNO_VALUE(error);
}

static void child_reset_signals(void) {
        struct sigaction sa = { .sa_handler = SIG_DFL };
        sigset_t none;

        /* The application's handlers make no sense in this process; a few numbers are reserved by libc and
         * refuse, which is fine. */
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) sigaction(sig, &sa, NULL);

        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
}

static int close_all_fds_from_proc(void) {
        DIR *d;
        struct dirent *de;

        d = opendir("/proc/self/fd");
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name);

                if (fd > STDERR_FILENO && fd != dirfd(d))
                        (void) close(fd);
        }
        (void) closedir(d);
        return 0;
}

/* stdin and stdout (and stderr unless asked to keep it) become /dev/null: the application's terminal or
 * socket is no business of ours, and holding it could keep a session's tty open. Everything else is
 * closed. */
static int child_close_fds(bool keep_stderr) {
        int fd;

        fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
            (!keep_stderr && dup2(fd, STDERR_FILENO) < 0))
                return -errno;

        if (close_range(STDERR_FILENO + 1, ~0U, 0) < 0)
                return close_all_fds_from_proc();
        return 0;
}

static int child_drop_privileges(const PamWarmup *w) {
        uid_t ruid, euid, suid;
        gid_t rgid, egid, sgid;

        /* Groups first, then the gid, then the uid: each later step takes away the right to do the earlier
         * ones. A caller that is not root can only be the user already, which the setres*() calls check. */
        if (geteuid() == 0 && setgroups((size_t) w->n_groups, w->groups) < 0)
                return -errno;
        if (setresgid(w->gid, w->gid, w->gid) < 0)
                return -errno;
        if (setresuid(w->uid, w->uid, w->uid) < 0)
                return -errno;

        if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
                return -errno;
        if (ruid != w->uid || euid != w->uid || suid != w->uid ||
            rgid != w->gid || egid != w->gid || sgid != w->gid)
                return -EPERM;

        /* Paranoia: for anyone but root, getting root back must be impossible now. */
        if (w->uid != 0 && (setresuid(0, 0, 0) >= 0 || errno != EPERM))
                return -EPERM;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        return 0;
}

/* The user's runtime directory: XDG_RUNTIME_DIR from the PAM environment (pam_systemd sets it) when it is a
 * plain path to a directory the user owns, else /run/user/UID. */
static char *child_runtime_dir(const PamWarmup *w) {
        const char *e;
        char *p = NULL;
        char esc[128];
        struct stat st;

        e = pam_getenv(w->pamh, "XDG_RUNTIME_DIR");
        if (e) {
                if (!pam_path_is_safe(e, RUNTIME_DIR_MAX))
                        pam_warmup_log(w, LOG_WARNING,
                                       "Ignoring XDG_RUNTIME_DIR=\"%s\": not a plain absolute path of at most %d "
                                       "characters.", pam_log_escape(e, esc, sizeof(esc)), RUNTIME_DIR_MAX);
                else if (lstat(e, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != w->uid)
                        pam_warmup_log(w, LOG_WARNING,
                                       "Ignoring XDG_RUNTIME_DIR=\"%s\": not a directory owned by user %s.",
                                       e, w->user);
                else
                        return strdup(e);
        }

        if (asprintf(&p, "/run/user/%u", (unsigned) w->uid) < 0)
                return NULL;
        return p;
}

/* A socket the user owns, and not a symlink to one: a socket someone else left in the way is not the
 * user's broker or bus. */
static int socket_check(const char *path, uid_t uid) {
        struct stat st;

        if (lstat(path, &st) < 0)
                return -errno;
        if (!S_ISSOCK(st.st_mode))
                return -ENOTSOCK;
        if (st.st_uid != uid)
                return -EPERM;
        return 0;
}

/* The socket is there but nobody listens yet (or any more): worth another try while time is left. */
static bool error_is_not_yet(int r) {
        return r == -ECONNREFUSED || r == -ENOENT || r == -ECONNRESET || r == -EAGAIN;
}

/* The daemon's private socket is a peer-to-peer D-Bus connection: no Hello, no bus name to route to. */
static int open_peer(const char *address, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(bus);
        return 0;
}

static int wait_ready(sd_bus *bus, usec_t deadline) {
        int r;

        for (;;) {
                usec_t now;

                r = sd_bus_is_ready(bus);
                if (r != 0)
                        return r;
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;

                now = now_usec(CLOCK_MONOTONIC);
                if (now >= deadline)
                        return -ETIMEDOUT;
                r = sd_bus_wait(bus, deadline - now);
                if (r < 0 && r != -EINTR)
                        return r;
        }
}

static int call_warmup(const PamWarmup *w, const char *address, bool peer) {
        /* No flush on the way out: it would wait for a handshake that may never come, and there is nothing
         * left to send once the reply is in. */
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *via = peer ? "the broker's socket" : "the session bus";
        uint32_t started;
        int r;

        r = peer ? open_peer(address, &bus) : broker_open_address(address, &bus);
        if (r < 0)
                return pam_warmup_log_errno(w, error_is_not_yet(r) ? LOG_DEBUG : LOG_WARNING, r,
                                            "Failed to connect to %s at %s: %m", via, address);

        /* sd_bus_call() would wait for the authentication handshake with sd-bus's own time-out (90 s), so a
         * peer that accepts and never answers is waited for here, within ours. */
        r = wait_ready(bus, now_usec(CLOCK_MONOTONIC) + w->options.timeout_sec * USEC_PER_SEC);
        if (r < 0)
                return pam_warmup_log_errno(w, error_is_not_yet(r) ? LOG_DEBUG : LOG_WARNING, r,
                                            "No answer from %s at %s, not warming up tokens: %m", via, address);

        /* One call, bounded like the wait for the socket. On the bus, D-Bus activation starts the daemon. */
        r = sd_bus_set_method_call_timeout(bus, w->options.timeout_sec * USEC_PER_SEC);
        if (r < 0)
                return r;
        r = broker_call(bus, "Warmup", &error, &reply, NULL);
        if (r < 0) {
                if (error_is_not_yet(r) && !sd_bus_error_is_set(&error))
                        return pam_warmup_log_errno(w, LOG_DEBUG, r, "%s at %s is not ready: %m", via, address);
                return pam_warmup_log_errno(w, LOG_WARNING, r,
                                            "Warmup() for user %s over %s failed: %s, ignoring.",
                                            w->user, via, broker_error_message(&error, r));
        }

        r = sd_bus_message_read(reply, "u", &started);
        if (r < 0)
                return pam_warmup_log_errno(w, LOG_WARNING, r,
                                            "Warmup() for user %s returned an unexpected reply, ignoring: %m",
                                            w->user);

        pam_warmup_log(w, LOG_INFO, "Token warmup for user %s started for %u account(s) over %s.",
                       w->user, (unsigned) started, via);
        return 0;
}

static int warmup_run(const PamWarmup *w) {
        _cleanup_free_ char *runtime = NULL, *peer_path = NULL, *peer_address = NULL, *bus_path = NULL,
                *bus_address = NULL;
        const char *e, *reason = NULL;
        char esc[96];
        usec_t deadline;
        int r;

        runtime = child_runtime_dir(w);
        if (!runtime)
                return -ENOMEM;

        peer_path = strjoin(runtime, "/" BROKER_RUNTIME_SUBDIR "/" BROKER_SOCKET_NAME);
        if (!peer_path || pam_bus_address_from_path(peer_path, &peer_address) < 0)
                return -ENOMEM;

        /* The child runs as the user already, so an address pointing elsewhere cannot make it act as root.
         * Only unix:path= addresses to a socket the user owns are used: no program is run (unixexec:), no
         * network is reached (tcp:), and no one else's service is called in the user's name. */
        e = pam_getenv(w->pamh, "DBUS_SESSION_BUS_ADDRESS");
        if (e) {
                r = pam_bus_address_parse(e, &bus_path, &bus_address, &reason);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        pam_warmup_log(w, LOG_WARNING, "Ignoring DBUS_SESSION_BUS_ADDRESS=\"%s\": %s.",
                                       pam_log_escape(e, esc, sizeof(esc)), reason);
        }
        if (!bus_path) {
                bus_path = strjoin(runtime, "/bus");
                if (!bus_path || pam_bus_address_from_path(bus_path, &bus_address) < 0)
                        return -ENOMEM;
        }

        pam_warmup_log(w, LOG_DEBUG, "Looking for user %s's broker at %s, else the session bus at %s.",
                       w->user, peer_path, bus_address);

        /* Under systemd the user's bus may come up after this module ran: poll until the deadline. */
        deadline = now_usec(CLOCK_MONOTONIC) + w->options.timeout_sec * USEC_PER_SEC;
        for (;;) {
                if (socket_check(peer_path, w->uid) >= 0) {
                        r = call_warmup(w, peer_address, true);
                        if (r >= 0 || !error_is_not_yet(r))
                                return r;
                }

                r = socket_check(bus_path, w->uid);
                if (r >= 0) {
                        r = call_warmup(w, bus_address, false);
                        if (r >= 0 || !error_is_not_yet(r))
                                return r;
                }

                if (now_usec(CLOCK_MONOTONIC) >= deadline)
                        return pam_warmup_log_errno(w, LOG_WARNING, r,
                                                    "No session bus for user %s at %s after %u s, not warming up "
                                                    "tokens: %m", w->user, bus_path, w->options.timeout_sec);
                (void) usleep(POLL_INTERVAL_USEC);
        }
}

_noreturn_ static void child_run(PamWarmup *w) {
        int r;

        child_reset_signals();
        /* A hard stop whatever happens below, set first: even a lock another thread of the application held
         * at fork() time cannot keep this process around. The wait for the socket, then one call, each
         * bounded by the timeout, fit well within it. */
        (void) alarm(2 * w->options.timeout_sec + 5);

        /* The application's syslog socket is about to be closed; without this, libc would keep writing to
         * its number, which the bus connection may reuse. */
        closelog();
        (void) setsid();

        r = child_close_fds(w->options.log_stderr);
        if (r < 0) {
                pam_warmup_log_errno(w, LOG_ERR, r, "Failed to close file descriptors, not warming up: %m");
                _exit(EXIT_FAILURE);
        }

        r = child_drop_privileges(w);
        if (r < 0) {
                pam_warmup_log_errno(w, LOG_ERR, r, "Failed to become user %s, not warming up: %m", w->user);
                _exit(EXIT_FAILURE);
        }

        /* Nothing from the application's environment is needed or wanted from here on. */
        (void) clearenv();
        if (chdir("/") < 0) {
                pam_warmup_log_errno(w, LOG_ERR, errno, "Failed to change to /, not warming up: %m");
                _exit(EXIT_FAILURE);
        }

        bus_errors_register();
        r = warmup_run(w);
        _exit(r < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

int pam_warmup_spawn(PamWarmup *w) {
        int status = 0;
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                pid_t grandchild;

                /* The intermediate child: fork once more and leave at once, so that the background job is
                 * reparented away from the application and the application's wait below is short. */
                grandchild = fork();
                if (grandchild == 0)
                        child_run(w);
                _exit(grandchild < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
        }

        for (;;) {
                if (waitpid(pid, &status, 0) >= 0)
                        break;
                if (errno == EINTR)
                        continue;
                /* The application reaped it itself (its own SIGCHLD handler, or SIGCHLD ignored). */
                if (errno == ECHILD)
                        return 0;
                return -errno;
        }

        /* The second fork() failed. */
        if (!WIFEXITED(status) || WEXITSTATUS(status) != EXIT_SUCCESS)
                return -EAGAIN;
        return 0;
}
