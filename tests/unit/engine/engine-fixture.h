/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An engine on fake I/O (fake-io.h) with accounts made from account-file text, and a waiter that writes down
 * what it was told. Shared by the engine's unit tests. */

#include "account.h"
#include "caller.h"
#include "engine.h"
#include "fake-io.h"

typedef struct Answer {
        unsigned calls;
        unsigned order;         /* 1 for the first waiter answered since fixture_setup(), ... */
        int error;
        char *message;
        char *token;            /* the token handed out (error 0) */
        int64_t left_usec;      /* how long it had left when handed out */
        char *keyring_rt;       /* the keyring's refresh token of the account at that moment */
        const char *account;    /* set by the test: whose keyring_rt to note */
} Answer;

/* Events the engine emitted since fixture_setup(). */
typedef struct EventLog {
        unsigned token_refreshed;
        unsigned login_required;
        unsigned accounts_changed;
        int64_t last_expires_at;
} EventLog;

/* A caller as a transport would describe it: a uid and an executable. */
typedef struct TestCaller {
        Caller caller;
        uid_t uid;
        const char *exe;
} TestCaller;
extern const CallerOps fixture_caller_ops;
#define CALLER(u, e) (&(TestCaller) { .caller.ops = &fixture_caller_ops, .uid = (u), .exe = (e) }.caller)

extern Engine engine;
extern EventLog events;

/* Also gives the engine an empty accounts directory of its own (removed by fixture_teardown()). */
void fixture_setup(void);
void fixture_teardown(void);

/* An account from the text of its file ("[Account]\n..." is added), in the engine. */
Account *fixture_account(const char *name, const char *settings);

/* A waiter_fn for token_fetch_start(): userdata is an Answer. */
void fixture_note_answer(void *subject, int error, const char *message, void *userdata);
void answer_clear(Answer *a);

/* A token endpoint response body. */
char *token_json(const char *access_token, int expires_in, const char *refresh_token);
