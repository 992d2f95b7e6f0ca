/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "alloc-util.h"
#include "keyring-worker.h"
#include "keyring.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"

typedef struct Job Job;
struct Job {
        Job *next;                      /* in todo or done, guarded by the lock */
        Job *next_outstanding;          /* event loop only: submitted, not yet delivered */
        uint64_t deadline_usec;         /* CLOCK_MONOTONIC: its caller hears -ETIMEDOUT then */
        bool abandoned;                 /* event loop only: the caller was told already */
        KeyringOp op;
        char *account;
        char *kind;
        char *secret;
        keyring_callback_t callback;
        void *userdata;
        int result;
        char **secrets;
};

struct KeyringWorker {
        sd_event_source *source;
        int efd;
        pthread_t thread;
        int thread_started;

        pthread_mutex_t lock;
        pthread_cond_t cond;
        Job *todo_head, *todo_tail;     /* guarded by lock */
        Job *done_head, *done_tail;     /* guarded by lock */
        int stop;                       /* guarded by lock */
        unsigned pending;               /* event loop only */
        /* Event loop only: every job not delivered yet, in order of submission, and the timer of the oldest
         * one's deadline. A hung keyring blocks the worker thread; its callers still hear within
         * KEYRING_TIMEOUT_USEC. */
        Job *outstanding_head, *outstanding_tail;
        sd_event_source *timeout_source;
        uint64_t timeout_usec;
};

static void job_free(Job *j) {
        if (!j)
                return;
        free(j->account);
        free(j->kind);
        erase_and_free(j->secret);
        strv_free_erase(j->secrets);
        free(j);
}

static void queue_push(Job **head, Job **tail, Job *j) {
        j->next = NULL;
        if (*tail)
                (*tail)->next = j;
        else
                *head = j;
        *tail = j;
}

static Job *queue_pop(Job **head, Job **tail) {
        Job *j = *head;

        if (j) {
                *head = j->next;
                if (!*head)
                        *tail = NULL;
                j->next = NULL;
        }
        return j;
}

static void run_job(Job *j) {
        switch (j->op) {
        case KEYRING_OP_LOAD_ALL:
                j->result = keyring_load_all(j->account, &j->secrets);
                break;
        case KEYRING_OP_STORE:
                j->result = keyring_store(j->account, j->kind, j->secret);
                break;
        case KEYRING_OP_CLEAR:
                j->result = keyring_clear(j->account, j->kind);
                break;
        }
        /* The worker's copy of the secret is not needed past this point. */
        j->secret = erase_and_free(j->secret);
}

static void *worker_main(void *p) {
        KeyringWorker *w = p;

        for (;;) {
                Job *j;
                uint64_t one = 1;

                pthread_mutex_lock(&w->lock);
                while (!w->todo_head && !w->stop)
                        pthread_cond_wait(&w->cond, &w->lock);
                if (!w->todo_head && w->stop) {
                        pthread_mutex_unlock(&w->lock);
                        break;
                }
                j = queue_pop(&w->todo_head, &w->todo_tail);
                pthread_mutex_unlock(&w->lock);

                run_job(j);

                pthread_mutex_lock(&w->lock);
                queue_push(&w->done_head, &w->done_tail, j);
                pthread_mutex_unlock(&w->lock);
                (void) write(w->efd, &one, sizeof(one));
        }
        return NULL;
}

static void outstanding_remove(KeyringWorker *w, Job *j) {
        Job *prev = NULL;

        for (Job *i = w->outstanding_head; i; prev = i, i = i->next_outstanding)
                if (i == j) {
                        if (prev)
                                prev->next_outstanding = j->next_outstanding;
                        else
                                w->outstanding_head = j->next_outstanding;
                        if (w->outstanding_tail == j)
                                w->outstanding_tail = prev;
                        j->next_outstanding = NULL;
                        return;
                }
}

/* The timer follows the oldest job whose caller has not been answered. */
static void timeout_rearm(KeyringWorker *w) {
        Job *j = w->outstanding_head;

        while (j && j->abandoned)
                j = j->next_outstanding;
        if (!j) {
                (void) sd_event_source_set_enabled(w->timeout_source, SD_EVENT_OFF);
                return;
        }
        (void) sd_event_source_set_time(w->timeout_source, j->deadline_usec);
        (void) sd_event_source_set_enabled(w->timeout_source, SD_EVENT_ONESHOT);
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        KeyringWorker *w = userdata;
        uint64_t now = now_usec(CLOCK_MONOTONIC);

        /* Callers are answered now; the jobs stay with the thread, which delivers them to nobody. */
        for (Job *j = w->outstanding_head; j && j->deadline_usec <= now; j = j->next_outstanding) {
                if (j->abandoned)
                        continue;
                j->abandoned = true;
                log_warning("The keyring did not answer within %llu s.",
                            (unsigned long long) (w->timeout_usec / USEC_PER_SEC));
                j->callback(-ETIMEDOUT, NULL, j->userdata);
        }
        timeout_rearm(w);
        return 0;
}

static int on_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        KeyringWorker *w = userdata;
        uint64_t v;
        Job *done;

        (void) read(w->efd, &v, sizeof(v));

        pthread_mutex_lock(&w->lock);
        done = w->done_head;
        w->done_head = w->done_tail = NULL;
        pthread_mutex_unlock(&w->lock);

        while (done) {
                Job *j = done;
                done = j->next;
                w->pending--;
                outstanding_remove(w, j);
                if (!j->abandoned)
                        j->callback(j->result, TAKE_PTR(j->secrets), j->userdata);
                job_free(j);
        }
        timeout_rearm(w);
        return 0;
}

int keyring_worker_new(sd_event *event, KeyringWorker **ret) {
        KeyringWorker *w;
        int r;

        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->timeout_usec = KEYRING_TIMEOUT_DEFAULT_USEC;
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->cond, NULL);

        w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->efd < 0) {
                r = -errno;
                keyring_worker_free(w);
                return r;
        }
        r = sd_event_add_io(event, &w->source, w->efd, EPOLLIN, on_done, w);
        if (r < 0) {
                keyring_worker_free(w);
                return r;
        }
        (void) sd_event_source_set_description(w->source, "keyring-worker");
        r = sd_event_add_time(event, &w->timeout_source, CLOCK_MONOTONIC, UINT64_MAX, USEC_PER_SEC / 10, on_timeout,
                              w);
        if (r < 0) {
                keyring_worker_free(w);
                return r;
        }
        (void) sd_event_source_set_enabled(w->timeout_source, SD_EVENT_OFF);

        r = pthread_create(&w->thread, NULL, worker_main, w);
        if (r != 0) {
                keyring_worker_free(w);
                return -r;
        }
        w->thread_started = 1;

        *ret = w;
        return 0;
}

/* A worker whose thread hangs in the keyring at exit: it stays reachable here, never freed under the thread. */
static KeyringWorker *abandoned_worker = NULL;

KeyringWorker *keyring_worker_free(KeyringWorker *w) {
        Job *j;

        if (!w)
                return NULL;
        if (w->thread_started) {
                struct timespec ts;

                pthread_mutex_lock(&w->lock);
                w->stop = 1;
                pthread_cond_signal(&w->cond);
                pthread_mutex_unlock(&w->lock);
                /* A keyring that hangs must not keep the daemon from exiting. */
                (void) clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += 2;
                if (pthread_timedjoin_np(w->thread, NULL, &ts) != 0) {
                        log_warning("The keyring worker is stuck in a call to the keyring; exiting without it.");
                        w->source = sd_event_source_disable_unref(w->source);
                        w->timeout_source = sd_event_source_disable_unref(w->timeout_source);
                        abandoned_worker = w;
                        return NULL;
                }
        }
        /* Jobs that finished but were never delivered, and jobs never started: drop them, wiping secrets. */
        while ((j = queue_pop(&w->done_head, &w->done_tail)))
                job_free(j);
        while ((j = queue_pop(&w->todo_head, &w->todo_tail)))
                job_free(j);
        sd_event_source_disable_unref(w->source);
        sd_event_source_disable_unref(w->timeout_source);
        if (w->efd >= 0)
                (void) close(w->efd);
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
}

int keyring_worker_submit(KeyringWorker *w, KeyringOp op, const char *account, const char *kind,
                          const char *secret, keyring_callback_t cb, void *userdata) {
        Job *j;

        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        j->op = op;
        j->callback = cb;
        j->userdata = userdata;
        j->account = strdup(account);
        j->kind = kind ? strdup(kind) : NULL;
        j->secret = secret ? secret_strdup(secret) : NULL;
        if (!j->account || (kind && !j->kind) || (secret && !j->secret)) {
                job_free(j);
                return -ENOMEM;
        }

        j->deadline_usec = now_usec(CLOCK_MONOTONIC) + w->timeout_usec;
        if (w->outstanding_tail)
                w->outstanding_tail->next_outstanding = j;
        else
                w->outstanding_head = j;
        w->outstanding_tail = j;

        pthread_mutex_lock(&w->lock);
        queue_push(&w->todo_head, &w->todo_tail, j);
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        w->pending++;
        if (sd_event_source_get_enabled(w->timeout_source, NULL) == 0)
                timeout_rearm(w);
        return 0;
}

void keyring_worker_set_timeout(KeyringWorker *w, uint64_t usec) {
        w->timeout_usec = usec;
}

unsigned keyring_worker_pending(KeyringWorker *w) {
        return w->pending;
}
