/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-spawn ROUNDS STDIN_FILE -- CMD [ARG...] [-- CMD [ARG...]]...: whole processes, timed from spawn to
 * reaped, round-robin so that noise from other processes hits every command alike; each round starts at the
 * next command, so that none always runs right after a particular other. stdin comes from STDIN_FILE (or,
 * for a command written "<FILE CMD [ARG...]", from FILE: front ends of different protocols side by side),
 * stdout goes to /dev/null, stderr is kept. A command that fails stops the run: a fast failure must never
 * pass for a fast answer. Prints one line per round: the usec of each command, in the order given. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bench-util.h"

#define WARMUP_ROUNDS 10
#define MAX_COMMANDS 8

extern char **environ;

static int run(char **argv, const char *stdin_file, uint64_t *usec) {
        posix_spawn_file_actions_t fa;
        uint64_t t0;
        pid_t pid;
        int r, status;

        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, stdin_file, O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);

        t0 = bench_now_usec();
        r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
        if (r == 0 && waitpid(pid, &status, 0) < 0)
                r = errno;
        *usec = bench_now_usec() - t0;
        posix_spawn_file_actions_destroy(&fa);

        if (r != 0) {
                fprintf(stderr, "bench-spawn: %s: %s\n", argv[0], strerror(r));
                return -r;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "bench-spawn: %s failed (status 0x%x)\n", argv[0], (unsigned) status);
                return -EIO;
        }
        return 0;
}

int main(int argc, char *argv[]) {
        char **cmds[MAX_COMMANDS];
        const char *stdins[MAX_COMMANDS];
        uint64_t usec[MAX_COMMANDS];
        size_t n = 0;
        long rounds;

        if (argc < 5 || (rounds = strtol(argv[1], NULL, 10)) <= 0 || strcmp(argv[3], "--") != 0) {
                fprintf(stderr, "Usage: %s ROUNDS STDIN_FILE -- CMD [ARG...] [-- CMD [ARG...]]...\n",
                        argv[0]);
                return 2;
        }
        /* Split argv in place at each "--": each command's argv ends where the next "--" was. */
        for (int i = 3; i < argc; i++)
                if (strcmp(argv[i], "--") == 0) {
                        argv[i] = NULL;
                        if (i + 1 >= argc || n >= MAX_COMMANDS) {
                                fprintf(stderr, "bench-spawn: empty command or more than %d\n",
                                        MAX_COMMANDS);
                                return 2;
                        }
                        cmds[n++] = &argv[i + 1];
                }

        /* A command's own stdin: "<FILE" before it. */
        for (size_t c = 0; c < n; c++) {
                stdins[c] = argv[2];
                if (cmds[c][0] && cmds[c][0][0] == '<' && cmds[c][1]) {
                        stdins[c] = cmds[c][0] + 1;
                        cmds[c]++;
                }
        }

        for (long round = -WARMUP_ROUNDS; round < rounds; round++) {
                for (size_t k = 0; k < n; k++) {
                        size_t c = ((size_t) (round + WARMUP_ROUNDS) + k) % n;

                        if (run(cmds[c], stdins[c], &usec[c]) < 0)
                                return 1;
                }
                if (round < 0)
                        continue;
                for (size_t c = 0; c < n; c++)
                        printf("%llu%c", (unsigned long long) usec[c], c + 1 < n ? ' ' : '\n');
        }
        return 0;
}
