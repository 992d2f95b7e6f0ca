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
#include "url-credential.h"
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
        /* store's input holds the secret `docker login` was given: wiped on every way out. */
        if (ferror(stdin) || (n >= INPUT_MAX && fgetc(stdin) != EOF) || memchr(buf, 0, n)) {
                erase_buffer(buf, n);
                if (ferror(stdin))
                        return log_error_errno(EIO, "Cannot read standard input.");
                return log_error_errno(EBADMSG, n >= INPUT_MAX ? "The input is longer than any server URL."
                                                               : "The input holds a NUL byte.");
        }
        *ret = TAKE_PTR(buf);
        return 0;
}

/* A server URL as the tools send it (the first line of `text`), to *ret_server (as it came, trimmed) and to
 * the protocol, host and path Hosts= are matched against: a bare registry name means https, as it does to
 * docker. */
static int parse_server_url(const char *text, char **ret_server, Credential *c) {
        _cleanup_free_ char *server = NULL;
        size_t n;
        int r;

        text += strspn(text, " \t\r\n");
        n = strcspn(text, "\r\n");
        while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
                n--;
        if (n == 0)
                return log_error_errno(EBADMSG, "No server URL on standard input.");
        server = strndup(text, n);
        if (!server)
                return log_oom();
        r = url_credential_parse(server, c);
        if (r < 0)
                return r;
        /* "/v1/" and "/v2/" name the registry API, not a repository: the account is the host's. */
        if (c->path && (streq(c->path, "v1") || streq(c->path, "v2") || streq(c->path, "v1/") ||
                        streq(c->path, "v2/"))) {
                free(c->path);
                c->path = NULL;
        }
        *ret_server = TAKE_PTR(server);
        return 0;
}

/* The account that serves the server on stdin: 1 with the reply, 0 when none does. */
static int lookup(const char *input, char **ret_server, Credential *c, WireReply *reply) {
        int r = parse_server_url(input, ret_server, c);

        return r < 0 ? r : url_credential_get(c, "docker", NULL, reply);
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

        answer = json_object_new_object();
        if (!answer || json_object_object_add(answer, "ServerURL", json_object_new_string(server)) < 0 ||
            json_object_object_add(answer, "Username", json_object_new_string(username ?: "oauth2accesstoken")) < 0 ||
            json_object_object_add(answer, "Secret", json_object_new_string(token)) < 0)
                return log_oom();
        puts(json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        return 0;
}

static int op_erase(void) {
        _cleanup_(credential_clear) Credential c = {};
        _cleanup_free_ char *input = NULL, *server = NULL;
        int r;

        r = read_input(&input);
        if (r < 0)
                return r;
        r = parse_server_url(input, &server, &c);
        r = r < 0 ? r : url_credential_forget(&c, "docker", NULL);
        return MIN(r, 0);
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
        /* The secret `docker login` typed is in `input` and in the parsed object: both wiped, nothing kept. */
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
        int r;

        /* Not a hot path: the full command line lists the accounts over D-Bus, on our stdout; its exit
         * status is the protocol's, 0 or 1. */
        (void) fflush(stdout);
        r = launcher_run_output(BROKER_FULL_CLI, argv);
        return r == 0 ? 0 : log_error_errno(EIO, "Cannot list the accounts (tokenbroker-cli docker-list: %d).", r);
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
        /* The tools show a helper's stdout, not its stderr, when it fails (as docker-credential-helpers'
         * own helpers write their errors): each error goes there too. */
        log_errors_also_to(stdout);
        /* No stdio buffer keeps a copy of what store reads: it goes straight into the buffer wiped after. */
        (void) setvbuf(stdin, NULL, _IONBF, 0);
        r = run(argc, argv);
        if (fflush(stdout) != 0 && r >= 0)
                r = log_error_errno(errno, "Cannot write to standard output: %m");
        /* The protocol knows success and failure: "not found" is 1, as is every other failure. */
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
