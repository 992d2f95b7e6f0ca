/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>
#include <time.h>

/* The engine's clock, timers and randomness. tokenbrokerd links io-sdevent.c (the real clocks, sd-event
 * timers, getrandom); the engine's unit tests link tests/unit/engine/fake-io.c instead, whose clock moves
 * only when the test says, so that a 2-second token, a refresh at 80% of its life or a Retry-After are
 * tested in microseconds and never depend on how busy the machine is. */

/* CLOCK_REALTIME (token expiry, as servers count it), CLOCK_MONOTONIC (budgets, idleness). */
uint64_t io_now(clockid_t clock);

uint64_t io_random_u64(void);

typedef struct IoTimer IoTimer;
typedef void (*io_timer_fn)(void *userdata);

/* Calls fn(userdata) once, delay_usec from now on the boot-time clock (a wall-clock jump does not move it,
 * a suspend counts), within accuracy_usec, unless the timer is freed first. event: the daemon's loop (NULL
 * for the fake). */
int io_timer_start(sd_event *event, uint64_t delay_usec, uint64_t accuracy_usec, io_timer_fn fn, void *userdata,
                   IoTimer **ret);
IoTimer *io_timer_free(IoTimer *t);

/* Work that blocks for long (reading thousands of account files) runs on a thread of its own, so that the
 * loop goes on serving cached tokens meanwhile. work(userdata) runs on that thread and must touch nothing
 * the loop uses; done(userdata) runs on the loop after it, once, when the job is freed already (its owner
 * forgets it there). event: the daemon's loop (NULL for the fake,
 * whose jobs run when the test says). */
typedef struct IoJob IoJob;
typedef void (*io_job_fn)(void *userdata);
int io_job_start(sd_event *event, io_job_fn work, io_job_fn done, void *userdata, IoJob **ret);
/* Waits for the work if it is still running and drops the job: done is not called. */
IoJob *io_job_free(IoJob *j);
