/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opens and closes one PAM session from a service file in CONFDIR, as a login program would, for the shell
 * tests (pamtester reads /etc/pam.d only).
 *
 *   pam-driver [--wait] CONFDIR SERVICE USER [NAME=VALUE]...
 *
 * NAME=VALUE pairs go into the PAM environment. Prints "open_session=CODE elapsed_ms=MS"; with --wait it
 * becomes a child subreaper, so the module's background job is reparented here, waits for it (60 s at
 * most) and prints "job_status=N" ("job_status=none" when no job was left to wait for). Exits 0 when
 * pam_open_session() returned PAM_SUCCESS. The module's own messages go to stderr (its `stderr` option). */
#include <errno.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "string-util.h"
#include "time-util.h"

#define JOB_WAIT_USEC (60 * USEC_PER_SEC)

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
        /* The module must never prompt; say so loudly if it does. */
        fprintf(stderr, "pam-driver: unexpected conversation (%d messages)\n", n);
        return PAM_CONV_ERR;
}

static int wait_for_jobs(void) {
        usec_t start = now_usec(CLOCK_MONOTONIC);
        int job_status = -1, status;

        for (;;) {
                pid_t pid = waitpid(-1, &status, WNOHANG);

                if (pid < 0)
                        return job_status;      /* ECHILD: nothing left */
                if (pid > 0) {
                        job_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                        continue;
                }
                if (now_usec(CLOCK_MONOTONIC) - start > JOB_WAIT_USEC) {
                        fprintf(stderr, "pam-driver: background job still running after 60 s\n");
                        return 124;
                }
                (void) usleep(10 * 1000);
        }
}

int main(int argc, char *argv[]) {
        struct pam_conv c = { conv, NULL };
        pam_handle_t *pamh = NULL;
        bool wait_job = false;
        usec_t t0, elapsed;
        int i = 1, r;

        if (argc > 1 && streq(argv[1], "--wait")) {
                wait_job = true;
                i++;
        }
        if (argc - i < 3) {
                fprintf(stderr, "usage: pam-driver [--wait] CONFDIR SERVICE USER [NAME=VALUE]...\n");
                return 2;
        }
        if (wait_job && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
                fprintf(stderr, "pam-driver: PR_SET_CHILD_SUBREAPER: %m\n");
                return 2;
        }

        r = pam_start_confdir(argv[i + 1], argv[i + 2], &c, argv[i], &pamh);
        if (r != PAM_SUCCESS) {
                fprintf(stderr, "pam-driver: pam_start_confdir: %s\n", pam_strerror(NULL, r));
                return 2;
        }
        for (int k = i + 3; k < argc; k++) {
                r = pam_putenv(pamh, argv[k]);
                if (r != PAM_SUCCESS) {
                        fprintf(stderr, "pam-driver: pam_putenv: %s\n", pam_strerror(pamh, r));
                        return 2;
                }
        }

        t0 = now_usec(CLOCK_MONOTONIC);
        r = pam_open_session(pamh, 0);
        elapsed = now_usec(CLOCK_MONOTONIC) - t0;
        printf("open_session=%d elapsed_ms=%llu\n", r, (unsigned long long) (elapsed / USEC_PER_MSEC));
        fflush(stdout);

        (void) pam_close_session(pamh, 0);
        (void) pam_end(pamh, r);

        if (wait_job) {
                int s = wait_for_jobs();

                if (s < 0)
                        printf("job_status=none\n");
                else
                        printf("job_status=%d\n", s);
        }
        return r == PAM_SUCCESS ? 0 : 1;
}
