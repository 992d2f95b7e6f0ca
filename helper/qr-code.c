/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "qr-code.h"

#if HAVE_QRENCODE
#include <dlfcn.h>
#include <qrencode.h>

#define QUIET_ZONE 2
#define ANSI_LIGHT_BACKGROUND "\033[30;47m"     /* black on white: readers expect dark modules on light */
#define ANSI_RESET "\033[0m"

static void print_row_pair(FILE *f, const QRcode *qr, int y) {
        int size = qr->width + 2 * QUIET_ZONE;

        fputs(ANSI_LIGHT_BACKGROUND, f);
        for (int x = 0; x < size; x++) {
                int mx = x - QUIET_ZONE, my = y - QUIET_ZONE;
                /* Bit 0 of each module is its colour: 1 is dark. */
                int top = mx >= 0 && mx < qr->width && my >= 0 && my < qr->width &&
                          (qr->data[my * qr->width + mx] & 1);
                int bottom = mx >= 0 && mx < qr->width && my + 1 >= 0 && my + 1 < qr->width &&
                             (qr->data[(my + 1) * qr->width + mx] & 1);

                fputs(top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ", f);
        }
        fputs(ANSI_RESET "\n", f);
}

int qr_code_print(FILE *f, const char *text) {
        QRcode *(*encode)(const char *, int, QRecLevel, QRencodeMode, int);
        void (*release)(QRcode *);
        QRcode *qr;
        void *dl;

        dl = dlopen("libqrencode.so.4", RTLD_NOW | RTLD_LOCAL);
        if (!dl)
                return -EOPNOTSUPP;
        encode = (QRcode *(*)(const char *, int, QRecLevel, QRencodeMode, int)) dlsym(dl, "QRcode_encodeString");
        release = (void (*)(QRcode *)) dlsym(dl, "QRcode_free");
        if (!encode || !release) {
                dlclose(dl);
                return -EOPNOTSUPP;
        }
        qr = encode(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
        if (!qr) {
                dlclose(dl);
                return -EINVAL;
        }
        for (int y = 0; y < qr->width + 2 * QUIET_ZONE; y += 2)
                print_row_pair(f, qr, y);
        release(qr);
        dlclose(dl);
        return 0;
}

#else

int qr_code_print(FILE *f, const char *text) {
        return -EOPNOTSUPP;
}

#endif
