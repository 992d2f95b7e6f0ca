# tests/unit/engine.mk: dbus/engine/, the daemon's transport-free logic, linked as tokenbrokerd links it.
engine_unit_tests = \
	%reldir%/engine/test-waiters \
	%reldir%/engine/test-token-policy \
	%reldir%/engine/test-token-fetch \
	%reldir%/engine/test-account-admin \
	%reldir%/engine/test-account-reload \
	%reldir%/engine/test-broker-core \
	%reldir%/engine/test-issuer-keys \
	%reldir%/engine/test-dpop

check_PROGRAMS += $(engine_unit_tests)
TESTS += $(engine_unit_tests)

ENGINE_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(ENGINE_CPPFLAGS) -I$(top_srcdir)/tests -I$(top_srcdir)/dbus/engine \
	-I$(top_srcdir)/dbus/io $(SYSTEMD_CFLAGS)
ENGINE_TEST_LIBS = dbus/libtb-daemon.la lib/libtb-common.la
# The engine with its I/O replaced (fake-io.c instead of dbus/io/), linked as tokenbrokerd links it. Two real
# files come along: the words for I/O failures, and the sock_diag query that a login's listener links (no
# test here starts a login).
ENGINE_FAKE_IO_SOURCES = \
	%reldir%/engine/fake-io.h \
	%reldir%/engine/fake-io.c \
	%reldir%/engine/engine-fixture.h \
	%reldir%/engine/engine-fixture.c \
	dbus/io/io-errors.c \
	dbus/io/loopback-peer.c
ENGINE_FAKE_IO_LIBS = dbus/libtb-daemon.la lib/libtb-engine.la lib/libtb-client.la lib/libtb-wire.la \
	$(SYSTEMD_LIBS) $(JSONC_LIBS) $(GLIB_LIBS) $(GNUTLS_LIBS)

%canon_reldir%_engine_test_waiters_SOURCES = %reldir%/engine/test-waiters.c
%canon_reldir%_engine_test_waiters_CPPFLAGS = $(ENGINE_TEST_CPPFLAGS)
%canon_reldir%_engine_test_waiters_LDADD = $(ENGINE_TEST_LIBS)

%canon_reldir%_engine_test_token_policy_SOURCES = %reldir%/engine/test-token-policy.c
%canon_reldir%_engine_test_token_policy_CPPFLAGS = $(ENGINE_TEST_CPPFLAGS)
%canon_reldir%_engine_test_token_policy_LDADD = $(ENGINE_TEST_LIBS)

%canon_reldir%_engine_test_token_fetch_SOURCES = %reldir%/engine/test-token-fetch.c $(ENGINE_FAKE_IO_SOURCES)
%canon_reldir%_engine_test_token_fetch_CPPFLAGS = $(ENGINE_TEST_CPPFLAGS)
%canon_reldir%_engine_test_token_fetch_LDADD = $(ENGINE_FAKE_IO_LIBS)

%canon_reldir%_engine_test_account_admin_SOURCES = %reldir%/engine/test-account-admin.c $(ENGINE_FAKE_IO_SOURCES)
%canon_reldir%_engine_test_account_admin_CPPFLAGS = $(ENGINE_TEST_CPPFLAGS)
%canon_reldir%_engine_test_account_admin_LDADD = $(ENGINE_FAKE_IO_LIBS)

%canon_reldir%_engine_test_broker_core_SOURCES = %reldir%/engine/test-broker-core.c $(ENGINE_FAKE_IO_SOURCES)
%canon_reldir%_engine_test_broker_core_CPPFLAGS = $(ENGINE_TEST_CPPFLAGS)
%canon_reldir%_engine_test_broker_core_LDADD = $(ENGINE_FAKE_IO_LIBS)

%canon_reldir%_engine_test_issuer_keys_SOURCES = %reldir%/engine/test-issuer-keys.c $(ENGINE_FAKE_IO_SOURCES)
%canon_reldir%_engine_test_issuer_keys_CPPFLAGS = $(ENGINE_TEST_CPPFLAGS)
%canon_reldir%_engine_test_issuer_keys_LDADD = $(ENGINE_FAKE_IO_LIBS)

%canon_reldir%_engine_test_dpop_SOURCES = %reldir%/engine/test-dpop.c $(ENGINE_FAKE_IO_SOURCES)
%canon_reldir%_engine_test_dpop_CPPFLAGS = $(ENGINE_TEST_CPPFLAGS)
%canon_reldir%_engine_test_dpop_LDADD = $(ENGINE_FAKE_IO_LIBS)

%canon_reldir%_engine_test_account_reload_SOURCES = %reldir%/engine/test-account-reload.c $(ENGINE_FAKE_IO_SOURCES)
%canon_reldir%_engine_test_account_reload_CPPFLAGS = $(ENGINE_TEST_CPPFLAGS)
%canon_reldir%_engine_test_account_reload_LDADD = $(ENGINE_FAKE_IO_LIBS)
