/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "device-authorization.h"
#include "json-util.h"
#include "string-util.h"

/* Polling faster than this hammers the server; slower than this makes a person wait for nothing. */
#define INTERVAL_MIN 1
#define INTERVAL_MAX 60
#define INTERVAL_DEFAULT 5

void device_authorization_clear(DeviceAuthorization *d) {
        if (!d)
                return;
        d->device_code = erase_and_free(d->device_code);
        free(d->user_code);
        free(d->verification_uri);
        free(d->verification_uri_complete);
        *d = (DeviceAuthorization) {};
}

static int bad(TokenError *e, int http_status, const char *what) {
        if (e) {
                *e = (TokenError) { .http_status = http_status };
                e->error = strdup("invalid_response");
                e->description = strdup(what);
        }
        return -EBADMSG;
}

/* A printable string member, copied; NULL when absent. */
static int get_text(json_object *o, const char *key, char **ret) {
        const char *s = json_get_string(o, key);

        *ret = NULL;
        if (!s)
                return 0;
        if (!json_object_is_type(json_object_object_get(o, key), json_type_string) || !*s ||
            !string_is_safe_utf8(s, strlen(s)) || strlen(s) > 2048)
                return -EBADMSG;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static bool is_http_url(const char *s) {
        return s && (startswith_no_case(s, "https://") || startswith_no_case(s, "http://")) && !strpbrk(s, " \t");
}

int device_authorization_parse(const char *body, size_t size, int http_status, DeviceAuthorization *ret,
                               TokenError *ret_error) {
        _cleanup_(device_authorization_clear) DeviceAuthorization d = { .interval = INTERVAL_DEFAULT };
        _cleanup_json_ json_object *root = NULL;
        int r;

        if (http_status < 200 || http_status > 299) {
                TokenResponse unused = {};

                r = token_response_parse(body, size, http_status, NULL, &unused, ret_error);
                token_response_clear(&unused);
                return r == -ENOMEM ? r : -EREMOTEIO;
        }
        if (json_parse(body, size, &root) < 0 || !json_object_is_type(root, json_type_object))
                return bad(ret_error, http_status, "the device authorization response is not a JSON object");
        if (json_object_object_get(root, "error") && !json_object_object_get(root, "device_code")) {
                TokenResponse unused = {};

                /* An RFC 6749 error body with a 200: parsed as the refusal it is. */
                r = token_response_parse(body, size, 400, NULL, &unused, ret_error);
                token_response_clear(&unused);
                if (ret_error)
                        ret_error->http_status = http_status;
                return r == -ENOMEM ? r : -EREMOTEIO;
        }

        if ((r = get_text(root, "device_code", &d.device_code)) < 0 || (r = get_text(root, "user_code", &d.user_code)) < 0 ||
            (r = get_text(root, "verification_uri", &d.verification_uri)) < 0 ||
            (r = get_text(root, "verification_uri_complete", &d.verification_uri_complete)) < 0)
                return r == -ENOMEM ? r : bad(ret_error, http_status, "a member of the response is not a string");
        /* Google's servers say verification_url. */
        if (!d.verification_uri && (r = get_text(root, "verification_url", &d.verification_uri)) < 0)
                return r == -ENOMEM ? r : bad(ret_error, http_status, "verification_url is not a string");
        if (!d.device_code || !d.user_code || !d.verification_uri)
                return bad(ret_error, http_status, "device_code, user_code or verification_uri missing");
        if (!is_http_url(d.verification_uri) || (d.verification_uri_complete && !is_http_url(d.verification_uri_complete)))
                return bad(ret_error, http_status, "the verification URI is not an http(s) URL");
        if (json_get_int64(root, "expires_in", &d.expires_in) < 0 || d.expires_in <= 0)
                return bad(ret_error, http_status, "expires_in missing or not a positive number");
        if (json_get_int64(root, "interval", &d.interval) == -ENOENT)
                d.interval = INTERVAL_DEFAULT;
        d.interval = d.interval < INTERVAL_MIN ? INTERVAL_MIN : d.interval > INTERVAL_MAX ? INTERVAL_MAX : d.interval;

        *ret = d;
        d = (DeviceAuthorization) {};
        return 0;
}
