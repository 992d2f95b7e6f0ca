/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "alloc-util.h"
#include "broker-core.h"
#include "bus-api.h"
#include "bus-errors.h"
#include "bus-message.h"
#include "jwt.h"
#include "string-util.h"
#include "time-util.h"
#include "token-reply.h"
#include "wire-json.h"

/* Whatever case the server used, callers get the type HTTP wants in the header. */
/* RFC 6750's and RFC 9449's names, as token endpoints send them. */
#define TOKEN_TYPE(e) ((e)->dpop_bound ? "DPoP" : "Bearer")

/* The extra header a caller must send with the token (Floriday's X-Api-Key), if the account has one. */
static bool extra_header(const TokenEntry *e, const char **ret_name, const char **ret_value) {
        const Account *a = e->account;

        *ret_name = a->config->api_key_header;
        *ret_value = a->api_key;
        return *ret_name && *ret_value;
}

static int64_t expires_at(const TokenEntry *e) {
        return (int64_t) (e->expires_usec / USEC_PER_SEC);
}

static int append_headers(sd_bus_message *reply, const TokenEntry *e) {
        const char *name, *value;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "{ss}");
        if (r < 0)
                return r;
        if (extra_header(e, &name, &value)) {
                r = sd_bus_message_append(reply, "{ss}", name, value);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

/* ExposeClaims=: read from the token's payload, never verified (the resource server does that). */
static int append_claims_as(sd_bus_message *reply, const TokenEntry *e, bool as_json) {
        _cleanup_strv_free_ char **claims = NULL;
        int r;

        if (e->account->config->expose_claims)
                (void) (as_json ? jwt_get_claims_json : jwt_get_claims)(e->access_token,
                                                                        e->account->config->expose_claims, &claims);

        r = sd_bus_message_open_container(reply, 'a', "{ss}");
        if (r < 0)
                return r;
        for (char **c = claims; c && c[0] && c[1]; c += 2) {
                r = sd_bus_message_append(reply, "{ss}", c[0], c[1]);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int append_claims(sd_bus_message *reply, const TokenEntry *e) {
        return append_claims_as(reply, e, false);
}

/* The same with each value as JSON text, so that `token --json` keeps a number a number. */
static int append_claims_json(sd_bus_message *reply, const TokenEntry *e) {
        return append_claims_as(reply, e, true);
}

/* A {sv} entry whose value is the a{ss} that `fill` writes. */
static int append_map_entry(sd_bus_message *reply, const char *key,
                            int (*fill)(sd_bus_message *reply, const TokenEntry *e), const TokenEntry *e) {
        int r;

        r = bus_open_variant_entry(reply, key, "a{ss}");
        if (r < 0)
                return r;
        r = fill(reply, e);
        if (r < 0)
                return r;
        return bus_close_variant_entry(reply);
}

static int append_info(sd_bus_message *reply, const TokenEntry *e) {
        int r;

        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "{sv}{sv}{sv}", "token", "s", e->access_token, "token-type", "s",
                                  TOKEN_TYPE(e), "expires-at", "x", expires_at(e));
        if (r < 0)
                return r;
        if (e->granted_scope || !isempty(e->scope) || e->account->config->scopes) {
                r = sd_bus_message_append(reply, "{sv}", "scope", "s",
                                          e->granted_scope ?: !isempty(e->scope) ? e->scope : e->account->config->scopes);
                if (r < 0)
                        return r;
        }
        if (e->resource || !isempty(e->account->config->resource)) {
                r = sd_bus_message_append(reply, "{sv}", "resource", "s", e->resource ?: e->account->config->resource);
                if (r < 0)
                        return r;
        }
        r = append_map_entry(reply, "headers", append_headers, e);
        if (r < 0)
                return r;
        r = append_map_entry(reply, "claims", append_claims, e);
        if (r < 0)
                return r;
        r = append_map_entry(reply, "claims-json", append_claims_json, e);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

int token_reply(sd_bus_message *message, TokenEntry *e) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_sensitive(reply);
        if (r < 0)
                return r;

        if (sd_bus_message_is_method_call(message, NULL, "GetTokenInfo"))
                r = append_info(reply, e);
        else if (sd_bus_message_is_method_call(message, NULL, "GitCredential"))
                r = sd_bus_message_append(reply, "sssx", e->account->name, broker_git_username(e->account),
                                          e->access_token, expires_at(e));
        else {
                r = sd_bus_message_append(reply, "ssx", e->access_token, TOKEN_TYPE(e), expires_at(e));
                if (r >= 0)
                        r = append_headers(reply, e);
        }
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

void token_reply_when_ready(void *entry, int error, const char *message, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        if (error >= 0) {
                (void) token_reply(call, entry);
                return;
        }
        (void) bus_error_setf(&e, error, "%s", message);
        (void) sd_bus_reply_method_error(call, &e);
}

json_object *token_reply_json(const TokenEntry *e) {
        _cleanup_json_erase_ json_object *o = NULL, *h = NULL;
        const char *name, *value;

        o = json_object_new_object();
        h = json_object_new_object();
        if (!o || !h)
                return NULL;
        if (extra_header(e, &name, &value) &&
            json_object_object_add(h, name, json_object_new_string(value)) < 0)
                return NULL;
        if (json_object_object_add(o, "token", json_object_new_string(e->access_token)) < 0 ||
            json_object_object_add(o, "token_type", json_object_new_string(TOKEN_TYPE(e))) < 0 ||
            json_object_object_add(o, "expires_at", json_object_new_int64(expires_at(e))) < 0 ||
            json_object_object_add(o, "headers", TAKE_PTR(h)) < 0)
                return NULL;
        return TAKE_PTR(o);
}
