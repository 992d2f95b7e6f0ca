# Tests: TAP producers run by `make check`. Each part keeps its own fragment so that they can grow apart.
EXTRA_DIST += %reldir%/tap.h %reldir%/lib/with-keyring.sh

# Unit tests link the internal libraries directly.
TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests $(ENGINE_CPPFLAGS) $(SYSTEMD_CFLAGS)
TEST_ENGINE_LIBS = lib/libtb-engine.la lib/libtb-client.la

include %reldir%/unit/basic.mk
include %reldir%/unit/oauth.mk
include %reldir%/unit/config.mk
include %reldir%/unit/credential.mk
include %reldir%/unit/wire.mk
include %reldir%/unit/engine.mk
include %reldir%/integration/local.mk
include %reldir%/servers/local.mk
include %reldir%/providers/local.mk
include %reldir%/git/local.mk
include %reldir%/frontend/local.mk
include %reldir%/pam/local.mk
include %reldir%/packaging/local.mk
include %reldir%/bench/local.mk
include %reldir%/fuzz/local.mk
include %reldir%/reliability/local.mk
include %reldir%/security/local.mk
