/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "alloc-util.h"
#include "log.h"
#include "runtime-socket.h"
#include "string-util.h"
#include "time-util.h"
#include "wire-api.h"

/* $XDG_RUNTIME_DIR/tokenbroker, created 0700 when missing and refused when it is not ours alone. 0 with the
 * path, 0 with NULL when there is no XDG_RUNTIME_DIR, or -errno (logged). */
static int runtime_dir(char **ret) {
        _cleanup_free_ char *dir = NULL;
        const char *runtime;
        struct stat st;

        runtime = secure_getenv("XDG_RUNTIME_DIR");
        if (isempty(runtime) || runtime[0] != '/') {
                *ret = NULL;
                return 0;
        }
        dir = strjoin(runtime, "/" BROKER_RUNTIME_SUBDIR);
        if (!dir)
                return log_oom();
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create %s: %m", dir);
        /* Refuse a directory someone else made for us to use. */
        if (lstat(dir, &st) < 0)
                return log_error_errno(errno, "Failed to stat %s: %m", dir);
        if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0077))
                return log_error_errno(EPERM, "%s is not a private directory of ours.", dir);
        *ret = TAKE_PTR(dir);
        return 0;
}

/* $XDG_RUNTIME_DIR/tokenbroker/NAME, the directory made and checked; NULL without XDG_RUNTIME_DIR. */
static int runtime_path(const char *name, char **ret) {
        _cleanup_free_ char *dir = NULL;
        int r;

        r = runtime_dir(&dir);
        if (r < 0)
                return r;
        if (!dir) {
                *ret = NULL;
                return 0;
        }
        *ret = strjoin(dir, "/", name);
        return *ret ? 0 : log_oom();
}

int runtime_dir_lock(int *ret_fd) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        char pid[32] = "";
        ssize_t n;
        int r;

        r = runtime_path(RUNTIME_LOCK_NAME, &path);
        if (r < 0)
                return r;
        if (!path) {
                *ret_fd = -1;
                return 0;
        }
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open %s: %m", path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno != EWOULDBLOCK)
                        return log_error_errno(errno, "Failed to lock %s: %m", path);
                n = pread(fd, pid, sizeof(pid) - 1, 0);
                pid[n > 0 ? n : 0] = 0;
                pid[strcspn(pid, "\n")] = 0;
                return log_error_errno(EBUSY, "Another tokenbrokerd%s%s is serving this session already (%s); "
                                       "exiting.", isempty(pid) ? "" : " with pid ", pid, path);
        }
        /* The pid is for the message above only: the lock is what counts, and it goes with the process. */
        (void) ftruncate(fd, 0);
        (void) snprintf(pid, sizeof(pid), "%d\n", (int) getpid());
        (void) pwrite(fd, pid, strlen(pid), 0);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int runtime_socket_listen(const char *name, char **ret_path, int *ret_fd) {
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
        } sa = { .un.sun_family = AF_UNIX };
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        r = runtime_path(name, &path);
        if (r < 0)
                return r;
        if (!path) {
                *ret_path = NULL;
                *ret_fd = -1;
                return 0;
        }
        if (strlen(path) >= sizeof(sa.un.sun_path))
                return log_error_errno(ENAMETOOLONG, "Socket path %s is too long.", path);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create the socket %s: %m", path);
        strncpy(sa.un.sun_path, path, sizeof(sa.un.sun_path) - 1);
        /* Stale: the caller holds the runtime directory's lock (runtime_dir_lock()), so no live daemon
         * answers on it. */
        (void) unlink(path);
        if (bind(fd, &sa.sa, sizeof(sa.un)) < 0)
                return log_error_errno(errno, "Failed to bind %s: %m", path);
        if (chmod(path, 0600) < 0)
                return log_error_errno(errno, "Failed to chmod %s: %m", path);
        if (listen(fd, SOMAXCONN) < 0)
                return log_error_errno(errno, "Failed to listen on %s: %m", path);

        *ret_path = TAKE_PTR(path);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int runtime_socket_accept(int fd, const char *what, struct ucred *ret_cred) {
        _cleanup_close_ int cfd = -1;
        socklen_t len = sizeof(*ret_cred);

        cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (cfd < 0) {
                /* Out of descriptors: the caller pauses the listener and logs it, rate-limited. */
                if (IN_SET(errno, EAGAIN, EINTR, EMFILE, ENFILE, ENOBUFS, ENOMEM))
                        return -errno;
                return log_warning_errno(errno, "Failed to accept a connection on the %s socket, ignoring: %m",
                                         what);
        }
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, ret_cred, &len) < 0)
                return log_warning_errno(errno, "Failed to get a %s-socket peer's credentials, ignoring: %m",
                                         what);
        return TAKE_FD(cfd);
}

/* Token-socket connections cost one descriptor each, private-socket peers one plus sd-bus's state. */
#define TOKEN_CONNS_HARD_MAX 4096U
#define PRIVATE_PEERS_HARD_MAX 1024U

void runtime_socket_limits(unsigned *ret_token_conns, unsigned *ret_private_peers) {
        struct rlimit rl = {};
        uint64_t limit, avail;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                rl.rlim_cur = 65536;
        limit = rl.rlim_cur;
        avail = limit > RUNTIME_FD_RESERVE + 96 ? limit - RUNTIME_FD_RESERVE : 96;
        *ret_token_conns = (unsigned) MIN(avail * 2 / 3, (uint64_t) TOKEN_CONNS_HARD_MAX);
        *ret_private_peers = (unsigned) MIN(avail / 3, (uint64_t) PRIVATE_PEERS_HARD_MAX);
}

/* Long enough that a flood costs nothing, short enough that clients are served again at once after it. */
#define ACCEPT_PAUSE_USEC (200ULL * USEC_PER_MSEC)
#define ACCEPT_LOG_INTERVAL_USEC (10ULL * USEC_PER_SEC)

static int on_resume(sd_event_source *s, uint64_t usec, void *userdata) {
        AcceptThrottle *t = userdata;

        t->resume_timer = sd_event_source_disable_unref(t->resume_timer);
        if (t->listen_source)
                (void) sd_event_source_set_enabled(t->listen_source, SD_EVENT_ON);
        return 0;
}

void accept_throttle_refused(AcceptThrottle *t, sd_event *event, int error) {
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        bool exhausted = IN_SET(error, -EMFILE, -ENFILE, -ENOBUFS, -ENOMEM);

        t->refused++;
        if (t->logged_usec == 0 || now - t->logged_usec >= ACCEPT_LOG_INTERVAL_USEC) {
                if (exhausted)
                        log_warning_errno(error, "The %s socket: %u connection(s) refused: %m. Pausing accepts briefly.",
                                          t->what, t->refused);
                else
                        log_warning("The %s socket: %u connection(s) refused: too many connections open at once.",
                                    t->what, t->refused);
                t->logged_usec = now;
                t->refused = 0;
        }
        if (!exhausted || t->resume_timer || !t->listen_source)
                return;
        if (sd_event_add_time_relative(event, &t->resume_timer, CLOCK_MONOTONIC, ACCEPT_PAUSE_USEC,
                                       10 * USEC_PER_MSEC, on_resume, t) >= 0)
                (void) sd_event_source_set_enabled(t->listen_source, SD_EVENT_OFF);
}

void accept_throttle_done(AcceptThrottle *t) {
        t->resume_timer = sd_event_source_disable_unref(t->resume_timer);
        t->listen_source = NULL;
}
