/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcurl's memory, wiped when it is freed. Its request and response buffers hold client secrets, refresh
 * tokens about to be spent and the tokens that come back; freed without wiping they would stay in the heap
 * until reused. The daemon's own buffers are wiped where they are freed (erase_and_free()); these are
 * libcurl's, which curl_global_init_mem() lets us free. */
#include <curl/curl.h>
#include <errno.h>
#include <malloc.h>
#include <string.h>

#include "alloc-util.h"
#include "curl-memory.h"

static void wipe_free(void *p) {
        if (!p)
                return;
        explicit_bzero(p, malloc_usable_size(p));
        free(p);
}

static void *wipe_realloc(void *p, size_t size) {
        size_t old;
        void *n;

        if (!p)
                return malloc(size);
        if (size == 0) {
                wipe_free(p);
                return NULL;
        }
        /* realloc() may move the block and free the old one unwiped: move it ourselves. */
        old = malloc_usable_size(p);
        n = malloc(size);
        if (!n)
                return NULL;
        memcpy(n, p, MIN(old, size));
        wipe_free(p);
        return n;
}

int curl_init_wiping(void) {
        return curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, wipe_free, wipe_realloc, strdup, calloc) == CURLE_OK
                       ? 0
                       : -EIO;
}
