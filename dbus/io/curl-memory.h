/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* curl_global_init() with an allocator that wipes what libcurl frees (curl-memory.c). Once per process,
 * before any other libcurl call. */
int curl_init_wiping(void);
