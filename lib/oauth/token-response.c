/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alloc-util.h"
#include "json-util.h"
#include "jwt.h"
#include "string-util.h"
#include "time-util.h"
#include "token-response.h"
#include "wire-api.h"

/* How much of a server's words is kept: enough for a sentence, never a whole page. */
#define DESCRIPTION_MAX 256
#define ERROR_CODE_MAX 64

void token_response_clear(TokenResponse *r) {
        if (!r)
                return;
        r->access_token = erase_and_free(r->access_token);
        free(r->token_type);
        r->token_type = NULL;
        r->refresh_token = erase_and_free(r->refresh_token);
        free(r->scope);
        r->scope = NULL;
        r->id_token = erase_and_free(r->id_token);
        r->has_expires_in = false;
        r->expires_in = -1;
}

void token_error_clear(TokenError *e) {
        if (!e)
                return;
        free(e->error);
        e->error = NULL;
        free(e->description);
        e->description = NULL;
        e->http_status = 0;
}

/* The server's text as one printable line: C0 controls become spaces; broken bytes, C1 controls, line
 * separators and bidi overrides (which could rearrange a terminal line) become '?'. Cut at a character
 * boundary to at most `max` bytes. */
static char *sanitize_text(const char *s, size_t n, size_t max) {
        const unsigned char *p = (const unsigned char *) s;
        size_t i = 0, k = 0;
        char *out;

        out = malloc(MIN(n, max) + 1);
        if (!out)
                return NULL;
        while (i < n && k < max) {
                uint32_t cp = 0;
                size_t l = utf8_decode_char(p + i, n - i, &cp);

                if (l == 0) {
                        out[k++] = '?';
                        i++;
                } else if (cp < 0x20 || cp == 0x7f) {
                        out[k++] = ' ';
                        i++;
                } else if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x2028 && cp <= 0x202e) ||
                           (cp >= 0x2066 && cp <= 0x2069)) {
                        out[k++] = '?';
                        i += l;
                } else {
                        if (k + l > max)
                                break;
                        memcpy(out + k, p + i, l);
                        k += l;
                        i += l;
                }
        }
        while (k > 0 && out[k - 1] == ' ')
                k--;
        out[k] = 0;
        return out;
}

static int set_str(char **dst, const char *s, size_t max) {
        char *c = sanitize_text(s, strlen(s), max);

        if (!c)
                return -ENOMEM;
        free(*dst);
        *dst = c;
        return 0;
}

static int error_set(TokenError *e, const char *error, const char *description) {
        int r;

        r = set_str(&e->error, error, ERROR_CODE_MAX);
        if (r < 0)
                return r;
        if (isempty(e->error)) {
                /* Nothing printable was left of the code: still say that it was an error. */
                r = set_str(&e->error, "unknown_error", ERROR_CODE_MAX);
                if (r < 0)
                        return r;
        }
        if (!isempty(description)) {
                r = set_str(&e->description, description, DESCRIPTION_MAX);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int error_set_http(TokenError *e, int status, const char *description) {
        char code[32];

        (void) snprintf(code, sizeof code, "http_%d", status);
        return error_set(e, code, description);
}

/* The first of several members that holds a string (or, for Flume's "detailed", an array of them). */
static const char *first_text(json_object *o, const char *const *keys) {
        for (; *keys; keys++) {
                json_object *v = json_object_object_get(o, *keys);
                const char *s;

                if (json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0)
                        v = json_object_array_get_idx(v, 0);
                if (!json_object_is_type(v, json_type_string))
                        continue;
                s = json_object_get_string(v);
                if (!isempty(s))
                        return s;
        }
        return NULL;
}

static bool text_says_refresh_token_dead(const char *s) {
        if (!s)
                return false;
        if (!strcasestr(s, "refresh token") && !strcasestr(s, "refresh_token"))
                return false;
        return strcasestr(s, "invalid") || strcasestr(s, "expired") || strcasestr(s, "revoked");
}

/* Flume wraps every answer in {"success":..., "http_code":..., "message":..., "detailed":[...]}. A dead
 * refresh token is a 400 that says so in words; it is mapped to invalid_grant, which is what RFC 6749 would
 * have sent. Other failures are "http_<http_code>" ("provider_error" if the envelope claims a 2xx). */
static int error_from_envelope(json_object *root, int http_status, TokenError *e) {
        static const char *const detail_keys[] = { "detailed", "message", NULL };
        const char *detailed = first_text(root, detail_keys);
        const char *message = json_get_string(root, "message");
        int64_t code;

        if (json_get_int64(root, "http_code", &code) < 0 || code < 100 || code > 599)
                code = http_status;

        if ((code == 400 || http_status == 400) &&
            (text_says_refresh_token_dead(detailed) || text_says_refresh_token_dead(message)))
                return error_set(e, "invalid_grant", detailed);
        if (code >= 300)
                return error_set_http(e, (int) code, detailed);
        return error_set(e, "provider_error", detailed);
}

/* RFC 6749 section 5.2, plus the {"error":{"message":...}} shape some gateways use. Returns 1 if `o` held an
 * error, 0 if not. */
static int error_from_rfc(json_object *o, int http_status, TokenError *e) {
        static const char *const desc_keys[] = { "error_description", "message", "detail", NULL };
        json_object *v = json_object_object_get(o, "error");
        int r;

        if (json_object_is_type(v, json_type_string) && !isempty(json_object_get_string(v)))
                r = error_set(e, json_object_get_string(v), first_text(o, desc_keys));
        else if (json_object_is_type(v, json_type_object))
                r = error_set_http(e, http_status, first_text(v, desc_keys));
        else
                return 0;
        return r < 0 ? r : 1;
}

static bool is_success_false(json_object *root) {
        json_object *v = json_object_object_get(root, "success");

        return json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v);
}

/* A refused request: the most specific error the body offers, else the bare status. */
static int parse_error(json_object *root, json_object *tok, int http_status, TokenError *e) {
        static const char *const desc_keys[] = { "error_description", "message", "detail", "title", NULL };
        int r;

        if (is_success_false(root))
                return error_from_envelope(root, http_status, e);
        r = error_from_rfc(root, http_status, e);
        if (r != 0)
                return r;
        if (json_object_is_type(tok, json_type_object) && tok != root) {
                r = error_from_rfc(tok, http_status, e);
                if (r != 0)
                        return r;
        }
        return error_set_http(e, http_status, first_text(root, desc_keys));
}

/* A non-JSON refusal. A short line of text ("Unauthorized") is worth showing; an HTML page is not. */
static int parse_error_text(const char *body, size_t size, int http_status, TokenError *e) {
        _cleanup_free_ char *text = NULL;
        size_t skip = 0;

        while (skip < size && strchr(" \t\r\n", body[skip]) && body[skip] != 0)
                skip++;
        if (size - skip == 0 || size - skip > DESCRIPTION_MAX || body[skip] == '<' ||
            !string_is_safe_utf8(body + skip, size - skip))
                return error_set_http(e, http_status, NULL);

        text = sanitize_text(body + skip, size - skip, DESCRIPTION_MAX);
        if (!text)
                return -ENOMEM;
        return error_set_http(e, http_status, text);
}

static int bad_response(TokenError *e, int http_status, const char *description) {
        int r;

        r = error_set(e, "invalid_response", description);
        e->http_status = http_status;
        return r < 0 ? r : -EBADMSG;
}

/* RFC 6749 appendix A: tokens are 1*VSCHAR, which also keeps CR/LF out of headers and the git protocol. */
static bool token_chars_valid(const char *s, size_t len) {
        if (len == 0 || strlen(s) != len)
                return false;
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) s[i] < 0x20 || (unsigned char) s[i] > 0x7e)
                        return false;
        return true;
}

/* RFC 6750 section 2.1: the credentials of "Authorization: Bearer" are a b64token,
 * 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". Anything else would be sent as something
 * else than the token ("a b" as "Bearer a b"), or split a header or a git credential line. */
static bool b64token_valid(const char *s) {
        static const char b64token_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                             "0123456789-._~+/";
        size_t n = strspn(s, b64token_chars);

        return n > 0 && s[n + strspn(s + n, "=")] == 0;
}

/* A string member that must be a valid token if present: 0 and *ret = NULL if absent, -EBADMSG if bad. */
static int get_token_member(json_object *o, const char *key, char **ret) {
        json_object *v;
        char *c;

        if (!json_object_object_get_ex(o, key, &v) || !v) {
                *ret = NULL;
                return 0;
        }
        if (!json_object_is_type(v, json_type_string) ||
            !token_chars_valid(json_object_get_string(v), (size_t) json_object_get_string_len(v)))
                return -EBADMSG;
        c = secret_strdup(json_object_get_string(v));
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

/* "scope" as a space-separated string, or as an array of strings as a few servers send it. Anything else
 * is dropped: the scope only narrows the cache key, it is not needed to use the token. */
static int get_scope(json_object *o, char **ret) {
        json_object *v = json_object_object_get(o, "scope");
        _cleanup_free_ char *joined = NULL;

        *ret = NULL;
        if (json_object_is_type(v, json_type_string)) {
                joined = strdup(json_object_get_string(v));
                if (!joined)
                        return -ENOMEM;
        } else if (json_object_is_type(v, json_type_array)) {
                size_t n = json_object_array_length(v);

                for (size_t i = 0; i < n; i++) {
                        json_object *s = json_object_array_get_idx(v, i);
                        char *j;

                        if (!json_object_is_type(s, json_type_string))
                                return 0;
                        j = strjoin(strempty(joined), joined ? " " : "", json_object_get_string(s));
                        if (!j)
                                return -ENOMEM;
                        free(joined);
                        joined = j;
                }
        }
        if (!joined || !token_chars_valid(joined, strlen(joined)))
                return 0;
        *ret = TAKE_PTR(joined);
        return 0;
}

static bool json_number_is_negative(json_object *v) {
        switch (json_object_get_type(v)) {
        case json_type_int:
                return json_object_get_int64(v) < 0;
        case json_type_double:
                return json_object_get_double(v) < 0;
        case json_type_string:
                return json_object_get_string(v)[0] == '-';
        default:
                return false;
        }
}

/* expires_in (RFC 6749 section 5.1): 0 or less is a token that had expired when it was sent, kept as 0. What
 * is no number ("soon"), or one past INT64_MAX, counts as absent, as before. */
static void get_expires_in(json_object *tok, TokenResponse *t) {
        int64_t n;
        int r;

        r = json_get_int64(tok, "expires_in", &n);
        if (r >= 0) {
                t->has_expires_in = true;
                t->expires_in = n;
        } else if (r == -ERANGE && json_number_is_negative(json_object_object_get(tok, "expires_in"))) {
                t->has_expires_in = true;
                t->expires_in = 0;
        }
}

static int parse_token(json_object *tok, int http_status, TokenResponse *ret, TokenError *e) {
        _cleanup_(token_response_clear) TokenResponse t = { .expires_in = -1 };
        json_object *v;
        int r;

        v = json_object_object_get(tok, "access_token");
        if (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0) {
                const char *s = json_object_get_string(v);
                size_t len = (size_t) json_object_get_string_len(v);

                /* The size first: it is what is wrong with a 10 MiB token, whatever its bytes. */
                if (len > BROKER_TOKEN_MAX) {
                        _cleanup_free_ char *d = NULL;

                        if (asprintf(&d, "access_token is longer than %u bytes", BROKER_TOKEN_MAX) < 0)
                                return -ENOMEM;
                        return bad_response(e, http_status, d);
                }
                if (strlen(s) != len || !b64token_valid(s))
                        return bad_response(e, http_status,
                                            "access_token has characters a Bearer header cannot carry "
                                            "(RFC 6750 b64token)");
        }
        r = get_token_member(tok, "access_token", &t.access_token);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return bad_response(e, http_status, "access_token is not a valid token string");
        if (!t.access_token)
                return bad_response(e, http_status, "no access_token in response");

        v = json_object_object_get(tok, "token_type");
        if (v) {
                const char *type = json_object_get_string(v);

                /* DPoP (RFC 9449 section 5): a token bound to the client's key, used with a proof per
                 * request. */
                if (!json_object_is_type(v, json_type_string) ||
                    (strcasecmp(type, "bearer") != 0 && strcasecmp(type, "dpop") != 0)) {
                        _cleanup_free_ char *d = NULL;

                        if (asprintf(&d, "unsupported token_type \"%s\", only Bearer and DPoP are supported",
                                     strempty(type)) < 0)
                                return -ENOMEM;
                        return bad_response(e, http_status, d);
                }
                /* One spelling each for callers, whatever the server's case. */
                t.token_type = strdup(strcasecmp(type, "dpop") == 0 ? "DPoP" : "Bearer");
        } else
                /* RFC 6749 makes token_type required; servers that omit it issue bearer tokens. */
                t.token_type = strdup("Bearer");
        if (!t.token_type)
                return -ENOMEM;

        r = get_token_member(tok, "refresh_token", &t.refresh_token);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return bad_response(e, http_status, "refresh_token is not a valid token string");

        /* An unusable id_token does not spoil the access token; it is only dropped. */
        r = get_token_member(tok, "id_token", &t.id_token);
        if (r == -ENOMEM)
                return r;

        r = get_scope(tok, &t.scope);
        if (r < 0)
                return r;

        get_expires_in(tok, &t);

        *ret = t;
        t = (TokenResponse) { .expires_in = -1 };
        return 0;
}

static int parse_internal(const char *body, size_t size, int http_status, const char *token_path,
                          TokenResponse *ret, TokenError *e) {
        _cleanup_json_erase_ json_object *root = NULL;     /* holds the tokens: wiped before it is freed */
        json_object *tok;
        bool ok = http_status >= 200 && http_status <= 299;
        int r;

        e->http_status = http_status;

        r = json_parse(body, size, &root);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (!ok) {
                        r = parse_error_text(body, size, http_status, e);
                        return r < 0 ? r : -EREMOTEIO;
                }
                return bad_response(e, http_status, "response is not JSON");
        }

        if (!json_object_is_type(root, json_type_object)) {
                if (!ok) {
                        r = error_set_http(e, http_status, NULL);
                        return r < 0 ? r : -EREMOTEIO;
                }
                return bad_response(e, http_status, "response is not a JSON object");
        }

        tok = json_pointer_lookup(root, token_path);
        /* TokenPath names a wrapper the server may leave out (Flixcheck's "resource"; Flume's envelope when
         * asked for envelope=false): with nothing there, a token at the top level is taken. */
        if (!json_object_is_type(tok, json_type_object) && json_object_object_get(root, "access_token"))
                tok = root;

        if (!ok || is_success_false(root)) {
                r = parse_error(root, tok, http_status, e);
                return r < 0 ? r : -EREMOTEIO;
        }

        if (!json_object_is_type(tok, json_type_object)) {
                _cleanup_free_ char *d = NULL;

                /* A 200 with an RFC error body is how some servers answer device-flow polls. */
                r = error_from_rfc(root, http_status, e);
                if (r != 0)
                        return r < 0 ? r : -EREMOTEIO;
                if (asprintf(&d, "no token object at \"%s\" in response", strempty(token_path)) < 0)
                        return -ENOMEM;
                return bad_response(e, http_status, d);
        }

        if (!json_object_object_get(tok, "access_token")) {
                r = error_from_rfc(tok, http_status, e);
                if (r == 0 && tok != root)
                        r = error_from_rfc(root, http_status, e);
                if (r != 0)
                        return r < 0 ? r : -EREMOTEIO;
        }

        return parse_token(tok, http_status, ret, e);
}

int token_response_parse(const char *body, size_t size, int http_status, const char *token_path,
                         TokenResponse *ret, TokenError *ret_error) {
        TokenError e = {};
        int r;

        assert(body || size == 0);
        assert(ret);

        r = parse_internal(body ?: "", size, http_status, token_path, ret, &e);
        if (r < 0 && r != -ENOMEM && ret_error) {
                *ret_error = e;
                return r;
        }
        token_error_clear(&e);
        return r;
}

static uint64_t add_sec_clamped(uint64_t base_usec, int64_t sec) {
        if (sec <= 0)
                return base_usec;
        if ((uint64_t) sec > (UINT64_MAX - base_usec) / USEC_PER_SEC)
                return UINT64_MAX;
        return base_usec + (uint64_t) sec * USEC_PER_SEC;
}

uint64_t token_response_expires_usec(const TokenResponse *r, uint64_t sent_usec, int64_t default_lifetime) {
        uint64_t from_expires_in, from_jwt = 0;
        int64_t exp;

        assert(r);

        /* The server says the token is dead already; no exp in it can make it live longer. */
        if (r->has_expires_in && r->expires_in <= 0)
                return sent_usec;

        if (r->access_token && jwt_get_exp(r->access_token, &exp) >= 0 && exp > 0)
                from_jwt = add_sec_clamped(0, exp);

        if (r->has_expires_in) {
                /* expires_in counts from when the server answered, so counting from when the request was
                 * sent errs on the safe side. A JWT's exp is whole seconds of the server's clock (often its
                 * issue second rounded down plus the lifetime): when it is the earlier of the two but still
                 * in the future, it is the truth. One already past means the clocks disagree; then
                 * expires_in, which needs no shared clock, wins. */
                from_expires_in = add_sec_clamped(sent_usec, r->expires_in);
                if (from_jwt > sent_usec && from_jwt < from_expires_in)
                        return from_jwt;
                return from_expires_in;
        }
        if (from_jwt > 0)
                return from_jwt;
        return add_sec_clamped(sent_usec, default_lifetime);
}

int token_error_is_login_required(const TokenError *e, int grant_was_refresh) {
        static const char *const dead_on_refresh[] = {
                /* The refresh token was revoked or has expired (RFC 6750 wording some servers use). */
                "invalid_token",
                /* The client may no longer refresh: a fresh login through the configured grant is the way
                 * back, and retrying the refresh cannot succeed. */
                "unauthorized_client",
                "access_denied",
                /* A refusal without an RFC error code (Sharetribe answers a dead refresh token with a bare
                 * 401 "Unauthorized"). */
                "http_400",
                "http_401",
        };

        if (!e || !e->error)
                return false;
        if (streq(e->error, "invalid_grant"))
                return true;
        if (!grant_was_refresh)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(dead_on_refresh); i++)
                if (streq(e->error, dead_on_refresh[i]))
                        return true;
        return false;
}
