# tests/unit/wire.mk: lib/wire/, the contract the D-Bus interface and the token socket share (error names,
# exit statuses) and the token socket's messages. Linked as the fast front ends link it.
check_PROGRAMS += tests/unit/test-wire
TESTS += tests/unit/test-wire

tests_unit_test_wire_SOURCES = tests/unit/test-wire.c
tests_unit_test_wire_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests $(JSONC_CFLAGS)
tests_unit_test_wire_LDADD = lib/libtb-wire.la $(JSONC_LIBS)

# The front ends' client of the token socket, against a daemon played on a socket pair.
check_PROGRAMS += tests/unit/test-wire-client
TESTS += tests/unit/test-wire-client

tests_unit_test_wire_client_SOURCES = tests/unit/test-wire-client.c
tests_unit_test_wire_client_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests $(JSONC_CFLAGS)
tests_unit_test_wire_client_LDADD = lib/libtb-wire.la $(JSONC_LIBS)
