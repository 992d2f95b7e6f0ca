/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who is at the other end of a loopback TCP connection. Both ends of such a connection are sockets of this
 * machine, so the kernel knows the peer socket's owner: NETLINK_SOCK_DIAG answers an exact lookup of it
 * (what `ss -e` shows), and /proc/net/tcp{,6} lists it too, for kernels without the inet_diag module. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc-util.h"
#include "log.h"
#include "loopback-peer.h"
#include "macro.h"

static void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}

/* The diag request names a socket by its own view: its source is the peer's address, its destination ours. */
static int diag_lookup(const struct sockaddr_storage *local, const struct sockaddr_storage *peer, uid_t *ret) {
        struct {
                struct nlmsghdr nlh;
                struct inet_diag_req_v2 req;
        } msg = {
                .nlh = {
                        .nlmsg_len = sizeof(msg),
                        .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                        .nlmsg_flags = NLM_F_REQUEST,
                        .nlmsg_seq = 1,
                },
                .req = {
                        .sdiag_family = (uint8_t) peer->ss_family,
                        .sdiag_protocol = IPPROTO_TCP,
                        .idiag_states = ~0U,
                        .id.idiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE },
                },
        };
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        union {
                struct nlmsghdr nlh;
                char buf[8192];
        } answer;
        _cleanup_close_ int fd = -1;
        ssize_t n;

        if (peer->ss_family == AF_INET) {
                const struct sockaddr_in *p = (const struct sockaddr_in *) peer, *l = (const struct sockaddr_in *) local;

                msg.req.id.idiag_sport = p->sin_port;
                msg.req.id.idiag_dport = l->sin_port;
                memcpy(msg.req.id.idiag_src, &p->sin_addr, sizeof(p->sin_addr));
                memcpy(msg.req.id.idiag_dst, &l->sin_addr, sizeof(l->sin_addr));
        } else {
                const struct sockaddr_in6 *p = (const struct sockaddr_in6 *) peer,
                                          *l = (const struct sockaddr_in6 *) local;

                msg.req.id.idiag_sport = p->sin6_port;
                msg.req.id.idiag_dport = l->sin6_port;
                memcpy(msg.req.id.idiag_src, &p->sin6_addr, sizeof(p->sin6_addr));
                memcpy(msg.req.id.idiag_dst, &l->sin6_addr, sizeof(l->sin6_addr));
        }

        fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd < 0)
                return -errno;
        if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0)
                return -errno;
        n = recv(fd, &answer, sizeof(answer), 0);
        if (n < 0)
                return -errno;

        for (struct nlmsghdr *h = &answer.nlh; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                if (h->nlmsg_type == NLMSG_ERROR) {
                        const struct nlmsgerr *e = NLMSG_DATA(h);
                        return e->error < 0 ? e->error : -EIO;
                }
                if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
                        const struct inet_diag_msg *d = NLMSG_DATA(h);
                        *ret = d->idiag_uid;
                        return 0;
                }
        }
        return -ENOENT;
}

/* /proc/net/tcp lists "sl local_address rem_address st ... uid ...", addresses as hex of the bytes in
 * memory order and ports in host order: the line whose local end is the peer and remote end is ours. */
static int proc_lookup(const struct sockaddr_storage *local, const struct sockaddr_storage *peer, uid_t *ret) {
        char want_local[64], want_remote[64], line[512];
        const uint8_t *pa, *la;
        size_t alen;
        unsigned pport, lport;
        _cleanup_(fclosep) FILE *f = NULL;

        if (peer->ss_family == AF_INET) {
                pa = (const uint8_t *) &((const struct sockaddr_in *) peer)->sin_addr;
                la = (const uint8_t *) &((const struct sockaddr_in *) local)->sin_addr;
                alen = 4;
                pport = ntohs(((const struct sockaddr_in *) peer)->sin_port);
                lport = ntohs(((const struct sockaddr_in *) local)->sin_port);
        } else {
                pa = (const uint8_t *) &((const struct sockaddr_in6 *) peer)->sin6_addr;
                la = (const uint8_t *) &((const struct sockaddr_in6 *) local)->sin6_addr;
                alen = 16;
                pport = ntohs(((const struct sockaddr_in6 *) peer)->sin6_port);
                lport = ntohs(((const struct sockaddr_in6 *) local)->sin6_port);
        }
        /* Each 32-bit word is printed as a host-order number: on little-endian machines its bytes reversed. */
        for (size_t w = 0; w < alen / 4; w++) {
                uint32_t pw, lw;

                memcpy(&pw, pa + w * 4, 4);
                memcpy(&lw, la + w * 4, 4);
                (void) snprintf(want_local + w * 8, sizeof(want_local) - w * 8, "%08X", pw);
                (void) snprintf(want_remote + w * 8, sizeof(want_remote) - w * 8, "%08X", lw);
        }
        (void) snprintf(want_local + alen * 2, sizeof(want_local) - alen * 2, ":%04X", pport);
        (void) snprintf(want_remote + alen * 2, sizeof(want_remote) - alen * 2, ":%04X", lport);

        f = fopen(peer->ss_family == AF_INET ? "/proc/net/tcp" : "/proc/net/tcp6", "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                char l[64], r[64];
                unsigned long uid;

                if (sscanf(line, " %*s %63s %63s %*s %*s %*s %*s %lu", l, r, &uid) != 3)
                        continue;
                if (strcasecmp(l, want_local) == 0 && strcasecmp(r, want_remote) == 0) {
                        *ret = (uid_t) uid;
                        return 0;
                }
        }
        return -ENOENT;
}

int loopback_peer_uid(int fd, uid_t *ret) {
        struct sockaddr_storage local = {}, peer = {};
        socklen_t llen = sizeof(local), plen = sizeof(peer);
        int r;

        if (getsockname(fd, (struct sockaddr *) &local, &llen) < 0 ||
            getpeername(fd, (struct sockaddr *) &peer, &plen) < 0)
                return -errno;
        if (!IN_SET(peer.ss_family, AF_INET, AF_INET6) || peer.ss_family != local.ss_family)
                return -EAFNOSUPPORT;

        r = diag_lookup(&local, &peer, ret);
        if (r >= 0)
                return 0;
        log_debug_errno(r, "sock_diag lookup of a loopback peer failed, reading /proc/net: %m");
        return proc_lookup(&local, &peer, ret);
}
