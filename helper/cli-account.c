/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Verbs that manage accounts: add, set-secret, list, status, remove. The daemon writes the files and the
 * keyring; the command line only collects what the user says. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "bus-client.h"
#include "cli.h"
#include "process-harden.h"
#include "exit-status.h"
#include "string-util.h"


static int settings_add(char ***settings, const char *key, const char *value) {
        /* A later --set of the same key wins. */
        for (char **s = *settings; s && s[0]; s += 2)
                if (streq(s[0], key)) {
                        char *v = strdup(value);
                        if (!v)
                                return -ENOMEM;
                        free(s[1]);
                        s[1] = v;
                        return 0;
                }
        if (strv_extend(settings, key) < 0 || strv_extend(settings, value) < 0)
                return -ENOMEM;
        return 0;
}

int verb_add(int argc, char *argv[]) {
        static const struct option options[] = {
                { "token-url", required_argument, NULL, 'u' },
                { "client-id", required_argument, NULL, 'c' },
                { "client-auth", required_argument, NULL, 'a' },
                { "grant", required_argument, NULL, 'g' },
                { "scopes", required_argument, NULL, 's' },
                { "provider", required_argument, NULL, 'p' },
                { "issuer", required_argument, NULL, 'i' },
                { "username", required_argument, NULL, 'U' },
                { "hosts", required_argument, NULL, 'H' },
                { "warmup", no_argument, NULL, 'w' },
                { "set", required_argument, NULL, 'S' },
                { "replace", no_argument, NULL, 'r' },
                {}
        };
        static const struct {
                int opt;
                const char *key;
        } keys[] = {
                { 'u', "TokenURL" }, { 'c', "ClientID" }, { 'a', "ClientAuth" }, { 'g', "Grant" },
                { 's', "Scopes" }, { 'p', "Provider" }, { 'i', "Issuer" }, { 'U', "Username" }, { 'H', "Hosts" },
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **settings = NULL;
        bool replace = false;
        const char *name;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                const char *eq;

                switch (c) {
                case 'w':
                        r = settings_add(&settings, "Warmup", "true");
                        break;
                case 'r':
                        replace = true;
                        r = 0;
                        break;
                case 'S':
                        eq = strchr(optarg, '=');
                        if (!eq || eq == optarg)
                                return cli_usage_error("--set takes Key=Value, not '%s'.", optarg);
                        {
                                _cleanup_free_ char *k = strndup(optarg, eq - optarg);
                                if (!k)
                                        return EXIT_FAILURE_OTHER;
                                r = settings_add(&settings, k, eq + 1);
                        }
                        break;
                case '?':
                        return EXIT_USAGE;
                default:
                        r = -EINVAL;
                        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                                if (keys[i].opt == c)
                                        r = settings_add(&settings, keys[i].key, optarg);
                }
                if (r < 0)
                        return EXIT_FAILURE_OTHER;
        }
        if (argc - optind != 1)
                return cli_usage_error("add takes one account name.");
        name = argv[optind];
        if (!account_name_is_valid(name))
                return cli_usage_error("'%s' is not a valid account name (letters, digits, '.', '_', '-').", name);

        r = cli_connect(&bus);
        if (r > 0)
                return r;

        r = sd_bus_message_new_method_call(bus, &m, sd_bus_is_bus_client(bus) ? "org.tokenbroker.Broker1" : NULL,
                                           "/org/tokenbroker/Broker1", "org.tokenbroker.Broker1", "AddAccount");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{ss}");
        for (char **s = settings; r >= 0 && s && s[0]; s += 2)
                r = sd_bus_message_append(m, "{ss}", s[0], s[1]);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "b", (int) replace);
        if (r < 0)
                return cli_fail("add", NULL, r);

        r = sd_bus_call(bus, m, 0, &error, NULL);
        if (r < 0)
                return cli_fail("add", &error, r);

        fprintf(stderr, "Account '%s' %s. Set its secret with 'tokenbroker set-secret %s client-secret'.\n", name,
                replace ? "written" : "added", name);
        return EXIT_OK;
}

/* On a terminal: shows `prompt` and turns echo off (line ends still echoed) until the secret is read; *old
 * is what to restore. 1 when it did, 0 when stdin is no terminal. */
static int terminal_quiet(const char *prompt, struct termios *old) {
        struct termios quiet;

        if (!isatty(STDIN_FILENO))
                return 0;
        fputs(prompt, stderr);
        if (tcgetattr(STDIN_FILENO, old) < 0)
                return -errno;
        quiet = *old;
        quiet.c_lflag &= ~(tcflag_t) ECHO;
        quiet.c_lflag |= ECHONL;
        return tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0 ? -errno : 1;
}

/* Reads one secret line from stdin without echo when stdin is a terminal. The buffer is wiped by the caller. */
static int read_secret(char **ret) {
        struct termios old;
        char *line = NULL;
        size_t alloc = 0;
        ssize_t n;
        int tty;

        tty = terminal_quiet("Secret: ", &old);
        if (tty < 0)
                return tty;
        /* SetSecret checks no program: the process may hide itself before it holds the secret. */
        process_hold_secrets();
        n = getline(&line, &alloc, stdin);
        if (tty)
                (void) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        if (n < 0) {
                free(line);
                return -ENODATA;
        }
        /* One trailing newline (and CR) is the line end, not part of the secret. */
        if (n > 0 && line[n - 1] == '\n')
                line[--n] = 0;
        if (n > 0 && line[n - 1] == '\r')
                line[--n] = 0;
        *ret = line;
        return 0;
}

/* Reads a PEM key, all of stdin (without echo on a terminal), into one zeroed buffer allocated once: no copy
 * is left behind by a realloc, and it is wiped whole on every way out. The daemon checks what it is; here
 * only its size. */
static int read_pem(char **ret) {
        const size_t size = SECRET_VALUE_MAX + 2;
        struct termios old;
        char *buf;
        size_t n = 0;
        int tty, r = 0;

        buf = calloc(size, 1);
        if (!buf)
                return -ENOMEM;
        tty = terminal_quiet("Paste the PEM key, then Ctrl-D:\n", &old);
        if (tty < 0) {
                free(buf);
                return tty;
        }
        process_hold_secrets();
        while (n <= SECRET_VALUE_MAX) {
                ssize_t k = read(STDIN_FILENO, buf + n, SECRET_VALUE_MAX + 1 - n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = -errno;
                        break;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        if (tty > 0)
                (void) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        if (r == 0 && n > SECRET_VALUE_MAX)
                r = -EFBIG;
        if (r < 0) {
                erase_buffer(buf, size);
                free(buf);
                return r;
        }
        *ret = buf;     /* NUL-terminated: the buffer is one byte longer than the most read */
        return 0;
}

int verb_set_secret(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_erase_ char *secret = NULL;
        int r;

        if (argc != 3)
                return cli_usage_error("set-secret takes an account name and a kind (client-secret, password, "
                                       "api-key, refresh-token, tls-key); the secret is read from stdin.");

        /* A TLS key is PEM, several lines; every other kind is one line. */
        r = streq(argv[2], SECRET_KIND_TLS_KEY) ? read_pem(&secret) : read_secret(&secret);
        if (r == -EFBIG) {
                fprintf(stderr, "tokenbroker: set-secret: the key on standard input is larger than %u bytes.\n",
                        SECRET_VALUE_MAX);
                return EXIT_USAGE;
        }
        if (r < 0 || isempty(secret)) {
                fputs("tokenbroker: set-secret: no secret on standard input.\n", stderr);
                return EXIT_USAGE;
        }

        r = cli_connect(&bus);
        if (r > 0)
                return r;

        r = sd_bus_message_new_method_call(bus, &m, sd_bus_is_bus_client(bus) ? "org.tokenbroker.Broker1" : NULL,
                                           "/org/tokenbroker/Broker1", "org.tokenbroker.Broker1", "SetSecret");
        if (r >= 0)
                r = sd_bus_message_sensitive(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", argv[1], argv[2]);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', secret, strlen(secret));
        if (r < 0)
                return cli_fail("set-secret", NULL, r);

        r = sd_bus_call(bus, m, 0, &error, NULL);
        if (r < 0)
                return cli_fail("set-secret", &error, r);
        return EXIT_OK;
}

int verb_list(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **names = NULL;
        int r;

        if (argc != 1)
                return cli_usage_error("list takes no arguments.");
        r = cli_connect(&bus);
        if (r > 0)
                return r;
        r = broker_call(bus, "ListAccounts", &error, &reply, NULL);
        if (r < 0)
                return cli_fail("list", &error, r);
        r = sd_bus_message_read_strv(reply, &names);
        if (r < 0)
                return cli_fail("list", NULL, r);
        STRV_FOREACH(n, names)
                printf("%s\n", *n);
        return EXIT_OK;
}

static int print_status(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *key;
        int r;

        r = broker_call(bus, "GetAccount", &error, &reply, "s", name);
        if (r < 0)
                return cli_fail(name, &error, r);

        printf("%s\n", name);
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return cli_fail(name, NULL, r);
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *contents;
                char type;

                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        break;
                r = sd_bus_message_peek_type(reply, &type, &contents);
                if (r < 0)
                        break;
                printf("  %-15s ", key);
                if (streq(contents, "s")) {
                        const char *s;
                        r = sd_bus_message_read(reply, "v", "s", &s);
                        printf("%s\n", isempty(s) ? "-" : s);
                } else if (streq(contents, "b")) {
                        int b;
                        r = sd_bus_message_read(reply, "v", "b", &b);
                        printf("%s\n", b ? "yes" : "no");
                } else if (streq(contents, "x")) {
                        int64_t x;
                        r = sd_bus_message_read(reply, "v", "x", &x);
                        if (x > 0) {
                                time_t t = (time_t) x;
                                char buf[64];
                                struct tm tm;
                                strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z", localtime_r(&t, &tm));
                                printf("%s (in %lld s)\n", buf, (long long) (x - time(NULL)));
                        } else
                                printf("-\n");
                } else if (streq(contents, "as")) {
                        _cleanup_strv_free_ char **l = NULL;
                        r = sd_bus_message_enter_container(reply, 'v', "as");
                        if (r >= 0)
                                r = sd_bus_message_read_strv(reply, &l);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                        if (strv_length(l) == 0)
                                printf("-\n");
                        else {
                                STRV_FOREACH(s, l)
                                        printf("%s%s", *s, s[1] ? " " : "\n");
                        }
                } else {
                        r = sd_bus_message_skip(reply, "v");
                        printf("?\n");
                }
                if (r < 0)
                        break;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        break;
        }
        if (r < 0)
                return cli_fail(name, NULL, r);
        return EXIT_OK;
}

/* The account files the daemon refused, with why: a status that listed only what loaded would hide the
 * account a person is looking for. `status` lists them with the accounts on stdout, `reload` as errors on
 * stderr. Returns EXIT_CONFIG when there is any. */
static int print_refused(sd_bus *bus, const char *verb) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        bool status = streq(verb, "status");
        const char *name, *why;
        int r, ret = EXIT_OK;

        r = broker_call(bus, "ListRefusedAccounts", &error, &reply, NULL);
        if (r < 0)
                return cli_fail(verb, &error, r);
        r = sd_bus_message_enter_container(reply, 'a', "{ss}");
        while (r >= 0 && (r = sd_bus_message_read(reply, "{ss}", &name, &why)) > 0) {
                if (status)
                        printf("%s (not loaded)\n  %s\n", name, why);
                else
                        fprintf(stderr, "tokenbroker: reload: %s not loaded: %s\n", name, why);
                ret = EXIT_CONFIG;
        }
        if (r < 0)
                return cli_fail(verb, NULL, r);
        return ret;
}

/* Reload, then what was loaded (the names, up to a screenful) and what was refused and why; exit 9 when a
 * file was refused, so that a script sees it. */
int verb_reload(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **names = NULL;
        size_t n;
        int r;

        if (argc != 1)
                return cli_usage_error("reload takes no arguments.");
        r = cli_connect(&bus);
        if (r > 0)
                return r;
        r = broker_call(bus, "Reload", &error, NULL, NULL);
        if (r >= 0)
                r = broker_call(bus, "ListAccounts", &error, &reply, NULL);
        if (r >= 0)
                r = sd_bus_message_read_strv(reply, &names);
        if (r < 0)
                return cli_fail("reload", &error, r);
        n = strv_length(names);
        printf("%zu account%s loaded", n, n == 1 ? "" : "s");
        if (n > 0 && n <= 20) {
                fputs(":", stdout);
                STRV_FOREACH(s, names)
                        printf(" %s", *s);
        } else if (n > 20)
                fputs(" ('tokenbroker list' names them)", stdout);
        fputs(".\n", stdout);
        fflush(stdout);
        return print_refused(bus, "reload");
}

int verb_status(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **names = NULL;
        int r, ret = EXIT_OK;

        if (argc > 2)
                return cli_usage_error("status takes at most one account name.");
        r = cli_connect(&bus);
        if (r > 0)
                return r;
        if (argc == 2)
                return print_status(bus, argv[1]);

        r = broker_call(bus, "ListAccounts", &error, &reply, NULL);
        if (r < 0)
                return cli_fail("status", &error, r);
        r = sd_bus_message_read_strv(reply, &names);
        if (r < 0)
                return cli_fail("status", NULL, r);
        if (strv_length(names) == 0)
                printf("No accounts. Add one with 'tokenbroker add NAME --token-url URL --client-id ID'.\n");
        STRV_FOREACH(n, names) {
                r = print_status(bus, *n);
                if (r != EXIT_OK)
                        ret = r;
        }
        r = print_refused(bus, "status");
        if (r != EXIT_OK)
                ret = r;
        return ret;
}

int verb_remove(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        if (argc != 2)
                return cli_usage_error("remove takes one account name.");
        r = cli_connect(&bus);
        if (r > 0)
                return r;
        r = broker_call(bus, "RemoveAccount", &error, NULL, "s", argv[1]);
        if (r < 0)
                return cli_fail("remove", &error, r);
        return EXIT_OK;
}
