/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-socket-floor ACCOUNT: the least a client of the token socket can do to get a token: connect to
 * $XDG_RUNTIME_DIR/tokenbroker/token, send one GetToken request, read the answer up to its NUL and print the
 * token. libc only, no JSON library (the token is cut out of the answer by its key), no fallback, no error
 * mapping: the floor `tokenbroker token` is compared with on its own transport. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "wire-api.h"

int main(int argc, char *argv[]) {
        static char answer[WIRE_REPLY_MAX];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *dir = getenv("XDG_RUNTIME_DIR");
        char request[512], *token, *end;
        size_t size = 0;
        int fd, n;

        if (argc != 2 || !dir)
                return 2;
        n = snprintf(request, sizeof(request), "{\"method\":\"%s\",\"parameters\":{\"account\":\"%s\"}}",
                     WIRE_METHOD_GET_TOKEN, argv[1]);
        if (n < 0 || (size_t) n >= sizeof(request) ||
            (size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/%s", dir, BROKER_RUNTIME_SUBDIR,
                              BROKER_TOKEN_SOCKET_NAME) >= sizeof(sa.sun_path))
                return 2;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || write(fd, request, (size_t) n + 1) != n + 1)
                return 1;
        while (size < sizeof(answer) - 1 && !memchr(answer, 0, size)) {
                ssize_t k = read(fd, answer + size, sizeof(answer) - 1 - size);
                if (k <= 0)
                        return 1;
                size += (size_t) k;
        }
        answer[size] = 0;
        token = strstr(answer, "\"token\":\"");
        if (!token)
                return 1;
        token += strlen("\"token\":\"");
        end = strchr(token, '"');
        if (!end)
                return 1;
        *end = 0;
        puts(token);
        return 0;
}
