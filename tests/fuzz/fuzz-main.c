/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stand-in for libFuzzer's driver, linked with each harness in builds without --enable-fuzzers: it runs
 * LLVMFuzzerTestOneInput() once per file named on the command line (a directory stands for the files in it,
 * in name order), so `make check` replays the seed corpus and the regressions with any compiler, and under
 * ASan+UBSan in the sanitizer build. Each input gets a buffer of exactly its size, so that reading one byte
 * past it is caught. Options starting with '-' are ignored, as libFuzzer's would be meaningless here. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path, unsigned *count) {
        struct stat st;
        uint8_t *buf;
        size_t n = 0;
        FILE *f;

        f = fopen(path, "re");
        if (!f || fstat(fileno(f), &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                if (f)
                        fclose(f);
                return -1;
        }
        /* malloc(0) may return NULL; one byte is allocated then, and none of it is passed on. */
        buf = malloc(st.st_size > 0 ? (size_t) st.st_size : 1);
        if (!buf) {
                fclose(f);
                return -1;
        }
        n = st.st_size > 0 ? fread(buf, 1, (size_t) st.st_size, f) : 0;
        fclose(f);
        if (n != (size_t) st.st_size) {
                fprintf(stderr, "%s: short read\n", path);
                free(buf);
                return -1;
        }
        fprintf(stderr, "Running: %s (%zu bytes)\n", path, n);
        (void) LLVMFuzzerTestOneInput(buf, n);
        free(buf);
        (*count)++;
        return 0;
}

static int compare(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

static int run_dir(const char *path, unsigned *count) {
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        DIR *d;
        int r = 0;

        d = opendir(path);
        if (!d) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        while ((de = readdir(d))) {
                char **l;

                if (de->d_name[0] == '.')
                        continue;
                l = realloc(names, (n + 1) * sizeof(char *));
                if (!l) {
                        r = -1;
                        break;
                }
                names = l;
                if (asprintf(&names[n], "%s/%s", path, de->d_name) < 0) {
                        r = -1;
                        break;
                }
                n++;
        }
        closedir(d);
        if (names)
                qsort(names, n, sizeof(char *), compare);
        for (size_t i = 0; i < n; i++) {
                if (r >= 0 && run_file(names[i], count) < 0)
                        r = -1;
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char *argv[]) {
        unsigned count = 0;
        int r = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;

                if (argv[i][0] == '-')
                        continue;
                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        r = -1;
                } else if (S_ISDIR(st.st_mode)) {
                        if (run_dir(argv[i], &count) < 0)
                                r = -1;
                } else if (run_file(argv[i], &count) < 0)
                        r = -1;
        }
        fprintf(stderr, "Executed %u inputs.\n", count);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
