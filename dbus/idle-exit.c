/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Exiting when idle. A daemon that holds secrets should not outlive its use: once nothing has asked for
 * anything for the idle time, and nothing it does on its own would be lost by exiting, it exits, wiping what
 * it holds; D-Bus activation (or tokenbrokerd.socket) starts it again on the next call. What keeps it alive:
 * an account with Warmup=yes (its tokens are meant to be ready at any moment), a token in use (asked for
 * within its lifetime, so that its background refresh goes on), a rotated refresh token the keyring has not
 * taken yet, and any work or connection in progress. */
#include <errno.h>
#include <time.h>

#include "account.h"
#include "idle-exit.h"
#include "keyring-worker.h"
#include "log.h"
#include "time-util.h"

/* Checked a few times per idle period, at least once a second. */
static uint64_t check_interval(const Manager *m) {
        return MAX(m->exit_idle_usec / 4, USEC_PER_SEC);
}

static bool entry_in_use(const TokenEntry *e, uint64_t now_mono) {
        uint64_t lifetime = e->expires_usec > e->fetched_usec ? e->expires_usec - e->fetched_usec : 0;

        if (e->fetching || e->pending_token || !waiters_empty(&e->waiters))
                return true;
        /* The same rule as the background refresh's (token-fetch.c): used within the token's lifetime. */
        return e->access_token && e->last_used > 0 && now_mono - e->last_used <= MAX(lifetime, 5 * USEC_PER_SEC);
}

static const char *busy_reason(Manager *m) {
        uint64_t now_mono = now_usec(CLOCK_MONOTONIC);
        GHashTableIter i, j;
        Account *a;
        TokenEntry *e;

        if (g_hash_table_size(m->token_conns) > 0 || g_hash_table_size(m->peers) > 0)
                return "a front end is connected";
        if ((m->engine.logins && g_hash_table_size(m->engine.logins) > 0) ||
            (m->engine.revocations && g_hash_table_size(m->engine.revocations) > 0))
                return "a login or revocation is in progress";
        if (http_client_in_flight(m->engine.http) > 0 || keyring_worker_pending(m->engine.keyring) > 0)
                return "a request is in flight";

        g_hash_table_iter_init(&i, m->engine.accounts);
        while (g_hash_table_iter_next(&i, NULL, (void **) &a)) {
                if (a->config->warmup)
                        return "an account has Warmup=yes";
                if (a->refresh_token_unsaved)
                        return "a refresh token waits for the keyring";
                if (!a->tokens)
                        continue;
                g_hash_table_iter_init(&j, a->tokens);
                while (g_hash_table_iter_next(&j, NULL, (void **) &e))
                        if (entry_in_use(e, now_mono))
                                return "a token is in use";
        }
        return NULL;
}

static int on_idle_check(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        const char *busy = busy_reason(m);

        if (busy)
                m->last_activity_usec = now;
        else if (now - m->last_activity_usec >= m->exit_idle_usec) {
                log_info("Idle for %llu s: exiting.", (unsigned long long) (m->exit_idle_usec / USEC_PER_SEC));
                return sd_event_exit(m->event, 0);
        }
        (void) sd_event_source_set_time_relative(s, check_interval(m));
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

int idle_exit_setup(Manager *m) {
        int r;

        m->last_activity_usec = now_usec(CLOCK_MONOTONIC);
        if (m->exit_idle_usec == 0)
                return 0;
        r = sd_event_add_time_relative(m->event, &m->idle_source, CLOCK_MONOTONIC, check_interval(m),
                                       USEC_PER_SEC / 4, on_idle_check, m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the idle exit: %m");
        (void) sd_event_source_set_description(m->idle_source, "idle-exit");
        return 0;
}

void manager_note_activity(Manager *m) {
        m->last_activity_usec = now_usec(CLOCK_MONOTONIC);
}
