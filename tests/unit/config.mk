# tests/unit/config.mk: account files (lib/config/) and the keyring (lib/store/).
check_PROGRAMS += %reldir%/test-account-file %reldir%/test-account-file-write %reldir%/test-keyring
%canon_reldir%_test_account_file_SOURCES = %reldir%/test-account-file.c %reldir%/account-file-test.h
%canon_reldir%_test_account_file_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_account_file_LDADD = $(TEST_ENGINE_LIBS)
TESTS += %reldir%/test-account-file

%canon_reldir%_test_account_file_write_SOURCES = %reldir%/test-account-file-write.c %reldir%/account-file-test.h
%canon_reldir%_test_account_file_write_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_account_file_write_LDADD = $(TEST_ENGINE_LIBS)
TESTS += %reldir%/test-account-file-write

# test-keyring needs a Secret Service: the .sh wrapper runs it inside tests/lib/with-keyring.sh (a private
# session bus with a real gnome-keyring), so `make check` never touches the user's own keyring.
%canon_reldir%_test_keyring_SOURCES = %reldir%/test-keyring.c
%canon_reldir%_test_keyring_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_keyring_LDADD = $(TEST_ENGINE_LIBS) $(SECRET_LIBS) $(GLIB_LIBS)
TESTS += %reldir%/test-keyring.sh
dist_check_SCRIPTS += %reldir%/test-keyring.sh
