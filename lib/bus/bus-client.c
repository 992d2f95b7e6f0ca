/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc-util.h"
#include "broker-socket.h"
#include "bus-api.h"
#include "bus-client.h"
#include "process-harden.h"
#include "bus-errors.h"
#include "string-util.h"


static int open_private_socket(sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *path = NULL, *address = NULL;
        int r;

        r = broker_socket_path(BROKER_SOCKET_NAME, &path);
        if (r < 0)
                return r;
        address = strjoin("unix:path=", path);
        if (!address)
                return -ENOMEM;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r < 0)
                return r;
        r = sd_bus_set_method_call_timeout(bus, BROKER_CALL_TIMEOUT_USEC);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(bus);
        return 0;
}

int broker_open_address(const char *address, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r < 0)
                return r;
        r = sd_bus_set_bus_client(bus, 1);
        if (r < 0)
                return r;
        r = sd_bus_set_method_call_timeout(bus, BROKER_CALL_TIMEOUT_USEC);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(bus);
        return 0;
}

int broker_open(sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        bus_errors_register();

        if (open_private_socket(&bus) >= 0) {
                *ret = bus;
                return 0;
        }

        r = sd_bus_open_user(&bus);
        if (r < 0)
                return r;
        (void) sd_bus_set_method_call_timeout(bus, BROKER_CALL_TIMEOUT_USEC);
        *ret = bus;
        return 0;
}

/* A method call on the broker object, to be filled in: on the private socket there is no bus daemon to
 * route by name, the peer is the broker. */
static int new_call(sd_bus *bus, const char *method, sd_bus_message **ret) {
        return sd_bus_message_new_method_call(bus, ret, sd_bus_is_bus_client(bus) ? BROKER_BUS_NAME : NULL,
                                              BROKER_OBJECT_PATH, BROKER_INTERFACE, method);
}

int broker_call(sd_bus *bus, const char *method, sd_bus_error *error, sd_bus_message **ret_reply,
                const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = new_call(bus, method, &m);
        if (r < 0)
                return r;

        if (!isempty(types)) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }

        return sd_bus_call(bus, m, 0, error, ret_reply);
}

void broker_token_clear(BrokerToken *t) {
        if (!t)
                return;
        t->token = erase_and_free(t->token);
        free(t->token_type);
        t->token_type = NULL;
        t->headers = strv_free_erase(t->headers);
        t->claims = strv_free(t->claims);
        t->claims_json = strv_free(t->claims_json);
        free(t->scope);
        t->scope = NULL;
        t->expires_at = 0;
}

static int read_string_dict(sd_bus_message *m, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *k, *v;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{ss}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "{ss}", &k, &v)) > 0) {
                if (strv_extend(&l, k) < 0 || strv_push(&l, secret_strdup(v)) < 0)
                        return -ENOMEM;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Calls GetToken or GetTokenInfo with the options that are given. */
static int call_get_token(sd_bus *bus, const char *method, const char *account, const BrokerTokenOptions *o,
                          sd_bus_error *error, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = new_call(bus, method, &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", account);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && o && !isempty(o->scope))
                r = sd_bus_message_append(m, "{sv}", "scope", "s", o->scope);
        if (r >= 0 && o && !isempty(o->resource))
                r = sd_bus_message_append(m, "{sv}", "resource", "s", o->resource);
        if (r >= 0 && o && o->min_validity_set)
                r = sd_bus_message_append(m, "{sv}", "min-validity", "u", o->min_validity);
        if (r >= 0 && o && o->force_new)
                r = sd_bus_message_append(m, "{sv}", "force-new", "b", 1);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_call(bus, m, 0, error, ret_reply);
}

int broker_get_token(sd_bus *bus, const char *account, const BrokerTokenOptions *o, BrokerToken *ret,
                     sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(broker_token_clear) BrokerToken t = {};
        const char *token, *type;
        int64_t expires_at;
        int r;

        r = call_get_token(bus, "GetToken", account, o, error, &reply);
        if (r < 0)
                return r;
        process_hold_secrets();

        r = sd_bus_message_read(reply, "ssx", &token, &type, &expires_at);
        if (r < 0)
                return r;

        t.token = secret_strdup(token);
        t.token_type = strdup(type);
        t.expires_at = expires_at;
        if (!t.token || !t.token_type)
                return -ENOMEM;
        r = read_string_dict(reply, &t.headers);
        if (r < 0)
                return r;

        *ret = t;
        t = (BrokerToken) {};
        return 0;
}

int broker_get_dpop_proof(sd_bus *bus, const char *account, const char *method, const char *url,
                          const char *access_token, const char *nonce, char **ret, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        const char *proof;
        int r;

        r = new_call(bus, "GetDPoPProof", &m);
        if (r < 0)
                return r;
        /* The access token is a secret: the message is marked so that sd-bus wipes it when freed. */
        (void) sd_bus_message_sensitive(m);
        r = sd_bus_message_append(m, "sss", account, method, url);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && access_token)
                r = sd_bus_message_append(m, "{sv}", "access-token", "s", access_token);
        if (r >= 0 && nonce)
                r = sd_bus_message_append(m, "{sv}", "nonce", "s", nonce);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, m, 0, error, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "s", &proof);
        if (r < 0)
                return r;
        *ret = strdup(proof);
        return *ret ? 0 : -ENOMEM;
}

int broker_get_account_string(sd_bus *bus, const char *account, const char *key, char **ret, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *k, *contents, *value = "";
        char type;
        int r;

        r = broker_call(bus, "GetAccount", error, &reply, "s", account);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &k);
                if (r >= 0)
                        r = sd_bus_message_peek_type(reply, &type, &contents);
                if (r >= 0)
                        r = streq(k, key) && streq(contents, "s") ? sd_bus_message_read(reply, "v", "s", &value)
                                                                  : sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return r;
        *ret = strdup(value);
        return *ret ? 0 : -ENOMEM;
}

static int read_info_entry(sd_bus_message *reply, BrokerToken *t) {
        const char *key, *s;
        int r;

        r = sd_bus_message_read(reply, "s", &key);
        if (r < 0)
                return r;
        if (streq(key, "token") || streq(key, "token-type") || streq(key, "scope")) {
                r = sd_bus_message_read(reply, "v", "s", &s);
                if (r < 0)
                        return r;
                if (streq(key, "token")) {
                        erase_and_free(t->token);
                        t->token = secret_strdup(s);
                        return t->token ? 0 : -ENOMEM;
                }
                char **field = streq(key, "scope") ? &t->scope : &t->token_type;
                free(*field);
                *field = strdup(s);
                return *field ? 0 : -ENOMEM;
        }
        if (streq(key, "expires-at"))
                return sd_bus_message_read(reply, "v", "x", &t->expires_at);
        if (streq(key, "headers") || streq(key, "claims") || streq(key, "claims-json")) {
                char ***field = streq(key, "headers") ? &t->headers
                                : streq(key, "claims") ? &t->claims
                                                       : &t->claims_json;

                r = sd_bus_message_enter_container(reply, 'v', "a{ss}");
                if (r < 0)
                        return r;
                *field = strv_free_erase(*field);
                r = read_string_dict(reply, field);
                if (r < 0)
                        return r;
                return sd_bus_message_exit_container(reply);
        }
        return sd_bus_message_skip(reply, "v");         /* a newer daemon's addition */
}

int broker_get_token_info(sd_bus *bus, const char *account, const BrokerTokenOptions *o, BrokerToken *ret,
                          sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(broker_token_clear) BrokerToken t = {};
        int r;

        r = call_get_token(bus, "GetTokenInfo", account, o, error, &reply);
        if (r < 0)
                return r;
        process_hold_secrets();
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = read_info_entry(reply, &t);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        if (!t.token)
                return -EBADMSG;
        if ((!t.headers && !(t.headers = calloc(1, sizeof(char *)))) ||
            (!t.claims && !(t.claims = calloc(1, sizeof(char *)))) || (!t.token_type && !(t.token_type = strdup("Bearer"))))
                return -ENOMEM;
        *ret = t;
        t = (BrokerToken) {};
        return 0;
}

const char *broker_error_message(const sd_bus_error *error, int r) {
        if (error && sd_bus_error_is_set(error) && !isempty(error->message))
                return error->message;
        return strerror(ERRNO_VALUE(r));
}
