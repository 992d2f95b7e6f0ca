/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "account.h"
#include "entry-ref.h"
#include "log.h"
#include "token-fetch.h"
#include "warmup.h"

static int warmup_account(Account *a);

static void on_warmed_up(void *entry, int error, const char *message, void *userdata) {
        EntryRef *ref = userdata;
        Account *a = entry_ref_account(ref);

        if (a && error == -ENOLCK) {
                /* Not an error at login: the keyring opens later, and the warmup follows it. */
                a->warmup_after_unlock = true;
                log_info("Account '%s': the keyring is locked; warming up once it is unlocked.", a->name);
        } else if (a && error < 0)
                log_warning("Account '%s': warmup failed: %s", a->name, message);
        entry_ref_free(ref);
}

static int warmup_account(Account *a) {
        TokenEntry *e = account_get_entry(a, "", true);
        EntryRef *ref;
        int r;

        if (!e)
                return -ENOMEM;
        /* Counts as a use, so the token is kept fresh for the session's first callers. */
        e->last_used = io_now(CLOCK_MONOTONIC);
        a->warmup_after_unlock = false;
        if (token_entry_usable(e, a->config->refresh_skew_sec, io_now(CLOCK_REALTIME)) || e->fetching)
                return 0;
        ref = entry_ref_new(a->engine, a->name, "");
        if (!ref)
                return -ENOMEM;
        r = token_fetch_start(e, on_warmed_up, ref);
        if (r < 0) {
                entry_ref_free(ref);
                return r;
        }
        return 1;
}

unsigned warmup_start(Engine *eng) {
        GHashTableIter i;
        Account *a;
        unsigned started = 0;

        g_hash_table_iter_init(&i, eng->accounts);
        while (g_hash_table_iter_next(&i, NULL, (void **) &a))
                if (a->config->warmup && warmup_account(a) > 0)
                        started++;
        log_info("Warmup: %u token fetch(es) started.", started);
        return started;
}

void warmup_after_keyring_change(Engine *eng) {
        GHashTableIter i;
        Account *a;
        unsigned n = 0;

        g_hash_table_iter_init(&i, eng->accounts);
        while (g_hash_table_iter_next(&i, NULL, (void **) &a))
                if (a->warmup_after_unlock && warmup_account(a) > 0)
                        n++;
        if (n > 0)
                log_info("Keyring changed: %u waiting warmup(s) started.", n);
}
