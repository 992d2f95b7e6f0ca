/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tokenbroker login NAME: starts the account's interactive login in the daemon (BeginLogin), shows the person
 * what to do (a URL, opened in their browser; or a device code with a QR code), and waits for the daemon's
 * LoginFinished. The code exchange happens in the daemon: no secret passes through here. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-api.h"
#include "bus-client.h"
#include "cli.h"
#include "exit-status.h"
#include "qr-code.h"
#include "string-util.h"
#include "time-util.h"

extern char **environ;

typedef struct LoginInfo {
        char *kind, *url, *user_code, *verification_uri, *verification_uri_complete;
        int64_t expires_in;
} LoginInfo;

typedef struct LoginResult {
        const char *account;
        bool finished, ok;
        char *message;
} LoginResult;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
        interrupted = sig;
}

static void login_info_clear(LoginInfo *i) {
        free(i->kind);
        free(i->url);
        free(i->user_code);
        free(i->verification_uri);
        free(i->verification_uri_complete);
}

static int read_info(sd_bus_message *reply, LoginInfo *ret) {
        const char *key, *s;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                char **field = NULL;

                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "expires-in"))
                        r = sd_bus_message_read(reply, "v", "x", &ret->expires_in);
                else {
                        field = streq(key, "kind") ? &ret->kind : streq(key, "url") ? &ret->url :
                                streq(key, "user-code") ? &ret->user_code :
                                streq(key, "verification-uri") ? &ret->verification_uri :
                                streq(key, "verification-uri-complete") ? &ret->verification_uri_complete : NULL;
                        if (field && sd_bus_message_peek_type(reply, NULL, &s) >= 0 && streq(s, "s")) {
                                r = sd_bus_message_read(reply, "v", "s", &s);
                                if (r >= 0 && !(*field = strdup(s)))
                                        r = -ENOMEM;
                        } else
                                r = sd_bus_message_skip(reply, "v");
                }
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        return r < 0 ? r : 0;
}

static int on_login_finished(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        LoginResult *res = userdata;
        const char *account, *message;
        int ok;

        if (sd_bus_message_read(m, "sbs", &account, &ok, &message) < 0 || !streq(account, res->account))
                return 0;
        res->finished = true;
        res->ok = ok;
        free(res->message);
        res->message = strdup(message);
        return 0;
}

/* $BROWSER (its first entry, as in the old colon-separated convention) or xdg-open; not waited for. */
static void open_browser(const char *url) {
        _cleanup_free_ char *browser = NULL;
        char *argv[3];
        posix_spawn_file_actions_t fa;
        pid_t pid;

        browser = strndup(getenv("BROWSER") ?: "xdg-open", strcspn(getenv("BROWSER") ?: "xdg-open", ":"));
        if (isempty(browser))
                return;
        argv[0] = browser;
        argv[1] = (char *) url;
        argv[2] = NULL;
        /* The browser's chatter goes to stderr, so that stdout stays what this command says. */
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
        if (posix_spawnp(&pid, browser, &fa, NULL, argv, environ) != 0)
                fprintf(stderr, "tokenbroker: could not start '%s'; open the URL by hand.\n", browser);
        posix_spawn_file_actions_destroy(&fa);
}

/* Whether a browser could show up for the person at this terminal: one is named, or there is a display. */
static bool browser_reachable(void) {
        return !isempty(getenv("BROWSER")) || !isempty(getenv("DISPLAY")) || !isempty(getenv("WAYLAND_DISPLAY"));
}

static void show(const LoginInfo *info, bool browser, bool qr) {
        if (streq_ptr(info->kind, "authorization_code")) {
                printf("Open this URL in a browser to log in (it expires in %" PRIi64 " s):\n\n  %s\n\n", info->expires_in,
                       info->url);
                fflush(stdout);
                if (browser)
                        open_browser(info->url);
                return;
        }
        printf("To log in, visit\n\n  %s\n\nand enter the code\n\n  %s\n\n", strna(info->verification_uri),
               strna(info->user_code));
        if (info->verification_uri_complete)
                printf("or open this URL, which includes the code:\n\n  %s\n\n", info->verification_uri_complete);
        if (qr) {
                if (qr_code_print(stdout, info->verification_uri_complete ?: info->verification_uri) < 0)
                        printf("(no QR code: libqrencode is not installed)\n");
                putchar('\n');
        }
        printf("It expires in %" PRIi64 " s.\n", info->expires_in);
        fflush(stdout);
        /* A person at a terminal of a desktop gets the page opened as well; a script, or a session over ssh
         * without a display, only the code (--no-browser says so explicitly). */
        if (browser && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && browser_reachable()) {
                printf("Opening it in your browser as well.\n");
                fflush(stdout);
                open_browser(info->verification_uri_complete ?: info->verification_uri);
        }
}

/* On a terminal, one line on stderr rewritten every second: that it waits, and how long is left. */
static void show_waiting(uint64_t end_usec, bool tty) {
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        unsigned left = now < end_usec ? (unsigned) ((end_usec - now + USEC_PER_SEC - 1) / USEC_PER_SEC) : 0;

        if (!tty)
                return;
        fprintf(stderr, "\rWaiting for the login to finish: %u:%02u left (Ctrl-C cancels) ", left / 60, left % 60);
        fflush(stderr);
}

int verb_login(int argc, char *argv[]) {
        static const struct option options[] = {
                { "no-browser", no_argument, NULL, 'n' },
                { "qr", no_argument, NULL, 'q' },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_(login_info_clear) LoginInfo info = {};
        LoginResult res = {};
        bool browser = true, qr = isatty(STDOUT_FILENO), tty = isatty(STDERR_FILENO);
        struct sigaction sa = { .sa_handler = on_signal };
        uint64_t deadline, shown_end;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'n':
                        browser = false;
                        break;
                case 'q':
                        qr = true;
                        break;
                default:
                        return EXIT_USAGE;
                }
        if (argc - optind != 1)
                return cli_usage_error("login takes one account name.");
        res.account = argv[optind];

        r = cli_connect(&bus);
        if (r > 0)
                return r;
        /* Subscribed before the login starts, so that no outcome can slip past. */
        r = sd_bus_match_signal(bus, &slot, sd_bus_is_bus_client(bus) ? BROKER_BUS_NAME : NULL, BROKER_OBJECT_PATH,
                                BROKER_INTERFACE, "LoginFinished", on_login_finished, &res);
        if (r < 0)
                return cli_fail(res.account, NULL, r);
        r = broker_call(bus, "BeginLogin", &error, &reply, "s", res.account);
        if (r < 0)
                return cli_fail(res.account, &error, r);
        r = read_info(reply, &info);
        if (r < 0)
                return cli_fail(res.account, NULL, r);
        show(&info, browser, qr);

        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGTERM, &sa, NULL);
        shown_end = now_usec(CLOCK_MONOTONIC) + (uint64_t) info.expires_in * USEC_PER_SEC;
        deadline = shown_end + 30 * USEC_PER_SEC;
        if (!tty)
                fprintf(stderr, "Waiting for the login to finish (up to %" PRIi64 " s).\n", info.expires_in);
        while (!res.finished && !interrupted && now_usec(CLOCK_MONOTONIC) < deadline) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r == 0) {
                        show_waiting(shown_end, tty);
                        (void) sd_bus_wait(bus, USEC_PER_SEC);
                }
        }
        if (tty)
                fputs("\r\033[K", stderr);    /* the waiting line goes */

        if (!res.finished) {
                /* Ctrl-C, or the daemon went quiet: end the login there too, so nothing waits for nobody. */
                (void) broker_call(bus, "CancelLogin", NULL, NULL, "s", res.account);
                fprintf(stderr, "tokenbroker: %s: %s\n", res.account,
                        interrupted ? "login cancelled." : r < 0 ? "lost the connection to tokenbrokerd." : "login timed out.");
                free(res.message);
                return interrupted ? 128 + interrupted : EXIT_LOGIN_REQUIRED;
        }
        if (!res.ok) {
                fprintf(stderr, "tokenbroker: %s: %s\n", res.account, strna(res.message));
                free(res.message);
                return EXIT_LOGIN_REQUIRED;
        }
        printf("Logged in: account '%s' has its tokens now.\n", res.account);
        free(res.message);
        return EXIT_OK;
}
