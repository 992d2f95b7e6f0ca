/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

/* The `tokenbroker` command line: each verb is a function taking its own argv (argv[0] is the verb) and
 * returning an exit status from exit-status.h. */

typedef int (*cli_verb_t)(int argc, char *argv[]);

int verb_add(int argc, char *argv[]);
int verb_set_secret(int argc, char *argv[]);
int verb_list(int argc, char *argv[]);
int verb_status(int argc, char *argv[]);
int verb_doctor(int argc, char *argv[]);
int verb_kube_credential(int argc, char *argv[]);
int verb_exec(int argc, char *argv[]);
int verb_credential_helper(int argc, char *argv[]);
int verb_goauth(int argc, char *argv[]);
int verb_docker_list(int argc, char *argv[]);   /* docker-credential-tokenbroker list (not a verb of its own) */
int verb_remove(int argc, char *argv[]);
int verb_token(int argc, char *argv[]);
int verb_warmup(int argc, char *argv[]);
int verb_reload(int argc, char *argv[]);
int verb_revoke(int argc, char *argv[]);
int verb_curl(int argc, char *argv[]);
int verb_login(int argc, char *argv[]);
int verb_setup_git(int argc, char *argv[]);
int verb_setup_docker(int argc, char *argv[]);
int verb_keygen(int argc, char *argv[]);
int verb_public_key(int argc, char *argv[]);
int verb_dpop_proof(int argc, char *argv[]);

/* `tokenbroker VERB --help`, `tokenbroker help VERB` (cli-help.c): exit status. */
int cli_verb_help(const char *verb);

/* Opens the connection to the daemon, or prints why not and returns the exit status to use (> 0). */
int cli_connect(sd_bus **ret);

/* Prints "tokenbroker: WHAT: REASON" for a failed call and returns its exit status. */
int cli_fail(const char *what, const sd_bus_error *error, int r);

/* Prints a usage error and returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* After `add`: prints on stderr the commands that give the account what it still lacks (cli-status.c);
 * `stored`: the kinds stored since the add. */
void cli_print_next_steps(sd_bus *bus, const char *name, bool replaced, char * const *stored);
/* A boolean entry of GetAccount (false when the daemon sends none): an exit status, the error printed. */
int cli_account_flag(sd_bus *bus, const char *name, const char *key, bool *ret);
/* A list entry of GetAccount (NULL when the daemon sends none): an exit status, the error printed. */
int cli_account_strv(sd_bus *bus, const char *name, const char *key, char ***ret);
/* The names of the accounts the daemon serves (ListAccounts): an exit status, the error printed for `verb`. */
int cli_account_names(sd_bus *bus, const char *verb, char ***ret);
/* An executable `name` in an absolute $PATH directory, as a tool that runs it by name would find it; NULL
 * when none is. */
char *cli_find_on_path(const char *name);
/* The secret kinds the account's file needs (GetAccount's needed-secrets): an exit status. */
int cli_account_needed_secrets(sd_bus *bus, const char *name, char ***ret);

/* `add` at a terminal: asks for the name (unless *name is set) and the settings (cli-add-ask.c). -ENODATA at
 * the end of the input. */
int cli_add_ask(char **name, char ***settings);

/* Writes s as a JSON string literal (quotes included). */
void json_print_string(FILE *f, const char *s);
/* Writes name, value, ..., NULL as a JSON object of strings. */
void json_print_pairs(FILE *f, char * const *pairs);
/* The same, each value written as it is: JSON text (the daemon's claims-json). */
void json_print_pairs_raw(FILE *f, char * const *pairs);
