/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stopping on SIGTERM (systemctl --user stop, the end of a session) or SIGINT (Ctrl-C) without losing a
 * refresh token. A token request in flight may already have been answered by its server with a new refresh
 * token that retired the old one; leaving at once would drop that answer, and with it the account's grant
 * (kill9-rotation.sh shows that window for SIGKILL, which nothing can close). So a stop sends no new request
 * to any server, lets the ones in flight end and the keyring store what they brought, answering their callers
 * meanwhile, and leaves the loop once nothing is left in flight: at once when nothing is, after
 * --stop-timeout-sec at the latest, or at a second signal. */
#include <signal.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "stop.h"
#include "time-util.h"

static int leave(Manager *m, const char *why) {
        log_info("%s: exiting.", why);
        (void) engine_log_unsaved_refresh_tokens(&m->engine);
        return sd_event_exit(m->event, 0);
}

/* A post source: runs after every loop iteration that dispatched something, which is when a request or a
 * keyring operation can have ended. */
static int on_drain_check(sd_event_source *s, void *userdata) {
        Manager *m = userdata;

        if (engine_work_in_flight(&m->engine) > 0)
                return 0;
        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        return leave(m, "The requests in flight have ended");
}

static int on_drain_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        log_warning("%u requests still in flight after %llu s.", engine_work_in_flight(&m->engine),
                    (unsigned long long) (m->stop_timeout_usec / USEC_PER_SEC));
        return leave(m, "Stopping");
}

static int on_stop_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        unsigned n;
        int r;

        if (m->stopping)
                return leave(m, "A second signal");
        m->stopping = true;
        (void) sd_notify(0, "STOPPING=1");      /* here, once: the loop's end says nothing more */
        engine_stop(&m->engine);
        n = engine_work_in_flight(&m->engine);
        if (n == 0)
                return leave(m, si->ssi_signo == SIGINT ? "Interrupted" : "Stopping");

        (void) sd_notifyf(0, "STATUS=Stopping: %u requests in flight.", n);
        log_info("Stopping once the %u requests in flight have ended (at most %llu s; a second signal stops at "
                 "once): a refresh token a server rotates meanwhile is stored first.", n,
                 (unsigned long long) (m->stop_timeout_usec / USEC_PER_SEC));
        r = sd_event_add_post(m->event, &m->stop_check, on_drain_check, m);
        if (r >= 0)
                r = sd_event_add_time_relative(m->event, &m->stop_timeout, CLOCK_MONOTONIC, m->stop_timeout_usec,
                                               USEC_PER_SEC / 10, on_drain_timeout, m);
        if (r < 0) {
                log_error_errno(r, "Cannot wait for the requests in flight: %m");
                return leave(m, "Stopping");
        }
        return 0;
}

int stop_signals_setup(Manager *m) {
        int r;

        r = sd_event_add_signal(m->event, NULL, SIGTERM, on_stop_signal, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, on_stop_signal, m);
        if (r < 0)
                return log_error_errno(r, "Failed to install signal handlers: %m");
        return 0;
}
