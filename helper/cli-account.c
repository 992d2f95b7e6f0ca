/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Verbs that manage accounts: add, set-secret, remove, reload (list and status: cli-status.c). The daemon writes the files and the
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

static int ask_secrets(sd_bus *bus, const char *name, char ***stored);

int verb_add(int argc, char *argv[]) {
        static const struct option options[] = {
                { "token-url", required_argument, NULL, 'u' },
                { "client-id", required_argument, NULL, 'c' },
                { "client-auth", required_argument, NULL, 'a' },
                { "grant", required_argument, NULL, 'g' },
                { "scopes", required_argument, NULL, 's' },
                { "provider", required_argument, NULL, 'p' },
                { "issuer", required_argument, NULL, 'i' },
                { "environment", required_argument, NULL, 'e' },
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
                { 'e', "Environment" },
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **settings = NULL, **stored = NULL;
        _cleanup_free_ char *asked_name = NULL;
        bool replace = false, interactive;
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
        /* Nothing but (at most) a name, at a terminal: ask for the rest. */
        interactive = argc - optind <= 1 && !settings && isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
        if (argc - optind > 1 || (argc - optind == 0 && !interactive))
                return cli_usage_error("add takes one account name.");
        if (argc - optind == 1) {
                name = argv[optind];
                if (!account_name_is_valid(name))
                        return cli_usage_error("'%s' is not a valid account name (letters, digits, '.', '_', '-').",
                                               name);
                asked_name = strdup(name);
                if (!asked_name)
                        return EXIT_FAILURE_OTHER;
        }

        r = cli_connect(&bus);
        if (r > 0)
                return r;
        if (interactive) {
                r = cli_add_ask(&asked_name, &settings);
                if (r == -ENODATA) {
                        fputs("\nNothing added.\n", stderr);
                        return EXIT_USAGE;
                }
                if (r < 0)
                        return cli_fail("add", NULL, r);
        }
        name = asked_name;

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

        fprintf(stderr, "Account '%s' %s.\n", name, replace ? "written" : "added");
        if (interactive) {
                r = ask_secrets(bus, name, &stored);
                if (r != EXIT_OK)
                        return r;
        }
        cli_print_next_steps(bus, name, replace, stored);
        return EXIT_OK;
}

/* On a terminal: shows `prompt` and turns echo off (line ends still echoed) until the secret is read; *old
 * is what to restore. 1 when it did, 0 when stdin is no terminal. */
static int terminal_quiet(const char *prompt, struct termios *old) {
        struct termios quiet;

        if (!isatty(STDIN_FILENO))
                return 0;
        if (tcgetattr(STDIN_FILENO, old) < 0)
                return -errno;
        quiet = *old;
        quiet.c_lflag &= ~(tcflag_t) ECHO;
        quiet.c_lflag |= ECHONL;
        /* Echo off (and what was typed before discarded) first, the prompt after: what is typed once the
         * prompt shows is neither echoed nor thrown away. */
        if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
                return -errno;
        fputs(prompt, stderr);
        fflush(stderr);
        return 1;
}

/* Reads one secret line from stdin without echo when stdin is a terminal. The buffer is wiped by the caller. */
static int read_secret(const char *prompt, char **ret) {
        struct termios old;
        char *line = NULL;
        size_t alloc = 0;
        ssize_t n;
        int tty;

        tty = terminal_quiet(prompt, &old);
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
static int read_pem(const char *prompt, char **ret) {
        const size_t size = SECRET_VALUE_MAX + 2;
        struct termios old;
        char *buf;
        size_t n = 0;
        int tty, r = 0;

        buf = calloc(size, 1);
        if (!buf)
                return -ENOMEM;
        tty = terminal_quiet(prompt, &old);
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

/* SetSecret, the value marked sensitive (sd-bus wipes such a message when it frees it). */
static int store_secret(sd_bus *bus, const char *name, const char *kind, const char *secret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, sd_bus_is_bus_client(bus) ? "org.tokenbroker.Broker1" : NULL,
                                           "/org/tokenbroker/Broker1", "org.tokenbroker.Broker1", "SetSecret");
        if (r >= 0)
                r = sd_bus_message_sensitive(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", name, kind);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', secret, strlen(secret));
        if (r < 0)
                return cli_fail("set-secret", NULL, r);
        r = sd_bus_call(bus, m, 0, &error, NULL);
        if (r < 0)
                return cli_fail("set-secret", &error, r);
        return EXIT_OK;
}

/* After an interactive add: each one-line secret the account needs, asked for without echo (Enter: later). */
static int ask_secrets(sd_bus *bus, const char *name, char ***stored) {
        _cleanup_strv_free_ char **needed = NULL;
        int r;

        r = cli_account_needed_secrets(bus, name, &needed);
        if (r != EXIT_OK)
                return r;
        STRV_FOREACH(k, needed) {
                _cleanup_erase_ char *secret = NULL;
                _cleanup_free_ char *prompt = NULL;

                if (!streq(*k, SECRET_KIND_CLIENT_SECRET) && !streq(*k, SECRET_KIND_PASSWORD) &&
                    !streq(*k, SECRET_KIND_API_KEY))
                        continue;
                if (asprintf(&prompt, "The %s of account '%s' (Enter: later): ", *k, name) < 0)
                        return cli_fail("add", NULL, -ENOMEM);
                if (read_secret(prompt, &secret) < 0 || isempty(secret))
                        continue;
                r = store_secret(bus, name, *k, secret);
                if (r != EXIT_OK)
                        return r;
                if (strv_extend(stored, *k) < 0)
                        return cli_fail("add", NULL, -ENOMEM);
        }
        return EXIT_OK;
}

int verb_set_secret(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_erase_ char *secret = NULL;
        _cleanup_free_ char *prompt = NULL;
        int r;

        if (argc != 3)
                return cli_usage_error("set-secret takes an account name and a kind (client-secret, password, "
                                       "api-key, refresh-token, tls-key); the secret is read from stdin.");

        /* A TLS key is PEM, several lines; every other kind is one line. */
        if (streq(argv[2], SECRET_KIND_TLS_KEY)) {
                if (asprintf(&prompt, "Paste the PEM %s of account '%s', then Ctrl-D:\n", argv[2], argv[1]) < 0)
                        return cli_fail("set-secret", NULL, -ENOMEM);
                r = read_pem(prompt, &secret);
        } else {
                if (asprintf(&prompt, "The %s of account '%s': ", argv[2], argv[1]) < 0)
                        return cli_fail("set-secret", NULL, -ENOMEM);
                r = read_secret(prompt, &secret);
        }
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

        r = store_secret(bus, argv[1], argv[2], secret);
        if (r != EXIT_OK)
                return r;
        /* A person at a terminal typed blind: say that it arrived. */
        if (isatty(STDIN_FILENO))
                fprintf(stderr, "Stored the %s of account '%s' in the keyring.\n", argv[2], argv[1]);
        return EXIT_OK;
}

/* The account files the daemon refused, with why, as errors on stderr: a reload that said only what loaded
 * would hide the account a person is looking for. Returns EXIT_CONFIG when there is any. */
static int print_refused(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *name, *why;
        int r, ret = EXIT_OK;

        r = broker_call(bus, "ListRefusedAccounts", &error, &reply, NULL);
        if (r < 0)
                return cli_fail("reload", &error, r);
        r = sd_bus_message_enter_container(reply, 'a', "{ss}");
        while (r >= 0 && (r = sd_bus_message_read(reply, "{ss}", &name, &why)) > 0) {
                fprintf(stderr, "tokenbroker: reload: %s not loaded: %s\n", name, why);
                ret = EXIT_CONFIG;
        }
        if (r < 0)
                return cli_fail("reload", NULL, r);
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
        return print_refused(bus);
}

/* On a terminal, asks `question` and reads a yes; elsewhere (a script) the answer is yes. */
static bool confirm(const char *question) {
        char line[16];

        if (!isatty(STDIN_FILENO))
                return true;
        fprintf(stderr, "%s [y/N] ", question);
        fflush(stderr);
        if (!fgets(line, sizeof(line), stdin))
                return false;
        return line[0] == 'y' || line[0] == 'Y';
}

int verb_remove(int argc, char *argv[]) {
        static const struct option options[] = {
                { "yes", no_argument, NULL, 'y' },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL, *question = NULL;
        bool yes = false, provisioned = false;
        const char *name;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "y", options, NULL)) >= 0) {
                if (c != 'y')
                        return EXIT_USAGE;
                yes = true;
        }
        if (argc - optind != 1)
                return cli_usage_error("remove takes one account name.");
        name = argv[optind];
        r = cli_connect(&bus);
        if (r > 0)
                return r;
        /* Its file, to ask about and to say what went. */
        r = broker_get_account_string(bus, name, "path", &path, &error);
        if (r < 0)
                return cli_fail(name, &error, r);
        /* The administrator's is not ours to remove: no question whose answer cannot be followed. */
        r = cli_account_flag(bus, name, "provisioned", &provisioned);
        if (r != EXIT_OK)
                return r;
        if (provisioned) {
                fprintf(stderr, "tokenbroker: remove: account '%s' is provisioned by the administrator (%s): it "
                                "cannot be removed here; a file of yours of the same name takes its place.\n",
                        name, path);
                return EXIT_ACCESS_DENIED;
        }

        if (!yes) {
                if (asprintf(&question, "Remove account '%s': revoke its grant, delete %s and every secret of it "
                                        "in the keyring?", name, path) < 0)
                        return cli_fail("remove", NULL, -ENOMEM);
                if (!confirm(question)) {
                        fputs("Nothing removed.\n", stderr);
                        return EXIT_FAILURE_OTHER;
                }
        }
        r = broker_call(bus, "RemoveAccount", &error, NULL, "s", name);
        if (r < 0)
                return cli_fail("remove", &error, r);
        /* Still there: the user's file hid the administrator's, which is back, with the secrets it shares. */
        {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *now = NULL;

                if (broker_get_account_string(bus, name, "path", &now, &e) >= 0 && !streq(now, path)) {
                        fprintf(stderr, "Removed %s; the administrator's account '%s' (%s) is served again, its "
                                        "secrets kept.\n", path, name, now);
                        return EXIT_OK;
                }
        }
        fprintf(stderr, "Removed account '%s': %s and its secrets in the keyring; its grant was revoked where the "
                        "server allows it.\n", name, path);
        return EXIT_OK;
}
