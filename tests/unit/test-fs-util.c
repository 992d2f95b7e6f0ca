/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fs-util.h"
#include "string-util.h"
#include "tap.h"

#define LIMIT (1024U * 1024U)

static char tmpdir[] = "/tmp/test-fs-util.XXXXXX";

static char *make_file(const char *name, off_t size) {
        char *path = strjoin(tmpdir, "/", name);
        int fd;

        assert(path);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert(fd >= 0);
        /* Sparse: a file of any size costs no disk. */
        assert(ftruncate(fd, size) == 0);
        close(fd);
        return path;
}

static void test_refused(const char *what, const char *path, int want, const char *want_reason) {
        const char *reason = NULL;
        int fd = -1;

        is_int(open_regular_file_bounded(path, LIMIT, &fd, &reason), want, "%s: refused", what);
        is_str(reason, want_reason, "%s: \"%s\"", what, want_reason);
        is_int(fd, -1, "%s: no descriptor", what);
}

int main(void) {
        _cleanup_free_ char *good = NULL, *exact = NULL, *over = NULL, *huge = NULL, *fifo = NULL,
                            *missing = NULL, *link = NULL, *dangling = NULL;
        const char *reason = NULL;
        struct stat st;
        int fd = -1, r;

        if (!mkdtemp(tmpdir))
                return 99;

        good = make_file("ca.pem", 1234);
        r = open_regular_file_bounded(good, LIMIT, &fd, &reason);
        is_int(r, 0, "a small regular file is accepted");
        ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode), "... with an open descriptor to it");
        ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "... close-on-exec");
        ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "... read-only");
        ok(!reason, "... and no reason");
        if (fd >= 0)
                close(fd);
        is_int(open_regular_file_bounded(good, LIMIT, NULL, NULL), 0,
               "a check without a descriptor or reason");

        /* Both sides of the limit. */
        exact = make_file("exact.pem", LIMIT);
        is_int(open_regular_file_bounded(exact, LIMIT, NULL, NULL), 0, "exactly the limit is accepted");
        over = make_file("over.pem", LIMIT + 1);
        test_refused("one byte over the limit", over, -EFBIG, "is larger than the limit");
        huge = make_file("huge.pem", (off_t) 1 << 40);
        test_refused("a sparse 1 TiB file", huge, -EFBIG, "is larger than the limit");

        fifo = strjoin(tmpdir, "/fifo");
        ok(mkfifo(fifo, 0600) == 0, "FIFO made");
        test_refused("a FIFO (nobody writing: opening or reading it must not block)", fifo, -EBADFD,
                     "is not a regular file");
        test_refused("/dev/zero", "/dev/zero", -EBADFD, "is not a regular file");
        test_refused("/dev/null", "/dev/null", -EBADFD, "is not a regular file");
        test_refused("a directory", tmpdir, -EISDIR, "is a directory");

        missing = strjoin(tmpdir, "/missing.pem");
        test_refused("a missing file", missing, -ENOENT, "does not exist");
        dangling = strjoin(tmpdir, "/dangling.pem");
        ok(symlink(missing, dangling) == 0, "dangling link made");
        test_refused("a dangling link", dangling, -ENOENT, "does not exist");

        /* CA bundles are often links into /etc/ssl/certs; a link to a good file is that file. */
        link = strjoin(tmpdir, "/link.pem");
        ok(symlink(good, link) == 0, "link made");
        is_int(open_regular_file_bounded(link, LIMIT, NULL, NULL), 0, "a link to a good file is accepted");
        (void) unlink(link);
        ok(symlink("/dev/zero", link) == 0, "link to /dev/zero made");
        test_refused("a link to /dev/zero", link, -EBADFD, "is not a regular file");

        if (geteuid() != 0) {
                ok(chmod(good, 0) == 0, "file made unreadable");
                test_refused("an unreadable file", good, -EACCES, "cannot be opened");
        } else
                ok(true, "an unreadable file # SKIP root reads everything");

        {
                _cleanup_free_ char *cmd = strjoin("rm -rf '", tmpdir, "'");
                (void) system(cmd);
        }
        return tap_done();
}
