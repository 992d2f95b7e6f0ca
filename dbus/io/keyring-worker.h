/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

/* libsecret's calls block for a D-Bus round trip to the keyring (milliseconds, far longer while it prompts or
 * restarts). They run on one worker thread; results come back to the event loop through an eventfd, so the
 * daemon keeps serving cache hits while the keyring is slow. Jobs run in the order they were queued: a
 * rotated refresh token queued for storing is stored before any later job of the same account runs. A job
 * the keyring does not finish within KEYRING_TIMEOUT_USEC is answered with -ETIMEDOUT. */

typedef struct KeyringWorker KeyringWorker;

typedef enum KeyringOp {
        KEYRING_OP_LOAD_ALL,    /* account */
        KEYRING_OP_STORE,       /* account, kind, secret */
        KEYRING_OP_CLEAR,       /* account, kind (NULL: all) */
} KeyringOp;

/* Runs on the event loop. `r` is the job's result (-errno); `secrets` (LOAD_ALL only) is
 * kind, secret, ..., NULL and belongs to the callback (free with strv_free_erase). */
typedef void (*keyring_callback_t)(int r, char **secrets, void *userdata);

int keyring_worker_new(sd_event *event, KeyringWorker **ret);
KeyringWorker *keyring_worker_free(KeyringWorker *w);

/* Queues a job. The secret is copied (and wiped after use). The callback runs once, later. */
int keyring_worker_submit(KeyringWorker *w, KeyringOp op, const char *account, const char *kind,
                          const char *secret, keyring_callback_t cb, void *userdata);

unsigned keyring_worker_pending(KeyringWorker *w);

/* A job not finished this long after it was queued (10 s unless set) is answered with -ETIMEDOUT; when the
 * keyring answers after all, the result goes to nobody. */
#define KEYRING_TIMEOUT_DEFAULT_USEC (10ULL * 1000000ULL)
void keyring_worker_set_timeout(KeyringWorker *w, uint64_t usec);

/* One wording per keyring failure, for every caller: -ENOLCK (locked), -EHOSTUNREACH (no Secret Service),
 * -ETIMEDOUT (hung), -EPROTO (a stored secret that is not valid), anything else. */
const char *keyring_error_message(int r);
/* The error a keyring failure is to callers: -ETIMEDOUT is -EHOSTUNREACH (Unavailable), -EPROTO (a stored
 * secret that is not valid) -ENOKEY (MissingSecret). */
int keyring_error_errno(int r);
