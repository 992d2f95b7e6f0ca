/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `tokenbroker setup-git`: makes git use git-credential-tokenbroker by its absolute path.
 *
 * `credential.helper = tokenbroker` works, but git runs such a helper as `git credential-tokenbroker`: one
 * more git process, which reads every config file and searches $PATH only to start ours, on every fetch and
 * push. Named by its path, the helper is started directly (as gh's `auth setup-git` and Git Credential
 * Manager's `configure` do for theirs). The verb is idempotent, replaces a `tokenbroker` entry where it
 * stands (keeping the order of the user's helpers), and otherwise appends, so helpers already configured keep
 * answering first for the hosts they know. Only git is run, with argv that holds no secret. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc-util.h"
#include "cli.h"
#include "exit-status.h"
#include "string-util.h"

#define GIT_HELPER_NAME "git-credential-tokenbroker"
#define CONFIG_KEY "credential.helper"

/* Runs git with `args` after "config" and the scope. Returns git's exit status, or -errno. With `out`, its
 * standard output is read into it (config values are short; 64 KiB is plenty). */
static int run_git_config(char **scope, const char *const *args, char **out) {
        char *argv[16];
        size_t n = 0;
        int pipefd[2] = { -1, -1 }, status;
        pid_t pid;

        argv[n++] = (char *) "git";
        argv[n++] = (char *) "config";
        STRV_FOREACH(s, scope)
                argv[n++] = *s;
        for (; *args && n < ELEMENTSOF(argv) - 1; args++)
                argv[n++] = (char *) *args;
        argv[n] = NULL;

        if (out && pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        (void) fflush(stdout);
        pid = fork();
        if (pid < 0) {
                int e = errno;
                if (out) {
                        close(pipefd[0]);
                        close(pipefd[1]);
                }
                return -e;
        }
        if (pid == 0) {
                if (out && dup2(pipefd[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execvp("git", argv);
                _exit(127);
        }
        if (out) {
                char buf[65536];
                size_t len = 0;
                ssize_t k;

                close(pipefd[1]);
                while (len < sizeof(buf) - 1 && (k = read(pipefd[0], buf + len, sizeof(buf) - 1 - len)) != 0) {
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                break;
                        }
                        len += (size_t) k;
                }
                close(pipefd[0]);
                buf[len] = 0;
                *out = strdup(buf);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (out && !*out)
                return -ENOMEM;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int verb_setup_git(int argc, char *argv[]) {
        static const struct option options[] = {
                { "global", no_argument, NULL, 'g' },
                { "system", no_argument, NULL, 's' },
                { "file", required_argument, NULL, 'f' },
                {}
        };
        _cleanup_free_ char *helper = NULL, *current = NULL;
        _cleanup_strv_free_ char **values = NULL;
        char *scope[3] = { (char *) "--global", NULL, NULL };
        const char *where;
        bool has_bare = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'g':
                        scope[0] = (char *) "--global";
                        scope[1] = NULL;
                        break;
                case 's':
                        scope[0] = (char *) "--system";
                        scope[1] = NULL;
                        break;
                case 'f':
                        scope[0] = (char *) "--file";
                        scope[1] = optarg;
                        break;
                default:
                        return EXIT_USAGE;
                }
        if (argc != optind)
                return cli_usage_error("setup-git takes no arguments.");

        helper = cli_find_on_path(GIT_HELPER_NAME);
        if (!helper) {
                fprintf(stderr, "tokenbroker: setup-git: %s is not on $PATH; install it first.\n",
                        GIT_HELPER_NAME);
                return EXIT_CONFIG;
        }
        /* git hands the value to sh -c: a path with a space or a quote in it would be split or mangled. */
        if (helper[strspn(helper, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._+-")]) {
                fprintf(stderr, "tokenbroker: setup-git: the path %s holds characters the shell would split; "
                        "use: git config %s %s tokenbroker\n", helper, scope[0], CONFIG_KEY);
                return EXIT_CONFIG;
        }
        where = streq(scope[0], "--file") ? scope[1] : streq(scope[0], "--system") ? "the system git config" :
                "the global git config";

        /* Exit status 1 is "no such key", which is an empty list here. */
        r = run_git_config(scope, (const char *[]) { "--get-all", CONFIG_KEY, NULL }, &current);
        if (r == 127 || r == -ENOENT) {
                fprintf(stderr, "tokenbroker: setup-git: cannot run git; is it installed?\n");
                return EXIT_FAILURE_OTHER;
        }
        if (r < 0 || (r != 0 && r != 1)) {
                fprintf(stderr, "tokenbroker: setup-git: git config --get-all %s failed (%d).\n", CONFIG_KEY, r);
                return EXIT_FAILURE_OTHER;
        }
        values = strv_split(current, "\n");
        STRV_FOREACH(v, values) {
                if (streq(*v, helper)) {
                        printf("git already uses %s (%s in %s).\n", helper, CONFIG_KEY, where);
                        return EXIT_OK;
                }
                if (streq(*v, "tokenbroker"))
                        has_bare = true;
        }

        if (has_bare)
                /* The value pattern is a regular expression: only the exact bare name is replaced. */
                r = run_git_config(scope, (const char *[]) { "--replace-all", CONFIG_KEY, helper, "^tokenbroker$",
                                                             NULL }, NULL);
        else
                r = run_git_config(scope, (const char *[]) { "--add", CONFIG_KEY, helper, NULL }, NULL);
        if (r != 0) {
                fprintf(stderr, "tokenbroker: setup-git: git config could not write %s (%d).\n", CONFIG_KEY, r);
                return EXIT_FAILURE_OTHER;
        }
        printf("git now uses %s for the hosts of tokenbroker's accounts (%s in %s%s).\n", helper, CONFIG_KEY,
               where, has_bare ? ", in place of \"tokenbroker\"" : "");
        return EXIT_OK;
}
