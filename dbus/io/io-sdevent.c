/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

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
