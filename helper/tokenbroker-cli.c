/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tokenbroker-cli: the command line for people and scripts, every verb, over D-Bus. A thin client of
 * tokenbrokerd: it links libc and libsystemd only, holds no secret longer than one call, and never talks to a
 * token endpoint itself. People run the launcher, tokenbroker (tokenbroker.c), which answers `token` over the
 * token socket and exec()s this program for everything else. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "exit-status.h"
#include "log.h"

static void help(void) {
        printf("Usage: tokenbroker VERB [OPTIONS] [ARGS]\n\n"
               "OAuth2 access tokens for this user, from tokenbrokerd.\n\n"
               "Verbs:\n"
               "  add NAME --token-url URL --client-id ID [--client-auth basic|post|none|private_key_jwt|\n"
               "      client_secret_jwt|tls_client_auth|self_signed_tls_client_auth]\n"
               "      [--grant GRANT] [--scopes \"S1 S2\"] [--provider P] [--issuer URL]\n"
               "      [--environment E] [--username U] [--hosts \"PATTERNS\"] [--warmup] [--set Key=Value]...\n"
               "      [--replace]\n"
               "                           Write an account file\n"
               "  set-secret NAME KIND     Store a secret read from stdin (KIND: client-secret, password,\n"
               "                           api-key, refresh-token, tls-key)\n"
               "  login NAME [--no-browser] [--qr]\n"
               "                           Log in to an account with an interactive grant\n"
               "  list [--json]            List the accounts\n"
               "  status [NAME] [--json]   One line per account (its token, what is wrong); NAME: details\n"
               "  doctor                   Check the bus, the daemon, the keyring and every account\n"
               "  token NAME [--scope S] [--resource URI]... [--min-validity SECONDS] [--force-new]\n"
               "      [--json]\n"
               "                           Print an access token (or JSON with type, expiry, headers)\n"
               "  curl NAME [--scope S] [--resource URI] [--no-retry] [--] ARGS...\n"
               "                           Run curl with the token and the account's extra headers (and a\n"
               "                           DPoP proof for a DPoP-bound token); after a 401 once more with\n"
               "                           a fresh token\n"
               "  dpop-proof NAME METHOD URL [--scope S] [--resource URI] [--nonce N] [--no-token]\n"
               "                           Print a DPoP proof for one request with the account's token\n"
               "  revoke NAME              Revoke the account's grant at the server and forget it\n"
               "  remove NAME [--yes]      Revoke, then delete the account file and every secret of it\n"
               "  keygen NAME [--type ec|rsa] [--jwks] [--replace]\n"
               "                           Make the account's private key (ClientAuth=private_key_jwt) in\n"
               "                           the keyring; print its public key as a JWK\n"
               "  public-key NAME [--jwks] Print the public key of the account's private key\n"
               "  kube-credential NAME [--scope S]\n"
               "                           Answer kubectl's exec credential plugin with the account's token\n"
               "  credential-helper get    Answer Bazel's credential helper protocol ({\"uri\"} on stdin)\n"
               "  goauth [URL]             Answer Go's GOAUTH command with the accounts' tokens\n"
               "  exec --env VAR=NAME... [--] COMMAND [ARGS]\n"
               "                           Run COMMAND with access tokens in its environment\n"
               "  warmup                   Fetch tokens for accounts with Warmup=true\n"
               "  reload                   Re-read the account files now (a change is noticed by itself)\n"
               "  setup-git [--global|--system|--file F]\n"
               "  setup-docker [--registry HOST]...\n"
               "                           Make git use git-credential-tokenbroker by its path\n\n"
               "  -h --help                Show this help; 'tokenbroker VERB --help' or 'tokenbroker help\n"
               "                           VERB' shows a verb's\n"
               "     --version             Show the version\n\n"
               "Exit status: 0 ok, 2 usage, 3 no such account, 4 login required, 5 provider refused,\n"
               "6 unreachable, 7 keyring locked, 8 access denied, 9 config or missing secret, 1 other.\n");
}

static const struct {
        const char *name;
        cli_verb_t run;
} verbs[] = {
        { "add", verb_add },
        { "set-secret", verb_set_secret },
        { "login", verb_login },
        { "list", verb_list },
        { "status", verb_status },
        { "doctor", verb_doctor },
        { "docker-list", verb_docker_list },
        { "kube-credential", verb_kube_credential },
        { "exec", verb_exec },
        { "credential-helper", verb_credential_helper },
        { "goauth", verb_goauth },
        { "token", verb_token },
        { "curl", verb_curl },
        { "revoke", verb_revoke },
        { "remove", verb_remove },
        { "warmup", verb_warmup },
        { "reload", verb_reload },
        { "setup-git", verb_setup_git },
        { "setup-docker", verb_setup_docker },
        { "keygen", verb_keygen },
        { "public-key", verb_public_key },
        { "dpop-proof", verb_dpop_proof },
};

int main(int argc, char *argv[]) {
        log_setup("tokenbroker");

        if (argc < 2)
                return cli_usage_error("missing verb.");
        if (strcmp(argv[1], "help") == 0 && argc >= 3)
                return cli_verb_help(argv[2]);
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
                help();
                return EXIT_OK;
        }
        /* A verb's help: --help first after the verb (after curl's account name, --help is curl's). */
        if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0))
                return cli_verb_help(argv[1]);
        if (strcmp(argv[1], "--version") == 0) {
                printf("tokenbroker %s\n", PACKAGE_VERSION);
                return EXIT_OK;
        }
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                if (strcmp(argv[1], verbs[i].name) == 0)
                        return verbs[i].run(argc - 1, argv + 1);

        return cli_usage_error("unknown verb '%s'.", argv[1]);
}
