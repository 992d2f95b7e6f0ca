/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "caller.h"
#include "manager.h"

/* The token socket, $XDG_RUNTIME_DIR/tokenbroker/token: the front ends' fast path, speaking the messages of
 * lib/wire/wire-api.h. token-socket.c listens and moves bytes; token-socket-methods.c answers. */

/* A peer of the socket as a Caller (engine/caller.h): its uid and pid from SO_PEERCRED when it connected. */
typedef struct SocketCaller {
        Caller caller;
        uid_t uid;
        pid_t pid;
} SocketCaller;

/* One connection. Requests are taken one at a time: while one waits for a token fetch, later ones stay in
 * the buffer. A waiter holds a reference, so the connection outlives a peer that hung up meanwhile. */

typedef struct TokenConn {
        unsigned n_ref;
        Manager *manager;
        SocketCaller caller;            /* checked on every request */
        int fd;
        uint32_t events;                /* what the manager's token epoll set waits for on fd; 0: not in it */
        sd_event_source *idle_source;   /* closes a connection idle for WIRE_IDLE_TIMEOUT_USEC */
        sd_event_source *defer_source;  /* takes the next request once an answer was sent from a callback */
        uint64_t last_active_usec;      /* CLOCK_MONOTONIC of its last request or answer: the idle time-out
                                         * counts from it, and making room at the cap */
        char *in;                       /* received, not yet taken: may hold a token (Invalidate); wiped */
        size_t in_size, in_allocated;
        char *out;                      /* an answer not yet written: holds a token; wiped */
        size_t out_size, out_done;
        bool busy;                      /* a request is waiting for its answer */
        bool eof;                       /* the peer sends nothing more */
        bool close_when_sent;           /* a framing error was answered: close after it is written */
        bool closed;                    /* dropped; only references of waiters keep it */
        const char *pending_method;     /* the request waiting for a fetch (token-socket-methods.c) */
        char *pending_account;          /* ... and the account it is for */
        const char *pending_tool;       /* ... and GitCredential's "tool": "git", "docker" or "cargo" (static) */
} TokenConn;

TokenConn *token_conn_ref(TokenConn *c);
TokenConn *token_conn_unref(TokenConn *c);

/* Answers the request being handled with {"parameters": parameters} (taken), or with an error: the name of
 * -errno `error` (lib/wire's table) and `message` (NULL: strerror()); "account" is added to the error's
 * parameters when given. The connection then takes its next request. */
void token_conn_reply(TokenConn *c, json_object *parameters);
void token_conn_reply_error(TokenConn *c, int error, const char *message, const char *account);

/* The request now waits for a callback, which answers it with token_conn_reply*(). */
void token_conn_wait(TokenConn *c);

/* Closes every connection; their waiters still run and find them closed. */
void token_socket_close_all(Manager *m);

/* token-socket-methods.c: handles one parsed request; answers now, or calls token_conn_wait(). */
void token_socket_dispatch(TokenConn *c, json_object *request);
