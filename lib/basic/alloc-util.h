/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0)
                (void) close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

/* The one way secrets leave memory: wiped with explicit_bzero (which the compiler may not drop), then freed.
 * Every string that ever held a secret, a password, a refresh or an access token goes through here. */
static inline void *erase_and_free(void *p) {
        if (!p)
                return NULL;
        explicit_bzero(p, strlen(p));
        free(p);
        return NULL;
}
static inline void erase_and_freep(void *p) {
        erase_and_free(*(void **) p);
}
#define _cleanup_erase_ _cleanup_(erase_and_freep)

static inline void erase_buffer(void *p, size_t n) {
        if (p && n > 0)
                explicit_bzero(p, n);
}

/* strdup for secrets: the copy is locked into RAM where the limits allow it, so it cannot reach swap.
 * Failure to lock is not an error (RLIMIT_MEMLOCK may be small); the copy is still wiped on free. */
char *secret_strdup(const char *s);
char *secret_strndup(const char *s, size_t n);

void *memdup(const void *p, size_t n);
