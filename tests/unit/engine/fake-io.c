/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake-io.h"
#include "io.h"
#include "string-util.h"

/* --- clock and timers --------------------------------------------------------------------------------- */

/* Any fixed point will do; a realistic wall clock keeps expiry arithmetic in the ranges the daemon sees. */
#define FAKE_REALTIME_START (1800000000ULL * 1000000ULL)
#define FAKE_MONOTONIC_START (1000ULL * 1000000ULL)

static uint64_t elapsed;
uint64_t fake_random;

struct IoTimer {
        uint64_t due;           /* in `elapsed` terms */
        io_timer_fn fn;
        void *userdata;
        IoTimer *next;
};

static IoTimer *timers;

uint64_t io_now(clockid_t clock) {
        return (clock == CLOCK_REALTIME ? FAKE_REALTIME_START : FAKE_MONOTONIC_START) + elapsed;
}

uint64_t io_random_u64(void) {
        return fake_random;
}

int io_timer_start(sd_event *event, uint64_t delay_usec, uint64_t accuracy_usec, io_timer_fn fn, void *userdata,
                   IoTimer **ret) {
        IoTimer *t = calloc(1, sizeof(*t));

        if (!t)
                return -ENOMEM;
        t->due = elapsed + delay_usec;
        t->fn = fn;
        t->userdata = userdata;
        t->next = timers;
        timers = t;
        *ret = t;
        return 0;
}

IoTimer *io_timer_free(IoTimer *t) {
        for (IoTimer **p = &timers; *p; p = &(*p)->next)
                if (*p == t) {
                        *p = t->next;
                        free(t);
                        break;
                }
        return NULL;
}

static IoTimer *earliest(void) {
        IoTimer *best = NULL;

        for (IoTimer *t = timers; t; t = t->next)
                if (!best || t->due < best->due)
                        best = t;
        return best;
}

void fake_clock_advance(uint64_t usec) {
        uint64_t end = elapsed + usec;
        IoTimer *t;

        /* One timer at a time: its callback may free or start others. A fired timer stays registered until
         * its owner frees it, as the engine does first thing in every callback; it is marked spent here. */
        while ((t = earliest()) && t->due <= end) {
                elapsed = MAX(elapsed, t->due);
                t->due = UINT64_MAX;
                t->fn(t->userdata);
        }
        elapsed = end;
}

unsigned fake_timers_pending(void) {
        unsigned n = 0;

        for (IoTimer *t = timers; t; t = t->next)
                n += t->due != UINT64_MAX;
        return n;
}

/* --- HTTP ----------------------------------------------------------------------------------------------- */

struct HttpRequest {
        FakeRequest req;
        http_callback_t cb;
        void *userdata;
        HttpRequest *next;
};

static HttpRequest *requests;   /* oldest first */
static unsigned started;
static bool refusing;

int http_client_start(HttpClient *c, const HttpRequestParams *p, http_callback_t cb, void *userdata,
                      HttpRequest **ret) {
        HttpRequest *r, **tail;

        /* The real client's own refusals, so that the engine's handling of them is tested too. */
        if (refusing)
                return -ESHUTDOWN;
        if (!http_url_is_allowed(p->url))
                return -EPROTONOSUPPORT;
        if (p->deadline_usec > 0 && io_now(CLOCK_MONOTONIC) >= p->deadline_usec)
                return -ETIMEDOUT;

        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->req.url = strdup(p->url);
        r->req.method = strdup(p->method ?: "GET");
        r->req.body = p->body ? strdup(p->body) : NULL;
        r->req.authorization = p->authorization ? strdup(p->authorization) : NULL;
        STRV_FOREACH(h, (char **) p->extra_headers)
                if (startswith(*h, "DPoP: ")) {
                        free(r->req.dpop);
                        r->req.dpop = strdup(*h + strlen("DPoP: "));
                }
        r->req.deadline_usec = p->deadline_usec;
        r->cb = cb;
        r->userdata = userdata;
        for (tail = &requests; *tail; tail = &(*tail)->next)
                ;
        *tail = r;
        started++;
        if (ret)
                *ret = r;
        return 0;
}

static void request_free(HttpRequest *r) {
        free(r->req.url);
        free(r->req.method);
        free(r->req.dpop);
        free(r->req.body);
        free(r->req.authorization);
        free(r);
}

static HttpRequest *unlink_oldest(void) {
        HttpRequest *r = requests;

        if (r)
                requests = r->next;
        return r;
}

void http_request_cancel(HttpRequest *r) {
        for (HttpRequest **p = &requests; *p; p = &(*p)->next)
                if (*p == r) {
                        *p = r->next;
                        request_free(r);
                        return;
                }
}

int http_url_is_allowed(const char *url) {
        return startswith(url, "https://") || startswith(url, "http://127.0.0.1") ||
               startswith(url, "http://localhost");
}

unsigned http_client_in_flight(HttpClient *c) {
        return fake_http_pending();
}

void http_client_refuse_new(HttpClient *c) {
        refusing = true;
}

unsigned fake_http_pending(void) {
        unsigned n = 0;

        for (HttpRequest *r = requests; r; r = r->next)
                n++;
        return n;
}

unsigned fake_http_started(void) {
        return started;
}

const FakeRequest *fake_http_next(void) {
        return requests ? &requests->req : NULL;
}

static void answer(long status, const char *body, int retry_after_sec, const char *dpop_nonce) {
        HttpRequest *r = unlink_oldest();
        HttpResult res = {
                .status = status,
                .body = body ?: "",
                .body_size = body ? strlen(body) : 0,
                .retry_after_sec = retry_after_sec,
                .content_type = "application/json",
                .dpop_nonce = dpop_nonce,
        };

        if (r)
                res.url = r->req.url;

        if (!r)
                abort();
        r->cb(&res, r->userdata);
        request_free(r);
}

void fake_http_answer(long status, const char *body, int retry_after_sec) {
        answer(status, body, retry_after_sec, NULL);
}

void fake_http_answer_dpop(long status, const char *body, const char *dpop_nonce) {
        answer(status, body, -1, dpop_nonce);
}

void fake_http_fail(int error) {
        HttpRequest *r = unlink_oldest();
        HttpResult res = {
                .error = error,
                .error_text = strerror(-error),
                .body = "",
                .retry_after_sec = -1,
        };

        if (!r)
                abort();
        r->cb(&res, r->userdata);
        request_free(r);
}

/* --- keyring -------------------------------------------------------------------------------------------- */

typedef struct Secret {
        char *account, *kind, *value;
        struct Secret *next;
} Secret;

typedef struct Job {
        KeyringOp op;
        char *account, *kind, *secret;
        keyring_callback_t cb;
        void *userdata;
        struct Job *next;
} Job;

static Secret *secrets;
static Job *jobs;               /* oldest first */
static FakeKeyringMode mode;

void fake_keyring_set_mode(FakeKeyringMode m) {
        mode = m;
}

static Secret **find_secret(const char *account, const char *kind) {
        Secret **p;

        for (p = &secrets; *p; p = &(*p)->next)
                if (streq((*p)->account, account) && streq((*p)->kind, kind))
                        break;
        return p;
}

void fake_keyring_put(const char *account, const char *kind, const char *value) {
        Secret **p = find_secret(account, kind), *s = *p;

        if (!value) {
                if (s) {
                        *p = s->next;
                        free(s->account);
                        free(s->kind);
                        free(s->value);
                        free(s);
                }
                return;
        }
        if (!s) {
                s = calloc(1, sizeof(*s));
                s->account = strdup(account);
                s->kind = strdup(kind);
                *p = s;
        }
        free(s->value);
        s->value = strdup(value);
}

const char *fake_keyring_get(const char *account, const char *kind) {
        Secret *s = *find_secret(account, kind);

        return s ? s->value : NULL;
}

int keyring_worker_submit(KeyringWorker *w, KeyringOp op, const char *account, const char *kind,
                          const char *secret, keyring_callback_t cb, void *userdata) {
        Job *j = calloc(1, sizeof(*j)), **tail;

        if (!j)
                return -ENOMEM;
        j->op = op;
        j->account = strdup(account);
        j->kind = kind ? strdup(kind) : NULL;
        j->secret = secret ? strdup(secret) : NULL;
        j->cb = cb;
        j->userdata = userdata;
        for (tail = &jobs; *tail; tail = &(*tail)->next)
                ;
        *tail = j;
        return 0;
}

unsigned keyring_worker_pending(KeyringWorker *w) {
        return fake_keyring_pending();
}

unsigned fake_keyring_pending(void) {
        unsigned n = 0;

        for (Job *j = jobs; j; j = j->next)
                n++;
        return n;
}

static void job_free(Job *j) {
        free(j->account);
        free(j->kind);
        free(j->secret);
        free(j);
}

/* A LOAD_ALL answer: kind, secret, ..., NULL, owned by the callback. */
static char **all_secrets(const char *account) {
        char **l = calloc(1, sizeof(char *));
        size_t n = 0;

        for (Secret *s = secrets; s; s = s->next)
                if (streq(s->account, account)) {
                        l = realloc(l, (n + 3) * sizeof(char *));
                        l[n++] = strdup(s->kind);
                        l[n++] = strdup(s->value);
                        l[n] = NULL;
                }
        return l;
}

static void do_job(Job *j) {
        if (mode == FAKE_KEYRING_LOCKED) {
                j->cb(-ENOLCK, NULL, j->userdata);
                return;
        }
        switch (j->op) {
        case KEYRING_OP_LOAD_ALL:
                j->cb(0, all_secrets(j->account), j->userdata);
                return;
        case KEYRING_OP_STORE:
                fake_keyring_put(j->account, j->kind, j->secret);
                break;
        case KEYRING_OP_CLEAR:
                if (j->kind)
                        fake_keyring_put(j->account, j->kind, NULL);
                else
                        for (Secret *s = secrets, *next; s; s = next) {
                                next = s->next;
                                if (streq(s->account, j->account))
                                        fake_keyring_put(s->account, s->kind, NULL);
                        }
                break;
        }
        j->cb(0, NULL, j->userdata);
}

unsigned fake_keyring_run(void) {
        unsigned n = 0;
        Job *j;

        /* Jobs a callback queues wait for the next run, as they would wait for the worker thread. */
        for (Job *batch = TAKE_PTR(jobs); (j = batch); n++) {
                batch = j->next;
                do_job(j);
                job_free(j);
        }
        return n;
}

unsigned fake_keyring_time_out(void) {
        unsigned n = 0;
        Job *j;

        for (Job *batch = TAKE_PTR(jobs); (j = batch); n++) {
                batch = j->next;
                j->cb(-ETIMEDOUT, NULL, j->userdata);
                job_free(j);
        }
        return n;
}

/* --- blocking work: run when the test says -------------------------------------------------------------- */

struct IoJob {
        io_job_fn work, done;
        void *userdata;
        bool worked;            /* its thread would have finished: fake_io_jobs_work() */
        IoJob *next;
};

static IoJob *io_jobs;          /* oldest first */

int io_job_start(sd_event *event, io_job_fn work, io_job_fn done, void *userdata, IoJob **ret) {
        IoJob *j = calloc(1, sizeof(*j)), **tail;

        if (!j)
                return -ENOMEM;
        j->work = work;
        j->done = done;
        j->userdata = userdata;
        for (tail = &io_jobs; *tail; tail = &(*tail)->next)
                ;
        *tail = j;
        *ret = j;
        return 0;
}

IoJob *io_job_free(IoJob *j) {
        for (IoJob **p = &io_jobs; *p; p = &(*p)->next)
                if (*p == j) {
                        /* Like the real one, which waits for the thread: the work is done, unheard. */
                        *p = j->next;
                        if (!j->worked)
                                j->work(j->userdata);
                        free(j);
                        break;
                }
        return NULL;
}

unsigned fake_io_jobs_pending(void) {
        unsigned n = 0;

        for (IoJob *j = io_jobs; j; j = j->next)
                n++;
        return n;
}

unsigned fake_io_jobs_work(void) {
        unsigned n = 0;

        for (IoJob *j = io_jobs; j; j = j->next)
                if (!j->worked) {
                        j->work(j->userdata);
                        j->worked = true;
                        n++;
                }
        return n;
}

unsigned fake_io_jobs_run(void) {
        unsigned n = 0;

        /* Only those queued now: a done() that starts another job leaves it for the next call. */
        for (unsigned pending = fake_io_jobs_pending(); pending > 0 && io_jobs; pending--, n++) {
                IoJob *j = io_jobs;

                io_jobs = j->next;
                if (!j->worked)
                        j->work(j->userdata);
                /* Gone before done(), as the real one is. */
                io_job_fn done = j->done;
                void *userdata = j->userdata;
                free(j);
                done(userdata);
        }
        return n;
}

void fake_io_reset(void) {
        while (requests)
                request_free(unlink_oldest());
        for (Job *j = TAKE_PTR(jobs), *next; j; j = next) {
                next = j->next;
                job_free(j);
        }
        while (timers)
                io_timer_free(timers);
        while (io_jobs)
                io_job_free(io_jobs);
        while (secrets)
                fake_keyring_put(secrets->account, secrets->kind, NULL);
        mode = FAKE_KEYRING_OPEN;
        fake_random = 0;
        started = 0;
        refusing = false;
}
