#!/bin/sh
# Runs test-keyring against a throw-away gnome-keyring on a private session bus.
exec "$abs_top_srcdir/tests/lib/with-keyring.sh" "$abs_top_builddir/tests/unit/test-keyring" "$@"
