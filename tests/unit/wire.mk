# tests/unit/wire.mk: lib/wire/, the contract the D-Bus interface and the token socket share (error names,
# exit statuses) and the token socket's messages. Linked as the fast front ends link it.
check_PROGRAMS += tests/unit/test-wire
TESTS += tests/unit/test-wire

tests_unit_test_wire_SOURCES = tests/unit/test-wire.c
tests_unit_test_wire_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests $(JSONC_CFLAGS)
tests_unit_test_wire_LDADD = lib/libtb-wire.la $(JSONC_LIBS)
