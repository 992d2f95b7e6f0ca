/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "account.h"
#include "manager.h"

/* Shared by the files that implement org.tokenbroker.Broker1 (broker-dbus*.c) and nothing else. */

/* The account called `name`, or NULL with NoSuchAccount (or InvalidArgs for a bad name) set in *error. */
Account *find_account(Manager *m, const char *name, sd_bus_error *error);

/* Reads a method's one account-name argument and checks the caller: 0 and *ret, or < 0 with *error set. */
/* An option of an a{sv} argument: its name, the signature of its value and where the value goes. */
typedef struct BusOption {
        const char *name;
        const char *type;
        void *ret;
} BusOption;

/* Reads an a{sv} argument into `options` (ended by an empty entry); unknown options are skipped, a value of
 * the wrong type is InvalidArgs. */
int read_options(sd_bus_message *msg, const BusOption *options, sd_bus_error *error);

/* The reply to a call the engine answers later (`call` is referenced, and released here): its error, or
 * success with `value` (NULL: a call that returns nothing). */
void reply_later(sd_bus_message *call, int error, const char *message, const char *value);

int read_account_argument(Manager *m, sd_bus_message *msg, sd_bus_error *error, Account **ret);

/* broker-dbus-admin.c */
int method_add_account(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_set_secret(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_generate_key(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_get_public_key(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_remove_account(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_revoke(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_begin_login(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_cancel_login(sd_bus_message *msg, void *userdata, sd_bus_error *error);
