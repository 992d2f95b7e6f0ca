#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# TLS and where secrets may be sent. A CA and two server certificates are made with openssl at test time; an
# HTTPS front (front-server.py) passes requests on to the loopback token server. Verification is on: the
# system CAs do not know the test CA, CAFile= does; a certificate for another name is refused even with the
# right CA; http:// is accepted for loopback hosts only, both when an account is added and when a URL learned
# later (from discovery) is about to be used; a redirect from the token endpoint is not followed; an answer
# over 1 MiB is refused. A refused connection never reaches the token endpoint with a request.
. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/rig.sh"
. "$abs_top_srcdir/tests/reliability/lib.sh"
rig_run_in_session "$0" "$@"

command -v openssl >/dev/null || tap_skip_all "openssl is not installed"

pki="$RIG_DIR/pki"
{ rig_make_ca "$pki" &&
        rig_make_cert "$pki" good "/CN=IP:127.0.0.1,DNS:localhost" serverAuth "IP:127.0.0.1,DNS:localhost" &&
        rig_make_cert "$pki" wrong "/CN=DNS:example.invalid" serverAuth "DNS:example.invalid"; } ||
        tap_bail "openssl could not make the test certificates: $(tail -n 5 "$pki/openssl.log")"

rig_start_token_server TS --access-ttl 3600 || tap_bail "no token server"
rel_start_front GOOD TS --cert "$pki/good.pem" --key "$pki/good.key" || tap_bail "no HTTPS front"
rel_start_front WRONG TS --cert "$pki/wrong.pem" --key "$pki/wrong.key" || tap_bail "no second HTTPS front"
rig_start_daemon || tap_bail "tokenbrokerd did not start"

requests() { rel_stat TS 'requests.POST /token'; }

# --- verification ----------------------------------------------------------------------------------------
rel_add_cc syscas "$GOOD_TOKEN_URL" || tap_bail "could not add an account"
rel_fetch syscas
tap_is "$RC" 5 "an HTTPS endpoint whose CA the system does not trust: refused (exit 5)"
tap_like "$OUT" "[Cc]ertificate" "... with a message about the certificate"
tap_is "$(requests)" 0 "... and no request reached the token endpoint"

rel_add_cc private "$GOOD_TOKEN_URL" --set "CAFile=$pki/ca.pem" || tap_bail "could not add an account"
rel_fetch private
tap_is "$RC" 0 "with CAFile= naming the test CA, the same endpoint works"
tap_is "$(rel_whoami TS <<<"$OUT")" basic-client "... and the token is good"

rel_add_cc wrongname "$WRONG_TOKEN_URL" --set "CAFile=$pki/ca.pem" || tap_bail "could not add an account"
before=$(requests)
rel_fetch wrongname
tap_is "$RC" 5 "a certificate for example.invalid served on 127.0.0.1 is refused, even with the right CA"
tap_like "$OUT" "[Cc]ertificate|subject|match" "... with a message about the certificate's name"
tap_is "$(requests)" "$before" "... and no request reached the token endpoint"

# --- http:// only for loopback, when added ------------------------------------------------------------------
for url in http://example.com/token http://127.attacker.invalid/token http://127.0.0.1.example.com/token; do
        out=$(rig_tb add remote --token-url "$url" --client-id x 2>&1)
        rc=$?
        tap_isnt "$rc" 0 "tokenbroker add refuses $url (exit $rc)"
        tap_like "$out" "https://" "... saying that https:// is needed"
done
tap_status 3 "... and no such account was written" rig_tb token remote

# --- and when used: an endpoint learned from discovery -------------------------------------------------------------
for host in example.invalid 127.attacker.invalid; do
        printf '{"issuer": "{issuer}", "token_endpoint": "http://%s/token"}\n' "$host" >"$RIG_DIR/meta-$host.json"
        name=DISC_${host//[.-]/_}
        rel_start_front "$name" TS --metadata "$RIG_DIR/meta-$host.json" || tap_bail "no discovery front"
        url_var="${name}_URL"
        rig_tb add "disc-${host%%.*}" --issuer "${!url_var}" --client-id basic-client --client-auth basic \
                >/dev/null 2>&1 || tap_bail "could not add an account with Issuer="
        printf 'basic-secret' | rig_tb set-secret "disc-${host%%.*}" client-secret >/dev/null
        rel_fetch "disc-${host%%.*}"
        tap_is "$RC" 2 "a discovered token endpoint http://$host is refused when it is about to be used (exit 2)"
        tap_like "$OUT" "https://" "... saying that https:// is needed"
done

# --- no redirects, size capped --------------------------------------------------------------------------------
rel_invalidate private
before=$(requests)
rig_server_ctl TS '{"inject": [{"kind": "redirect", "count": 5, "path": "/token"}]}'
rel_fetch private
tap_is "$RC" 5 "a redirect from the HTTPS token endpoint: refused (exit 5)"
tap_like "$OUT" "HTTP 302" "... naming the redirect"
tap_is "$(($(requests) - before))" 1 "... and not followed (one request)"
rig_server_ctl TS '{"reset": true}'

rel_invalidate private
rig_server_ctl TS '{"inject": [{"kind": "huge", "count": 5, "path": "/token"}]}'
rel_fetch private
tap_is "$RC" 5 "a 10 MiB answer over HTTPS: refused (exit 5)"
tap_like "$OUT" "larger than 1 MiB" "... as too large"
rig_server_ctl TS '{"reset": true}'

rel_stop_daemon_checked
tap_done
