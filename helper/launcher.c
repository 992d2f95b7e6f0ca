/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc-util.h"
#include "launcher.h"
#include "log.h"
#include "string-util.h"
#include "wire-api.h"
#include "wire-client.h"

/* The full program beside this launcher, when there is one: in a build tree both are built into the same
 * directory, so a launcher run from there uses the full program it was built with rather than an installed
 * one of another version. Installed, /usr/bin holds no tokenbroker-cli and this finds nothing. */
static char *sibling(const char *name) {
        char self[PATH_MAX];
        ssize_t n;
        char *slash, *p;

        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0)
                return NULL;
        self[n] = 0;
        slash = strrchr(self, '/');
        if (!slash)
                return NULL;
        *slash = 0;
        p = strjoin(self, "/", name);
        if (p && access(p, X_OK) < 0) {
                free(p);
                p = NULL;
        }
        return p;
}

static char *full_program(const char *name) {
        const char *dir = secure_getenv(BROKER_LIBEXECDIR_ENV);
        char *path;

        if (!isempty(dir) && dir[0] == '/')
                return strjoin(dir, "/", name);
        path = sibling(name);
        return path ?: strjoin(PKGLIBEXECDIR, "/", name);
}

static int run(const char *name, char *argv[], bool keep_stdout) {
        _cleanup_free_ char *path = full_program(name);
        int status;
        pid_t pid;

        if (!path)
                return log_oom();
        pid = fork();
        if (pid < 0)
                return log_error_errno(errno, "Cannot fork: %m");
        if (pid == 0) {
                /* Its output is not this program's: the protocol on our stdout stays clean. */
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        (void) dup2(null, STDIN_FILENO);
                        if (!keep_stdout)
                                (void) dup2(null, STDOUT_FILENO);
                }
                (void) execv(path, argv);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int launcher_run(const char *name, char *argv[]) {
        return run(name, argv, false);
}

int launcher_run_output(const char *name, char *argv[]) {
        return run(name, argv, true);
}

int launcher_exec(const char *name, char *argv[]) {
        _cleanup_free_ char *path = full_program(name);

        if (!path)
                return log_oom();

        /* Anything printed so far must not be lost with this process's buffers. */
        (void) fflush(stdout);
        (void) execv(path, argv);
        return log_error_errno(errno, "Cannot run %s: %m", path);
}

int launcher_connect(int *ret_fd) {
        char *argv[] = { (char *) BROKER_FULL_CLI, (char *) "list", NULL };
        int r;

        r = wire_connect(ret_fd);
        if (r >= 0)
                return r;
        /* `tokenbroker-cli list` calls over D-Bus, whose activation starts the daemon and its socket. */
        (void) launcher_run(BROKER_FULL_CLI, argv);
        return wire_connect(ret_fd);
}
