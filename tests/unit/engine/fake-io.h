/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "http-client.h"
#include "keyring-worker.h"

/* The engine's I/O for its unit tests: the implementations of io.h, http-client.h and keyring-worker.h that
 * the tests link instead of dbus/io/. Nothing happens by itself: time moves when fake_clock_advance() says,
 * a request is answered when fake_http_answer() says, a keyring job is done when fake_keyring_run() says. So
 * a test states exactly what happened in what order, and no load on the machine can change the outcome. */

/* Clock. Every clock starts at a fixed point; advancing fires the timers that come due, in order, each at
 * its own time (so a timer that starts another timer within the step sees that one fire too). */
void fake_clock_advance(uint64_t usec);
unsigned fake_timers_pending(void);
/* What io_random_u64() returns (0 at first: no jitter). */
extern uint64_t fake_random;

/* HTTP: requests wait in the order they were started. */
typedef struct FakeRequest {
        char *url;
        char *method;
        char *body;
        char *authorization;
        char *dpop;                     /* the DPoP header's proof, or NULL */
        uint64_t deadline_usec;
} FakeRequest;

unsigned fake_http_pending(void);
unsigned fake_http_started(void);
/* The oldest request still waiting, or NULL. */
const FakeRequest *fake_http_next(void);
/* Answers the oldest request with an HTTP status and body (retry_after_sec -1: no Retry-After). */
void fake_http_answer(long status, const char *body, int retry_after_sec);
/* The same with a DPoP-Nonce response header (NULL: none). */
void fake_http_answer_dpop(long status, const char *body, const char *dpop_nonce);
/* Fails the oldest request as a transport error (-ECONNREFUSED, -ETIMEDOUT, ...). */
void fake_http_fail(int error);

/* Keyring: a table of (account, kind) -> secret, and jobs that wait until run. */
typedef enum FakeKeyringMode {
        FAKE_KEYRING_OPEN,
        FAKE_KEYRING_LOCKED,    /* every job fails with -ENOLCK */
} FakeKeyringMode;

void fake_keyring_set_mode(FakeKeyringMode mode);
void fake_keyring_put(const char *account, const char *kind, const char *secret);
/* The stored secret, or NULL. */
const char *fake_keyring_get(const char *account, const char *kind);
unsigned fake_keyring_pending(void);
/* Does the queued jobs, oldest first, each answered through its callback. Returns how many. */
unsigned fake_keyring_run(void);
/* A hung keyring: the queued jobs are answered with -ETIMEDOUT, as the real worker's timeout does. */
unsigned fake_keyring_time_out(void);

/* Blocking work (io_job_start()): each job waits until run, then does its work and its done(). */
unsigned fake_io_jobs_pending(void);
/* Does the work of the queued jobs (as if their threads finished), not their done(); returns how many. */
unsigned fake_io_jobs_work(void);
/* Runs the jobs queued now, oldest first (their work unless done already, then their done()); returns how
 * many. */
unsigned fake_io_jobs_run(void);

/* Forgets every request, job, timer and secret (between tests; nothing may still point at them). */
void fake_io_reset(void);
