/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Verbs the launcher answers itself over the token socket, for tools that run them often:
 *
 *   tokenbroker kube-credential NAME [--scope S]
 *       a client-go exec credential plugin (kubectl's users[].user.exec): reads KUBERNETES_EXEC_INFO and
 *       answers an ExecCredential of the same apiVersion with status.token and status.expirationTimestamp,
 *       so that kubectl runs it again only when the token nears its expiry.
 *   tokenbroker exec --env VAR=NAME... [--] COMMAND ARGS...
 *       runs COMMAND with access tokens in its environment (GH_TOKEN, VAULT_TOKEN, ...).
 *   tokenbroker goauth URL
 *       Go's GOAUTH command (Go 1.24): the credential set for URL; without one, the full command line
 *       prints every account's.
 *   tokenbroker credential-helper get
 *       the credential-helper protocol of Bazel, Buck2 and others (EngFlow's spec): {"uri"} on stdin, the
 *       headers to send (the token and the account's extra headers) and their expiry on stdout; the account
 *       found by Hosts= as git's helper finds it.
 *
 * Their help, and their usage errors, are the full command line's, as for every other verb. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc-util.h"
#include "credential-proto.h"
#include "exit-status.h"
#include "launcher.h"
#include "launcher-tools.h"
#include "url-credential.h"
#include "log.h"
#include "string-util.h"
#include "wire-api.h"
#include "wire-client.h"
#include "wire-json.h"

#define KUBE_API_V1 "client.authentication.k8s.io/v1"
#define KUBE_API_V1BETA1 "client.authentication.k8s.io/v1beta1"

static int fail(const char *what, const char *reason, int r) {
        fprintf(stderr, "tokenbroker: %s: %s\n", what, reason);
        return exit_status_from_errno(r);
}

/* GetToken for `account` on `fd`: 0 with the reply, or the exit status after the message. */
static int get_token(int fd, const char *account, const char *scope, WireReply *reply) {
        _cleanup_json_ json_object *p = json_object_new_object();
        int r;

        if (!p || json_object_object_add(p, "account", json_object_new_string(account)) < 0 ||
            (!isempty(scope) && json_object_object_add(p, "scope", json_object_new_string(scope)) < 0))
                return fail(account, strerror(ENOMEM), -ENOMEM);
        r = wire_call(fd, WIRE_METHOD_GET_TOKEN, p, reply);
        if (r < 0)
                return fail(account, strerror(-r), r);
        if (reply->error)
                return fail(account, wire_reply_message(reply), wire_reply_errno(reply));
        return 0;
}

static int connect_or_fail(const char *what, int *fd) {
        int r = launcher_connect(fd);

        if (r < 0)
                return fail(what, "cannot reach tokenbrokerd; start it with 'systemctl --user start tokenbrokerd'.", r);
        return 0;
}

/* The apiVersion client-go asks for: the one in KUBERNETES_EXEC_INFO (v1 or v1beta1), else v1. */
static int kube_api_version(const char **ret) {
        _cleanup_json_ json_object *info = NULL;
        const char *env = getenv("KUBERNETES_EXEC_INFO"), *v = NULL;

        *ret = KUBE_API_V1;
        if (isempty(env))
                return 0;
        info = json_tokener_parse(env);
        if (!info || wire_json_get_string(info, "apiVersion", &v) <= 0)
                return -EBADMSG;
        if (streq(v, KUBE_API_V1))
                *ret = KUBE_API_V1;
        else if (streq(v, KUBE_API_V1BETA1))
                *ret = KUBE_API_V1BETA1;
        else
                return -EPROTONOSUPPORT;
        return 0;
}

int launcher_kube_credential(int argc, char *argv[]) {
        static const struct option options[] = {
                { "scope", required_argument, NULL, 's' },
                {}
        };
        _cleanup_(wire_reply_done) WireReply reply = {};
        _cleanup_json_erase_ json_object *out = NULL, *status = NULL;
        _cleanup_close_ int fd = -1;
        const char *scope = NULL, *api = NULL, *token = NULL;
        json_object *v;
        int64_t expires_at = 0;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (c != 's')
                        return -1;      /* the full program says what is wrong */
                scope = optarg;
        }
        if (argc - optind != 1)
                return -1;

        r = kube_api_version(&api);
        if (r == -EPROTONOSUPPORT)
                return fail("kube-credential", "KUBERNETES_EXEC_INFO asks for an apiVersion other than "
                                               KUBE_API_V1 " or " KUBE_API_V1BETA1 ".", -EINVAL);
        if (r < 0)
                return fail("kube-credential", "KUBERNETES_EXEC_INFO is not an ExecCredential.", -EINVAL);
        r = connect_or_fail(argv[optind], &fd);
        if (r > 0)
                return r;
        r = get_token(fd, argv[optind], scope, &reply);
        if (r > 0)
                return r;
        if (wire_json_get_string(reply.parameters, "token", &token) <= 0 || isempty(token))
                return fail(argv[optind], strerror(EBADMSG), -EBADMSG);
        if (json_object_object_get_ex(reply.parameters, "expires_at", &v))
                expires_at = json_object_get_int64(v);

        out = json_object_new_object();
        status = json_object_new_object();
        if (!out || !status || json_object_object_add(status, "token", json_object_new_string(token)) < 0)
                return fail(argv[optind], strerror(ENOMEM), -ENOMEM);
        if (expires_at > 0) {
                /* RFC 3339 in UTC: client-go caches the credential until then. */
                time_t t = (time_t) expires_at;
                struct tm tm;
                char buf[32];

                if (!gmtime_r(&t, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ||
                    json_object_object_add(status, "expirationTimestamp", json_object_new_string(buf)) < 0)
                        return fail(argv[optind], strerror(ENOMEM), -ENOMEM);
        }
        if (json_object_object_add(out, "apiVersion", json_object_new_string(api)) < 0 ||
            json_object_object_add(out, "kind", json_object_new_string("ExecCredential")) < 0 ||
            json_object_object_add(out, "status", json_object_get(status)) < 0)
                return fail(argv[optind], strerror(ENOMEM), -ENOMEM);
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        return EXIT_OK;
}

/* The uri of a credential-helper request (stdin: {"uri": ...}), split as Hosts= are matched. */
static int read_uri_request(Credential *c) {
        _cleanup_json_ json_object *req = NULL;
        char buf[16384];
        const char *uri = NULL;
        size_t n;

        n = fread(buf, 1, sizeof(buf) - 1, stdin);
        if (ferror(stdin) || (n == sizeof(buf) - 1 && fgetc(stdin) != EOF))
                return -EBADMSG;
        buf[n] = 0;
        req = json_tokener_parse(buf);
        if (!req || wire_json_get_string(req, "uri", &uri) <= 0 || credential_from_url(c, uri) < 0 ||
            isempty(c->host))
                return -EBADMSG;
        return 0;
}

int launcher_credential_helper(int argc, char *argv[]) {
        _cleanup_(wire_reply_done) WireReply reply = {};
        _cleanup_(credential_clear) Credential c = {};
        _cleanup_json_erase_ json_object *out = NULL, *headers = NULL, *auth = NULL;
        const char *account = NULL, *token = NULL, *type = NULL;
        json_object *v;
        int r;

        if (argc != 2 || !streq(argv[1], "get"))
                return -1;
        if (read_uri_request(&c) < 0)
                return fail("credential-helper", "expected {\"uri\": \"https://...\"} on standard input.", -EINVAL);
        r = url_credential_get(&c, NULL, NULL, &reply);
        if (r < 0)
                return exit_status_from_errno(r);
        out = json_object_new_object();
        headers = json_object_new_object();
        if (!out || !headers)
                return fail("credential-helper", strerror(ENOMEM), -ENOMEM);
        /* No account serves the URI (r == 0): no headers, and the tool goes on without them. */
        if (r > 0) {
                _cleanup_free_ char *value = NULL;

                (void) wire_json_get_string(reply.parameters, "account", &account);
                (void) wire_json_get_string(reply.parameters, "token", &token);
                (void) wire_json_get_string(reply.parameters, "token_type", &type);
                value = strjoin(isempty(type) ? "Bearer" : type, " ", token);
                auth = json_object_new_array();
                if (!value || !auth || json_object_array_add(auth, json_object_new_string(value)) < 0 ||
                    json_object_object_add(headers, "Authorization", json_object_get(auth)) < 0)
                        return fail(account, strerror(ENOMEM), -ENOMEM);
                erase_buffer(value, strlen(value));
                /* The account's extra headers (ApiKeyHeader=), each a list of one value. */
                if (json_object_object_get_ex(reply.parameters, "headers", &v) && json_object_is_type(v, json_type_object)) {
                        json_object_object_foreach(v, name, hv) {
                                json_object *list = json_object_new_array();

                                if (!list || json_object_array_add(list, json_object_get(hv)) < 0 ||
                                    json_object_object_add(headers, name, list) < 0)
                                        return fail(account, strerror(ENOMEM), -ENOMEM);
                        }
                }
                if (json_object_object_get_ex(reply.parameters, "expires_at", &v) && json_object_get_int64(v) > 0) {
                        time_t t = (time_t) json_object_get_int64(v);
                        struct tm tm;
                        char buf[32];

                        if (gmtime_r(&t, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
                                json_object_object_add(out, "expires", json_object_new_string(buf));
                }
        }
        if (json_object_object_add(out, "headers", json_object_get(headers)) < 0)
                return fail("credential-helper", strerror(ENOMEM), -ENOMEM);
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        return EXIT_OK;
}

int launcher_goauth(int argc, char *argv[]) {
        _cleanup_(wire_reply_done) WireReply reply = {};
        _cleanup_(credential_clear) Credential c = {};
        const char *token = NULL, *type = NULL;
        char buf[4096];
        json_object *v;
        int r;

        /* Without a URL: every account's credentials at once (the full command line lists the accounts). */
        if (argc != 2 || !startswith(argv[1], "https://"))
                return -1;
        /* The server's refusal (status line and headers) comes on stdin; the answer is the same for any. Run
         * by hand at a terminal, there is none to wait for. */
        if (!isatty(STDIN_FILENO))
                while (fread(buf, 1, sizeof(buf), stdin) > 0)
                        ;
        r = url_credential_parse(argv[1], &c);
        if (r < 0)
                return exit_status_from_errno(r);
        r = url_credential_get(&c, NULL, NULL, &reply);
        if (r < 0)
                return exit_status_from_errno(r);
        if (r == 0)
                return EXIT_OK;         /* no credential set: go tries without */

        (void) wire_json_get_string(reply.parameters, "token", &token);
        (void) wire_json_get_string(reply.parameters, "token_type", &type);
        /* go help goauth: URL lines, a blank line, header lines, a blank line. */
        printf("%s\n\nAuthorization: %s %s\n", argv[1], isempty(type) ? "Bearer" : type, token);
        if (json_object_object_get_ex(reply.parameters, "headers", &v) && json_object_is_type(v, json_type_object)) {
                json_object_object_foreach(v, name, hv)
                        printf("%s: %s\n", name, json_object_get_string(hv));
        }
        putchar('\n');
        return EXIT_OK;
}

static bool env_name_is_valid(const char *s, size_t n) {
        if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
                      (s[i] >= '0' && s[i] <= '9')))
                        return false;
        return true;
}

int launcher_exec_with_tokens(int argc, char *argv[]) {
        static const struct option options[] = {
                { "env", required_argument, NULL, 'e' },
                {}
        };
        _cleanup_free_ char **pairs = NULL;
        _cleanup_close_ int fd = -1;
        size_t n = 0;
        int c, r;

        pairs = calloc((size_t) argc + 1, sizeof(char *));
        if (!pairs)
                return fail("exec", strerror(ENOMEM), -ENOMEM);
        opterr = 0;
        optind = 0;
        /* "+": options end at the command, whose own options are its own. */
        while ((c = getopt_long(argc, argv, "+", options, NULL)) >= 0) {
                const char *eq;

                if (c != 'e')
                        return -1;
                eq = strchr(optarg, '=');
                if (!eq || !env_name_is_valid(optarg, (size_t) (eq - optarg)) || !account_name_is_valid(eq + 1))
                        return -1;
                pairs[n++] = optarg;
        }
        if (n == 0 || optind >= argc)
                return -1;

        r = connect_or_fail("exec", &fd);
        if (r > 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(wire_reply_done) WireReply reply = {};
                _cleanup_free_ char *var = strndup(pairs[i], (size_t) (strchr(pairs[i], '=') - pairs[i]));
                const char *account = strchr(pairs[i], '=') + 1, *token = NULL;

                if (!var)
                        return fail("exec", strerror(ENOMEM), -ENOMEM);
                r = get_token(fd, account, NULL, &reply);
                if (r > 0)
                        return r;
                if (wire_json_get_string(reply.parameters, "token", &token) <= 0 || isempty(token))
                        return fail(account, strerror(EBADMSG), -EBADMSG);
                if (setenv(var, token, 1) < 0)
                        return fail("exec", strerror(errno), -errno);
        }
        /* The socket is not the command's. */
        (void) close(fd);
        fd = -1;

        (void) fflush(stdout);
        execvp(argv[optind], argv + optind);
        r = -errno;
        fprintf(stderr, "tokenbroker: exec: cannot run %s: %s\n", argv[optind], strerror(-r));
        return r == -ENOENT ? 127 : 126;        /* as a shell says it */
}
