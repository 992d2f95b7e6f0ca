/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* terraform-credentials-tokenbroker: Terraform's (and OpenTofu's) credentials helper protocol as a front end
 * of tokenbrokerd. Named in the CLI configuration (credentials_helper "tokenbroker" {}) and found in the
 * plugin directory, it is run as
 *
 *   get HOST      stdout: {"token": the access token} for the account whose Hosts= serve https://HOST/,
 *                 or {} when none does (Terraform then asks nothing of anyone)
 *   store HOST    stdin: {"token": ...} from `terraform login`: tokens come from the broker, so nothing is
 *                 kept; accepted for a host an account serves, refused otherwise
 *   forget HOST   drops the cached token of the account that serves HOST
 *
 * On the token socket, with libc and json-c only, as the other front ends. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "log.h"
#include "string-util.h"
#include "url-credential.h"
#include "wire-json.h"

/* A host as Terraform names one: a name with an optional port, no scheme, no path. */
static int parse_host(const char *host, Credential *c) {
        if (isempty(host) || strpbrk(host, "/@?# \t\r\n") || strstr(host, "://"))
                return log_error_errno(EINVAL, "Not a host name: '%.200s'.", strempty(host));
        return url_credential_parse(host, c);
}

static int op_get(const char *host) {
        _cleanup_(wire_reply_done) WireReply reply = {};
        _cleanup_(credential_clear) Credential c = {};
        _cleanup_json_erase_ json_object *answer = NULL;
        const char *token = NULL;
        int r;

        r = parse_host(host, &c);
        if (r < 0)
                return r;
        r = url_credential_get(&c, NULL, NULL, &reply);
        if (r < 0)
                return r;
        answer = json_object_new_object();
        if (!answer)
                return log_oom();
        if (r > 0) {
                (void) wire_json_get_string(reply.parameters, "token", &token);
                if (json_object_object_add(answer, "token", json_object_new_string(token)) < 0)
                        return log_oom();
        }
        puts(json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        return 0;
}

static int op_store(const char *host) {
        _cleanup_(wire_reply_done) WireReply reply = {};
        _cleanup_(credential_clear) Credential c = {};
        char buf[4096];
        int r;

        /* What `terraform login` obtained is read and wiped unused, unbuffered (main()), chunk by chunk: the
         * account's tokens are the broker's. */
        for (size_t n; (n = fread(buf, 1, sizeof(buf), stdin)) > 0;)
                erase_buffer(buf, n);
        r = parse_host(host, &c);
        if (r < 0)
                return r;
        r = url_credential_get(&c, NULL, NULL, &reply);
        if (r < 0)
                return r;
        if (r == 0)
                return log_error_errno(EPERM,
                                       "Tokens for %s come from tokenbroker, not from 'terraform login': add an account "
                                       "whose Hosts= serve it (tokenbroker add NAME --hosts https://%s ...).",
                                       c.host, c.host);
        return 0;
}

static int op_forget(const char *host) {
        _cleanup_(credential_clear) Credential c = {};
        int r;

        r = parse_host(host, &c);
        r = r < 0 ? r : url_credential_forget(&c, NULL, NULL);
        return MIN(r, 0);
}

int main(int argc, char *argv[]) {
        int r;

        log_setup("terraform-credentials-tokenbroker");
        (void) setvbuf(stdin, NULL, _IONBF, 0);
        if (argc == 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                printf("terraform-credentials-tokenbroker get|store|forget HOST\n\n"
                       "Terraform's credentials helper protocol, answered with tokens from tokenbrokerd.\n"
                       "The account is the one whose Hosts= match https://HOST/.\n\n"
                       "Set it up in ~/.terraformrc: credentials_helper \"tokenbroker\" {}\n");
                return EXIT_SUCCESS;
        }
        if (argc != 3)
                r = log_error_errno(EINVAL, "Usage: terraform-credentials-tokenbroker get|store|forget HOST");
        else if (streq(argv[1], "get"))
                r = op_get(argv[2]);
        else if (streq(argv[1], "store"))
                r = op_store(argv[2]);
        else if (streq(argv[1], "forget"))
                r = op_forget(argv[2]);
        else
                r = log_error_errno(EINVAL, "Unknown operation '%s': use get, store or forget.", argv[1]);
        if (fflush(stdout) != 0 && r >= 0)
                r = log_error_errno(errno, "Cannot write to standard output: %m");
        /* The protocol knows success and failure; the message on stderr says which failure. */
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
