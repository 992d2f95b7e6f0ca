/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The token socket's methods (wire-api.h): GetToken, GitCredential (for git and every front end that finds
 * its account by URL), Invalidate and GetDPoPProof. The checks
 * and the cache decision are broker-core.c's, shared with the D-Bus methods; a request that must wait for a
 * token fetch joins the one in flight like any D-Bus caller (token_fetch_start()). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "broker-core.h"
#include "string-util.h"
#include "token-fetch.h"
#include "token-reply.h"
#include "token-socket.h"
#include "wire-api.h"
#include "wire-json.h"

/* A string parameter: 0 with *ret (NULL when absent and optional), or InvalidArgs. GetToken's options keep
 * the D-Bus method's message. */
static int param_string(json_object *p, const char *key, bool required, const char **ret,
                        Failure *f) {
        int r = wire_json_get_string(p, key, ret);

        if (r < 0 || (r == 0 && required))
                return failure_set(f, -EINVAL, required ? "Missing or bad parameter '%s'." :
                                                                "Bad value for option '%s'.",
                                      key);
        return 0;
}

static int param_min_validity(json_object *p, uint32_t *ret, Failure *f) {
        json_object *v;
        int64_t n;

        if (!json_object_object_get_ex(p, "min-validity", &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_int) ||
            (errno = 0, n = json_object_get_int64(v), errno != 0) || n < 0 || n > UINT32_MAX)
                return failure_set(f, -EINVAL, "Bad value for option '%s'.", "min-validity");
        *ret = (uint32_t) n;
        return 0;
}

/* GitCredential's answer: the account, the username (git's, or docker's for "tool": "docker"), the prefix
 * cargo sends the token with (for "tool": "cargo"), and the token as GetToken gives it (its type, expiry and
 * extra headers, for the front ends that send them). */
static json_object *git_reply(const TokenEntry *e, const char *tool) {
        _cleanup_json_erase_ json_object *o = token_reply_json(e);
        const Account *a = e->account;
        const char *username = streq_ptr(tool, "docker") ? broker_docker_username(a) : broker_git_username(a);

        if (!o || json_object_object_add(o, "account", json_object_new_string(a->name)) < 0 ||
            json_object_object_add(o, "username", json_object_new_string(username)) < 0 ||
            (streq_ptr(tool, "cargo") &&
             json_object_object_add(o, "token_prefix", json_object_new_string(broker_cargo_token_prefix(a))) < 0))
                return NULL;
        return TAKE_PTR(o);
}

static json_object *account_reply(const char *name) {
        _cleanup_json_ json_object *o = json_object_new_object();

        if (!o || json_object_object_add(o, "account", json_object_new_string(name)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static void reply_token(TokenConn *c, const char *method, const TokenEntry *e) {
        token_conn_reply(c, streq(method, WIRE_METHOD_GIT_CREDENTIAL) ? git_reply(e, c->pending_tool)
                                                                      : token_reply_json(e));
}

/* GitCredential names the account in its errors about the token: the helper tells them from failures to
 * find the account by that. */
static const char *error_account(const char *method, const char *account) {
        return streq(method, WIRE_METHOD_GIT_CREDENTIAL) ? account : NULL;
}

static void on_token_ready(void *subject, int error, const char *message, void *userdata) {
        TokenEntry *e = subject;
        TokenConn *c = userdata;

        if (!c->closed) {
                if (error < 0)
                        token_conn_reply_error(c, error, message,
                                               error_account(c->pending_method, c->pending_account));
                else
                        reply_token(c, c->pending_method, e);
        }
        token_conn_unref(c);
}

/* Answers with the entry's token now, or once the fetch in flight (or started here) ends. */
static int answer_token(TokenConn *c, const char *method, const char *account, int lookup, TokenEntry *e,
                        Failure *f) {
        int r;

        if (lookup < 0) {
                token_conn_reply_error(c, failure_error(f, lookup), failure_message(f, lookup),
                                       error_account(method, account));
                return 0;
        }
        if (lookup > 0) {
                reply_token(c, method, e);
                return 0;
        }

        c->pending_account = strdup(account);
        if (!c->pending_account)
                return -ENOMEM;
        c->pending_method = method;
        token_conn_wait(c);
        /* The callback may run before this returns (a keyring that fails at once): it answers then. */
        r = token_fetch_start(e, on_token_ready, token_conn_ref(c));
        if (r < 0) {
                token_conn_unref(c);
                return r;
        }
        return 0;
}

/* A boolean option: absent or null is false. */
static int param_bool(json_object *p, const char *key, bool *ret, Failure *f) {
        json_object *v;

        if (!json_object_object_get_ex(p, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_boolean))
                return failure_set(f, -EINVAL, "Bad value for option '%s'.", key);
        *ret = json_object_get_boolean(v);
        return 0;
}

static int method_get_token(TokenConn *c, json_object *p, Failure *f) {
        TokenQuery q = TOKEN_QUERY_DEFAULT;
        const char *account;
        TokenEntry *e = NULL;
        int r;

        if ((r = param_string(p, "account", true, &account, f)) < 0 ||
            (r = param_string(p, "scope", false, &q.scope, f)) < 0 ||
            (r = param_string(p, "resource", false, &q.resource, f)) < 0 ||
            (r = param_min_validity(p, &q.min_validity, f)) < 0 ||
            (r = param_bool(p, "force-new", &q.force_new, f)) < 0)
                return r;

        r = broker_token_lookup(&c->manager->engine, &c->caller.caller, account, &q, &e, f);
        return answer_token(c, WIRE_METHOD_GET_TOKEN, account, r, e, f);
}

static int git_account(TokenConn *c, json_object *p, Account **ret, Failure *f) {
        const char *protocol, *host, *path, *account;
        int r;

        if ((r = param_string(p, "protocol", true, &protocol, f)) < 0 ||
            (r = param_string(p, "host", true, &host, f)) < 0 ||
            (r = param_string(p, "path", false, &path, f)) < 0 ||
            (r = param_string(p, "account", false, &account, f)) < 0)
                return r;
        return broker_git_account(&c->manager->engine, &c->caller.caller, protocol, host, path, account, ret, f);
}

static int method_git_credential(TokenConn *c, json_object *p, Failure *f) {
        TokenEntry *e = NULL;
        const char *tool = NULL;
        Account *a;
        int r;

        r = git_account(c, p, &a, f);
        if (r < 0)
                return r;
        /* The front ends of other tools that find the account by URL ask here too; "tool" picks the
         * username of the answer. */
        r = param_string(p, "tool", false, &tool, f);
        if (r < 0)
                return r;
        if (!tool || streq(tool, "git"))
                c->pending_tool = "git";
        else if (streq(tool, "docker"))
                c->pending_tool = "docker";
        else if (streq(tool, "cargo"))
                c->pending_tool = "cargo";
        else
                return failure_set(f, -EINVAL, "Bad value for option '%s'.", "tool");
        if (!a) {
                token_conn_reply(c, account_reply(""));
                return 0;
        }

        r = broker_git_token_lookup(&c->manager->engine, &c->caller.caller, a, &e, f);
        return answer_token(c, WIRE_METHOD_GIT_CREDENTIAL, a->name, r, e, f);
}

static int method_invalidate(TokenConn *c, json_object *p, Failure *f) {
        const char *account, *token, *protocol;
        Account *a;
        int r;

        if ((r = param_string(p, "token", true, &token, f)) < 0 ||
            (r = param_string(p, "protocol", false, &protocol, f)) < 0)
                return r;

        if (!protocol) {
                r = param_string(p, "account", true, &account, f);
                if (r < 0)
                        return r;
                r = broker_invalidate(&c->manager->engine, &c->caller.caller, account, token, f);
                if (r < 0)
                        return r;
                token_conn_reply(c, json_object_new_object());
                return 0;
        }

        /* git's erase: the account its get would have used, if any. */
        r = git_account(c, p, &a, f);
        if (r < 0)
                return r;
        if (a)
                broker_invalidate_account(a, token);
        token_conn_reply(c, account_reply(a ? a->name : ""));
        return 0;
}

static json_object *proof_reply(const char *proof) {
        _cleanup_json_ json_object *o = json_object_new_object();

        if (!o || json_object_object_add(o, "proof", json_object_new_string(proof)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static void on_proof(int error, const char *message, const char *proof, void *userdata) {
        TokenConn *c = userdata;

        if (!c->closed) {
                if (error < 0)
                        token_conn_reply_error(c, error, message, NULL);
                else
                        token_conn_reply(c, proof_reply(proof));
        }
        token_conn_unref(c);
}

static int method_get_dpop_proof(TokenConn *c, json_object *p, Failure *f) {
        const char *account, *method, *url, *token, *nonce;
        int r;

        if ((r = param_string(p, "account", true, &account, f)) < 0 ||
            (r = param_string(p, "method", true, &method, f)) < 0 ||
            (r = param_string(p, "url", true, &url, f)) < 0 ||
            (r = param_string(p, "access-token", false, &token, f)) < 0 ||
            (r = param_string(p, "nonce", false, &nonce, f)) < 0)
                return r;
        token_conn_wait(c);
        /* The callback may run before this returns (secrets and key at hand): it answers then. */
        r = broker_dpop_proof(&c->manager->engine, &c->caller.caller, account, method, url, token, nonce,
                              on_proof, token_conn_ref(c), f);
        if (r < 0)
                token_conn_unref(c);
        return r;
}

void token_socket_dispatch(TokenConn *c, json_object *request) {
        static const struct {
                const char *name;
                int (*run)(TokenConn *c, json_object *p, Failure *f);
        } methods[] = {
                { WIRE_METHOD_GET_TOKEN, method_get_token },
                { WIRE_METHOD_GIT_CREDENTIAL, method_git_credential },
                { WIRE_METHOD_INVALIDATE, method_invalidate },
                { WIRE_METHOD_GET_DPOP_PROOF, method_get_dpop_proof },
        };
        _cleanup_(failure_clear) Failure f = {};
        json_object *p = NULL;
        const char *method;
        int r;

        if (wire_json_get_string(request, "method", &method) <= 0 ||
            (json_object_object_get_ex(request, "parameters", &p) &&
             !json_object_is_type(p, json_type_object))) {
                r = failure_set(&f, -EINVAL,
                                   "Malformed request: no method, or parameters that are no object.");
                goto fail;
        }
        if (!p) {
                p = json_object_new_object();
                if (!p || json_object_object_add(request, "parameters", p) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
        }

        for (size_t i = 0; i < ELEMENTSOF(methods); i++)
                if (streq(methods[i].name, method)) {
                        r = methods[i].run(c, p, &f);
                        if (r < 0)
                                goto fail;
                        return;
                }
        r = failure_set(&f, -EINVAL, "Unknown method '%s'.", STRING_EXCERPT(method));
fail:
        token_conn_reply_error(c, failure_error(&f, r), failure_message(&f, r), NULL);
}
