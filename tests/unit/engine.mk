# tests/unit/engine.mk: dbus/engine/, the daemon's transport-free logic, linked as tokenbrokerd links it.
engine_unit_tests = \
	%reldir%/engine/test-waiters \
	%reldir%/engine/test-token-policy

check_PROGRAMS += $(engine_unit_tests)
TESTS += $(engine_unit_tests)

ENGINE_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests -I$(top_srcdir)/dbus/engine
ENGINE_TEST_LIBS = dbus/libtb-daemon.la lib/libtb-common.la

%canon_reldir%_engine_test_waiters_SOURCES = %reldir%/engine/test-waiters.c
%canon_reldir%_engine_test_waiters_CPPFLAGS = $(ENGINE_TEST_CPPFLAGS)
%canon_reldir%_engine_test_waiters_LDADD = $(ENGINE_TEST_LIBS)

%canon_reldir%_engine_test_token_policy_SOURCES = %reldir%/engine/test-token-policy.c
%canon_reldir%_engine_test_token_policy_CPPFLAGS = $(ENGINE_TEST_CPPFLAGS)
%canon_reldir%_engine_test_token_policy_LDADD = $(ENGINE_TEST_LIBS)
