/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `tokenbroker VERB --help` and `tokenbroker help VERB`: each verb's usage, its options and an example, on
 * stdout. The texts say what tokenbroker(1) says at more length; tests/packaging/docs.sh checks that every
 * option the manual gives a verb is here too. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "exit-status.h"

typedef struct VerbHelp {
        const char *verb;
        const char *usage;      /* after "tokenbroker VERB " */
        const char *what;
        const char *options;    /* "  --option ARG   words\n" lines, or NULL */
        const char *example;
} VerbHelp;

static const VerbHelp verbs[] = {
        { "add", "NAME [--token-url URL | --issuer URL] --client-id ID [OPTIONS]",
          "Write the account file NAME.conf (tokenbroker.conf(5)), then name what it still lacks. At a\n"
          "terminal with no options it asks for what the account needs, then for its secrets.",
          "  --token-url URL        the token endpoint (TokenURL=)\n"
          "  --issuer URL           the issuer, whose metadata names the endpoints (Issuer=)\n"
          "  --client-id ID         the client identifier (ClientID=)\n"
          "  --client-auth METHOD   basic, post, none, private_key_jwt, client_secret_jwt,\n"
          "                         tls_client_auth or self_signed_tls_client_auth (ClientAuth=)\n"
          "  --grant GRANT          client_credentials (the default), password, authorization_code,\n"
          "                         device_code or token_exchange (Grant=)\n"
          "  --scopes \"S1 S2\"       the scopes to ask for (Scopes=)\n"
          "  --provider P           generic, flaik, floriday, flixcheck, flume or sharetribe (Provider=);\n"
          "                         flixcheck, flume and sharetribe bring their token URL\n"
          "  --environment E        floriday's staging or live: its issuer (Environment=)\n"
          "  --username USER        the resource owner of the password grant (Username=)\n"
          "  --hosts \"PATTERNS\"     the URLs git's helper serves from this account (Hosts=)\n"
          "  --warmup               fetch a token at login (Warmup=true)\n"
          "  --set KEY=VALUE        any other key of the account file; repeatable\n"
          "  --replace              overwrite an existing account file\n",
          "tokenbroker add api --token-url https://auth.example.com/token --client-id my-client \\\n"
          "        --scopes \"read write\"\n"
          "tokenbroker add shop --provider floriday --environment staging --client-id my-client" },
        { "set-secret", "NAME KIND < SECRET",
          "Store a secret of the account in the keyring, read from standard input (without echo on a\n"
          "terminal). KIND: client-secret, password, api-key, refresh-token, or tls-key (the PEM key of\n"
          "ClientCertFile=, read to the end of the input).",
          NULL,
          "tokenbroker set-secret api client-secret" },
        { "login", "NAME [--no-browser] [--qr]",
          "Log in to an account with an interactive grant (authorization_code or device_code) and keep its\n"
          "refresh token in the keyring.",
          "  --no-browser           print the authorization URL, do not open a browser (a login over ssh)\n"
          "  --qr                   show the device flow's verification URL as a QR code\n",
          "tokenbroker login work" },
        { "list", "[--json]", "Print the names of all accounts, one per line.",
          "  --json                 a JSON array of the names\n", "tokenbroker list" },
        { "status", "[NAME] [--json]",
          "Without NAME, one line per account (its grant, its token, what is wrong and the fix) and one per\n"
          "account file the daemon refused (exit 9 when there is one). With NAME, the account's settings,\n"
          "which secrets it needs and has (not their values), its cached token and its last error.",
          "  --json                 the same as JSON: an array of accounts, or one account\n",
          "tokenbroker status api" },
        { "token", "NAME [--scope S] [--resource URI]... [--min-validity SECONDS] [--force-new] [--json]",
          "Print an access token of the account, fetching or refreshing it if needed.",
          "  --scope S              a narrower set of the account's scopes\n"
          "  --resource URI         a token for that resource (RFC 8707); repeatable\n"
          "  --min-validity SECONDS a token with at least that much time left\n"
          "  --force-new            forget the cached token and fetch a new one\n"
          "  --json                 the token with its type, expiry, extra headers, scope and claims\n",
          "tokenbroker token api | sed 's/^/Authorization: Bearer /' |\n"
          "      curl -H @- https://api.example.com/" },
        { "curl", "NAME [--scope S] [--resource URI] [--no-retry] [--] CURL-ARGS...",
          "Run curl with the account's token and extra headers (never on its command line); with a DPoP\n"
          "proof for a DPoP-bound token, and after a 401 once more with a fresh token.",
          "  --scope S              a narrower set of the account's scopes\n"
          "  --resource URI         a token for that resource (RFC 8707)\n"
          "  --no-retry             no second run with a fresh token after a 401\n",
          "tokenbroker curl api -- -s https://api.example.com/v1/me" },
        { "dpop-proof", "NAME METHOD URL [--scope S] [--resource URI] [--nonce NONCE] [--no-token]",
          "Print a DPoP proof (RFC 9449) for one request with the account's DPoP-bound token, signed by\n"
          "the daemon; the key never leaves it.",
          "  --scope S              the token of that scope set\n"
          "  --resource URI         the token for that resource\n"
          "  --nonce NONCE          the resource server's DPoP-Nonce (else the one it sent last)\n"
          "  --no-token             a proof without the token's hash (ath)\n",
          "tokenbroker dpop-proof api GET https://api.example.com/v1/me" },
        { "keygen", "NAME [--type ec|rsa] [--jwks] [--replace]",
          "Make the account's private key for ClientAuth=private_key_jwt in the daemon's keyring and print\n"
          "its public key, to register with the server.",
          "  --type ec|rsa          EC P-256 (the default) or 2048-bit RSA\n"
          "  --jwks                 print a JWKS document ({\"keys\": [...]}) instead of one JWK\n"
          "  --replace              replace a key the account has (the server must get the new one)\n",
          "tokenbroker keygen service --jwks" },
        { "public-key", "NAME [--jwks]",
          "Print the public key of the account's private key again.",
          "  --jwks                 as a JWKS document\n",
          "tokenbroker public-key service" },
        { "revoke", "NAME",
          "Revoke the account's grant at the server (RFC 7009) and forget its tokens here.",
          NULL, "tokenbroker revoke work" },
        { "remove", "NAME [--yes]",
          "Revoke the account's grant where it can, then delete its file and every secret of it. Asks first\n"
          "when standard input is a terminal.",
          "  --yes                  do not ask\n", "tokenbroker remove old-account --yes" },
        { "warmup", "", "Fetch tokens for the accounts with Warmup=true.", NULL, "tokenbroker warmup" },
        { "reload", "", "Make the daemon read the account files again now (it notices a change by itself within\n"
          "a second or two); print what it loaded and, on stderr, what it refused and why.", NULL,
          "tokenbroker reload" },
        { "kube-credential", "NAME [--scope S]",
          "Answer kubectl (a client-go exec credential plugin) with the account's token: an ExecCredential of\n"
          "the apiVersion KUBERNETES_EXEC_INFO asks for, with the token's expiry, so that kubectl asks again\n"
          "only when it nears. In a kubeconfig: users[].user.exec = {apiVersion:\n"
          "client.authentication.k8s.io/v1, command: tokenbroker, args: [kube-credential, NAME]}.",
          "  --scope S              a narrower set of the account's scopes\n",
          "tokenbroker kube-credential cluster" },
        { "credential-helper", "get",
          "Answer the credential-helper protocol of Bazel, Buck2 and others: read {\"uri\": URL} on standard\n"
          "input, print {\"headers\": {\"Authorization\": [\"Bearer TOKEN\"], ...}, \"expires\": RFC 3339} for the\n"
          "account whose Hosts= match URL ({\"headers\": {}} when none does). Bazel runs a helper by its\n"
          "path: --credential_helper=example.com=/usr/bin/tokenbroker-credential-helper (the same program).",
          NULL, "echo '{\"uri\": \"https://example.com/x\"}' | tokenbroker credential-helper get" },
        { "goauth", "[URL]",
          "Answer Go's GOAUTH command (Go 1.24 and later; GOAUTH='tokenbroker goauth'): for URL, the account\n"
          "whose Hosts= serve it (the server's refusal on stdin is read and not needed); without URL, every\n"
          "account with Hosts= that are literal https hosts. Blocks of URL lines, a blank line, header lines\n"
          "(Authorization and the account's extra headers), a blank line.",
          NULL, "GOAUTH='tokenbroker goauth' go get example.com/private/module" },
        { "exec", "--env VAR=NAME... [--] COMMAND [ARGS...]",
          "Run COMMAND with the access token of account NAME in its environment variable VAR, for each --env.\n"
          "The environment is readable by the same user only (/proc/PID/environ), unlike the command line,\n"
          "which every user can read.",
          "  --env VAR=NAME         the token of account NAME in VAR; repeatable\n",
          "tokenbroker exec --env GH_TOKEN=github -- gh pr list" },
        { "doctor", "",
          "Check the session bus, the daemon, its sockets, the keyring (present, unlocked) and every account\n"
          "(its file, its secrets in the keyring, its token endpoint answering over verified TLS), one line\n"
          "each, with the fix for each problem. Exits with the status of the first problem (mostly 6, 7,\n"
          "9 or 4).",
          NULL, "tokenbroker doctor" },
        { "setup-git", "[--global | --system | --file FILE]",
          "Make git use git-credential-tokenbroker by its absolute path (credential.helper).",
          "  --global               the user's git configuration (the default)\n"
          "  --system               the machine's git configuration\n"
          "  --file FILE            that git configuration file\n",
          "tokenbroker setup-git" },
        { "setup-docker", "[--registry HOST]... [--docker-config FILE] [--auth-file FILE]",
          "Make docker, podman, skopeo and buildah ask docker-credential-tokenbroker for each registry HOST\n"
          "(default: the hosts of every account's Hosts=): a credHelpers entry in docker's config.json and in\n"
          "the containers' auth.json, everything else in them kept.",
          "  --registry HOST        a registry (HOST or HOST:PORT); repeatable\n"
          "  --docker-config FILE   docker's file (default $DOCKER_CONFIG/config.json, ~/.docker/config.json)\n"
          "  --auth-file FILE       the containers' file (default $REGISTRY_AUTH_FILE,\n"
          "                         ~/.config/containers/auth.json)\n",
          "tokenbroker setup-docker --registry registry.example.com" },
};

int cli_verb_help(const char *verb) {
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
                const VerbHelp *h = verbs + i;

                if (strcmp(h->verb, verb) != 0)
                        continue;
                printf("Usage: tokenbroker %s%s%s\n\n%s\n\nOptions:\n%s", h->verb, *h->usage ? " " : "",
                       h->usage, h->what, h->options ?: "");
                printf("  -h --help              show this help\n\nExample:\n  %s\n\n"
                       "See tokenbroker(1) for the whole story.\n", h->example);
                return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILURE_OTHER;
        }
        return cli_usage_error("no verb '%s': 'tokenbroker --help' lists them.", verb);
}
