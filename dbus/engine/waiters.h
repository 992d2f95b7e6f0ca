/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Who waits for something that finishes later (a token fetch, a keyring read, an issuer's metadata): one list
 * type for all of them, callbacks only. The engine never knows which transport a waiter answers; a D-Bus
 * call, a token-socket request and an internal step (a token exchange waiting for its subject token) all
 * wait the same way. */

/* `subject` is what was waited for (a TokenEntry, ServerMetadata, ...; see the list's owner), error 0 or
 * -errno with a message for the caller (NULL on success). */
typedef void (*waiter_fn)(void *subject, int error, const char *message, void *userdata);

typedef struct Waiter Waiter;

typedef struct WaiterList {
        Waiter *head, *tail;
        size_t n;
} WaiterList;

/* Appends a waiter: answered after the ones that came before it. -ENOMEM. */
int waiters_add(WaiterList *l, waiter_fn fn, void *userdata);

static inline bool waiters_empty(const WaiterList *l) {
        return !l->head;
}

/* Takes every waiter off the list, then calls each once, in arrival order. A callback may add to the list
 * (a new fetch) or free its owner: the detached waiters are not touched through it. */
void waiters_finish(WaiterList *l, void *subject, int error, const char *message);
