/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "entry-ref.h"

EntryRef *entry_ref_new(Engine *eng, const char *account, const char *scope) {
        EntryRef *r = calloc(1, sizeof(*r));

        if (!r)
                return NULL;
        r->engine = eng;
        r->account = strdup(account);
        r->scope = scope ? strdup(scope) : NULL;
        if (!r->account || (scope && !r->scope))
                return entry_ref_free(r);
        return r;
}

EntryRef *entry_ref_free(EntryRef *r) {
        if (!r)
                return NULL;
        free(r->account);
        free(r->scope);
        free(r);
        return NULL;
}

Account *entry_ref_account(const EntryRef *r) {
        return engine_account(r->engine, r->account);
}

TokenEntry *entry_ref_entry(const EntryRef *r) {
        Account *a = entry_ref_account(r);

        return a && r->scope ? account_get_entry(a, r->scope, false) : NULL;
}
