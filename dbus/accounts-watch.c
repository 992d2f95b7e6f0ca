/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Accounts that appear by themselves: the daemon watches the user's and the administrator's account folders
 * (inotify, through sd-event) and reloads shortly after a file in them is written, added, renamed, removed or
 * has its mode changed. A folder that does not exist yet is waited for through its nearest existing parent,
 * so that `mkdir -p ~/.config/tokenbroker/accounts && cp example.conf ...` works too. Each reload looks again
 * at what is at the folder's path, so a folder moved away and another put in its place is followed.
 *
 * Events are gathered for RELOAD_DELAY_USEC before one reload (an editor's write, rename and chmod are one
 * change), and reloads are at least RELOAD_GAP_USEC apart, so that a program rewriting files in a loop
 * cannot keep the daemon reloading instead of serving. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "accounts-watch.h"
#include "alloc-util.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"

#define RELOAD_DELAY_USEC (200ULL * USEC_PER_MSEC)
#define RELOAD_GAP_USEC (1ULL * USEC_PER_SEC)

/* What is watched in the folder itself, and in a parent while the folder is missing. */
#define FOLDER_EVENTS                                                                                           \
        (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF |   \
         IN_MOVE_SELF | IN_ONLYDIR)
#define PARENT_EVENTS (IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

static const char *folder(Manager *m, unsigned i) {
        return i == 0 ? m->engine.config_dir : m->engine.system_config_dir;
}

/* The folder itself when it exists, else its nearest existing parent; NULL for none (no folder configured,
 * or out of memory). */
static char *nearest_existing(const char *dir) {
        char *p;
        struct stat st;

        if (isempty(dir) || dir[0] != '/')
                return NULL;
        p = strdup(dir);
        while (p && stat(p, &st) < 0) {
                char *slash = strrchr(p, '/');

                if (!slash || slash == p) {
                        strcpy(p, "/");
                        break;
                }
                *slash = 0;
        }
        return p;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata);

static void schedule_reload(Manager *m) {
        uint64_t now, at;

        if (sd_event_now(m->event, CLOCK_MONOTONIC, &now) < 0)
                return;
        at = now + RELOAD_DELAY_USEC;
        if (m->accounts_reloaded_usec > 0 && at < m->accounts_reloaded_usec + RELOAD_GAP_USEC)
                at = m->accounts_reloaded_usec + RELOAD_GAP_USEC;

        if (m->accounts_reload_timer) {
                int enabled = SD_EVENT_OFF;

                /* Already due: the events gathered so far are one change. */
                if (sd_event_source_get_enabled(m->accounts_reload_timer, &enabled) >= 0 && enabled != SD_EVENT_OFF)
                        return;
                if (sd_event_source_set_time(m->accounts_reload_timer, at) >= 0 &&
                    sd_event_source_set_enabled(m->accounts_reload_timer, SD_EVENT_ONESHOT) >= 0)
                        return;
                log_warning("Failed to schedule a reload of the accounts.");
                return;
        }
        if (sd_event_add_time(m->event, &m->accounts_reload_timer, CLOCK_MONOTONIC, at, 10 * USEC_PER_MSEC, on_timer,
                              m) < 0) {
                log_warning("Failed to schedule a reload of the accounts.");
                return;
        }
        (void) sd_event_source_set_description(m->accounts_reload_timer, "accounts-reload");
}

/* While folder i is missing, the name in its nearest parent that leads to it: "tokenbroker" when
 * ~/.config is watched for ~/.config/tokenbroker/accounts. NULL when the folder itself is watched. */
static const char *next_component(Manager *m, unsigned i, char *buf, size_t size) {
        const char *dir = folder(m, i), *watched = m->accounts_watched[i], *rest;
        size_t n;

        if (!watched || streq(watched, dir))
                return NULL;
        rest = startswith(dir, watched);
        if (!rest)
                return NULL;
        rest += strspn(rest, "/");
        n = strcspn(rest, "/");
        if (n == 0 || n >= size)
                return NULL;
        memcpy(buf, rest, n);
        buf[n] = 0;
        return buf;
}

static int on_inotify(sd_event_source *s, const struct inotify_event *ev, void *userdata) {
        Manager *m = userdata;
        bool relevant = false;

        for (unsigned i = 0; i < 2; i++) {
                char buf[NAME_MAX + 1];
                const char *next;

                if (m->accounts_watch[i] != s)
                        continue;
                /* The watched folder itself went: what is watched is gone with it, whatever takes its path
                 * next. */
                if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                        free(m->accounts_watched[i]);
                        m->accounts_watched[i] = NULL;
                        relevant = true;
                        continue;
                }
                next = next_component(m, i, buf, sizeof(buf));
                if (next)
                        /* A parent: only the name on the way to the folder counts (a directory or a
                         * symbolic link to one), not every *.conf of /etc. */
                        relevant = relevant || (ev->len > 0 && streq(ev->name, next));
                else
                        /* The folder: a change of itself (its mode), or of an account file; not an
                         * editor's swap file or backup. */
                        relevant = relevant || ev->len == 0 || endswith(ev->name, ".conf");
        }
        if (relevant)
                schedule_reload(m);
        return 0;
}

/* Watches folder i, or its nearest parent while it is missing; a watch already on the right path stays. */
static void arm(Manager *m, unsigned i) {
        _cleanup_free_ char *path = nearest_existing(folder(m, i));
        struct stat st;
        bool is_folder;
        int r;

        /* The same path, and still the same folder there: a folder moved away (which its own watch does not
         * hear of when a parent is renamed) is replaced by what now has its path. */
        if (path && streq_ptr(path, m->accounts_watched[i]) && stat(path, &st) >= 0 &&
            st.st_dev == m->accounts_watched_dev[i] && st.st_ino == m->accounts_watched_ino[i])
                return;
        m->accounts_watch[i] = sd_event_source_disable_unref(m->accounts_watch[i]);
        free(m->accounts_watched[i]);
        m->accounts_watched[i] = NULL;
        if (!path)
                return;

        is_folder = streq(path, folder(m, i));
        r = sd_event_add_inotify(m->event, &m->accounts_watch[i], path, is_folder ? FOLDER_EVENTS : PARENT_EVENTS,
                                 on_inotify, m);
        if (r < 0) {
                log_warning_errno(r, "Failed to watch %s; changed account files need `tokenbroker reload`: %m",
                                  path);
                return;
        }
        (void) sd_event_source_set_description(m->accounts_watch[i], "accounts-watch");
        if (stat(path, &st) >= 0) {
                m->accounts_watched_dev[i] = st.st_dev;
                m->accounts_watched_ino[i] = st.st_ino;
        }
        m->accounts_watched[i] = TAKE_PTR(path);

        /* The folder may have been made between the look and the watch on its parent. */
        if (!is_folder) {
                _cleanup_free_ char *now = nearest_existing(folder(m, i));

                if (!streq_ptr(now, m->accounts_watched[i]))
                        schedule_reload(m);
        }
}

static void arm_all(Manager *m) {
        for (unsigned i = 0; i < 2; i++)
                arm(m, i);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        /* A folder may have appeared (or gone) since: watch the folder itself now, or its parent again. */
        arm_all(m);
        log_debug("An account file changed: reloading.");
        (void) engine_reload_accounts(&m->engine, NULL, NULL);
        (void) sd_event_now(m->event, CLOCK_MONOTONIC, &m->accounts_reloaded_usec);
        return 0;
}

int accounts_watch_start(Manager *m) {
        arm_all(m);
        return 0;
}

void accounts_watch_stop(Manager *m) {
        for (unsigned i = 0; i < 2; i++) {
                m->accounts_watch[i] = sd_event_source_disable_unref(m->accounts_watch[i]);
                free(m->accounts_watched[i]);
                m->accounts_watched[i] = NULL;
        }
        m->accounts_reload_timer = sd_event_source_disable_unref(m->accounts_reload_timer);
}
