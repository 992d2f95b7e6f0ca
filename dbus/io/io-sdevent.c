/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include "io.h"
#include "time-util.h"

struct IoTimer {
        sd_event_source *source;
        io_timer_fn fn;
        void *userdata;
};

uint64_t io_now(clockid_t clock) {
        return now_usec(clock);
}

uint64_t io_random_u64(void) {
        uint64_t v = 0;

        /* Jitter only, never a secret: a fallback from the clock is good enough. */
        if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
                v = now_usec(CLOCK_MONOTONIC) * 6364136223846793005ULL + 1442695040888963407ULL;
        return v;
}

static int on_time(sd_event_source *s, uint64_t usec, void *userdata) {
        IoTimer *t = userdata;

        /* One shot: the callback may free the timer. */
        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        t->fn(t->userdata);
        return 0;
}

int io_timer_start(sd_event *event, uint64_t delay_usec, uint64_t accuracy_usec, io_timer_fn fn, void *userdata,
                   IoTimer **ret) {
        IoTimer *t;
        int r;

        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->fn = fn;
        t->userdata = userdata;
        r = sd_event_add_time_relative(event, &t->source, CLOCK_BOOTTIME, delay_usec, accuracy_usec, on_time, t);
        if (r < 0) {
                free(t);
                return r;
        }
        *ret = t;
        return 0;
}

IoTimer *io_timer_free(IoTimer *t) {
        if (!t)
                return NULL;
        sd_event_source_disable_unref(t->source);
        free(t);
        return NULL;
}

/* A thread per job: jobs are rare (a reload of the accounts) and long, so a pool would buy nothing. The
 * thread says it is done through an eventfd the loop watches. */
struct IoJob {
        pthread_t thread;
        bool thread_started;
        int efd;
        sd_event_source *source;
        io_job_fn work, done;
        void *userdata;
};

static void *job_main(void *p) {
        IoJob *j = p;
        uint64_t one = 1;

        j->work(j->userdata);
        (void) write(j->efd, &one, sizeof(one));
        return NULL;
}

static int on_job_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        IoJob *j = userdata;
        io_job_fn done = j->done;
        void *job_userdata = j->userdata;

        /* The thread wrote its last word: joining it is immediate. The job is gone before done() runs. */
        (void) pthread_join(j->thread, NULL);
        j->thread_started = false;
        io_job_free(j);
        done(job_userdata);
        return 0;
}

int io_job_start(sd_event *event, io_job_fn work, io_job_fn done, void *userdata, IoJob **ret) {
        IoJob *j;
        int r;

        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        j->work = work;
        j->done = done;
        j->userdata = userdata;
        j->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (j->efd < 0) {
                r = -errno;
                io_job_free(j);
                return r;
        }
        r = sd_event_add_io(event, &j->source, j->efd, EPOLLIN, on_job_done, j);
        if (r < 0) {
                io_job_free(j);
                return r;
        }
        (void) sd_event_source_set_description(j->source, "io-job");
        r = pthread_create(&j->thread, NULL, job_main, j);
        if (r != 0) {
                io_job_free(j);
                return -r;
        }
        j->thread_started = true;
        *ret = j;
        return 0;
}

IoJob *io_job_free(IoJob *j) {
        if (!j)
                return NULL;
        if (j->thread_started)
                (void) pthread_join(j->thread, NULL);
        sd_event_source_disable_unref(j->source);
        if (j->efd >= 0)
                (void) close(j->efd);
        free(j);
        return NULL;
}
