# tests/pam: pam_tokenbroker.so under real Linux-PAM, loaded from a service file in a temporary directory
# through pam_start_confdir(), so no file under /etc/pam.d is needed.

PAM_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests -I$(top_srcdir)/pam $(SYSTEMD_CFLAGS)

check_PROGRAMS += %reldir%/test-pam-options %reldir%/test-pam-address
TESTS += %reldir%/test-pam-options %reldir%/test-pam-address
%canon_reldir%_test_pam_options_CPPFLAGS = $(PAM_TEST_CPPFLAGS)
%canon_reldir%_test_pam_options_LDADD = pam/libpam-tb.la lib/libtb-client.la
%canon_reldir%_test_pam_address_CPPFLAGS = $(PAM_TEST_CPPFLAGS)
%canon_reldir%_test_pam_address_LDADD = pam/libpam-tb.la lib/libtb-client.la

# Loads the built module with dlopen(); links nothing of ours, so any helper it finds came from the module.
check_PROGRAMS += %reldir%/test-pam-exports
TESTS += %reldir%/test-pam-exports
%canon_reldir%_test_pam_exports_CPPFLAGS = $(PAM_TEST_CPPFLAGS)

# Drives the module through libpam with service files in a temporary directory.
check_PROGRAMS += %reldir%/test-pam-session
TESTS += %reldir%/test-pam-session
%canon_reldir%_test_pam_session_CPPFLAGS = $(PAM_TEST_CPPFLAGS)
%canon_reldir%_test_pam_session_LDADD = lib/libtb-client.la $(SYSTEMD_LIBS) $(PAM_LIBS)

# A login program for the shell tests: one session from a service file in a given directory.
check_PROGRAMS += %reldir%/pam-driver
%canon_reldir%_pam_driver_CPPFLAGS = $(PAM_TEST_CPPFLAGS)
%canon_reldir%_pam_driver_LDADD = lib/libtb-client.la $(PAM_LIBS)

# With the real tokenbrokerd, a private session bus and the loopback token server (tests/lib/rig.sh).
pam_rig_tests = %reldir%/pam-warmup.sh
TESTS += $(pam_rig_tests)
dist_check_SCRIPTS += $(pam_rig_tests)
