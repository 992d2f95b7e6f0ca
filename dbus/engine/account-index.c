/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "account-index.h"
#include "account.h"
#include "alloc-util.h"
#include "host-match.h"
#include "string-util.h"

/* Two tables, each key -> a GPtrArray of Account* sorted by name, every account at most once per key:
 * `exact` by the host name of a pattern, `wildcard` by what follows "*." in one. A request is looked up by
 * its host name in the first and by its name's parent in the second; host_pattern_match() then decides on
 * the candidates, so the index only narrows and never changes an answer. */
struct AccountIndex {
        GHashTable *exact;
        GHashTable *wildcard;
};

static void index_free(AccountIndex *x) {
        if (!x)
                return;
        if (x->exact)
                g_hash_table_destroy(x->exact);
        if (x->wildcard)
                g_hash_table_destroy(x->wildcard);
        free(x);
}

void account_index_invalidate(Engine *eng) {
        index_free(eng->account_index);
        eng->account_index = NULL;
}

static void add(GHashTable *t, char *key, Account *a) {
        GPtrArray *l = g_hash_table_lookup(t, key);

        if (!l) {
                l = g_ptr_array_new();
                g_hash_table_insert(t, key, l);
        } else
                free(key);
        /* The accounts are added one after another: a second pattern of the same account comes right after
         * its first. */
        if (l->len == 0 || g_ptr_array_index(l, l->len - 1) != a)
                g_ptr_array_add(l, a);
}

static int compare_accounts(const void *x, const void *y) {
        const Account *a = *(Account * const *) x, *b = *(Account * const *) y;

        return strcmp(a->name, b->name);
}

static void sort_lists(GHashTable *t) {
        GHashTableIter i;
        GPtrArray *l;

        g_hash_table_iter_init(&i, t);
        while (g_hash_table_iter_next(&i, NULL, (void **) &l))
                g_ptr_array_sort(l, compare_accounts);
}

static AccountIndex *index_build(Engine *eng) {
        AccountIndex *x;
        GHashTableIter i;
        Account *a;

        x = calloc(1, sizeof(AccountIndex));
        if (!x)
                return NULL;
        x->exact = g_hash_table_new_full(g_str_hash, g_str_equal, free, (GDestroyNotify) g_ptr_array_unref);
        x->wildcard = g_hash_table_new_full(g_str_hash, g_str_equal, free, (GDestroyNotify) g_ptr_array_unref);

        g_hash_table_iter_init(&i, eng->accounts);
        while (g_hash_table_iter_next(&i, NULL, (void **) &a))
                STRV_FOREACH(p, a->config->hosts) {
                        bool wildcard;
                        char *key = host_pattern_key(*p, &wildcard);

                        if (!key) {
                                if (errno == ENOMEM) {
                                        index_free(x);
                                        return NULL;
                                }
                                continue;       /* a pattern that matches nothing */
                        }
                        add(wildcard ? x->wildcard : x->exact, key, a);
                }
        sort_lists(x->exact);
        sort_lists(x->wildcard);
        return x;
}

/* The first account of `l` (sorted by name) with a pattern that matches, if its name comes before *best's. */
static void first_match(GPtrArray *l, const char *protocol, const char *host, const char *path, Account **best) {
        if (!l)
                return;
        for (unsigned k = 0; k < l->len; k++) {
                Account *a = g_ptr_array_index(l, k);

                if (*best && strcmp(a->name, (*best)->name) >= 0)
                        return;
                STRV_FOREACH(p, a->config->hosts)
                        if (host_pattern_match(*p, protocol, host, path)) {
                                *best = a;
                                return;
                        }
        }
}

int account_index_match(Engine *eng, const char *protocol, const char *host, const char *path, Account **ret) {
        _cleanup_free_ char *key = NULL;
        const char *parent;
        Account *best = NULL;

        if (!eng->account_index) {
                errno = 0;
                eng->account_index = index_build(eng);
                if (!eng->account_index)
                        return -ENOMEM;
        }
        errno = 0;
        key = host_request_key(host, &parent);
        if (!key) {
                *ret = NULL;
                return errno == ENOMEM ? -ENOMEM : 0;
        }
        first_match(g_hash_table_lookup(eng->account_index->exact, key), protocol, host, path, &best);
        if (parent)
                first_match(g_hash_table_lookup(eng->account_index->wildcard, parent), protocol, host, path, &best);
        *ret = best;
        return 0;
}
