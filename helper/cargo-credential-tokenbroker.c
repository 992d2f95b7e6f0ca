/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cargo-credential-tokenbroker: cargo's credential provider protocol (version 1) as a front end of
 * tokenbrokerd, for registries with authentication. Named in cargo's configuration
 * (registry.global-credential-providers, or a registry's credential-provider), cargo runs it with
 * --cargo-plugin among its arguments and speaks JSON lines:
 *
 *   provider: {"v":[1]}                                        once, first
 *   cargo:    {"v":1,"registry":{"index-url":...,"name":...},"kind":"get","operation":"read",...}
 *   provider: {"Ok":{"kind":"get","token":...,"cache":"expires","expiration":UNIX,"operation_independent":true}}
 *             {"Err":{"kind":"not-found"}}                     no account serves the registry
 *   cargo:    {"kind":"login",...}  ->  {"Ok":{"kind":"login"}} for a registry an account serves (its tokens
 *             are the broker's), else {"Err":{"kind":"url-not-supported"}} (cargo asks its next provider)
 *   cargo:    {"kind":"logout",...} ->  the cached token dropped, {"Ok":{"kind":"logout"}}; the same
 *             url-not-supported for a registry no account serves
 *
 * until cargo closes stdin. The account is the one whose Hosts= match the index URL (without its "sparse+"),
 * or --account NAME among the provider's arguments, still bound by its Hosts=, as git's helper's --account
 * is. On the token socket, with libc and json-c only. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "log.h"
#include "string-util.h"
#include "url-credential.h"
#include "wire-json.h"

/* One request line: cargo's requests are small; a line near this is not one. */
#define LINE_MAX_BYTES (64U * 1024U)

static const char *arg_account;

static void reply(json_object *o) {
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        fflush(stdout);
}

static void reply_err(const char *kind, const char *message) {
        _cleanup_json_ json_object *o = json_object_new_object(), *err = json_object_new_object();

        if (!o || !err || json_object_object_add(err, "kind", json_object_new_string(kind)) < 0 ||
            (message && json_object_object_add(err, "message", json_object_new_string(message)) < 0) ||
            json_object_object_add(o, "Err", json_object_get(err)) < 0)
                return;
        reply(o);
}

static void reply_ok_kind(const char *kind) {
        _cleanup_json_ json_object *o = json_object_new_object(), *ok = json_object_new_object();

        if (!o || !ok || json_object_object_add(ok, "kind", json_object_new_string(kind)) < 0 ||
            json_object_object_add(o, "Ok", json_object_get(ok)) < 0)
                return;
        reply(o);
}

/* The registry of a request, split as Hosts= are matched: its index URL without cargo's "sparse+". */
static int registry_of(json_object *req, Credential *c) {
        json_object *registry;
        const char *url = NULL;

        if (!json_object_object_get_ex(req, "registry", &registry) ||
            wire_json_get_string(registry, "index-url", &url) <= 0)
                return -EBADMSG;
        if (startswith(url, "sparse+"))
                url += strlen("sparse+");
        return url_credential_parse(url, c);
}

/* The account's answer for the registry, with --account narrowing the choice. */
static int lookup(const Credential *c, WireReply *r) {
        return url_credential_get(c, "cargo", arg_account, r);
}

static void op_get(json_object *req) {
        _cleanup_(wire_reply_done) WireReply r = {};
        _cleanup_(credential_clear) Credential c = {};
        _cleanup_json_erase_ json_object *o = NULL, *ok = NULL;
        _cleanup_free_ char *value = NULL;
        const char *token = NULL, *prefix = NULL;
        json_object *v;
        int k;

        if (registry_of(req, &c) < 0)
                return reply_err("other", "The request names no registry index-url.");
        k = lookup(&c, &r);
        if (k < 0)
                return reply_err("other", "tokenbrokerd gave no token: see the message above.");
        if (k == 0)
                return reply_err("not-found", NULL);
        (void) wire_json_get_string(r.parameters, "token", &token);
        (void) wire_json_get_string(r.parameters, "token_prefix", &prefix);
        value = strjoin(strempty(prefix), token);
        o = json_object_new_object();
        ok = json_object_new_object();
        if (!value || !o || !ok || json_object_object_add(ok, "kind", json_object_new_string("get")) < 0 ||
            json_object_object_add(ok, "token", json_object_new_string(value)) < 0 ||
            json_object_object_add(ok, "operation_independent", json_object_new_boolean(1)) < 0)
                return reply_err("other", "Out of memory.");
        erase_buffer(value, strlen(value));
        /* Cargo keeps the token until it expires, and asks again only then. */
        if (json_object_object_get_ex(r.parameters, "expires_at", &v) && json_object_get_int64(v) > 0) {
                if (json_object_object_add(ok, "cache", json_object_new_string("expires")) < 0 ||
                    json_object_object_add(ok, "expiration", json_object_new_int64(json_object_get_int64(v))) < 0)
                        return reply_err("other", "Out of memory.");
        } else if (json_object_object_add(ok, "cache", json_object_new_string("session")) < 0)
                return reply_err("other", "Out of memory.");
        if (json_object_object_add(o, "Ok", json_object_get(ok)) < 0)
                return reply_err("other", "Out of memory.");
        reply(o);
}

/* login: tokens come from the broker; a registry an account serves has nothing to log in to. */
static void op_login(json_object *req) {
        _cleanup_(wire_reply_done) WireReply r = {};
        _cleanup_(credential_clear) Credential c = {};
        int k;

        if (registry_of(req, &c) < 0)
                return reply_err("other", "The request names no registry index-url.");
        k = lookup(&c, &r);
        if (k < 0)
                return reply_err("other", "tokenbrokerd did not answer: see the message above.");
        /* Not ours: cargo asks its next provider only after url-not-supported (or not-found). */
        if (k == 0)
                return reply_err("url-not-supported", NULL);
        reply_ok_kind("login");
}

static void op_logout(json_object *req) {
        _cleanup_(credential_clear) Credential c = {};
        int k;

        if (registry_of(req, &c) < 0)
                return reply_err("other", "The request names no registry index-url.");
        k = url_credential_forget(&c, "cargo", arg_account);
        if (k < 0)
                return reply_err("other", "tokenbrokerd did not drop the token: see the message above.");
        if (k == 0)
                return reply_err("url-not-supported", NULL);
        reply_ok_kind("logout");
}

static int serve(void) {
        _cleanup_free_ char *line = NULL;
        size_t alloc = 0;
        ssize_t n;

        /* The hello: the protocol versions this provider speaks. */
        puts("{\"v\":[1]}");
        fflush(stdout);
        while ((n = getline(&line, &alloc, stdin)) >= 0) {
                _cleanup_json_erase_ json_object *req = NULL;
                const char *kind = NULL;
                json_object *v;

                if ((size_t) n > LINE_MAX_BYTES) {
                        reply_err("other", "The request is too long.");
                        continue;
                }
                req = json_tokener_parse(line);
                erase_buffer(line, (size_t) n);
                if (!req || !json_object_object_get_ex(req, "v", &v) || json_object_get_int(v) != 1 ||
                    wire_json_get_string(req, "kind", &kind) <= 0) {
                        reply_err("other", "Not a version 1 credential request.");
                        continue;
                }
                if (streq(kind, "get"))
                        op_get(req);
                else if (streq(kind, "login"))
                        op_login(req);
                else if (streq(kind, "logout"))
                        op_logout(req);
                else
                        reply_err("operation-not-supported", NULL);
        }
        return 0;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "cargo-plugin", no_argument, NULL, 'p' },
                { "account", required_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        bool plugin = false;
        int c;

        log_setup("cargo-credential-tokenbroker");
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'p':
                        plugin = true;
                        break;
                case 'a':
                        if (!account_name_is_valid(optarg))
                                return log_error_errno(EINVAL, "Invalid account name '%s'.", optarg), EXIT_FAILURE;
                        arg_account = optarg;
                        break;
                case 'h':
                        printf("cargo-credential-tokenbroker [--account NAME] --cargo-plugin\n\n"
                               "Cargo's credential provider protocol, answered with tokens from tokenbrokerd.\n"
                               "The account is the one whose Hosts= match the registry's index URL.\n\n"
                               "Set it up in ~/.cargo/config.toml:\n"
                               "  [registry]\n"
                               "  global-credential-providers = [\"cargo:token\", \"cargo-credential-tokenbroker\"]\n");
                        return EXIT_SUCCESS;
                default:
                        return EXIT_FAILURE;
                }
        if (!plugin)
                return log_error_errno(EINVAL, "Cargo runs this with --cargo-plugin; see --help."), EXIT_FAILURE;
        return serve() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
