/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/mman.h>

#include "alloc-util.h"

static void lock_best_effort(const void *p, size_t n) {
        /* mlock works on whole pages; a page shared with other allocations is simply locked as well. We never
         * munlock, since that would unlock pages other secrets may share. */
        (void) mlock(p, n);
}

char *secret_strndup(const char *s, size_t n) {
        size_t l;
        char *c;

        if (!s)
                return NULL;
        /* Not strndup(): the input may be a D-Bus byte array with no NUL after its n bytes. */
        l = strnlen(s, n);
        c = malloc(l + 1);
        if (!c)
                return NULL;
        memcpy(c, s, l);
        c[l] = 0;
        lock_best_effort(c, l + 1);
        return c;
}

char *secret_strdup(const char *s) {
        return s ? secret_strndup(s, strlen(s)) : NULL;
}

void *memdup(const void *p, size_t n) {
        void *c = malloc(n > 0 ? n : 1);

        if (c && n > 0)
                memcpy(c, p, n);
        return c;
}
