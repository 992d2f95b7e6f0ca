/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tokenbroker curl NAME [--scope S] [--resource URI] [--no-retry] [--] ARGS...: runs curl with the account's
 * token and extra headers (Floriday's X-Api-Key). They reach curl through a memfd named by `-H @/dev/fd/N`,
 * never through argv or the environment, where any process of the machine could read them.
 *
 * A server may refuse the token: revoked, or expired early. After a 401 curl runs once more with a fresh
 * token (the refused one invalidated first), unless --no-retry. A DPoP-bound token (RFC 9449) goes as
 * `Authorization: DPoP TOKEN` with a proof the daemon signs for the method and URL that curl's arguments
 * make; a resource server that refuses the proof for want of its nonce (401, WWW-Authenticate: DPoP
 * error="use_dpop_nonce", and a DPoP-Nonce header) gets a second run with a proof carrying it. To be able to
 * run again, the first run's headers go to a memfd, and its body too when it is all of stdout: it is printed
 * only once curl has finished and its headers are seen. None of that is done when the request reads stdin
 * (a second run could not read it again), more than the body goes to stdout (-w, -D -), or the user dumps
 * the headers (-D); then curl runs once, by exec(). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-client.h"
#include "cli.h"
#include "curl-request.h"
#include "exit-status.h"
#include "string-util.h"

/* The largest header dump read back for a nonce: a 401's headers are small. */
#define HEADER_DUMP_MAX (64U * 1024U)

static int write_all(int fd, const char *s) {
        size_t n = strlen(s);

        while (n > 0) {
                ssize_t k = write(fd, s, n);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                s += k;
                n -= (size_t) k;
        }
        return 0;
}

static bool header_is_safe(const char *s) {
        return !strpbrk(s, "\r\n");
}

static int write_header(int fd, const char *name, const char *value) {
        int r;

        if (!header_is_safe(name) || !header_is_safe(value))
                return -EBADMSG;
        if ((r = write_all(fd, name)) < 0 || (r = write_all(fd, ": ")) < 0 ||
            (r = write_all(fd, value)) < 0 || (r = write_all(fd, "\n")) < 0)
                return r;
        return 0;
}

/* A sealed memfd holding the Authorization header (and DPoP's proof) and the extra headers, one per line. */
static int headers_memfd(const BrokerToken *t, const char *proof, int *ret) {
        _cleanup_close_ int fd = -1;
        _cleanup_(erase_and_freep) char *authorization = NULL;
        int r;

        authorization = strjoin(proof ? "DPoP " : "Bearer ", t->token);
        if (!authorization)
                return -ENOMEM;
        fd = memfd_create("tokenbroker-headers", MFD_ALLOW_SEALING);        /* inherited by curl on purpose */
        if (fd < 0)
                return -errno;
        if ((r = write_header(fd, "Authorization", authorization)) < 0 ||
            (proof && (r = write_header(fd, "DPoP", proof)) < 0))
                return r;
        for (char **h = t->headers; h && h[0] && h[1]; h += 2)
                if ((r = write_header(fd, h[0], h[1])) < 0)
                        return r;
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
            lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

typedef struct Call {
        sd_bus *bus;
        const char *account;
        BrokerToken token;
        CurlRequest request;
        int argc;
        char **argv;
        char *cert_file, *key_file;     /* ClientCertFile= and ClientKeyFile=: curl presents the certificate */
        BrokerTokenOptions options;     /* --scope, --resource */
        bool no_retry;                  /* --no-retry: no second run after a 401 with a fresh token */
} Call;

/* The arguments made here: "-H", "@/dev/fd/N" and the like, kept beside the argv that points at them. */
typedef struct CurlArgs {
        char headers[32], dump[32], body[32];
} CurlArgs;

/* curl -H @/dev/fd/HEADERS [--cert FILE --key FILE] [-D /dev/fd/DUMP] [-o /dev/fd/BODY] ARGS...; the
 * array only is allocated. */
static char **curl_argv(const Call *c, CurlArgs *buf, int headers_fd, int dump_fd, int body_fd) {
        char **args = calloc((size_t) c->argc + 12, sizeof(char *));
        size_t n = 0;

        if (!args)
                return NULL;
        (void) snprintf(buf->headers, sizeof(buf->headers), "@/dev/fd/%d", headers_fd);
        args[n++] = (char *) "curl";
        args[n++] = (char *) "-H";
        args[n++] = buf->headers;
        /* RFC 8705: a token bound to the client's certificate is only good with it. File names, no secret. */
        if (!isempty(c->cert_file) && !isempty(c->key_file)) {
                args[n++] = (char *) "--cert";
                args[n++] = c->cert_file;
                args[n++] = (char *) "--key";
                args[n++] = c->key_file;
        }
        if (dump_fd >= 0) {
                (void) snprintf(buf->dump, sizeof(buf->dump), "/dev/fd/%d", dump_fd);
                args[n++] = (char *) "-D";
                args[n++] = buf->dump;
        }
        if (body_fd >= 0) {
                (void) snprintf(buf->body, sizeof(buf->body), "/dev/fd/%d", body_fd);
                args[n++] = (char *) "-o";
                args[n++] = buf->body;
        }
        for (int i = 0; i < c->argc; i++)
                args[n++] = c->argv[i];
        return args;
}

static int exec_curl(char **args) {
        fflush(stdout);
        execvp("curl", args);
        fprintf(stderr, "tokenbroker: cannot run curl: %s\n", strerror(errno));
        return errno == ENOENT ? EXIT_UNREACHABLE : EXIT_FAILURE_OTHER;
}

/* Runs curl and waits: its exit status, as a shell would give it. */
static int run_curl(char **args) {
        int status;
        pid_t pid;

        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                _exit(exec_curl(args));
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* What the last response of a run said (after redirects and 100 Continue), from curl's header dump. */
typedef struct FinalResponse {
        long status;            /* 0 when the dump has none (curl failed before an answer) */
        char *nonce;            /* a 401 wanting a proof with this nonce (RFC 9449 section 9), or NULL */
} FinalResponse;

static void final_response_clear(FinalResponse *f) {
        free(f->nonce);
        *f = (FinalResponse) {};
}

static void final_response_read(int dump_fd, FinalResponse *ret) {
        _cleanup_free_ char *dump = NULL, *nonce = NULL;
        bool use_nonce = false;
        long status = 0;
        ssize_t n;

        *ret = (FinalResponse) {};
        dump = malloc(HEADER_DUMP_MAX + 1);
        if (!dump || (n = pread(dump_fd, dump, HEADER_DUMP_MAX, 0)) <= 0)
                return;
        dump[n] = 0;
        for (char *line = dump, *next; line && *line; line = next) {
                const char *v;

                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                line[strcspn(line, "\r")] = 0;
                if (startswith(line, "HTTP/")) {
                        const char *code = strchr(line, ' ');

                        status = code ? strtol(code + 1, NULL, 10) : 0;
                        use_nonce = false;
                        free(nonce);
                        nonce = NULL;
                } else if ((v = startswith_no_case(line, "DPoP-Nonce:"))) {
                        size_t len;

                        v += strspn(v, " \t");
                        for (len = strlen(v); len > 0 && strchr(" \t", v[len - 1]); len--)
                                ;
                        free(nonce);
                        nonce = strndup(v, len);
                } else if ((v = startswith_no_case(line, "WWW-Authenticate:")) &&
                           strstr(v, "use_dpop_nonce"))
                        use_nonce = true;
        }
        ret->status = status;
        if (status == 401 && use_nonce && !isempty(nonce))
                ret->nonce = TAKE_PTR(nonce);
}

/* The held-back body, to stdout: read and write, which works for every kind of stdout (sendfile() does not
 * write to a file opened for appending). */
static int copy_to_stdout(int fd) {
        char buf[64 * 1024];
        off_t offset = 0;

        fflush(stdout);
        for (;;) {
                ssize_t k = pread(fd, buf, sizeof(buf), offset);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return 0;
                offset += k;
                for (ssize_t done = 0; done < k;) {
                        ssize_t w = write(STDOUT_FILENO, buf + done, (size_t) (k - done));

                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w <= 0)
                                return w < 0 ? -errno : -EIO;
                        done += w;
                }
        }
}

static int proof_for(Call *c, const char *nonce, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = broker_get_dpop_proof(c->bus, c->account, c->request.method, c->request.url, c->token.token,
                                  nonce, ret, &error);
        return r < 0 ? cli_fail(c->account, &error, r) : 0;
}

static int headers_for(Call *c, const char *proof, int *ret) {
        int r = headers_memfd(&c->token, proof, ret);

        if (r < 0) {
                fprintf(stderr, "tokenbroker: %s: cannot pass the token to curl: %s\n", c->account,
                        strerror(-r));
                return EXIT_FAILURE_OTHER;
        }
        return 0;
}

static bool is_dpop(const Call *c) {
        return strcasecmp(c->token.token_type, "DPoP") == 0;
}

/* The headers for the call's token: with a DPoP token, a proof for the request (with `nonce`). */
static int prepare(Call *c, const char *nonce, int *ret_headers) {
        _cleanup_free_ char *proof = NULL;
        int r;

        if (is_dpop(c) && (r = proof_for(c, nonce, &proof)) > 0)
                return r;
        return headers_for(c, proof, ret_headers);
}

/* After a 401: the refused token is dropped (if it is still the cached one: another caller may have a new
 * one already), and the account's token asked for again. */
static int renew_token(Call *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = broker_call(c->bus, "Invalidate", &error, NULL, "ss", c->account, c->token.token);
        broker_token_clear(&c->token);
        if (r >= 0)
                r = broker_get_token(c->bus, c->account, &c->options, &c->token, &error);
        return r < 0 ? cli_fail(c->account, &error, r) : 0;
}

/* Runs curl. A first run is held back where it can be run again: its headers (and its body, when that is all
 * of stdout) go to memory files. Then at most one more run: with the resource server's DPoP nonce when it
 * asked for one, or with a fresh token after a 401 (unless --no-retry). The last run is exec()ed. */
static int run(Call *c) {
        _cleanup_(final_response_clear) FinalResponse f = {};
        _cleanup_close_ int headers = -1, dump = -1, body = -1;
        _cleanup_free_ char **args = NULL;
        bool again;
        CurlArgs buf;
        int parsed, r;

        parsed = curl_request_parse(c->argc, c->argv, &c->request);
        r = parsed;
        if (r < 0 && is_dpop(c))
                return cli_usage_error(
                        "%s: a DPoP proof is for one request: %s", c->account,
                        r == -ENOENT   ? "curl's arguments name no URL."
                        : r == -E2BIG  ? "curl's arguments name more than one URL."
                        : r == -EINVAL ? "give the URL with its scheme (https://...), and every option "
                                         "its value."
                                       : strerror(-r));
        r = prepare(c, NULL, &headers);
        if (r > 0)
                return r;

        /* Only a command that reads no stdin can run twice; only a body that is all of stdout can be held
         * back and replaced; what the server said shows only in the header dump of our own. */
        again = parsed == 0 && (is_dpop(c) || !c->no_retry) && !c->request.reads_stdin &&
                !c->request.writes_stdout && !c->request.dumps_headers;
        if (again) {
                dump = memfd_create("tokenbroker-dump", 0);
                if (!c->request.writes_output)
                        body = memfd_create("tokenbroker-body", 0);
                if (dump < 0 || (!c->request.writes_output && body < 0)) {
                        fprintf(stderr, "tokenbroker: cannot hold curl's output: %s\n", strerror(errno));
                        return EXIT_FAILURE_OTHER;
                }
                args = curl_argv(c, &buf, headers, dump, body);
                if (!args)
                        return EXIT_FAILURE_OTHER;
                r = run_curl(args);
                if (r < 0) {
                        fprintf(stderr, "tokenbroker: cannot run curl: %s\n", strerror(-r));
                        return EXIT_FAILURE_OTHER;
                }
                final_response_read(dump, &f);
                if (f.status != 401 || (!f.nonce && c->no_retry))
                        return body >= 0 && copy_to_stdout(body) < 0 ? EXIT_FAILURE_OTHER : r;

                /* Once more: with the server's nonce (the daemon keeps it for the next proofs too), or with
                 * a fresh token. The held-back first answer is dropped; the second writes where it would. */
                free(args);
                args = NULL;
                (void) close(headers);
                headers = -1;
                if (!f.nonce && (r = renew_token(c)) > 0)
                        return r;
                r = prepare(c, f.nonce, &headers);
                if (r > 0)
                        return r;
                (void) close(dump);
                dump = -1;
                if (body >= 0) {
                        (void) close(body);
                        body = -1;
                }
        }
        args = curl_argv(c, &buf, headers, -1, -1);
        if (!args)
                return EXIT_FAILURE_OTHER;
        sd_bus_flush_close_unref(c->bus);
        c->bus = NULL;
        broker_token_clear(&c->token);
        return exec_curl(args);
}

/* The account's client certificate for curl (RFC 8705): its files, when the key is a file. A key kept in the
 * keyring never leaves the daemon, so curl cannot present that certificate; that is said, once per call. */
static int client_certificate(Call *c, sd_bus_error *error) {
        int r;

        r = broker_get_account_string(c->bus, c->account, "client-cert-file", &c->cert_file, error);
        if (r >= 0)
                r = broker_get_account_string(c->bus, c->account, "client-key-file", &c->key_file, error);
        if (r >= 0 && !isempty(c->cert_file) && isempty(c->key_file))
                fprintf(stderr, "tokenbroker: %s: the key of ClientCertFile= is in the keyring and stays in the "
                                "daemon: curl runs without the client certificate (set ClientKeyFile= for tokens "
                                "bound to it).\n", c->account);
        return r;
}

/* One of curl's own options of tokenbroker's, before or after the account name: 1 and how many arguments it
 * took, 0 when argv[i] is none (curl's arguments begin), -1 for a missing value. */
static int own_option(Call *c, int argc, char *argv[], int i, int *ret_taken) {
        const char *a = argv[i], *v;

        *ret_taken = 1;
        if (streq(a, "--no-retry")) {
                c->no_retry = true;
                return 1;
        }
        if (!streq(a, "--scope") && !streq(a, "--resource") && !startswith(a, "--scope=") &&
            !startswith(a, "--resource="))
                return 0;
        v = strchr(a, '=');
        if (v)
                v++;
        else if (i + 1 < argc) {
                v = argv[i + 1];
                *ret_taken = 2;
        } else
                return -1;
        if (startswith(a, "--scope"))
                c->options.scope = v;
        else
                c->options.resource = v;
        return 1;
}

int verb_curl(int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        bool named = false;
        Call c = {};
        int i = 1, r;

        /* The account name and our options in any order, up to "--" or the first of curl's arguments. */
        while (i < argc && !streq(argv[i], "--")) {
                int taken;

                r = own_option(&c, argc, argv, i, &taken);
                if (r < 0)
                        return cli_usage_error("%s takes a value.", argv[i]);
                if (r == 0 && named)
                        break;
                if (r == 0) {
                        if (argv[i][0] == '-')
                                return cli_usage_error(
                                        "curl takes an account name first, then curl's arguments.");
                        c.account = argv[i];
                        named = true;
                }
                i += taken;
        }
        if (!named)
                return cli_usage_error("curl takes an account name, then curl's arguments.");
        if (i < argc && streq(argv[i], "--"))
                i++;
        c.argc = argc - i;
        c.argv = argv + i;

        r = cli_connect(&c.bus);
        if (r > 0)
                return r;
        r = broker_get_token(c.bus, c.account, &c.options, &c.token, &error);
        if (r >= 0)
                r = client_certificate(&c, &error);
        r = r < 0 ? cli_fail(c.account, &error, r) : run(&c);

        broker_token_clear(&c.token);
        sd_bus_flush_close_unref(c.bus);
        free(c.cert_file);
        free(c.key_file);
        return r;
}
