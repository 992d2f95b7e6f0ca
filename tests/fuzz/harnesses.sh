# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The harnesses in tests/fuzz, for replay.sh (make check) and run-fuzzers.sh (make fuzz): one line each,
#   HARNESS  CORPUS  MAX_LEN  DICTIONARY
# tests/fuzz/fuzz-HARNESS.c is built as tests/fuzz/fuzz-HARNESS; its seeds are in corpus/CORPUS/, the inputs
# that once crashed it in regressions/CORPUS/; MAX_LEN bounds the inputs libFuzzer makes; DICTIONARY is in
# dicts/ ("-" for none).
FUZZ_HARNESSES=(
        "credential-proto       credential              70000   credential.dict"
        "token-response         token-response          65536   json.dict"
        "account-file           account-file            16384   account-file.dict"
        "server-metadata        server-metadata         16384   json.dict"
        "redirect-request       redirect-request        8400    http.dict"
        "device-authorization   device-authorization    16384   json.dict"
        "jose                   jose                    65536   json.dict"
)
