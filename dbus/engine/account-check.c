/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One account looked at for `tokenbroker doctor`: its secrets read from the keyring (the same shared read a
 * token fetch makes), then its token endpoint found (discovery, for Issuer=) and asked with a GET: any HTTP
 * answer over verified TLS means it is there; a transport error says why not. Nothing is sent that holds a
 * secret, and no token is asked for.
 *
 * The keyring read and discovery call back through waiter lists that outlive a job cancelled at exit, so
 * their userdata is the job's number, looked up in eng->checks, never the job itself. */
#include <errno.h>
#include <stdlib.h>

#include "account-check.h"
#include "account-endpoints.h"
#include "account-secrets.h"
#include "account.h"
#include "alloc-util.h"
#include "string-util.h"

/* Long enough for a slow server, short enough for a person waiting at a terminal. */
#define PROBE_TIMEOUT_SEC 10U
/* Checks in flight at once, all callers together. */
#define CHECKS_MAX 32U

typedef struct CheckJob {
        Engine *engine;
        unsigned id;
        char *account;
        account_check_fn done;
        void *userdata;
        AccountCheck result;
        char *endpoint;                 /* result.endpoint: a copy, as a reload may free the account's */
        char *endpoint_message;
        HttpRequest *http;
} CheckJob;

static void job_free(CheckJob *j) {
        if (!j)
                return;
        http_request_cancel(j->http);
        strv_free(j->result.missing);
        free(j->endpoint);
        free(j->endpoint_message);
        free(j->account);
        free(j);
}

static void job_free_void(void *p) {
        job_free(p);
}

static CheckJob *job_find(Engine *eng, void *userdata) {
        return eng->checks ? g_hash_table_lookup(eng->checks, userdata) : NULL;
}

/* Answers, then frees the job (through the table). */
static void job_finish(CheckJob *j, int error, const char *message) {
        if (error < 0)
                j->done(error, message, NULL, j->userdata);
        else
                j->done(0, NULL, &j->result, j->userdata);
        g_hash_table_remove(j->engine->checks, GUINT_TO_POINTER(j->id));
}

static void on_probe(const HttpResult *res, void *userdata) {
        CheckJob *j = userdata;

        j->http = NULL;
        if (res->error < 0) {
                j->result.endpoint_error = res->error;
                j->endpoint_message = strdup(strna(res->error_text));
                j->result.endpoint_message = j->endpoint_message;
        }
        job_finish(j, 0, NULL);
}

static void probe(CheckJob *j, Account *a, const char *url) {
        HttpRequestParams p = {
                .url = url,
                .method = "GET",
                .ca_file = a->config->ca_file,
                .client_cert_file = a->config->client_cert_file,
                .client_key_file = a->config->client_key_file,
                .client_key_pem = a->config->client_key_file ? NULL : a->tls_key,
                .timeout_sec = PROBE_TIMEOUT_SEC,
        };
        int r;

        j->endpoint = strdup(url);
        if (!j->endpoint) {
                job_finish(j, -ENOMEM, "Out of memory.");
                return;
        }
        j->result.endpoint = j->endpoint;
        if (a->config->client_cert_file && !p.client_key_file && !p.client_key_pem)
                p.client_cert_file = NULL;      /* the missing tls-key is reported with the secrets */
        r = http_client_start(a->engine->http, &p, on_probe, j, &j->http);
        if (r < 0) {
                j->result.endpoint_error = r;
                (void) http_start_error(r, "request", &j->endpoint_message);
                j->result.endpoint_message = j->endpoint_message;
                job_finish(j, 0, NULL);
        }
}

/* What a keyring read or a discovery waits with: the job by number, with its engine. */
typedef struct Ticket {
        Engine *engine;
        unsigned id;
} Ticket;

static Ticket *ticket_new(CheckJob *j) {
        Ticket *t = malloc(sizeof(*t));

        if (t)
                *t = (Ticket) { .engine = j->engine, .id = j->id };
        return t;
}

/* The job a ticket names, if it still runs, and its account, if it still exists; frees the ticket. */
static CheckJob *ticket_redeem(Ticket *t, Account **ret_account) {
        CheckJob *j = job_find(t->engine, GUINT_TO_POINTER(t->id));

        free(t);
        if (!j)
                return NULL;
        *ret_account = engine_account(j->engine, j->account);
        if (!*ret_account) {
                job_finish(j, -ESRCH, "The account was removed.");
                return NULL;
        }
        return j;
}

static void find_endpoint(CheckJob *j, Account *a);

static void on_discovered(void *metadata, int error, const char *message, void *userdata) {
        Account *a;
        CheckJob *j = ticket_redeem(userdata, &a);

        if (!j)
                return;
        if (error < 0) {
                j->result.endpoint_error = error;
                j->endpoint_message = strdup(strna(message));
                j->result.endpoint_message = j->endpoint_message;
                job_finish(j, 0, NULL);
                return;
        }
        find_endpoint(j, a);
}

static void find_endpoint(CheckJob *j, Account *a) {
        const char *url = NULL, *failure = NULL;
        Ticket *t = ticket_new(j);
        int r;

        if (!t) {
                job_finish(j, -ENOMEM, "Out of memory.");
                return;
        }
        r = account_endpoint(a, ENDPOINT_TOKEN, on_discovered, t, &url, &failure);
        if (r == 0)
                return;         /* on_discovered() follows, with the ticket */
        free(t);
        if (r < 0 || !url) {
                j->result.endpoint_error = r < 0 ? r : -EUCLEAN;
                j->endpoint_message = strdup(r < 0 ? strna(failure) : "The account has no token endpoint.");
                j->result.endpoint_message = j->endpoint_message;
                job_finish(j, 0, NULL);
                return;
        }
        probe(j, a, url);
}

static void on_secrets(void *subject, int error, const char *message, void *userdata) {
        Account *a;
        CheckJob *j = ticket_redeem(userdata, &a);
        _cleanup_strv_free_ char **needed = NULL;

        if (!j)
                return;
        if (error < 0) {
                job_finish(j, error, message);
                return;
        }
        needed = account_needed_secrets(a->config);
        j->result.missing = calloc(1, sizeof(char *));
        if (!needed || !j->result.missing) {
                job_finish(j, -ENOMEM, "Out of memory.");
                return;
        }
        STRV_FOREACH(k, needed)
                if (!account_has_secret(a, *k) && strv_extend(&j->result.missing, *k) < 0) {
                        job_finish(j, -ENOMEM, "Out of memory.");
                        return;
                }
        find_endpoint(j, a);
}

int account_check_start(Engine *eng, const char *account, account_check_fn done, void *userdata) {
        static unsigned next_id = 0;
        Account *a = engine_account(eng, account);
        CheckJob *j;
        Ticket *t;
        int r;

        if (!a)
                return -ESRCH;
        /* Each check may hold a connection for PROBE_TIMEOUT_SEC: a caller asking in a loop must not take
         * them from token requests. */
        if (eng->checks && g_hash_table_size(eng->checks) >= CHECKS_MAX)
                return -EBUSY;
        if (!eng->checks)
                eng->checks = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, job_free_void);
        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        *j = (CheckJob) { .engine = eng, .id = ++next_id, .done = done, .userdata = userdata };
        j->account = strdup(account);
        t = j->account ? ticket_new(j) : NULL;
        if (!t) {
                job_free(j);
                return -ENOMEM;
        }
        g_hash_table_insert(eng->checks, GUINT_TO_POINTER(j->id), j);

        r = account_load_secrets(a, on_secrets, t);
        if (r == 0)
                return 0;       /* on_secrets() follows, with the ticket */
        if (r > 0) {
                on_secrets(a, 0, NULL, t);
                return 0;
        }
        free(t);
        g_hash_table_remove(eng->checks, GUINT_TO_POINTER(j->id));
        return r;
}

void account_check_cancel_all(Engine *eng) {
        if (!eng->checks)
                return;
        g_hash_table_destroy(eng->checks);
        eng->checks = NULL;
}
