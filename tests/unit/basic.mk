# tests/unit/basic.mk: lib/basic/, the libc-only helpers. Linked with the libc-only library alone, as the
# launchers and the PAM module link it.
basic_unit_tests = \
	%reldir%/test-string-util \
	%reldir%/test-fs-util

check_PROGRAMS += $(basic_unit_tests)
TESTS += $(basic_unit_tests)

%canon_reldir%_test_string_util_SOURCES = %reldir%/test-string-util.c
%canon_reldir%_test_string_util_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
%canon_reldir%_test_string_util_LDADD = lib/libtb-common.la

%canon_reldir%_test_fs_util_SOURCES = %reldir%/test-fs-util.c
%canon_reldir%_test_fs_util_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
%canon_reldir%_test_fs_util_LDADD = lib/libtb-common.la
