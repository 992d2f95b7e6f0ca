/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "account-index.h"
#include "account.h"
#include "alloc-util.h"
#include "host-match.h"
#include "string-util.h"

/* Two arrays of (key, account), sorted by key and then by account name, every account at most once per key:
 * `exact` by the host name of a pattern, `wildcard` by what follows "*." in one. A request is looked up by
 * its host name in the first and by its name's parent in the second (a binary search); host_pattern_match()
 * then decides on the candidates, so the index only narrows and never changes an answer. Sorted arrays, not
 * hash tables of lists: 16 bytes and the key's own per pattern, which matters with 10,000 accounts. */
typedef struct IndexEntry {
        const char *key;        /* in `keys` */
        Account *account;
} IndexEntry;

struct AccountIndex {
        GArray *exact;
        GArray *wildcard;
        GStringChunk *keys;
};

static void index_free(AccountIndex *x) {
        if (!x)
                return;
        if (x->exact)
                g_array_free(x->exact, true);
        if (x->wildcard)
                g_array_free(x->wildcard, true);
        if (x->keys)
                g_string_chunk_free(x->keys);
        free(x);
}

void account_index_invalidate(Engine *eng) {
        index_free(eng->account_index);
        eng->account_index = NULL;
}

static int compare_entries(const void *x, const void *y) {
        const IndexEntry *a = x, *b = y;
        int c = strcmp(a->key, b->key);

        return c != 0 ? c : strcmp(a->account->name, b->account->name);
}

static void add(AccountIndex *x, GArray *entries, const char *key, Account *a) {
        /* The accounts are added one after another: a second pattern of the same account with the same key
         * comes right after its first. */
        for (unsigned k = entries->len; k > 0; k--) {
                const IndexEntry *e = &g_array_index(entries, IndexEntry, k - 1);

                if (e->account != a)
                        break;
                if (streq(e->key, key))
                        return;
        }
        g_array_append_val(entries, ((IndexEntry) { g_string_chunk_insert(x->keys, key), a }));
}

static AccountIndex *index_build(Engine *eng) {
        AccountIndex *x;
        GHashTableIter i;
        Account *a;

        x = calloc(1, sizeof(AccountIndex));
        if (!x)
                return NULL;
        x->exact = g_array_sized_new(false, false, sizeof(IndexEntry), g_hash_table_size(eng->accounts));
        x->wildcard = g_array_new(false, false, sizeof(IndexEntry));
        x->keys = g_string_chunk_new(4096);

        g_hash_table_iter_init(&i, eng->accounts);
        while (g_hash_table_iter_next(&i, NULL, (void **) &a))
                STRV_FOREACH(p, a->config->hosts) {
                        _cleanup_free_ char *key = NULL;
                        bool wildcard;

                        key = host_pattern_key(*p, &wildcard);
                        if (!key) {
                                if (errno == ENOMEM) {
                                        index_free(x);
                                        return NULL;
                                }
                                continue;       /* a pattern that matches nothing */
                        }
                        add(x, wildcard ? x->wildcard : x->exact, key, a);
                }
        g_array_sort(x->exact, compare_entries);
        g_array_sort(x->wildcard, compare_entries);
        return x;
}

/* The first account with `key` (in name order) whose pattern matches, if its name comes before *best's. */
static void first_match(GArray *entries, const char *key, const char *protocol, const char *host, const char *path,
                        Account **best) {
        unsigned lo = 0, hi = entries->len;

        /* The first entry whose key is not less than `key`. */
        while (lo < hi) {
                unsigned mid = lo + (hi - lo) / 2;

                if (strcmp(g_array_index(entries, IndexEntry, mid).key, key) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (unsigned k = lo; k < entries->len; k++) {
                const IndexEntry *e = &g_array_index(entries, IndexEntry, k);

                if (!streq(e->key, key))
                        return;
                if (*best && strcmp(e->account->name, (*best)->name) >= 0)
                        return;
                STRV_FOREACH(p, e->account->config->hosts)
                        if (host_pattern_match(*p, protocol, host, path)) {
                                *best = e->account;
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
        first_match(eng->account_index->exact, key, protocol, host, path, &best);
        if (parent)
                first_match(eng->account_index->wildcard, parent, protocol, host, path, &best);
        *ret = best;
        return 0;
}
