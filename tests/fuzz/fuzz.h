/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What every harness in tests/fuzz defines. libFuzzer calls it with each input when the harnesses are built
 * with --enable-fuzzers (clang); fuzz-main.c calls it with the files of the seed corpus and the regressions
 * in every other build, so that `make check` replays them, under ASan+UBSan in the sanitizer build. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of data, for the functions that take C strings; NULL when out of memory. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (s) {
                memcpy(s, data, size);
                s[size] = 0;
        }
        return s;
}

/* A failed invariant: abort() shows in both libFuzzer (a crash with its input saved) and fuzz-main. */
#define FUZZ_ASSERT(expr)                                                                                  \
        do {                                                                                               \
                if (!(expr))                                                                               \
                        abort();                                                                           \
        } while (0)
