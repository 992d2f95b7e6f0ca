# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by bench.sh: an oidc-agent account "bench" with a cached access token, for comparing `oidc-token`
# with `tokenbroker token`. oidc-gen needs an issuer with discovery, so the account lives on the real OIDC
# server of tests/oidc; it gets its refresh token from a device-flow login that the rig approves, since
# oidc-gen's own flows want a browser or a person. Everything started is the rig's, so it is stopped on exit.

# bench_oidc_setup: exports OIDC_SOCK; on failure returns 1 with the reason in BENCH_OIDC_WHY.
# shellcheck disable=SC2034  # BENCH_OIDC_WHY is read by bench.sh
bench_oidc_setup() {
        local json rt
        BENCH_OIDC_WHY=
        rig_start_oidc_provider OIDC --access-ttl 3600 >/dev/null 2>&1 || {
                BENCH_OIDC_WHY="the OIDC server did not start"
                return 1
        }
        if ! json=$(curl -sf -u cc-basic:cc-basic-secret -d "scope=openid offline_access api:read" \
                -d resource=urn:tokenbroker:test-api "$OIDC_URL/device/auth") ||
                ! rig_oidc_approve_device OIDC "$(rig_json_get user_code "$json")" ||
                ! rt=$(curl -sf -u cc-basic:cc-basic-secret -d resource=urn:tokenbroker:test-api \
                        -d grant_type=urn:ietf:params:oauth:grant-type:device_code \
                        -d "device_code=$(rig_json_get device_code "$json")" "$OIDC_TOKEN_URL" |
                        rig_json_get refresh_token); then
                BENCH_OIDC_WHY="no refresh token from a device-flow login"
                return 1
        fi

        export OIDC_SOCK="$XDG_RUNTIME_DIR/oidc-agent/sock"
        mkdir -m 0700 "${OIDC_SOCK%/*}"
        rig_spawn oidc-agent oidc-agent --console --socket-path="$OIDC_SOCK"
        rig_wait_for 10 test -S "$OIDC_SOCK" || {
                BENCH_OIDC_WHY="oidc-agent did not listen"
                return 1
        }
        # Its output repeats the refresh token: kept out of every log.
        OIDC_ENCRYPTION_PW=bench-only timeout 60 oidc-gen --iss="$OIDC_URL" --client-id=cc-basic \
                --client-secret=cc-basic-secret --rt="$rt" --scope="openid offline_access api:read" \
                --pw-env --confirm-default --prompt=none --no-url-call bench </dev/null >/dev/null 2>&1 || {
                BENCH_OIDC_WHY="oidc-gen could not create the account"
                return 1
        }
        oidc-token bench 2>/dev/null | grep -q '^eyJ' || {
                BENCH_OIDC_WHY="oidc-token gave no access token"
                return 1
        }
}
