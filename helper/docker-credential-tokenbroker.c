/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* docker-credential-tokenbroker: the docker-credential-helpers protocol (docker, podman, buildah, skopeo,
 * helm, crane) as a front end of tokenbrokerd. Named in ~/.docker/config.json ("credsStore" or
 * "credHelpers") or in containers' auth.json, the tool runs it with one operation as its argument:
 *
 *   get     stdin: a server URL ("https://registry.example.com" or a bare "registry.example.com")
 *           stdout: {"ServerURL": ..., "Username": ..., "Secret": the access token}; no account serves it:
 *           the protocol's own "credentials not found in native keychain", exit 1
 *   store   stdin: {"ServerURL", "Username", "Secret"}: tokens come from the broker, so nothing is stored;
 *           accepted (and ignored) for a server an account serves, refused otherwise
 *   erase   stdin: a server URL: the account's cached token is dropped, the next get fetches a new one
 *   list    stdout: {"https://HOST": "username", ...} for the accounts with Hosts=
 *   version
 *
 * The account is found as git's helper finds it (Hosts= matched against https://HOST/PATH), over the token
 * socket, by a process that loads libc and json-c only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "credential-proto.h"
#include "exit-status.h"
#include "launcher.h"
#include "log.h"
#include "string-util.h"
#include "wire-api.h"
#include "wire-client.h"
#include "wire-json.h"

/* The protocol's words for "no credentials here": the tools look for exactly this text. */
#define NOT_FOUND "credentials not found in native keychain"
/* A server URL or a store request: registries' names are short; anything near this is not one. */
#define INPUT_MAX 8192

static int read_input(char **ret) {
        _cleanup_free_ char *buf = calloc(1, INPUT_MAX + 1);
        size_t n = 0;

        if (!buf)
                return log_oom();
        while (n < INPUT_MAX) {
                size_t k = fread(buf + n, 1, INPUT_MAX - n, stdin);
                if (k == 0)
                        break;
                n += k;
        }
        if (ferror(stdin))
                return log_error_errno(EIO, "Cannot read standard input.");
        if (n >= INPUT_MAX && fgetc(stdin) != EOF)
                return log_error_errno(EBADMSG, "The input is longer than %u bytes.", INPUT_MAX);
        if (memchr(buf, 0, n))
                return log_error_errno(EBADMSG, "The input holds a NUL byte.");
        *ret = TAKE_PTR(buf);
        return 0;
}

/* A server URL as the tools send it (the first line of `text`), to *ret_server (as it came, trimmed) and to
 * the protocol, host and path Hosts= are matched against: a bare registry name means https, as it does to
 * docker. */
static int parse_server_url(const char *text, char **ret_server, Credential *c) {
        _cleanup_free_ char *server = NULL, *url = NULL;
        size_t n;

        text += strspn(text, " \t\r\n");
        n = strcspn(text, "\r\n");
        while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
                n--;
        if (n == 0)
                return log_error_errno(EBADMSG, "No server URL on standard input.");
        server = strndup(text, n);
        if (!server)
                return log_oom();
        url = strstr(server, "://") ? strdup(server) : strjoin("https://", server);
        if (!url)
                return log_oom();
        if (credential_from_url(c, url) < 0 || isempty(c->host))
                return log_error_errno(EBADMSG, "Not a server URL: '%.200s'.", server);
        /* "/v1/" and "/v2/" name the registry API, not a repository: the account is the host's. */
        if (c->path && (streq(c->path, "v1") || streq(c->path, "v2") || streq(c->path, "v1/") ||
                        streq(c->path, "v2/"))) {
                free(c->path);
                c->path = NULL;
        }
        *ret_server = TAKE_PTR(server);
        return 0;
}

static json_object *request_new(const Credential *c, const char *token) {
        _cleanup_json_ json_object *p = json_object_new_object();

        if (!p || json_object_object_add(p, "protocol", json_object_new_string(c->protocol)) < 0 ||
            json_object_object_add(p, "host", json_object_new_string(c->host)) < 0 ||
            (c->path && json_object_object_add(p, "path", json_object_new_string(c->path)) < 0) ||
            json_object_object_add(p, "tool", json_object_new_string("docker")) < 0 ||
            (token && json_object_object_add(p, "token", json_object_new_string(token)) < 0))
                return NULL;
        return TAKE_PTR(p);
}

static int connect_daemon(int *ret_fd) {
        int r = launcher_connect(ret_fd);

        if (r < 0)
                return log_error_errno(r, "Cannot reach tokenbrokerd: %m; start it with 'systemctl --user start "
                                          "tokenbrokerd'.");
        return r;
}

/* GitCredential for the server on stdin: 1 with the reply when an account serves it, 0 when none does. */
static int lookup(const char *input, char **ret_server, Credential *c, WireReply *reply) {
        _cleanup_json_ json_object *p = NULL;
        _cleanup_close_ int fd = -1;
        const char *account = NULL;
        int r;

        r = parse_server_url(input, ret_server, c);
        if (r < 0)
                return r;
        p = request_new(c, NULL);
        if (!p)
                return log_oom();
        r = connect_daemon(&fd);
        if (r < 0)
                return r;
        r = wire_call(fd, WIRE_METHOD_GIT_CREDENTIAL, p, reply);
        if (r < 0)
                return log_error_errno(r, "No answer from tokenbrokerd: %m");
        if (reply->error) {
                r = wire_reply_errno(reply);
                return log_error_errno(r, "%s", wire_reply_message(reply));
        }
        (void) wire_json_get_string(reply->parameters, "account", &account);
        return !isempty(account);
}

static int op_get(void) {
        _cleanup_(wire_reply_done) WireReply reply = {};
        _cleanup_(credential_clear) Credential c = {};
        _cleanup_free_ char *input = NULL, *server = NULL;
        _cleanup_json_erase_ json_object *answer = NULL;
        const char *token = NULL, *username = NULL;
        int r;

        r = read_input(&input);
        if (r < 0)
                return r;
        r = lookup(input, &server, &c, &reply);
        if (r < 0)
                return r;
        if (r == 0) {
                puts(NOT_FOUND);
                return -ENOENT;         /* exit 1, as the protocol wants */
        }
        (void) wire_json_get_string(reply.parameters, "token", &token);
        (void) wire_json_get_string(reply.parameters, "username", &username);
        if (isempty(token))
                return log_error_errno(EBADMSG, "The daemon answered an empty token.");

        answer = json_object_new_object();
        if (!answer || json_object_object_add(answer, "ServerURL", json_object_new_string(server)) < 0 ||
            json_object_object_add(answer, "Username", json_object_new_string(username ?: "oauth2accesstoken")) < 0 ||
            json_object_object_add(answer, "Secret", json_object_new_string(token)) < 0)
                return log_oom();
        puts(json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        return 0;
}

static int op_erase(void) {
        _cleanup_(wire_reply_done) WireReply reply = {}, invalidated = {};
        _cleanup_(credential_clear) Credential c = {};
        _cleanup_free_ char *input = NULL, *server = NULL;
        _cleanup_json_ json_object *p = NULL;
        _cleanup_close_ int fd = -1;
        const char *token = NULL;
        int r;

        r = read_input(&input);
        if (r < 0)
                return r;
        /* The token the tool was given is the cached one: asked for, then dropped by its value (Invalidate
         * with an empty token would mean every token of the account). */
        r = lookup(input, &server, &c, &reply);
        if (r <= 0)
                return r;
        (void) wire_json_get_string(reply.parameters, "token", &token);
        if (isempty(token))
                return 0;
        p = request_new(&c, token);
        if (!p)
                return log_oom();
        r = connect_daemon(&fd);
        if (r < 0)
                return r;
        r = wire_call(fd, WIRE_METHOD_INVALIDATE, p, &invalidated);
        if (r < 0)
                return log_error_errno(r, "No answer from tokenbrokerd: %m");
        if (invalidated.error)
                return log_error_errno(wire_reply_errno(&invalidated), "%s", wire_reply_message(&invalidated));
        return 0;
}

static int op_store(void) {
        _cleanup_(wire_reply_done) WireReply reply = {};
        _cleanup_(credential_clear) Credential c = {};
        _cleanup_free_ char *input = NULL, *server_url = NULL;
        _cleanup_json_erase_ json_object *req = NULL;
        const char *server = NULL;
        int r;

        r = read_input(&input);
        if (r < 0)
                return r;
        req = json_tokener_parse(input);
        /* The secret `docker login` typed is in `input`: it is wiped with it, and stored nowhere. */
        erase_buffer(input, strlen(input));
        if (!req || wire_json_get_string(req, "ServerURL", &server) <= 0)
                return log_error_errno(EBADMSG, "store: expected {\"ServerURL\", \"Username\", \"Secret\"} on "
                                                "standard input.");
        free(input);
        input = strdup(server);
        if (!input)
                return log_oom();
        r = lookup(input, &server_url, &c, &reply);
        if (r < 0)
                return r;
        if (r == 0)
                return log_error_errno(EPERM,
                                       "store: tokens for %s come from tokenbroker, not from 'docker login': add an "
                                       "account whose Hosts= serve it (tokenbroker add NAME --hosts https://%s ...).",
                                       c.host, c.host);
        /* An account serves it: its tokens are what the tool gets; nothing to keep. */
        return 0;
}

static int op_list(void) {
        char *argv[] = { (char *) BROKER_FULL_CLI, (char *) "docker-list", NULL };

        /* Not a hot path: the full command line lists the accounts over D-Bus. */
        return launcher_exec(BROKER_FULL_CLI, argv);
}

static int run(int argc, char *argv[]) {
        if (argc == 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                printf("docker-credential-tokenbroker get|store|erase|list|version\n\n"
                       "The docker-credential-helpers protocol, answered with tokens from tokenbrokerd.\n"
                       "The account is the one whose Hosts= match https://SERVER.\n\n"
                       "Set it up in ~/.docker/config.json: {\"credHelpers\": {\"HOST\": \"tokenbroker\"}}\n");
                return 0;
        }
        if (argc != 2)
                return log_error_errno(EINVAL, "Usage: docker-credential-tokenbroker get|store|erase|list|version");
        if (streq(argv[1], "get"))
                return op_get();
        if (streq(argv[1], "store"))
                return op_store();
        if (streq(argv[1], "erase"))
                return op_erase();
        if (streq(argv[1], "list"))
                return op_list();
        if (streq(argv[1], "version")) {
                printf("docker-credential-tokenbroker %s\n", PACKAGE_VERSION);
                return 0;
        }
        return log_error_errno(EINVAL, "Unknown operation '%s': use get, store, erase, list or version.", argv[1]);
}

int main(int argc, char *argv[]) {
        int r;

        log_setup("docker-credential-tokenbroker");
        r = run(argc, argv);
        if (fflush(stdout) != 0 && r >= 0)
                r = log_error_errno(errno, "Cannot write to standard output: %m");
        /* The protocol knows success and failure: "not found" is 1, as is every other failure. */
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
