/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account.h"
#include "account-index.h"
#include "account-scan.h"
#include "alloc-util.h"
#include "engine.h"
#include "io.h"
#include "log.h"
#include "string-util.h"

/* Files looked at and accounts dropped by one reload from which on the memory it leaves free is handed back
 * (even unchanged files cost a few hundred bytes each while the reload runs). */
#define RELOAD_TRIM_MIN 256U
/* Accounts dropped by one reload that the log names one by one. */
#define LOG_DROPPED_MAX 20U

/* A caller asking for an account whose file was refused learns why, rather than "No such account": the
 * daemon's log is not where a person running `tokenbroker token` looks. Takes `name`. */
static void remember_refused(Engine *eng, char *name, int error, char **diagnostics) {
        g_autoptr(GString) why = g_string_new(NULL);

        g_string_printf(why, "The file of account '%s' is not loaded: ", name);
        if (strv_length(diagnostics) == 0)
                g_string_append(why, strerror(ERRNO_VALUE(error)));
        STRV_FOREACH(diag, diagnostics) {
                /* A page of diagnostics helps nobody in an error reply; the log has them all. */
                if (why->len > 1024) {
                        g_string_append(why, "; ...");
                        break;
                }
                if (diag != diagnostics)
                        g_string_append(why, "; ");
                g_string_append(why, *diag);
        }
        g_hash_table_insert(eng->refused, name, g_string_free(g_steal_pointer(&why), false));
}

/* Serves what the scan found for one file; returns whether the account is (still) served. */
static bool apply_file(Engine *eng, ScannedFile *f, bool *changed) {
        AccountConfig *c;
        Account *a;
        int r;

        a = engine_account(eng, f->name);
        if (f->unchanged)
                /* The scan knew it from this very account (the engine's accounts change only here or with
                 * a newer generation, whose scans are not applied). */
                return a != NULL;

        STRV_FOREACH(diag, f->diagnostics)
                log_warning("%s", *diag);
        r = f->result;
        if (r < 0) {
                log_error_errno(r, "Account file '%s' not loaded: %m", f->path);
                /* A file broken by an edit keeps an already loaded account as it was, so that a typo does not
                 * cut the user off. A file refused for safety (owner, mode, symbolic link) does not: someone
                 * else may have written it, and serving on would use our secrets for what it now says. */
                if (r != -EPERM && a)
                        return true;
                remember_refused(eng, g_strdup(f->name), r, f->diagnostics);
                return false;
        }

        c = TAKE_PTR(f->config);
        a = engine_account(eng, c->name);
        if (a) {
                account_update_config(a, c);
                return true;
        }
        r = account_new(eng, c, &a);
        if (r < 0) {
                log_oom();
                return false;
        }
        g_hash_table_insert(eng->accounts, a->config->name, a);
        *changed = true;
        return true;
}

/* Makes the engine serve what `s` found; returns the number of accounts served. */
static int apply_scan(Engine *eng, AccountScan *s) {
        g_autoptr(GHashTable) served = NULL;
        GHashTableIter i;
        const char *name;
        Account *a;
        unsigned loaded = 0, churn = 0, dropped = 0;
        bool changed = false;

        g_hash_table_remove_all(eng->refused);
        free(eng->config_dir_refused);
        free(eng->system_dir_refused);
        eng->system_dir_refused = TAKE_PTR(s->system.refused);
        eng->config_dir_refused = s->user.unreadable ? NULL : TAKE_PTR(s->user.refused);
        if (s->system.error)
                log_error("%s", s->system.error);
        if (s->user.error)
                log_error("%s", s->user.error);
        if (eng->system_dir_refused && !s->system.unreadable)
                log_error("%s", eng->system_dir_refused);
        if (eng->config_dir_refused)
                log_error("%s", eng->config_dir_refused);

        served = g_hash_table_new(g_str_hash, g_str_equal);
        for (unsigned k = 0; k < s->files->len; k++) {
                ScannedFile *f = g_ptr_array_index(s->files, k);

                churn++;
                if (apply_file(eng, f, &changed)) {
                        g_hash_table_add(served, f->name);
                        loaded++;
                }
        }
        /* An unsafe administrator's folder: each of its accounts the user has no file for says why. */
        STRV_FOREACH(n, s->system.refused_names)
                if (!g_hash_table_contains(served, *n) && !g_hash_table_contains(eng->refused, *n))
                        remember_refused(eng, g_strdup(*n), -EPERM, (char *[]) { eng->system_dir_refused, NULL });

        g_hash_table_iter_init(&i, eng->accounts);
        while (g_hash_table_iter_next(&i, (void **) &name, (void **) &a)) {
                if (g_hash_table_contains(served, name))
                        continue;
                /* Its folder could not be read this time: it stays as it was. */
                if (a->config->provisioned ? s->system.unreadable : s->user.unreadable) {
                        loaded++;
                        continue;
                }
                /* A folder swapped for another may take thousands: the log names the first few. */
                if (engine_refused_reason(eng, name)) {
                        if (dropped < LOG_DROPPED_MAX)
                                log_warning("Account '%s' is no longer served: its file was refused.", name);
                        account_fail_all(a, -EUCLEAN, engine_refused_reason(eng, name));
                } else {
                        if (dropped < LOG_DROPPED_MAX)
                                log_info("Account '%s' is gone from %s.", name, a->config->path);
                        account_fail_all(a, -ESRCH, "The account was removed.");
                }
                g_hash_table_iter_remove(&i);
                changed = true;
                churn++;
                dropped++;
        }
        if (dropped > LOG_DROPPED_MAX)
                log_info("... and %u more accounts are gone.", dropped - LOG_DROPPED_MAX);

        /* Any file may have changed its Hosts=. */
        account_index_invalidate(eng);
        s->churn = churn;
        log_info("%u account(s) loaded.", loaded);
        if (changed)
                engine_emit_accounts_changed(eng);
        return (int) loaded;
}

/* Frees a scan that was applied. Reading thousands of files leaves their buffers, the parsers' leftovers and
 * the configurations as parsed (the accounts keep packed copies) free in the heaps of the threads that read
 * them, and removing thousands of accounts leaves theirs in ours: those pages are given back, or an idle
 * daemon keeps the memory of its largest reload. */
static void scan_done(void *userdata) {
        AccountScan *s = userdata;
        unsigned churn = s->churn;

        account_scan_free(s);
        if (churn >= RELOAD_TRIM_MIN)
                (void) malloc_trim(0);
}

/* A scan being freed on a thread. */
struct ScanCleanup {
        Engine *engine;
        AccountScan *scan;
        IoJob *job;
};

static void cleanup_work(void *userdata) {
        ScanCleanup *c = userdata;

        scan_done(TAKE_PTR(c->scan));
}

static void cleanup_done(void *userdata) {
        ScanCleanup *c = userdata;

        c->engine->scan_cleanup = NULL;
        free(c);
}

/* The same off the loop when it is a large one: tens of thousands of free() calls and a walk of the heaps are
 * milliseconds other callers need not wait for. */
static void scan_done_later(Engine *eng, AccountScan *s) {
        ScanCleanup *c;

        if (s->churn < RELOAD_TRIM_MIN || eng->scan_cleanup || !(c = calloc(1, sizeof(*c)))) {
                scan_done(s);
                return;
        }
        *c = (ScanCleanup) { .engine = eng, .scan = s };
        if (io_job_start(eng->event, cleanup_work, cleanup_done, c, &c->job) < 0) {
                free(c);
                scan_done(s);
                return;
        }
        eng->scan_cleanup = c;
}

void engine_reload_cleanup_wait(Engine *eng) {
        ScanCleanup *c = TAKE_PTR(eng->scan_cleanup);

        if (!c)
                return;
        io_job_free(c->job);    /* waits for the thread: the scan is freed */
        free(c);
}

/* A scan that knows every account loaded now. */
static AccountScan *scan_new(Engine *eng) {
        g_autoptr(AccountScan) s = NULL;
        GHashTableIter i;
        Account *a;

        s = account_scan_new(eng->system_config_dir, eng->config_dir);
        if (!s)
                return NULL;
        g_hash_table_iter_init(&i, eng->accounts);
        while (g_hash_table_iter_next(&i, NULL, (void **) &a))
                if (account_scan_know(s, a->config) < 0)
                        return NULL;
        return g_steal_pointer(&s);
}

int engine_load_accounts(Engine *eng) {
        AccountScan *s;
        int r;

        /* A reload on its thread has read the folders before this: what it found may be older than what is
         * loaded now, so it is not applied but made again (account_reload_done()). */
        eng->accounts_generation++;
        s = scan_new(eng);
        if (!s)
                return log_oom();
        account_scan_run(s);
        r = apply_scan(eng, s);
        scan_done(s);
        return r;
}

/* --- a reload on a thread of its own ------------------------------------------------------------------- */

typedef struct ReloadWaiter {
        engine_reload_fn fn;
        void *userdata;
} ReloadWaiter;

struct AccountReload {
        Engine *engine;
        IoJob *job;
        AccountScan *scan;
        uint64_t generation;    /* eng->accounts_generation when the scan was made */
        GArray *waiters;        /* ReloadWaiter: told when this scan is served */
        GArray *next_waiters;   /* asked while it ran: a file they wrote may be past what it read */
};

static void reload_work(void *userdata) {
        AccountReload *rl = userdata;
        account_scan_run(rl->scan);
}

static void reload_tell(GArray *waiters, int r) {
        for (unsigned k = 0; waiters && k < waiters->len; k++) {
                ReloadWaiter *w = &g_array_index(waiters, ReloadWaiter, k);

                if (w->fn)
                        w->fn(r, w->userdata);
        }
}

static void reload_free(AccountReload *rl) {
        if (!rl)
                return;
        io_job_free(rl->job);
        account_scan_free(rl->scan);
        if (rl->waiters)
                g_array_free(rl->waiters, true);
        if (rl->next_waiters)
                g_array_free(rl->next_waiters, true);
        free(rl);
}

static int reload_start(Engine *eng, GArray *waiters);

static void reload_done(void *userdata) {
        AccountReload *rl = userdata;
        Engine *eng = rl->engine;
        g_autoptr(GArray) waiters = NULL, next_waiters = NULL;
        int r;

        rl->job = NULL;         /* finished: the io layer is done with it */
        eng->reload = NULL;
        waiters = TAKE_PTR(rl->waiters);
        next_waiters = TAKE_PTR(rl->next_waiters);
        if (rl->generation != eng->accounts_generation) {
                /* The accounts changed on the loop while the files were read: read them again, for all. */
                reload_free(rl);
                g_array_append_vals(waiters, next_waiters->data, next_waiters->len);
                r = reload_start(eng, waiters);
                if (r >= 0)
                        return;
                reload_tell(waiters, engine_load_accounts(eng));
                return;
        }
        r = apply_scan(eng, rl->scan);
        reload_tell(waiters, r);
        scan_done_later(eng, TAKE_PTR(rl->scan));
        reload_free(rl);
        if (next_waiters->len == 0)
                return;
        if (reload_start(eng, next_waiters) < 0)
                reload_tell(next_waiters, engine_load_accounts(eng));
}

/* Takes the waiters' entries (copies them) on success. */
static int reload_start(Engine *eng, GArray *waiters) {
        AccountReload *rl;
        int r;

        rl = calloc(1, sizeof(*rl));
        if (!rl)
                return -ENOMEM;
        rl->engine = eng;
        rl->generation = eng->accounts_generation;
        rl->waiters = g_array_new(false, false, sizeof(ReloadWaiter));
        rl->next_waiters = g_array_new(false, false, sizeof(ReloadWaiter));
        rl->scan = scan_new(eng);
        if (!rl->scan) {
                reload_free(rl);
                return -ENOMEM;
        }
        if (waiters)
                g_array_append_vals(rl->waiters, waiters->data, waiters->len);
        r = io_job_start(eng->event, reload_work, reload_done, rl, &rl->job);
        if (r < 0) {
                reload_free(rl);
                return r;
        }
        eng->reload = rl;
        if (waiters)
                g_array_set_size(waiters, 0);
        return 0;
}

int engine_reload_accounts(Engine *eng, engine_reload_fn fn, void *userdata) {
        ReloadWaiter w = { fn, userdata };
        g_autoptr(GArray) waiters = NULL;

        /* One in flight read the folders before this call: this caller waits for the next. Each waiting
         * caller holds its request (a D-Bus message) until then: a client flooding Reload must not make the
         * daemon hold them without bound. A full list runs the next reload anyway. */
        if (eng->reload) {
                if (eng->reload->next_waiters->len >= ENGINE_RELOAD_WAITERS_MAX)
                        return fn ? -EBUSY : 0;
                g_array_append_val(eng->reload->next_waiters, w);
                return 0;
        }
        waiters = g_array_new(false, false, sizeof(ReloadWaiter));
        g_array_append_val(waiters, w);
        if (reload_start(eng, waiters) >= 0)
                return 0;
        /* No thread: the same reload, on the loop. */
        reload_tell(waiters, engine_load_accounts(eng));
        return 0;
}

void engine_reload_cancel(Engine *eng) {
        AccountReload *rl = TAKE_PTR(eng->reload);

        if (!rl)
                return;
        reload_tell(rl->waiters, -ECANCELED);
        reload_tell(rl->next_waiters, -ECANCELED);
        reload_free(rl);
}
