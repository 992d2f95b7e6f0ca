/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <sys/random.h>

#include "alloc-util.h"
#include "form.h"
#include "pkce.h"

static int random_base64url(size_t n, char **ret) {
        unsigned char buf[64];
        size_t got = 0;
        char *s;

        assert(n <= sizeof(buf));
        while (got < n) {
                ssize_t k = getrandom(buf + got, n - got, 0);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                got += (size_t) k;
        }
        s = base64url_encode(buf, n);
        erase_buffer(buf, sizeof(buf));
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int pkce_verifier_new(char **ret) {
        return random_base64url(32, ret);
}

int oauth_state_new(char **ret) {
        return random_base64url(16, ret);
}

int oidc_nonce_new(char **ret) {
        return random_base64url(16, ret);
}

int pkce_challenge_s256(const char *verifier, char **ret) {
        g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
        guint8 digest[32];
        gsize len = sizeof(digest);
        char *s;

        if (!sum)
                return -ENOMEM;
        g_checksum_update(sum, (const guchar *) verifier, (gssize) strlen(verifier));
        g_checksum_get_digest(sum, digest, &len);
        s = base64url_encode(digest, len);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}
