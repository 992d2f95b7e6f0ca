/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"

/* A reference to an account's token entry by names, for callbacks that run later (a keyring job, a discovery
 * fetch, another account's token fetch): they look the entry up again, because the account may have been
 * removed or reloaded meanwhile. */
typedef struct EntryRef {
        Engine *engine;
        char *account;
        char *scope;            /* the entry's key (token_entry_key()); NULL: the account itself, no entry */
} EntryRef;

EntryRef *entry_ref_new(Engine *eng, const char *account, const char *scope);
EntryRef *entry_ref_free(EntryRef *r);

/* The account, or NULL when it is gone. */
Account *entry_ref_account(const EntryRef *r);
/* The entry, or NULL when it or its account is gone. */
TokenEntry *entry_ref_entry(const EntryRef *r);
