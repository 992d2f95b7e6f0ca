#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The manual pages and the bash completion describe what the code has: every D-Bus member and error, every
# account file key, every CLI verb; and the pages render cleanly.
. "$abs_top_srcdir/tests/lib/rig.sh"

man_src="$abs_top_srcdir/man"
api_page="$man_src/org.tokenbroker.Broker1.5.scd"
conf_page="$man_src/tokenbroker.conf.5.scd"
cli_page="$man_src/tokenbroker.1.scd"
completion="$abs_top_srcdir/packaging/bash-completion/tokenbroker"
xml="$abs_top_srcdir/dbus/org.tokenbroker.Broker1.xml"
pages="tokenbroker.1 git-credential-tokenbroker.1 tokenbroker.conf.5 org.tokenbroker.Broker1.5 tokenbrokerd.8
pam_tokenbroker.8"

# section PAGE TITLE: the lines of one "# TITLE" section of an scdoc page.
section() { awk -v t="# $2" '$0 == t { on = 1; next } /^# / { on = 0 } on' "$1"; }
# entries PAGE TITLE: the names a section defines, from lines "*Name*(" or "*Name=*" or "*name*" at column 0.
entries() { section "$1" "$2" | sed -n 's/^\*\([A-Za-z0-9_.-]*\)[*=(].*/\1/p' | sort -u; }
# missing WANT HAVE: the words of WANT (one per line) not in HAVE.
missing() { comm -23 <(printf '%s\n' "$1" | sort -u) <(printf '%s\n' "$2" | sort -u) | grep -v '^$' | tr '\n' ' '; }

# --- D-Bus API
if [ -s "$xml" ] && grep -q '<interface name="org.tokenbroker.Broker1"' "$xml"; then
        members() {
                "$PYTHON3" - "$xml" "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
for i in ET.parse(sys.argv[1]).getroot().iter("interface"):
    if i.get("name") == "org.tokenbroker.Broker1":
        for m in i.iter(sys.argv[2]):
            print(m.get("name"))
PY
        }
        xml_methods=$(members method)
        xml_signals=$(members signal)
        xml_props=$(members property)
        tap_isnt "$xml_methods" "" "the introspection XML lists methods"
        tap_is "$(missing "$xml_methods" "$(entries "$api_page" METHODS)")" "" \
                "org.tokenbroker.Broker1(5) documents every method of the XML"
        tap_is "$(missing "$(entries "$api_page" METHODS)" "$xml_methods")" "" \
                "org.tokenbroker.Broker1(5) documents no method the XML lacks"
        tap_is "$(missing "$xml_signals" "$(entries "$api_page" SIGNALS)")" "" \
                "org.tokenbroker.Broker1(5) documents every signal of the XML"
        tap_is "$(missing "$(entries "$api_page" SIGNALS)" "$xml_signals")" "" \
                "org.tokenbroker.Broker1(5) documents no signal the XML lacks"
        tap_is "$(missing "$xml_props" "$(entries "$api_page" PROPERTIES)")" "" \
                "org.tokenbroker.Broker1(5) documents every property of the XML"
        # The signature in the page is the one in the XML: "Name(t name, ...) -> (t name, ...)".
        sigs_ok=$("$PYTHON3" - "$xml" "$api_page" <<'PY'
import re, sys, xml.etree.ElementTree as ET
page = open(sys.argv[2]).read()
bad = []
for i in ET.parse(sys.argv[1]).getroot().iter("interface"):
    if i.get("name") != "org.tokenbroker.Broker1":
        continue
    for m in list(i.iter("method")) + list(i.iter("signal")):
        ins = [a.get("type") for a in m.iter("arg") if a.get("direction", "in") == "in" or m.tag == "signal"]
        outs = [a.get("type") for a in m.iter("arg") if m.tag == "method" and a.get("direction") == "out"]
        line = re.search(r"^\*%s\*\((.*?)\)(?: -> \((.*?)\))?$" % re.escape(m.get("name")), page, re.M)
        if not line:
            bad.append(m.get("name"))
            continue
        types = lambda s: [w.split()[0] for w in s.split(",")] if s and s.strip() else []
        if types(line.group(1)) != ins or types(line.group(2) or "") != outs:
            bad.append(m.get("name"))
print(" ".join(bad))
PY
)
        tap_is "$sigs_ok" "" "the documented argument types match the XML"
else
        tap_skip "D-Bus members documented" "dbus/org.tokenbroker.Broker1.xml has no interface yet"
fi

# The errors are named once for both transports, the D-Bus interface and the token socket.
code_errors=$(sed -n 's/^#define BROKER_ERROR_[A-Z_]* "\(.*\)"$/\1/p' "$abs_top_srcdir/lib/wire/wire-api.h")
tap_isnt "$code_errors" "" "wire-api.h names the errors"
tap_is "$(missing "$code_errors" "$(entries "$api_page" ERRORS)")" "" "every D-Bus error is documented"
tap_is "$(missing "$(entries "$api_page" ERRORS)" "$code_errors")" "" "no error is documented that the code lacks"

# --- account file keys
doc_keys=$(entries "$conf_page" KEYS | sed 's/\.$//')
completion_keys=$(sed -n "/local keys='/,/'/p" "$completion" | sed 's/local keys=//' | tr -s " '\t" '\n' |
        sed -n 's/^\([A-Za-z]*\)=$/\1/p')
tap_like "$(echo $doc_keys)" "TokenURL" "tokenbroker.conf(5) has a KEYS section"
tap_is "$(missing "$completion_keys" "$doc_keys")" "" "every key the completion offers is documented"
tap_is "$(missing "$(printf '%s\n' $doc_keys | grep -v '^ClientAuth\.$' | grep -v '^Provider$')" "$completion_keys"$'\n'"Provider")" "" \
        "the completion offers every documented key"
account_c="$abs_top_srcdir/lib/config/account-file-keys.c"
if [ -f "$account_c" ]; then
        code_keys=$(sed -n 's/^ *KEY\(_MIN\|_FILE\)\{0,1\}("\([A-Za-z]*\)".*/\2/p' "$account_c" | sort -u)
        tap_isnt "$code_keys" "" "account-file-keys.c has a key table"
        tap_is "$(missing "$code_keys" "$doc_keys")" "" "tokenbroker.conf(5) documents every key the parser knows"
        tap_is "$(missing "$doc_keys" "$code_keys")" "" "tokenbroker.conf(5) documents no key the parser lacks"
else
        tap_skip "documented keys are parsed" "lib/config/account-file-keys.c does not exist yet"
fi
for p in generic flaik floriday flixcheck flume sharetribe; do
        tap_like "$(entries "$conf_page" PROVIDERS | tr '\n' ' ')" "(^| )$p( |$)" "tokenbroker.conf(5) describes Provider=$p"
done

# --- CLI verbs
completion_verbs=$(sed -n "s/^ *local verbs='\(.*\)'$/\1/p" "$completion" | tr ' ' '\n')
doc_verbs=$(entries "$cli_page" COMMANDS)
tap_is "$(missing "$completion_verbs" "$doc_verbs")" "" "every verb the completion offers is in tokenbroker(1)"
tap_is "$(missing "$doc_verbs" "$completion_verbs")" "" "the completion offers every verb of tokenbroker(1)"
if help=$("$abs_top_builddir/tokenbroker" --help 2>&1) && [ -n "$help" ]; then
        help_verbs=$(printf '%s\n' "$help" | sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p' | sort -u)
        tap_isnt "$help_verbs" "" "tokenbroker --help lists verbs"
        tap_is "$(missing "$help_verbs" "$doc_verbs")" "" "tokenbroker(1) documents every verb of --help"
        tap_is "$(missing "$doc_verbs" "$help_verbs")" "" "tokenbroker(1) documents no verb --help lacks"
else
        tap_skip "CLI verbs documented" "$abs_top_builddir/tokenbroker --help does not work yet"
fi

# Every verb has help of its own, as `VERB --help` and `help VERB`, naming each option tokenbroker(1) gives
# it (the options of its paragraph in COMMANDS).
for verb in $doc_verbs; do
        out=$("$abs_top_builddir/tokenbroker" "$verb" --help 2>&1); rc=$?
        tap_is "$rc:$(head -n 1 <<<"$out" | cut -d' ' -f1-3)" "0:Usage: tokenbroker $verb" \
                "tokenbroker $verb --help: its usage, exit 0"
        tap_is "$("$abs_top_builddir/tokenbroker" help "$verb" 2>&1)" "$out" "tokenbroker help $verb: the same"
        tap_like "$out" "Example:" "... with an example"
        want=$(awk -v v="$verb" '$0 ~ "^\\*" v "\\*" { on = 1 } on && /^$/ && seen { exit } on { seen = 1; print }' \
                "$cli_page" | grep -o '\*--[a-z-]*\*' | tr -d '*' | sort -u)
        have=$(grep -o -- '--[a-z-]*' <<<"$out" | sort -u)
        tap_is "$(missing "$want" "$have")" "" "tokenbroker $verb --help names every option tokenbroker(1) gives it"
done
out=$("$abs_top_builddir/tokenbroker" help nosuch 2>&1); rc=$?
tap_is "$rc" 2 "help for a verb there is none of: a usage error (exit 2)"

# --- the pages themselves
for page in $pages; do
        roff="$abs_top_builddir/man/$page"
        [ -f "$roff" ] || roff="$abs_top_srcdir/man/$page"
        if [ ! -f "$roff" ]; then
                tap_fail "$page is built" "neither in the build tree nor in the source tree"
                continue
        fi
        tap_ok "$page starts with its .TH header" grep -q "^\\.TH \"${page%.*}\" \"${page##*.}\"" "$roff"
        if command -v groff >/dev/null; then
                warn=$(LC_ALL=C.UTF-8 groff -man -ww -z -K utf8 "$roff" 2>&1)
                tap_is "$warn" "" "$page renders without a groff warning"
        fi
        # Every page of ours it refers to exists.
        refs=$(grep -o '\*[a-z][A-Za-z0-9_.-]*\*([158])' "$man_src/$page.scd" | tr -d '*' | sed 's/(\(.\))/.\1/' | sort -u)
        dangling=
        for r in $refs; do
                case "$r" in
                        tokenbroker*|git-credential-tokenbroker*|pam_tokenbroker*|org.tokenbroker*)
                                [[ " $(echo $pages) " == *" $r "* ]] || dangling="$dangling $r" ;;
                esac
        done
        tap_is "$dangling" "" "$page refers only to pages that exist"
done

tap_done
