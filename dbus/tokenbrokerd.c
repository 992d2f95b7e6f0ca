/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tokenbrokerd: the per-user credential broker. Holds OAuth2 secrets from the keyring, fetches and caches
 * access tokens, and hands them to callers of its own uid over D-Bus. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "accounts-watch.h"
#include "bus-errors.h"
#include "idle-exit.h"
#include "log.h"
#include "manager.h"
#include "process-harden.h"
#include "stop.h"
#include "time-util.h"

/* Long enough that a burst of work is served by one daemon, short enough that secrets do not sit in memory
 * for a day after their last use. */
#define EXIT_IDLE_DEFAULT_SEC 300U

static void help(void) {
        printf("Usage: tokenbrokerd [OPTIONS]\n\n"
               "The tokenbroker credential broker: a per-user D-Bus service (org.tokenbroker.Broker1).\n"
               "Normally started by D-Bus activation or its systemd user unit.\n\n"
               "  -h --help              Show this help\n"
               "     --version           Show the version\n"
               "     --log-level=LVL     debug, info, warning or err (default info)\n"
               "     --exit-idle-sec=SEC Exit after SEC seconds of idleness; 0: never (default %u)\n"
               "     --keyring-timeout-sec=SEC\n"
               "                         Give up on a keyring that does not answer after SEC seconds\n"
               "                         (default %llu)\n"
               "     --stop-timeout-sec=SEC\n"
               "                         On SIGTERM, wait at most SEC seconds for the requests in\n"
               "                         flight (default %llu)\n",
               EXIT_IDLE_DEFAULT_SEC, (unsigned long long) (KEYRING_TIMEOUT_DEFAULT_USEC / USEC_PER_SEC),
               (unsigned long long) (STOP_TIMEOUT_DEFAULT_USEC / USEC_PER_SEC));
}

typedef struct Options {
        uint64_t exit_idle_usec;
        uint64_t keyring_timeout_usec;
        uint64_t stop_timeout_usec;
} Options;

/* SEC as a whole number of seconds, at most a day. */
static int parse_sec(const char *s, uint64_t *ret) {
        unsigned long v;
        char *end;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end != 0 || s[0] == '-' || v > 86400)
                return -EINVAL;
        *ret = (uint64_t) v * USEC_PER_SEC;
        return 0;
}

static int parse_argv(int argc, char *argv[], Options *o) {
        enum { ARG_VERSION = 0x100, ARG_LOG_LEVEL, ARG_EXIT_IDLE, ARG_KEYRING_TIMEOUT, ARG_STOP_TIMEOUT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "exit-idle-sec", required_argument, NULL, ARG_EXIT_IDLE },
                { "keyring-timeout-sec", required_argument, NULL, ARG_KEYRING_TIMEOUT },
                { "stop-timeout-sec", required_argument, NULL, ARG_STOP_TIMEOUT },
                {}
        };
        const char *env;
        int c;

        *o = (Options) {
                .exit_idle_usec = EXIT_IDLE_DEFAULT_SEC * USEC_PER_SEC,
                .keyring_timeout_usec = KEYRING_TIMEOUT_DEFAULT_USEC,
                .stop_timeout_usec = STOP_TIMEOUT_DEFAULT_USEC,
        };
        env = secure_getenv("TOKENBROKER_EXIT_IDLE_SEC");
        if (env && parse_sec(env, &o->exit_idle_usec) < 0)
                return log_error_errno(EINVAL, "Invalid TOKENBROKER_EXIT_IDLE_SEC '%s'.", env);

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("tokenbrokerd %s\n", PACKAGE_VERSION);
                        return 0;
                case ARG_LOG_LEVEL:
                        if (strcmp(optarg, "debug") == 0)
                                log_set_max_level(LOG_DEBUG);
                        else if (strcmp(optarg, "info") == 0)
                                log_set_max_level(LOG_INFO);
                        else if (strcmp(optarg, "warning") == 0)
                                log_set_max_level(LOG_WARNING);
                        else if (strcmp(optarg, "err") == 0)
                                log_set_max_level(LOG_ERR);
                        else
                                return log_error_errno(EINVAL, "Unknown log level '%s'.", optarg);
                        break;
                case ARG_EXIT_IDLE:
                        if (parse_sec(optarg, &o->exit_idle_usec) < 0)
                                return log_error_errno(EINVAL, "Invalid --exit-idle-sec '%s'.", optarg);
                        break;
                case ARG_KEYRING_TIMEOUT:
                        if (parse_sec(optarg, &o->keyring_timeout_usec) < 0 || o->keyring_timeout_usec == 0)
                                return log_error_errno(EINVAL, "Invalid --keyring-timeout-sec '%s'.", optarg);
                        break;
                case ARG_STOP_TIMEOUT:
                        if (parse_sec(optarg, &o->stop_timeout_usec) < 0)
                                return log_error_errno(EINVAL, "Invalid --stop-timeout-sec '%s'.", optarg);
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(EINVAL, "This program takes no arguments.");
        return 1;
}

static void harden(void) {
        /* Secrets live in this process's memory: no core dumps, no ptrace attach by other same-uid processes
         * that are not our ancestors (Yama permitting), and files we create are ours alone. */
        process_hold_secrets();
        umask(0077);
}

static int run(int argc, char *argv[]) {
        Manager *m = NULL;
        Options o;
        int r;

        log_setup("tokenbrokerd");
        r = parse_argv(argc, argv, &o);
        if (r <= 0)
                return r;

        harden();
        bus_errors_register();
        (void) signal(SIGPIPE, SIG_IGN);

        /* Blocked before any thread exists (the keyring worker, GLib's), so that every thread inherits the
         * mask and the signals reach the event loop instead of killing the process. */
        {
                sigset_t ss;
                sigemptyset(&ss);
                sigaddset(&ss, SIGTERM);
                sigaddset(&ss, SIGINT);
                (void) pthread_sigmask(SIG_BLOCK, &ss, NULL);
        }

        r = manager_new(&m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up: %m");
        m->exit_idle_usec = o.exit_idle_usec;
        m->stop_timeout_usec = o.stop_timeout_usec;
        keyring_worker_set_timeout(m->engine.keyring, o.keyring_timeout_usec);
        r = stop_signals_setup(m);
        if (r < 0)
                goto finish;

        /* Another daemon's lock or bus name ends this one here, before it touches a socket. */
        r = manager_lock_runtime_dir(m);
        if (r < 0)
                goto finish;
        r = manager_connect_bus(m);
        if (r < 0)
                goto finish;

        (void) manager_load_accounts(m);
        (void) accounts_watch_start(m);

        r = manager_listen_private(m);
        if (r < 0)
                goto finish;
        r = manager_listen_token(m);
        if (r < 0)
                goto finish;
        r = idle_exit_setup(m);
        if (r < 0)
                goto finish;

        (void) sd_notify(0, "READY=1\nSTATUS=Serving tokens.");
        log_info("Ready.");
        r = sd_event_loop(m->event);
        if (r < 0)
                log_error_errno(r, "Event loop failed: %m");
        if (!m->stopping)       /* a stop on a signal said so when it began (stop.c) */
                (void) sd_notify(0, "STOPPING=1");
finish:
        manager_free(m);
        return r;
}

int main(int argc, char *argv[]) {
        int r;

        /* No "fast bins": a small block freed is merged with its free neighbours at once. A reload reads
         * thousands of files on threads, each with a heap of its own; without merging, what they read stays
         * in those heaps as thousands of small free blocks that glibc never gives back (malloc_trim() merges
         * them but does not shrink a thread's heap), and an idle daemon keeps megabytes of what its largest
         * reload once read. With merging, the freed heap shrinks as it is freed. And a fixed threshold for
         * that: glibc's own grows with the largest block freed (a table of 10,000 accounts) and would keep
         * that much free in every heap. */
        (void) mallopt(M_MXFAST, 0);
        (void) mallopt(M_TRIM_THRESHOLD, 128 * 1024);
        r = run(argc, argv);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
