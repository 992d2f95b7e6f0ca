/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `tokenbroker list` and `tokenbroker status`: what the daemon serves, at a glance (one line per account, what
 * is wrong with it and the fix), in detail (`status NAME`), and for scripts (`--json`, every value with its
 * JSON type). All of it comes from GetAccount and ListRefusedAccounts; nothing here reads a file. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc-util.h"
#include "bus-client.h"
#include "cli.h"
#include "exit-status.h"
#include "string-util.h"

/* One entry of GetAccount's a{sv}: the types it uses are s, b, x and as. */
typedef struct Field {
        char *key;
        char type;
        char *s;
        int64_t x;              /* b and x */
        char **l;
} Field;

typedef struct AccountInfo {
        char *name;
        Field *fields;
        size_t n;
} AccountInfo;

static void account_info_clear(AccountInfo *i) {
        for (size_t k = 0; k < i->n; k++) {
                free(i->fields[k].key);
                free(i->fields[k].s);
                strv_free(i->fields[k].l);
        }
        free(i->fields);
        free(i->name);
        *i = (AccountInfo) {};
}

static const Field *field(const AccountInfo *i, const char *key) {
        for (size_t k = 0; k < i->n; k++)
                if (streq(i->fields[k].key, key))
                        return &i->fields[k];
        return NULL;
}

static const char *field_str(const AccountInfo *i, const char *key) {
        const Field *f = field(i, key);
        return f && f->type == 's' ? f->s : NULL;
}

static int64_t field_int(const AccountInfo *i, const char *key) {
        const Field *f = field(i, key);
        return f && (f->type == 'b' || f->type == 'x') ? f->x : 0;
}

static char **field_strv(const AccountInfo *i, const char *key) {
        const Field *f = field(i, key);
        return f && f->type == 'a' ? f->l : NULL;
}

static int read_field(sd_bus_message *reply, Field *f) {
        const char *key, *contents;
        char type;
        int r;

        r = sd_bus_message_read(reply, "s", &key);
        if (r < 0)
                return r;
        f->key = strdup(key);
        if (!f->key)
                return -ENOMEM;
        r = sd_bus_message_peek_type(reply, &type, &contents);
        if (r < 0)
                return r;
        if (streq(contents, "s")) {
                const char *s;

                f->type = 's';
                r = sd_bus_message_read(reply, "v", "s", &s);
                if (r >= 0 && !(f->s = strdup(s)))
                        r = -ENOMEM;
        } else if (streq(contents, "b")) {
                int b;

                f->type = 'b';
                r = sd_bus_message_read(reply, "v", "b", &b);
                f->x = b;
        } else if (streq(contents, "x")) {
                f->type = 'x';
                r = sd_bus_message_read(reply, "v", "x", &f->x);
        } else if (streq(contents, "as")) {
                f->type = 'a';
                r = sd_bus_message_enter_container(reply, 'v', "as");
                if (r >= 0)
                        r = sd_bus_message_read_strv(reply, &f->l);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        } else {
                /* A newer daemon's entry of another type: left out rather than misread. */
                f->type = 0;
                r = sd_bus_message_skip(reply, "v");
        }
        return r;
}

/* GetAccount NAME into *ret; on failure the exit status, its message printed. */
static int account_info_get(sd_bus *bus, const char *name, AccountInfo *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        AccountInfo i = {};
        int r;

        r = broker_call(bus, "GetAccount", &error, &reply, "s", name);
        if (r < 0)
                return cli_fail(name, &error, r);
        i.name = strdup(name);
        r = i.name ? sd_bus_message_enter_container(reply, 'a', "{sv}") : -ENOMEM;
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                Field *f = reallocarray(i.fields, i.n + 1, sizeof(Field));

                if (!f) {
                        r = -ENOMEM;
                        break;
                }
                i.fields = f;
                i.fields[i.n++] = (Field) {};
                r = read_field(reply, &i.fields[i.n - 1]);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0) {
                account_info_clear(&i);
                return cli_fail(name, NULL, r);
        }
        *ret = i;
        return EXIT_OK;
}

/* "59 min", "6 d": how long a token has left, roughly, for a person. */
static void format_left(char *buf, size_t size, int64_t sec) {
        if (sec < 120)
                snprintf(buf, size, "%" PRId64 " s", sec);
        else if (sec < 2 * 3600)
                snprintf(buf, size, "%" PRId64 " min", sec / 60);
        else if (sec < 2 * 86400)
                snprintf(buf, size, "%" PRId64 " h", sec / 3600);
        else
                snprintf(buf, size, "%" PRId64 " d", sec / 86400);
}

/* The token column: "valid, 59 min left", "expired", or "none". */
static void token_state(const AccountInfo *i, char *buf, size_t size) {
        int64_t at = field_int(i, "expires-at"), left = at - (int64_t) time(NULL);
        char l[32];

        if (!field_int(i, "token-cached"))
                snprintf(buf, size, "none");
        else if (at <= 0)
                snprintf(buf, size, "valid");
        else if (left <= 0)
                snprintf(buf, size, "expired");
        else {
                format_left(l, sizeof(l), left);
                snprintf(buf, size, "valid, %s left", l);
        }
}

/* What is wrong with the account and what fixes it, or NULL: the last error first (it is what callers
 * get), then what the file asks for and the keyring lacks (known once the daemon read its secrets). */
static char *problem(const AccountInfo *i) {
        char **needed = field_strv(i, "needed-secrets"), **have = field_strv(i, "secrets");
        const char *err = field_str(i, "last-error");
        char *s = NULL;
        int r = 0;

        if (!isempty(err))
                return strdup(err);
        if (field_int(i, "login-required"))
                r = asprintf(&s, "login needed: tokenbroker login %s", i->name);
        else if (field_int(i, "refresh-token-memory-only"))
                r = asprintf(&s, "its new refresh token is not in the keyring yet (locked?)");
        else if (field_int(i, "secrets-loaded"))
                STRV_FOREACH(k, needed) {
                        if (strv_contains(have, *k))
                                continue;
                        if (streq(*k, "refresh-token"))
                                r = asprintf(&s, "login needed: tokenbroker login %s", i->name);
                        else if (streq(*k, "private-key"))
                                r = asprintf(&s, "no private key: tokenbroker keygen %s", i->name);
                        else
                                r = asprintf(&s, "missing %s: tokenbroker set-secret %s %s", *k, i->name, *k);
                        break;
                }
        return r < 0 ? NULL : s;
}

static void json_print_field(FILE *f, const Field *x) {
        json_print_string(f, x->key);
        fputc(':', f);
        switch (x->type) {
        case 's':
                json_print_string(f, x->s);
                break;
        case 'b':
                fputs(x->x ? "true" : "false", f);
                break;
        case 'x':
                fprintf(f, "%" PRId64, x->x);
                break;
        default:
                fputc('[', f);
                STRV_FOREACH(s, x->l) {
                        if (s != x->l)
                                fputc(',', f);
                        json_print_string(f, *s);
                }
                fputc(']', f);
        }
}

/* {"name": ..., "loaded": true, every GetAccount entry, "problem": ... or null} */
static void print_json(const AccountInfo *i) {
        _cleanup_free_ char *p = problem(i);

        fputs("{\"name\":", stdout);
        json_print_string(stdout, i->name);
        fputs(",\"loaded\":true", stdout);
        for (size_t k = 0; k < i->n; k++)
                if (i->fields[k].type != 0) {
                        fputc(',', stdout);
                        json_print_field(stdout, &i->fields[k]);
                }
        fputs(",\"problem\":", stdout);
        if (p)
                json_print_string(stdout, p);
        else
                fputs("null", stdout);
        fputc('}', stdout);
}

/* `status NAME`: every entry, one per line. */
static void print_details(const AccountInfo *i) {
        _cleanup_free_ char *p = problem(i);

        printf("%s\n", i->name);
        for (size_t k = 0; k < i->n; k++) {
                const Field *x = &i->fields[k];

                if (x->type == 0)
                        continue;
                printf("  %-15s ", x->key);
                if (x->type == 's')
                        printf("%s\n", isempty(x->s) ? "-" : x->s);
                else if (x->type == 'b')
                        printf("%s\n", x->x ? "yes" : "no");
                else if (x->type == 'x' && x->x > 0) {
                        time_t t = (time_t) x->x;
                        char buf[64];
                        struct tm tm;

                        strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z", localtime_r(&t, &tm));
                        printf("%s (in %lld s)\n", buf, (long long) (x->x - time(NULL)));
                } else if (x->type == 'x' || strv_length(x->l) == 0)
                        printf("-\n");
                else
                        STRV_FOREACH(s, x->l)
                                printf("%s%s", *s, s[1] ? " " : "\n");
        }
        printf("  %-15s %s\n", "problem", p ?: "-");
}

int cli_account_names(sd_bus *bus, const char *verb, char ***ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = broker_call(bus, "ListAccounts", &error, &reply, NULL);
        if (r < 0)
                return cli_fail(verb, &error, r);
        r = sd_bus_message_read_strv(reply, ret);
        if (r < 0)
                return cli_fail(verb, NULL, r);
        return EXIT_OK;
}

/* The files the daemon refused, as name, reason, name, reason, ... (a refused folder by its path). */
static int refused_get(sd_bus *bus, char ***ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        const char *name, *why;
        int r;

        if (!l)
                return cli_fail("status", NULL, -ENOMEM);
        r = broker_call(bus, "ListRefusedAccounts", &error, &reply, NULL);
        if (r < 0)
                return cli_fail("status", &error, r);
        r = sd_bus_message_enter_container(reply, 'a', "{ss}");
        while (r >= 0 && (r = sd_bus_message_read(reply, "{ss}", &name, &why)) > 0)
                if (strv_extend(&l, name) < 0 || strv_extend(&l, why) < 0)
                        r = -ENOMEM;
        if (r < 0)
                return cli_fail("status", NULL, r);
        *ret = TAKE_PTR(l);
        return EXIT_OK;
}

/* `--json` as the one option of list and status: 1 with it, 0 without, < 0 for a usage error (printed). */
static int parse_json_option(int argc, char *argv[], const char *verb, size_t max_args) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                {}
        };
        bool json = false;
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (c != 'j')
                        return -EXIT_USAGE;
                json = true;
        }
        if ((size_t) (argc - optind) > max_args) {
                (void) cli_usage_error("%s takes %s.", verb, max_args == 0 ? "no arguments" : "at most one account name");
                return -EXIT_USAGE;
        }
        return json;
}

/* list's and status's start: the --json option, the connection. EXIT_OK, or the exit status to end with. */
static int begin(int argc, char *argv[], const char *verb, size_t max_args, sd_bus **ret_bus, int *ret_json) {
        int r;

        *ret_json = parse_json_option(argc, argv, verb, max_args);
        if (*ret_json < 0)
                return -*ret_json;
        r = cli_connect(ret_bus);
        return r > 0 ? r : EXIT_OK;
}

int verb_list(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **names = NULL;
        int json, r;

        r = begin(argc, argv, "list", 0, &bus, &json);
        if (r == EXIT_OK)
                r = cli_account_names(bus, "list", &names);
        if (r != EXIT_OK)
                return r;
        if (!json) {
                STRV_FOREACH(n, names)
                        printf("%s\n", *n);
                return EXIT_OK;
        }
        fputc('[', stdout);
        STRV_FOREACH(n, names) {
                if (n != names)
                        fputc(',', stdout);
                json_print_string(stdout, *n);
        }
        fputs("]\n", stdout);
        return EXIT_OK;
}

/* One line per account: its name, grant, token and what is wrong, in columns as wide as their widest. */
static int print_table(sd_bus *bus, char **names, char **refused) {
        _cleanup_free_ AccountInfo *infos = NULL;
        size_t n = strv_length(names), wname = strlen("ACCOUNT"), wgrant = strlen("GRANT");
        char token[64];
        int ret = EXIT_OK;

        infos = calloc(n + 1, sizeof(AccountInfo));
        if (!infos)
                return cli_fail("status", NULL, -ENOMEM);
        for (size_t k = 0; k < n; k++) {
                int r = account_info_get(bus, names[k], &infos[k]);

                /* Gone between the list and the call (a reload): it is no longer there to show. */
                if (r != EXIT_OK && r != EXIT_NO_ACCOUNT)
                        ret = r;
                if (!infos[k].name)
                        continue;
                wname = MAX(wname, strlen(names[k]));
                wgrant = MAX(wgrant, strlen(strempty(field_str(&infos[k], "grant"))));
        }
        for (char **s = refused; s && s[0] && s[1]; s += 2)
                wname = MAX(wname, strlen(s[0]));

        printf("%-*s  %-*s  %-22s  %s\n", (int) wname, "ACCOUNT", (int) wgrant, "GRANT", "TOKEN", "PROBLEM");
        for (size_t k = 0; k < n; k++) {
                _cleanup_free_ char *p = NULL;

                if (!infos[k].name)
                        continue;
                p = problem(&infos[k]);
                token_state(&infos[k], token, sizeof(token));
                printf("%-*s  %-*s  %-22s  %s\n", (int) wname, names[k], (int) wgrant,
                       strempty(field_str(&infos[k], "grant")), token, p ?: "-");
                account_info_clear(&infos[k]);
        }
        for (char **s = refused; s && s[0] && s[1]; s += 2) {
                printf("%-*s  %-*s  %-22s  %s\n", (int) wname, s[0], (int) wgrant, "-", "not loaded", s[1]);
                ret = EXIT_CONFIG;
        }
        if (n == 0 && strv_length(refused) == 0)
                printf("No accounts. Add one with 'tokenbroker add NAME --token-url URL --client-id ID'.\n");
        return ret;
}

static int print_json_all(sd_bus *bus, char **names, char **refused) {
        bool first = true;
        int ret = EXIT_OK;

        fputc('[', stdout);
        STRV_FOREACH(n, names) {
                AccountInfo i = {};
                int r = account_info_get(bus, *n, &i);

                if (r != EXIT_OK) {
                        if (r != EXIT_NO_ACCOUNT)
                                ret = r;
                        continue;
                }
                if (!first)
                        fputc(',', stdout);
                first = false;
                print_json(&i);
                account_info_clear(&i);
        }
        for (char **s = refused; s && s[0] && s[1]; s += 2) {
                if (!first)
                        fputc(',', stdout);
                first = false;
                fputs("{\"name\":", stdout);
                json_print_string(stdout, s[0]);
                fputs(",\"loaded\":false,\"problem\":", stdout);
                json_print_string(stdout, s[1]);
                fputc('}', stdout);
                ret = EXIT_CONFIG;
        }
        fputs("]\n", stdout);
        return ret;
}

int verb_status(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **names = NULL, **refused = NULL;
        int json, r;

        r = begin(argc, argv, "status", 1, &bus, &json);
        if (r != EXIT_OK)
                return r;

        if (optind < argc) {
                AccountInfo i = {};

                r = account_info_get(bus, argv[optind], &i);
                if (r != EXIT_OK)
                        return r;
                if (json) {
                        print_json(&i);
                        fputc('\n', stdout);
                } else
                        print_details(&i);
                account_info_clear(&i);
                return EXIT_OK;
        }

        r = cli_account_names(bus, "status", &names);
        if (r == EXIT_OK)
                r = refused_get(bus, &refused);
        if (r != EXIT_OK)
                return r;
        return json ? print_json_all(bus, names, refused) : print_table(bus, names, refused);
}

/* After `add`: what the account still needs before it serves a token, as the commands that give it, the
 * login last (it needs the client's secret first). A new account has no secret yet; a replaced one may have
 * them, which is known once the daemon read them. */
int cli_account_strv(sd_bus *bus, const char *name, const char *key, char ***ret) {
        AccountInfo i = {};
        int r;

        r = account_info_get(bus, name, &i);
        if (r != EXIT_OK)
                return r;
        *ret = NULL;
        for (size_t k = 0; k < i.n; k++)
                if (streq(i.fields[k].key, key) && i.fields[k].type == 'a')
                        *ret = TAKE_PTR(i.fields[k].l);
        account_info_clear(&i);
        return EXIT_OK;
}

int cli_account_flag(sd_bus *bus, const char *name, const char *key, bool *ret) {
        AccountInfo i = {};
        int r;

        r = account_info_get(bus, name, &i);
        if (r != EXIT_OK)
                return r;
        *ret = field_int(&i, key) != 0;
        account_info_clear(&i);
        return EXIT_OK;
}

int cli_account_needed_secrets(sd_bus *bus, const char *name, char ***ret) {
        int r;

        r = cli_account_strv(bus, name, "needed-secrets", ret);
        if (r != EXIT_OK)
                return r;
        /* From a daemon that does not say: nothing to ask for. */
        if (!*ret && !(*ret = calloc(1, sizeof(char *))))
                return cli_fail(name, NULL, -ENOMEM);
        return EXIT_OK;
}

void cli_print_next_steps(sd_bus *bus, const char *name, bool replaced, char * const *stored) {
        _cleanup_strv_free_ char **steps = calloc(1, sizeof(char *));
        AccountInfo i = {};
        bool known, login = false;
        char **have;

        if (!steps || account_info_get(bus, name, &i) != EXIT_OK)
                return;
        known = !replaced || field_int(&i, "secrets-loaded");
        have = known ? field_strv(&i, "secrets") : NULL;
        STRV_FOREACH(k, field_strv(&i, "needed-secrets")) {
                char *step = NULL;
                int r;

                if (strv_contains(have, *k) || strv_contains(stored, *k))
                        continue;
                if (streq(*k, "refresh-token")) {
                        login = true;
                        continue;
                }
                if (streq(*k, "private-key"))
                        r = asprintf(&step, "tokenbroker keygen %s   (then register the public key it prints)", name);
                else if (streq(*k, "tls-key"))
                        r = asprintf(&step, "tokenbroker set-secret %s tls-key < client-key.pem", name);
                else
                        r = asprintf(&step, "tokenbroker set-secret %s %s", name, *k);
                if (r < 0 || strv_push(&steps, step) < 0)
                        break;
        }

        if (strv_length(steps) == 0 && !login)
                fprintf(stderr, "It needs no secret: 'tokenbroker token %s' fetches its token.\n", name);
        else {
                fprintf(stderr, "%s:\n", known ? "Next" : "Next, unless already stored");
                STRV_FOREACH(s, steps)
                        fprintf(stderr, "  %s\n", *s);
                if (login)
                        fprintf(stderr, "  tokenbroker login %s\n", name);
        }
        account_info_clear(&i);
}

/* `docker-credential-tokenbroker list`, run through here: {"https://HOST": "username", ...} for every Hosts=
 * pattern of every account, the username as `get` answers it. */
int verb_docker_list(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **names = NULL;
        bool first = true;
        int r;

        if (argc != 1)
                return cli_usage_error("docker-list takes no arguments.");
        r = cli_connect(&bus);
        if (r > 0)
                return r;
        r = cli_account_names(bus, "list", &names);
        if (r != EXIT_OK)
                return r;
        fputc('{', stdout);
        STRV_FOREACH(n, names) {
                AccountInfo i = {};

                if (account_info_get(bus, *n, &i) != EXIT_OK)
                        continue;
                STRV_FOREACH(h, field_strv(&i, "hosts")) {
                        _cleanup_free_ char *url = strstr(*h, "://") ? strdup(*h) : strjoin("https://", *h);

                        if (!url)
                                continue;
                        fputs(first ? "" : ",", stdout);
                        first = false;
                        json_print_string(stdout, url);
                        fputc(':', stdout);
                        json_print_string(stdout, field_str(&i, "docker-username") ?: "oauth2accesstoken");
                }
                account_info_clear(&i);
        }
        fputs("}\n", stdout);
        return EXIT_OK;
}
