# tests/integration: TAP shell scripts run in a private session (tests/lib/with-keyring.sh) against the
# loopback token server (tests/servers/token-server.py) and, where its node modules are installed, the
# real OAuth2/OIDC server in tests/oidc. The rig they share is tests/lib/rig.sh.
EXTRA_DIST += \
	tests/lib/rig.sh \
	tests/lib/pty-run.py \
	tests/servers/token-server.py \
	tests/oidc/server.mjs \
	tests/oidc/package.json \
	tests/oidc/package-lock.json \
	tests/integration/fake-browser.py

rig_tests = \
	%reldir%/foundation.sh \
	%reldir%/token-engine.sh \
	%reldir%/oidc-provider.sh \
	%reldir%/login.sh \
	%reldir%/oidc-login.sh \
	%reldir%/client-auth-jwt.sh \
	%reldir%/par.sh \
	%reldir%/resource.sh \
	%reldir%/dpop.sh \
	%reldir%/mtls.sh \
	%reldir%/token-exchange.sh \
	%reldir%/rig-selftest.sh \
	%reldir%/demo.sh

TESTS += $(rig_tests)
dist_check_SCRIPTS += $(rig_tests)

# A rig tool: unlocks the test keyring the way the desktop does after a password-less login.
check_PROGRAMS += tests/lib/keyring-unlock
tests_lib_keyring_unlock_SOURCES = tests/lib/keyring-unlock.c
tests_lib_keyring_unlock_CPPFLAGS = $(AM_CPPFLAGS) $(SYSTEMD_CFLAGS)
tests_lib_keyring_unlock_LDADD = $(SYSTEMD_LIBS)
