/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-refresh-floor TOKEN_URL CAFILE CLIENT_ID ROUNDS [FORM]: the floor of a refresh with rotation, in one process
 * with the daemon's libraries: per round one refresh_token request with libcurl (one handle, so the
 * connection is kept as the daemon keeps it; TLS verified against CAFILE), the answer parsed with json-c,
 * and the rotated refresh token stored with libsecret's synchronous call before the next round. Reads the
 * client secret and the first refresh token from standard input, one per line (never from argv). FORM (no
 * secret; URL-encoded) is added to each request, as the daemon adds an account's Resource=. Prints one line
 * per round, in usec. */
#include <curl/curl.h>
#include <json-c/json.h>
#include <libsecret/secret.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"

typedef struct Body {
        char data[65536];
        size_t size;
} Body;

static size_t on_body(char *data, size_t size, size_t n, void *userdata) {
        Body *b = userdata;

        if (b->size + size * n >= sizeof(b->data))
                return 0;
        memcpy(b->data + b->size, data, size * n);
        b->size += size * n;
        return size * n;
}

static char *read_line(void) {
        char *line = NULL;
        size_t n = 0;
        ssize_t k = getline(&line, &n, stdin);

        if (k <= 0) {
                free(line);
                return NULL;
        }
        line[strcspn(line, "\n")] = 0;
        return line;
}

int main(int argc, char *argv[]) {
        static const SecretSchema schema = {
                "org.tokenbroker.BenchFloor", SECRET_SCHEMA_NONE,
                { { "account", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
        };
        char *secret = read_line(), *rt = read_line();
        long rounds;
        CURL *curl;

        if ((argc != 5 && argc != 6) || (rounds = strtol(argv[4], NULL, 10)) <= 0 || !secret || !rt)
                return 2;
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl = curl_easy_init();
        (void) curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
        (void) curl_easy_setopt(curl, CURLOPT_CAINFO, argv[2]);
        (void) curl_easy_setopt(curl, CURLOPT_USERNAME, argv[3]);
        (void) curl_easy_setopt(curl, CURLOPT_PASSWORD, secret);
        (void) curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
        (void) curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
        (void) curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);

        for (long i = 0; i < rounds; i++) {
                uint64_t t0 = bench_now_usec();
                json_object *answer, *next;
                GError *error = NULL;
                Body body = {};
                char *form, *escaped;
                long status = 0;

                escaped = curl_easy_escape(curl, rt, 0);
                if (!escaped || asprintf(&form, "grant_type=refresh_token&refresh_token=%s%s%s", escaped, argc == 6 ? "&" : "",
                                         argc == 6 ? argv[5] : "") < 0)
                        return 1;
                curl_free(escaped);
                (void) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form);
                (void) curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
                if (curl_easy_perform(curl) != CURLE_OK ||
                    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200) {
                        fprintf(stderr, "bench-refresh-floor: the refresh failed (HTTP %ld)\n", status);
                        return 1;
                }
                free(form);
                answer = json_tokener_parse(body.data);
                if (!answer || !json_object_object_get_ex(answer, "refresh_token", &next) ||
                    !json_object_object_get_ex(answer, "access_token", NULL)) {
                        fprintf(stderr, "bench-refresh-floor: no rotated refresh token in the answer\n");
                        return 1;
                }
                free(rt);
                rt = strdup(json_object_get_string(next));
                json_object_put(answer);
                if (!secret_password_store_sync(&schema, SECRET_COLLECTION_DEFAULT, "tokenbroker bench floor", rt,
                                                NULL, &error, "account", "refresh-floor", NULL)) {
                        fprintf(stderr, "bench-refresh-floor: keyring: %s\n", error ? error->message : "?");
                        return 1;
                }
                printf("%llu\n", (unsigned long long) (bench_now_usec() - t0));
        }
        curl_easy_cleanup(curl);
        return 0;
}
