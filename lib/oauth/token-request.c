/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "client-assertion.h"
#include "authorize-url.h"
#include "form.h"
#include "json-util.h"
#include "string-util.h"
#include "token-request.h"

#define TOKEN_TYPE_ACCESS_TOKEN "urn:ietf:params:oauth:token-type:access_token"

/* The grant_type values of RFC 6749, RFC 8628 and RFC 8693. */
static const char *const grant_type_wire[_GRANT_MAX] = {
        [GRANT_CLIENT_CREDENTIALS] = "client_credentials",
        [GRANT_PASSWORD] = "password",
        [GRANT_AUTHORIZATION_CODE] = "authorization_code",
        [GRANT_DEVICE_CODE] = "urn:ietf:params:oauth:grant-type:device_code",
        [GRANT_TOKEN_EXCHANGE] = "urn:ietf:params:oauth:grant-type:token-exchange",
        [GRANT_REFRESH_TOKEN] = "refresh_token",
};

/* Body parameters are collected first (borrowed pointers, in order) and encoded once at the end, so the form
 * and JSON encodings cannot drift apart. */
typedef struct Param {
        const char *name;
        const char *value;
} Param;

typedef struct ParamList {
        Param *items;
        size_t n, allocated;
} ParamList;

static void param_add(ParamList *l, const char *name, const char *value) {
        assert(l->n < l->allocated);
        l->items[l->n++] = (Param) { name, value };
}

void token_request_clear(TokenRequest *r) {
        if (!r)
                return;
        free(r->url);
        r->url = NULL;
        free(r->content_type);
        r->content_type = NULL;
        r->body = erase_and_free(r->body);
        r->authorization = erase_and_free(r->authorization);
}

/* TokenParamNames=: parameters renamed, or left out where the new name is empty (Flixcheck's code exchange
 * takes no redirect_uri and no code_verifier). */
static void rename_params(ParamList *l, char * const *names) {
        size_t kept = 0;

        if (!names)
                return;
        for (size_t i = 0; i < l->n; i++) {
                const char *sent = param_name_mapped(names, l->items[i].name);

                if (isempty(sent))
                        continue;
                l->items[kept++] = (Param) { sent, l->items[i].value };
        }
        l->n = kept;
}

static int encode_form(const ParamList *l, char **ret) {
        _cleanup_erase_ char *body = NULL;
        int r;

        for (size_t i = 0; i < l->n; i++) {
                r = form_append(&body, l->items[i].name, l->items[i].value);
                if (r < 0)
                        return r;
        }
        if (!body) {
                body = strdup("");
                if (!body)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(body);
        return 0;
}

/* json-c keeps its own copies of every value and of the printed text; wipe them before they are freed. */
static void json_object_wipe_strings(json_object *o) {
        json_object_object_foreach(o, key, v) {
                (void) key;
                if (json_object_is_type(v, json_type_string))
                        erase_buffer((char *) json_object_get_string(v),
                                     (size_t) json_object_get_string_len(v));
        }
}

static int encode_json(const ParamList *l, char **ret) {
        _cleanup_json_ json_object *o = NULL;
        const char *printed;
        char *body;

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        for (size_t i = 0; i < l->n; i++) {
                json_object *v = json_object_new_string(l->items[i].value);

                /* On a repeated name (an ExtraParams entry overriding a standard one) the later one wins. */
                if (!v || json_object_object_add(o, l->items[i].name, v) < 0) {
                        json_object_put(v);
                        json_object_wipe_strings(o);
                        return -ENOMEM;
                }
        }

        printed = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        body = printed ? strdup(printed) : NULL;
        if (printed)
                erase_buffer((char *) printed, strlen(printed));
        json_object_wipe_strings(o);
        if (!body)
                return -ENOMEM;
        *ret = body;
        return 0;
}

/* RFC 6749 section 2.3.1: id and secret are form-urlencoded first, then joined with ':' and base64'd. */
static int basic_authorization(const char *client_id, const char *client_secret, char **ret) {
        _cleanup_erase_ char *id = NULL, *secret = NULL, *pair = NULL, *b64 = NULL;
        char *h;

        id = form_urlencode(client_id);
        secret = form_urlencode(client_secret);
        if (!id || !secret)
                return -ENOMEM;
        pair = strjoin(id, ":", secret);
        if (!pair)
                return -ENOMEM;
        b64 = base64_encode(pair, strlen(pair));
        if (!b64)
                return -ENOMEM;
        h = strjoin("Basic ", b64);
        if (!h)
                return -ENOMEM;
        *ret = h;
        return 0;
}

static char *token_url_build(const AccountConfig *a, const char *url) {
        const char *q = a->token_url_query, *sep;
        size_t l;

        if (isempty(q))
                return strdup(url);
        /* Accept the query with or without its leading separator. */
        if (*q == '?' || *q == '&')
                q++;
        if (!*q)
                return strdup(url);

        l = strlen(url);
        if (l > 0 && (url[l - 1] == '?' || url[l - 1] == '&'))
                sep = "";
        else
                sep = strchr(url, '?') ? "&" : "?";
        return strjoin(url, sep, q);
}

/* RFC 6749 section 2.3: the secret in a Basic header or in the body, or (RFC 7523 section 2.2) a signed
 * assertion; a public client, or one that proves itself with its TLS certificate, names itself only. */
static int add_client_auth(const AccountConfig *a, ClientAuth auth, const char *client_secret,
                           const char *client_assertion, ParamList *l, char **ret_authorization) {
        switch (auth) {
        case CLIENT_AUTH_PRIVATE_KEY_JWT:
        case CLIENT_AUTH_CLIENT_SECRET_JWT:
                if (isempty(a->client_id))
                        return -EUCLEAN;
                if (isempty(client_assertion))
                        return -ENOKEY;
                param_add(l, "client_id", a->client_id);
                param_add(l, "client_assertion_type", CLIENT_ASSERTION_TYPE);
                param_add(l, "client_assertion", client_assertion);
                return 0;
        case CLIENT_AUTH_BASIC:
        case CLIENT_AUTH_POST:
                if (isempty(a->client_id))
                        return -EUCLEAN;
                if (isempty(client_secret))
                        return -ENOKEY;
                if (auth == CLIENT_AUTH_BASIC)
                        return basic_authorization(a->client_id, client_secret, ret_authorization);
                param_add(l, "client_id", a->client_id);
                param_add(l, "client_secret", client_secret);
                return 0;
        case CLIENT_AUTH_NONE:
                if (!isempty(a->client_id))
                        param_add(l, "client_id", a->client_id);
                return 0;
        case CLIENT_AUTH_TLS_CLIENT_AUTH:
        case CLIENT_AUTH_SELF_SIGNED_TLS_CLIENT_AUTH:
                /* RFC 8705 section 2: the TLS handshake proves the client, which the body names. */
                if (isempty(a->client_id))
                        return -EUCLEAN;
                param_add(l, "client_id", a->client_id);
                return 0;
        default:
                return -EINVAL;
        }
}

static int add_grant_params(const AccountConfig *a, const GrantInput *in, bool literal_value, ParamList *l) {
        switch (in->grant) {
        case GRANT_CLIENT_CREDENTIALS:
                return 0;

        case GRANT_PASSWORD:
                /* The user name is configuration; only the password is a secret. */
                if (isempty(a->username))
                        return -EUCLEAN;
                if (!in->password)
                        return -ENOKEY;
                param_add(l, "username", a->username);
                param_add(l, "password", in->password);
                return 0;

        case GRANT_REFRESH_TOKEN:
                if (isempty(in->refresh_token))
                        return -ENOKEY;
                param_add(l, "refresh_token", in->refresh_token);
                return 0;

        case GRANT_AUTHORIZATION_CODE:
                if (isempty(in->code))
                        return -EINVAL;
                param_add(l, "code", in->code);
                if (in->redirect_uri)
                        param_add(l, "redirect_uri", in->redirect_uri);
                if (in->code_verifier)
                        param_add(l, "code_verifier", in->code_verifier);
                return 0;

        case GRANT_DEVICE_CODE:
                if (isempty(in->device_code))
                        return -EINVAL;
                param_add(l, "device_code", in->device_code);
                return 0;

        case GRANT_TOKEN_EXCHANGE:
                if (isempty(in->subject_token))
                        return -ENOKEY;
                param_add(l, "subject_token", in->subject_token);
                /* A provider's own exchange grant (Sharetribe's "token_exchange") takes the subject token
                 * and nothing else of RFC 8693. */
                if (literal_value)
                        return 0;
                param_add(l, "subject_token_type", TOKEN_TYPE_ACCESS_TOKEN);
                if (!isempty(in->actor_token)) {
                        param_add(l, "actor_token", in->actor_token);
                        param_add(l, "actor_token_type", TOKEN_TYPE_ACCESS_TOKEN);
                }
                if (!isempty(a->audience))
                        param_add(l, "audience", a->audience);
                return 0;

        default:
                return -EINVAL;
        }
}

int token_request_build(const AccountConfig *a, const GrantInput *in, TokenRequest *ret) {
        _cleanup_(token_request_clear) TokenRequest req = {};
        _cleanup_strv_free_ char **resources = NULL;
        _cleanup_free_ Param *items = NULL;
        ParamList l = {};
        const char *grant_type, *scope, *url;
        size_t n_extra;
        bool literal_value = false;
        int r;

        assert(a);
        assert(in);
        assert(ret);

        url = in->token_url ?: a->token_url;
        if (isempty(url))
                return -EINVAL;
        if (in->grant < 0 || in->grant >= _GRANT_MAX)
                return -EINVAL;

        n_extra = strv_length(a->extra_params);
        if (n_extra % 2 != 0)
                return -EUCLEAN;
        /* RFC 8707 section 2.2: one resource parameter per resource. */
        resources = strv_split(strempty(in->resource ?: a->resource), " ");
        if (!resources)
                return -ENOMEM;
        l.allocated = 16 + n_extra / 2 + strv_length(resources);
        l.items = items = calloc(l.allocated, sizeof(Param));
        if (!items)
                return -ENOMEM;

        /* GrantTypeValue renames only the grant the account is configured for; a refresh stays a refresh. */
        grant_type = grant_type_wire[in->grant];
        if (in->grant == a->grant && !isempty(a->grant_type_value)) {
                literal_value = !streq(a->grant_type_value, grant_type);
                grant_type = a->grant_type_value;
        }
        param_add(&l, "grant_type", grant_type);

        r = add_grant_params(a, in, literal_value, &l);
        if (r < 0)
                return r;
        /* A provider's own exchange grant takes nothing of RFC 8693 (see add_grant_params()). */
        if (!(in->grant == GRANT_TOKEN_EXCHANGE && literal_value))
                STRV_FOREACH(res, resources)
                        param_add(&l, "resource", *res);

        /* A refresh asks for the scopes of the grant unless a narrower set is wanted (RFC 6749 section 6):
         * repeating the account's Scopes= can be refused where the grant was narrowed (resource indicators,
         * a user who consented to less). */
        scope = in->grant == GRANT_REFRESH_TOKEN ? in->scope : in->scope ?: a->scopes;
        if (!isempty(scope))
                param_add(&l, "scope", scope);

        r = add_client_auth(a, account_config_client_auth(a, in->grant), in->client_secret, in->client_assertion, &l,
                            &req.authorization);
        if (r < 0)
                return r;

        for (size_t i = 0; i + 1 < n_extra; i += 2)
                param_add(&l, a->extra_params[i], a->extra_params[i + 1]);
        rename_params(&l, a->token_param_names);

        if (a->request_encoding == REQUEST_ENCODING_JSON) {
                r = encode_json(&l, &req.body);
                req.content_type = strdup("application/json");
        } else {
                r = encode_form(&l, &req.body);
                req.content_type = strdup("application/x-www-form-urlencoded");
        }
        if (r < 0)
                return r;
        req.url = token_url_build(a, url);
        if (!req.content_type || !req.url)
                return -ENOMEM;

        *ret = req;
        req = (TokenRequest) {};
        return 0;
}

int revocation_request_build(const AccountConfig *a, const RevocationInput *in, TokenRequest *ret) {
        _cleanup_(token_request_clear) TokenRequest req = {};
        Param items[6];
        ParamList l = { .items = items, .allocated = ELEMENTSOF(items) };
        int r;

        assert(a);
        assert(in);
        assert(ret);

        if (isempty(in->url) || isempty(in->token))
                return -EINVAL;

        param_add(&l, "token", in->token);
        if (in->bearer) {
                /* Sharetribe's form: the caller proves itself with an access token, and names the refresh
                 * token to revoke, nothing else. */
                req.authorization = strjoin("Bearer ", in->bearer);
                if (!req.authorization)
                        return -ENOMEM;
        } else {
                /* RFC 7009 section 2.1: a hint, and the client authenticated as at the token endpoint. */
                if (in->token_type_hint)
                        param_add(&l, "token_type_hint", in->token_type_hint);
                r = add_client_auth(a, a->client_auth, in->client_secret, in->client_assertion, &l, &req.authorization);
                if (r < 0)
                        return r;
        }

        r = encode_form(&l, &req.body);
        if (r < 0)
                return r;
        req.content_type = strdup("application/x-www-form-urlencoded");
        req.url = strdup(in->url);
        if (!req.content_type || !req.url)
                return -ENOMEM;
        *ret = req;
        req = (TokenRequest) {};
        return 0;
}

int pushed_authorization_request_build(const AccountConfig *a, const char *url, const char *authorize_query,
                                       const char *client_secret, const char *client_assertion, TokenRequest *ret) {
        _cleanup_(token_request_clear) TokenRequest req = {};
        _cleanup_erase_ char *auth = NULL;
        Param items[6], kept[6];
        ParamList l = { .items = items, .allocated = ELEMENTSOF(items) }, k = { .items = kept, .allocated = ELEMENTSOF(kept) };
        int r;

        if (isempty(url) || !authorize_query)
                return -EINVAL;
        r = add_client_auth(a, account_config_client_auth(a, GRANT_AUTHORIZATION_CODE), client_secret, client_assertion,
                            &l, &req.authorization);
        if (r < 0)
                return r;
        /* The authorization request names the client already; a second client_id would make it ambiguous,
         * which servers refuse. */
        for (size_t i = 0; i < l.n; i++)
                if (!streq(items[i].name, "client_id"))
                        param_add(&k, items[i].name, items[i].value);
        r = encode_form(&k, &auth);
        if (r < 0)
                return r;
        req.body = isempty(auth) ? strdup(authorize_query) : strjoin(authorize_query, "&", auth);
        req.content_type = strdup("application/x-www-form-urlencoded");
        req.url = strdup(url);
        if (!req.body || !req.content_type || !req.url)
                return -ENOMEM;
        *ret = req;
        req = (TokenRequest) {};
        return 0;
}

int device_authorization_request_build(const AccountConfig *a, const char *url, const char *client_secret,
                                       const char *client_assertion, const char *scope, TokenRequest *ret) {
        _cleanup_(token_request_clear) TokenRequest req = {};
        Param items[6];
        ParamList l = { .items = items, .allocated = ELEMENTSOF(items) };
        int r;

        if (isempty(url))
                return -EINVAL;
        scope = scope ?: a->scopes;
        if (!isempty(scope))
                param_add(&l, "scope", scope);
        /* RFC 8628 section 3.1: client_id always; a confidential client authenticates as at the token
         * endpoint. */
        r = add_client_auth(a, account_config_client_auth(a, GRANT_DEVICE_CODE), client_secret, client_assertion, &l,
                            &req.authorization);
        if (r < 0)
                return r;
        if (isempty(a->client_id))
                return -EUCLEAN;
        if (req.authorization)
                param_add(&l, "client_id", a->client_id);

        r = encode_form(&l, &req.body);
        if (r < 0)
                return r;
        req.content_type = strdup("application/x-www-form-urlencoded");
        req.url = strdup(url);
        if (!req.content_type || !req.url)
                return -ENOMEM;
        *ret = req;
        req = (TokenRequest) {};
        return 0;
}
