/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading account files: values, diagnostics, the file's own checks. Writing is test-account-file-write.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "account-file-test.h"

static void test_enums(void) {
        for (GrantType g = 0; g < _GRANT_MAX; g++)
                is_int(grant_type_from_string(grant_type_to_string(g)), g, "grant %s round trips",
                       grant_type_to_string(g));
        for (ClientAuth c = 0; c < _CLIENT_AUTH_MAX; c++)
                is_int(client_auth_from_string(client_auth_to_string(c)), c, "client auth %s round trips",
                       client_auth_to_string(c));
        for (RequestEncoding e = 0; e < _REQUEST_ENCODING_MAX; e++)
                is_int(request_encoding_from_string(request_encoding_to_string(e)), e, "encoding %s round trips",
                       request_encoding_to_string(e));
        is_int(grant_type_from_string("implicit"), _GRANT_INVALID, "unknown grant is invalid");
        is_int(client_auth_from_string("client_secret_post"), CLIENT_AUTH_POST, "discovery name for post");
        is_int(client_auth_from_string(NULL), _CLIENT_AUTH_INVALID, "NULL client auth is invalid");
        ok(grant_type_to_string(_GRANT_MAX) == NULL, "out-of-range grant has no name");
}

static void test_defaults(void) {
        _cleanup_(account_config_freep) AccountConfig *a = NULL;
        _cleanup_strv_free_ char **d = NULL;

        is_int(load_text(MINIMAL, &a, &d), 0, "minimal file loads");
        is_int(strv_length(d), 0, "no diagnostics for a minimal file");
        is_str(a->name, "t", "name is the file name without .conf");
        is_str(a->provider, "generic", "Provider defaults to generic");
        is_int(a->client_auth, CLIENT_AUTH_BASIC, "ClientAuth defaults to basic");
        is_int(a->grant, GRANT_CLIENT_CREDENTIALS, "Grant defaults to client_credentials");
        is_int(a->refresh_skew_sec, 60, "RefreshSkew defaults to 60");
        is_int(a->default_lifetime_sec, 3600, "DefaultLifetime defaults to 3600");
        is_int(a->timeout_sec, 30, "Timeout defaults to 30");
        is_int(a->request_encoding, REQUEST_ENCODING_FORM, "RequestEncoding defaults to form");
        is_str(a->git_username, "oauth2", "GitUsername defaults to oauth2");
        ok(!a->warmup, "Warmup defaults to off");
        ok(!a->hosts && !a->extra_params && !a->scopes, "lists and optional strings are unset");
        for (GrantType g = 0; g < _GRANT_MAX; g++)
                if (a->client_auth_per_grant[g] != _CLIENT_AUTH_INVALID)
                        ok(false, "per-grant client auth %d unset", g);
        is_int(account_config_client_auth(a, GRANT_REFRESH_TOKEN), CLIENT_AUTH_BASIC,
               "without override every grant uses ClientAuth");
}

static void check_full(const AccountConfig *a, const char *ca) {
        is_str(a->provider, "sharetribe", "Provider");
        is_str(a->token_url, "https://flex-api.example.com/v1/auth/token", "TokenURL (spaces around = ignored)");
        is_str(a->issuer, "https://flex-api.example.com", "Issuer");
        is_str(a->client_id, "abc-123", "ClientID");
        is_int(a->client_auth, CLIENT_AUTH_POST, "ClientAuth");
        is_int(a->grant, GRANT_PASSWORD, "Grant");
        is_str(a->scopes, "user trusted:user", "Scopes");
        is_str(a->username, "alice@example.com", "Username");
        is_int(strv_length(a->hosts), 2, "Hosts has two patterns");
        is_str(a->hosts[1], "https://git.example.com/other", "second host pattern");
        ok(a->warmup, "Warmup");
        is_str(a->git_username, "x-token", "GitUsername");
        is_int(a->refresh_skew_sec, 0, "RefreshSkew may be 0");
        is_int(a->default_lifetime_sec, 86400, "DefaultLifetime");
        is_int(a->timeout_sec, 5, "Timeout");
        is_str(a->ca_file, ca, "CAFile");
        is_int(a->request_encoding, REQUEST_ENCODING_JSON, "RequestEncoding");
        is_str(a->token_path, "/data/token", "TokenPath");
        is_str(a->token_url_query, "version=2", "TokenURLQuery keeps its '='");
        is_int(strv_length(a->extra_params), 6, "ExtraParams: three pairs");
        if (strv_length(a->extra_params) == 6) {
                is_str(a->extra_params[0], "audience", "ExtraParams name 1");
                is_str(a->extra_params[1], "https://api.example.com", "ExtraParams value 1");
                is_str(a->extra_params[2], "scope", "ExtraParams name 2 (space after ';' trimmed)");
                is_str(a->extra_params[3], "a b", "ExtraParams value with a space");
                is_str(a->extra_params[5], "", "ExtraParams empty value");
        }
        is_str(a->grant_type_value, "urn:example:password", "GrantTypeValue");
        is_str(a->authorize_url, "http://127.0.0.1:8080/authorize", "http:// to 127.0.0.1 is allowed");
        is_str(a->device_authorization_url, "http://[::1]:9000/device", "http:// to [::1] is allowed");
        is_str(a->redirect_uri, "http://127.0.0.1:8400/callback", "RedirectURI");
        is_int(strv_length(a->authorize_param_names), 4, "AuthorizeParamNames: two pairs");
        if (strv_length(a->authorize_param_names) == 4)
                is_str(a->authorize_param_names[3], "redirectUri", "AuthorizeParamNames sent name");
        is_str(a->revocation_url, "http://localhost/revoke", "http:// to localhost is allowed");
        is_str(a->subject_account, "upstream", "SubjectAccount");
        is_str(a->audience, "api://default", "Audience");
        is_str(a->resource, "https://api.example.com/", "Resource");
        is_str(a->api_key_header, "X-Api-Key", "ApiKeyHeader");
        is_int(strv_length(a->expose_claims), 2, "ExposeClaims: repeated spaces are one separator");
        is_int(strv_length(a->allowed_callers), 2, "AllowedCallers");
        is_int(account_config_client_auth(a, GRANT_REFRESH_TOKEN), CLIENT_AUTH_NONE, "per-grant override applies");
        is_int(account_config_client_auth(a, GRANT_PASSWORD), CLIENT_AUTH_NONE, "Provider=sharetribe: no secret for password");
        is_int(account_config_client_auth(a, GRANT_CLIENT_CREDENTIALS), CLIENT_AUTH_POST, "other grants use ClientAuth");
}

static void test_full(void) {
        _cleanup_(account_config_freep) AccountConfig *a = NULL;
        AccountConfig *packed;
        _cleanup_strv_free_ char **d = NULL;
        _cleanup_free_ char *ca = write_file("ca.pem", "-----BEGIN CERTIFICATE-----\n", 0600), *text = NULL;
        const char *before_ca =
                "# a comment\n"
                "[Account]\n"
                "Provider=sharetribe\n"
                "TokenURL = https://flex-api.example.com/v1/auth/token\n"
                "Issuer=https://flex-api.example.com\n"
                "ClientID=abc-123\n"
                "ClientAuth=post\n"
                "ClientAuth.refresh_token=none\n"
                "Grant=password\n"
                "Scopes=user trusted:user\n"
                "Username=alice@example.com\n"
                "Hosts=https://git.example.com/team/* https://git.example.com/other\n"
                "Warmup=yes\n"
                "GitUsername=x-token\n"
                "RefreshSkew=0\n"
                "DefaultLifetime=86400\n"
                "Timeout=5\n";
        const char *after_ca =
                "RequestEncoding=json\n"
                "TokenPath=/data/token\n"
                "TokenURLQuery=version=2\n"
                "ExtraParams=audience=https://api.example.com; scope=a b;x=\n"
                "GrantTypeValue=urn:example:password\n"
                "AuthorizeURL=http://127.0.0.1:8080/authorize\n"
                "DeviceAuthorizationURL=http://[::1]:9000/device\n"
                "RedirectURI=http://127.0.0.1:8400/callback\n"
                "AuthorizeParamNames=client_id=clientId;redirect_uri=redirectUri\n"
                "RevocationURL=http://localhost/revoke\n"
                "SubjectAccount=upstream\n"
                "Audience=api://default\n"
                "Resource=https://api.example.com/\n"
                "ApiKeyHeader=X-Api-Key\n"
                "ExposeClaims=sub   tenant\n"
                "AllowedCallers=/usr/bin/git /usr/lib/git-core/git-remote-https\n";

        text = strjoin(before_ca, "CAFile=", ca, "\n", after_ca);
        assert(text);
        is_int(load_text(text, &a, &d), 0, "full file loads");
        is_int(strv_length(d), 0, "no diagnostics for a full file");
        if (!a)
                return;
        check_full(a, ca);

        /* What the daemon keeps: a packed copy, the same in every field after the original is gone (under
         * AddressSanitizer, a field left pointing into the original is a use after free here). */
        packed = account_config_pack(a);
        ok(packed && packed->packed, "a packed copy is made");
        a = account_config_free(a);
        if (packed)
                check_full(packed, ca);
        packed = account_config_free(packed);
}

/* CAFile= is read whole by the daemon at each request: only a regular file of bounded size will do. The file
 * is only opened to check that; a FIFO with no writer must not block the load. */
static void test_ca_file(void) {
        _cleanup_free_ char *good = NULL, *exact = NULL, *over = NULL, *fifo = NULL, *missing = NULL;
        int fd;

        good = write_file("good-ca.pem", "-----BEGIN CERTIFICATE-----\n", 0600);
        exact = strjoin(tmpdir, "/exact-ca.pem");
        over = strjoin(tmpdir, "/over-ca.pem");
        fifo = strjoin(tmpdir, "/fifo-ca.pem");
        missing = strjoin(tmpdir, "/missing-ca.pem");
        assert(exact && over && fifo && missing);
        /* Sparse files of exactly the limit and one byte more. */
        fd = open(exact, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        ok(fd >= 0 && ftruncate(fd, CA_FILE_SIZE_MAX) == 0, "a CA file of exactly 1 MiB");
        if (fd >= 0)
                close(fd);
        fd = open(over, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        ok(fd >= 0 && ftruncate(fd, CA_FILE_SIZE_MAX + 1) == 0, "a CA file of 1 MiB and one byte");
        if (fd >= 0)
                close(fd);
        (void) unlink(fifo);
        ok(mkfifo(fifo, 0600) == 0, "a FIFO");

        {
                const char *accepted[] = { good, exact };

                for (size_t i = 0; i < ELEMENTSOF(accepted); i++) {
                        _cleanup_(account_config_freep) AccountConfig *a = NULL;
                        _cleanup_strv_free_ char **d = NULL;
                        _cleanup_free_ char *text = strjoin(MINIMAL, "CAFile=", accepted[i], "\n");

                        is_int(load_text(text, &a, &d), 0, "CAFile=%s loads", accepted[i]);
                        is_str(a ? a->ca_file : NULL, accepted[i], "... and is kept");
                        is_int(strv_length(d), 0, "... without a diagnostic");
                }
        }

        {
                const struct {
                        const char *path, *message;
                } refused[] = {
                        { fifo, "is not a regular file" },
                        { "/dev/zero", "is not a regular file" },
                        { "/dev/null", "is not a regular file" },
                        { tmpdir, "is a directory" },
                        { over, "is larger than 1048576 bytes" },
                        { missing, "does not exist" },
                };

                for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                        _cleanup_(account_config_freep) AccountConfig *a = NULL;
                        _cleanup_strv_free_ char **d = NULL;
                        _cleanup_free_ char *text = strjoin(MINIMAL, "CAFile=", refused[i].path, "\n"),
                                            *want = strjoin("t.conf:4: CAFile: \"", refused[i].path, "\" ",
                                                            refused[i].message);

                        is_int(load_text(text, &a, &d), -EUCLEAN, "CAFile=%s: the account is refused",
                               refused[i].path);
                        ok(!a, "... nothing loaded");
                        ok(diag_has(d, want), "... \"%s\"", want);
                }
        }
}

/* RFC 8705: the TLS methods need a certificate, a key file needs a certificate and must be private. */
static void test_client_certificate(void) {
        _cleanup_free_ char *cert = NULL, *key = NULL, *open_key = NULL, *with_cert = NULL, *both = NULL,
                            *open = NULL, *key_only = NULL;
        static const char *const methods[] = { "tls_client_auth", "self_signed_tls_client_auth" };

        cert = write_file("client.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
        key = write_file("client.key", "-----BEGIN PRIVATE KEY-----\n", 0600);
        open_key = write_file("open.key", "-----BEGIN PRIVATE KEY-----\n", 0644);
        assert(cert && key && open_key);

        for (size_t i = 0; i < ELEMENTSOF(methods); i++) {
                _cleanup_(account_config_freep) AccountConfig *a = NULL, *b = NULL;
                _cleanup_strv_free_ char **d = NULL, **e = NULL;
                _cleanup_free_ char *bare = strjoin(MINIMAL, "ClientAuth=", methods[i], "\n"),
                                    *fine = strjoin(MINIMAL, "ClientAuth=", methods[i], "\nClientCertFile=", cert, "\n");

                is_int(load_text(bare, &a, &d), -EUCLEAN, "ClientAuth=%s without ClientCertFile=: refused", methods[i]);
                ok(diag_has(d, "t.conf:4: ClientCertFile: required for ClientAuth=tls_client_auth"),
                   "... saying what it needs");
                is_int(load_text(fine, &b, &e), 0, "... with one: loads");
                is_int(b ? (int) b->client_auth : -1, i == 0 ? CLIENT_AUTH_TLS_CLIENT_AUTH : CLIENT_AUTH_SELF_SIGNED_TLS_CLIENT_AUTH,
                       "... as that method");
        }

        both = strjoin(MINIMAL, "ClientCertFile=", cert, "\nClientKeyFile=", key, "\n");
        open = strjoin(MINIMAL, "ClientCertFile=", cert, "\nClientKeyFile=", open_key, "\n");
        key_only = strjoin(MINIMAL, "ClientKeyFile=", key, "\n");
        {
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;

                is_int(load_text(both, &a, &d), 0, "a certificate and a private key file (0600) load");
                is_str(a ? a->client_key_file : NULL, key, "... the key file is kept");
        }
        {
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;

                _cleanup_free_ char *want = strjoin("t.conf:5: ClientKeyFile: \"", open_key,
                                                    "\" may be read by others");

                is_int(load_text(open, &a, &d), -EUCLEAN, "a key file others may read (0644): refused");
                ok(diag_has(d, want), "... saying so");
        }
        {
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;

                is_int(load_text(key_only, &a, &d), -EUCLEAN, "a key file without a certificate: refused");
        }
}

/* Each class of bad value, with the line it was reported on. */
static void test_bad_values(void) {
        static const struct {
                const char *line;
                const char *prefix;
        } cases[] = {
                { "Grant=implicit", "t.conf:4: Grant: invalid value \"implicit\"" },
                { "Grant=refresh_token", "t.conf:4: Grant: refresh_token is used" },
                { "ClientAuth=digest", "t.conf:4: ClientAuth: invalid value" },
                { "ClientAuth.refresh_token=sometimes", "t.conf:4: ClientAuth.refresh_token: invalid value" },
                { "RequestEncoding=xml", "t.conf:4: RequestEncoding: invalid value" },
                { "Timeout=abc", "t.conf:4: Timeout: invalid number of seconds" },
                { "Timeout=0", "t.conf:4: Timeout: invalid number of seconds" },
                { "RefreshSkew=-5", "t.conf:4: RefreshSkew: invalid number" },
                { "DefaultLifetime=1e3", "t.conf:4: DefaultLifetime: invalid number" },
                { "DefaultLifetime=99999999999999999999999", "t.conf:4: DefaultLifetime: invalid number" },
                { "Warmup=maybe", "t.conf:4: Warmup: invalid boolean" },
                { "Issuer=ftp://example.com", "t.conf:4: Issuer: must be an https:// URL" },
                { "Issuer=http://example.com/", "t.conf:4: Issuer: must use https://" },
                { "AuthorizeURL=http://127.0.0.1.evil.example/", "t.conf:4: AuthorizeURL: must use https://" },
                { "RevocationURL=http://[::2]/", "t.conf:4: RevocationURL: must use https://" },
                { "AuthorizeURL=https://user:pw@example.com/", "t.conf:4: AuthorizeURL: must not contain a user" },
                { "AuthorizeURL=https://example.com:99999/", "t.conf:4: AuthorizeURL: has an invalid port" },
                { "AuthorizeURL=https:///x", "t.conf:4: AuthorizeURL: has no host" },
                { "CAFile=certs/ca.pem", "t.conf:4: CAFile: must be an absolute path" },
                { "ExtraParams=audience", "t.conf:4: ExtraParams: expected name=value pairs" },
                { "AuthorizeParamNames==clientId", "t.conf:4: AuthorizeParamNames: expected name=value" },
                { "ApiKeyHeader=X Api Key", "t.conf:4: ApiKeyHeader: invalid HTTP header name" },
                { "AllowedCallers=/usr/bin/git git", "t.conf:4: AllowedCallers: \"git\" is not an absolute path" },
                { "SubjectAccount=../other", "t.conf:4: SubjectAccount: invalid account name" },
                { "Provider=Flume!", "t.conf:4: Provider: invalid name" },
                { "Scopes=a\\qb", "t.conf:4: Scopes: invalid escape sequence" },
                { "Scopes=a\\nb", "t.conf:4: Scopes: must not contain control characters" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;
                _cleanup_free_ char *text = strjoin(MINIMAL, cases[i].line, "\n");

                is_int(load_text(text, &a, &d), -EUCLEAN, "%s: refused", cases[i].line);
                ok(!a, "%s: nothing returned", cases[i].line);
                ok(diag_has(d, cases[i].prefix), "%s: reported at line 4", cases[i].line);
        }

        /* The later of two assignments wins, in GKeyFile and in the reported line. */
        {
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;

                is_int(load_text(MINIMAL "Timeout=x\n\n# c\nTimeout=y\n", &a, &d), -EUCLEAN, "repeated key refused");
                ok(diag_has(d, "t.conf:7: Timeout:"), "repeated key reported at its last line");
                is_int(strv_length(d), 1, "one diagnostic for it");
        }
}

static void test_required(void) {
        _cleanup_(account_config_freep) AccountConfig *a = NULL;
        _cleanup_strv_free_ char **d = NULL, **d2 = NULL, **d3 = NULL;

        is_int(load_text("# x\n[Account]\nScopes=a\n", &a, &d), -EUCLEAN, "missing TokenURL and ClientID refused");
        ok(diag_has(d, "t.conf:2: TokenURL: required"), "missing TokenURL reported at the group header");
        ok(diag_has(d, "t.conf:2: ClientID: required"), "missing ClientID reported at the group header");

        is_int(load_text("[Account]\nIssuer=https://id.example.com\nClientID=c\n", &a, &d2), 0,
               "Issuer instead of TokenURL is enough");
        a = account_config_free(a);

        is_int(load_text("# nothing\n", &a, &d3), -EUCLEAN, "file without [Account] refused");
        ok(diag_has(d3, "t.conf: [Account]: group missing"), "missing group reported");
}

static void test_warnings(void) {
        _cleanup_(account_config_freep) AccountConfig *a = NULL;
        _cleanup_strv_free_ char **d = NULL;

        is_int(load_text(MINIMAL "Frobnicate=1\ntokenurl=https://x\nClientSecret=hunter2\n\n[Other]\nA=b\n", &a, &d), 0,
               "unknown keys and groups do not stop loading");
        ok(a, "account loaded");
        is_int(strv_length(d), 4, "four warnings");
        ok(diag_has(d, "t.conf:4: Frobnicate: unknown key, ignoring"), "unknown key with line");
        ok(diag_has(d, "t.conf:5: tokenurl: unknown key (did you mean TokenURL?)"), "wrong case gets a hint");
        ok(diag_has(d, "t.conf:6: ClientSecret: secrets do not belong"), "secret in file: warning with line");
        ok(diag_contains(d, "set-secret"), "the warning points to set-secret");
        ok(!diag_contains(d, "hunter2"), "the secret is not repeated in the warning");
        ok(diag_has(d, "t.conf:8: [Other]: unknown group, ignoring"), "unknown group with line");
}

/* MINIMAL followed by n lines "kXXXX=" (unknown keys) and then `tail`. */
static char *text_with_unknown_keys(size_t n, const char *tail) {
        size_t size = strlen(MINIMAL) + n * 8 + strlen(tail) + 1, k;
        char *text = malloc(size);

        assert(text);
        k = (size_t) sprintf(text, "%s", MINIMAL);
        for (size_t i = 0; i < n; i++)
                k += (size_t) sprintf(text + k, "k%05zx=\n", i);
        strcpy(text + k, tail);
        return text;
}

/* CPU time of the fastest of three loads, in nanoseconds: CPU time, not wall-clock time, and the best of
 * three, so that a loaded machine does not decide the outcome. */
static long long load_cpu_ns(const char *text) {
        long long best = -1;

        for (int round = 0; round < 3; round++) {
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;
                struct timespec t0, t1;
                long long ns;

                assert(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0) == 0);
                assert(load_text(text, &a, &d) == 0);
                assert(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1) == 0);
                ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
                if (best < 0 || ns < best)
                        best = ns;
        }
        return best;
}

/* Thousands of unknown keys cost time linear in their number, and produce a bounded list of diagnostics with
 * the right lines. */
static void test_many_diagnostics(void) {
        const size_t n = 900;
        _cleanup_free_ char *small = text_with_unknown_keys(n, ""),
                            *large = text_with_unknown_keys(8 * n, "");
        long long t_small, t_large;
        char want[64];

        ok(strlen(large) <= 64 * 1024, "%zu unknown keys fit into the 64 KiB an account file may have",
           8 * n);
        (void) load_cpu_ns(small);      /* warm up: page faults, GLib's first allocations */
        t_small = load_cpu_ns(small);
        t_large = load_cpu_ns(large);
        tap_diag("CPU time: %zu keys %lld us, %zu keys %lld us", n, t_small / 1000, 8 * n, t_large / 1000);
        /* Linear is a ratio of 8, quadratic 64; this leaves room for noise and caches. */
        ok(t_large < 24 * MAX(t_small, 1000LL), "8 times the keys take less than 24 times the CPU time");

        {
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;
                size_t count;
                bool lines_right = true;

                is_int(load_text(large, &a, &d), 0, "a file with %zu unknown keys loads", 8 * n);
                count = strv_length(d);
                is_int(count, 101, "100 diagnostics and one line for the rest");
                for (size_t i = 0; i < 100 && i < count; i++) {
                        (void) snprintf(want, sizeof(want), "t.conf:%zu: k%05zx: unknown key, ignoring",
                                        i + 4, i);
                        if (!streq(d[i], want)) {
                                tap_diag("diagnostic %zu: got \"%s\", want \"%s\"", i, d[i], want);
                                lines_right = false;
                                break;
                        }
                }
                ok(lines_right, "each names its key and the key's line");
                (void) snprintf(want, sizeof(want), "t.conf: ... and %zu more warnings", 8 * n - 100);
                is_str(count > 0 ? d[count - 1] : NULL, want, "the last line counts the others");
        }

        {
                /* Errors say why an account is refused: they are shown even past the limit. */
                _cleanup_free_ char *text = text_with_unknown_keys(150, "Timeout=soon\n");
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;

                is_int(load_text(text, &a, &d), -EUCLEAN, "150 unknown keys and a bad value: refused");
                is_int(strv_length(d), 102, "100 warnings, the error and one line for the rest");
                ok(diag_has(d, "t.conf:154: Timeout: invalid number of seconds"), "the error, at its line");
                ok(diag_has(d, "t.conf: ... and 50 more warnings"), "the rest counted");
        }

        {
                /* Exactly at the limit nothing is left out, and no summary line is added. */
                _cleanup_free_ char *text = text_with_unknown_keys(100, "");
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;

                is_int(load_text(text, &a, &d), 0, "100 unknown keys load");
                is_int(strv_length(d), 100, "100 diagnostics, all of them");
                ok(!diag_contains(d, "more warnings"), "no summary line");
        }

        {
                /* Unknown groups are found by one index as well. */
                _cleanup_free_ char *text = NULL;
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;
                size_t k;

                text = malloc(strlen(MINIMAL) + 3 * 10 + 1);
                assert(text);
                k = (size_t) sprintf(text, "%s", MINIMAL);
                for (int i = 0; i < 3; i++)
                        k += (size_t) sprintf(text + k, "[G%d]\nx=1\n", i);
                is_int(load_text(text, &a, &d), 0, "unknown groups load");
                ok(diag_has(d, "t.conf:4: [G0]: unknown group") &&
                   diag_has(d, "t.conf:6: [G1]: unknown group") &&
                   diag_has(d, "t.conf:8: [G2]: unknown group"), "each at its header line");
        }
}

static void test_syntax(void) {
        static const struct {
                const char *text;
                const char *prefix;
        } cases[] = {
                { "[Account]\nTokenURL=https://x\nthis is not a key\n", "t.conf:3: syntax error" },
                { "\n\nTokenURL=https://x\n[Account]\n", "t.conf:3: key before the first [Group]" },
                { "[Account]\nClientID=a\n[Broken\n", "t.conf:3: invalid group header" },
                { "[Account]\n=value\n", "t.conf:2: syntax error" },
                { "[Account]\nClientID=\xff\xfe\n", "t.conf:2:" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;

                is_int(load_text(cases[i].text, &a, &d), -EUCLEAN, "syntax case %zu refused", i);
                ok(diag_has(d, cases[i].prefix), "syntax case %zu reported at its line", i);
        }

        {
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;
                const char text[] = "[Account]\nClientID=a\0b\n";

                is_int(account_config_load_data("t.conf", text, sizeof(text) - 1, &a, &d), -EUCLEAN,
                       "NUL byte refused");
                ok(diag_has(d, "t.conf:2: contains a NUL byte"), "NUL byte reported at its line");
        }
        {
                _cleanup_(account_config_freep) AccountConfig *a = NULL;
                _cleanup_strv_free_ char **d = NULL;

                is_int(account_config_load_data("/x/.hidden.conf", MINIMAL, strlen(MINIMAL), &a, &d), -EUCLEAN,
                       "invalid account name refused");
                ok(diag_has(d, "/x/.hidden.conf: invalid account name"), "invalid name reported");
        }
}

static void test_file_checks(void) {
        _cleanup_free_ char *good = write_file("good.conf", MINIMAL, 0600);
        _cleanup_free_ char *open_to_all = write_file("open.conf", MINIMAL, 0644);
        _cleanup_free_ char *group_w = write_file("groupw.conf", MINIMAL, 0620);
        _cleanup_free_ char *link = strjoin(tmpdir, "/link.conf");
        _cleanup_free_ char *big = NULL, *bigtext = NULL;
        AccountConfig *a = NULL;
        char **d = NULL;

        is_int(account_config_load(good, &a, &d), 0, "0600 file of ours loads");
        is_str(a ? a->name : NULL, "good", "its name");
        is_str(a ? a->path : NULL, good, "its path");
        a = account_config_free(a);

        is_int(account_config_load(open_to_all, &a, &d), -EPERM, "world-readable file refused");
        ok(!a, "nothing loaded");
        ok(diag_contains(d, "mode 0644") && diag_contains(d, "chmod 0600"), "the message says why and how to fix");
        d = strv_free(d);

        is_int(account_config_load(group_w, &a, &d), -EPERM, "group-writable file refused");
        d = strv_free(d);

        (void) unlink(link);
        ok(symlink(good, link) == 0, "symlink created");
        is_int(account_config_load(link, &a, &d), -EPERM, "symlink refused");
        ok(diag_contains(d, "symbolic link"), "symlink message");
        d = strv_free(d);

        is_int(account_config_load(tmpdir, &a, &d), -EPERM, "directory refused");
        d = strv_free(d);

        bigtext = calloc(1, 70 * 1024);
        memset(bigtext, '#', 70 * 1024 - 1);
        big = write_file("big.conf", bigtext, 0600);
        is_int(account_config_load(big, &a, &d), -EFBIG, "file over 64 KiB refused");
        d = strv_free(d);

        {
                _cleanup_free_ char *missing = strjoin(tmpdir, "/missing.conf");
                is_int(account_config_load(missing, &a, &d), -ENOENT, "missing file: -ENOENT");
        }

        if (geteuid() == 0) {
                _cleanup_free_ char *other = write_file("other.conf", MINIMAL, 0600);
                ok(chown(other, 65534, 65534) == 0, "file given to nobody");
                is_int(account_config_load(other, &a, &d), -EPERM, "file owned by another user refused");
                ok(diag_contains(d, "owned by uid 65534"), "owner message");
                d = strv_free(d);
        } else
                ok(true, "file owned by another user refused # SKIP needs root to chown");
        strv_free(d);
}

/* account_config_file_unchanged(), which lets a reload skip a file: any change to what was read counts, even
 * one that keeps the size and puts the modification time back. The file is made to look settled (old enough
 * at its reading) by the test, not by waiting. */
static void test_file_unchanged(void) {
        _cleanup_free_ char *path = write_file("stamp.conf", MINIMAL, 0600);
        _cleanup_free_ char *moved = strjoin(tmpdir, "/stamp-moved.conf");
        AccountConfig *a = NULL;
        struct stat before;
        char **d = NULL;
        int fd;

        is_int(account_config_load(path, &a, &d), 0, "a file loads");
        if (!a)
                return;
        ok(!a->stamp.settled, "a file written just now is not settled: a reload reads it again");
        ok(!account_config_file_unchanged(a, path), "... so it counts as changed");
        a->stamp.settled = true;
        ok(account_config_file_unchanged(a, path), "settled and untouched: unchanged");
        ok(!account_config_file_unchanged(a, moved), "another path: changed");

        ok(stat(path, &before) == 0, "stat");
        fd = open(path, O_WRONLY | O_CLOEXEC);
        ok(fd >= 0 && pwrite(fd, "#", 1, 0) == 1, "the first byte overwritten, the size kept");
        if (fd >= 0) {
                (void) futimens(fd, (struct timespec[]) { before.st_atim, before.st_mtim });
                close(fd);
        }
        ok(!account_config_file_unchanged(a, path), "... with its mtime put back: changed (the ctime moved)");
        a = account_config_free(a);

        free(write_file("stamp.conf", MINIMAL, 0600));
        is_int(account_config_load(path, &a, &d), 0, "loaded again");
        if (!a)
                return;
        a->stamp.settled = true;
        ok(chmod(path, 0400) == 0 && !account_config_file_unchanged(a, path), "chmod: changed");
        ok(rename(path, moved) == 0 && symlink(moved, path) == 0 && !account_config_file_unchanged(a, path),
           "a symbolic link in its place: changed");
        (void) unlink(path);
        ok(!account_config_file_unchanged(a, path), "gone: changed");
        a = account_config_free(a);

        is_int(account_config_load_data("/x/mem.conf", MINIMAL, strlen(MINIMAL), &a, &d), 0, "from memory");
        ok(a && !account_config_file_unchanged(a, "/x/mem.conf"), "... never unchanged: it has no file");
        account_config_free(a);
        strv_free(d);
}

int main(void) {
        _cleanup_free_ char *cmd = NULL;

        umask(022);
        if (!mkdtemp(tmpdir))
                return 99;

        test_enums();
        test_defaults();
        test_full();
        test_bad_values();
        test_ca_file();
        test_client_certificate();
        test_required();
        test_warnings();
        test_many_diagnostics();
        test_syntax();
        test_file_checks();
        test_file_unchanged();

        cmd = strjoin("rm -rf '", tmpdir, "'");
        (void) system(cmd);
        return tap_done();
}
