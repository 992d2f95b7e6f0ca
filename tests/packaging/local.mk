# tests/packaging: the installed integration files agree with each other and with the code.
packaging_tests = \
	%reldir%/units.sh \
	%reldir%/docs.sh \
	%reldir%/examples.sh \
	%reldir%/completion.sh \
	%reldir%/completion-zsh.sh \
	%reldir%/completion-fish.sh \
	%reldir%/activation.sh \
	%reldir%/launcher-libraries.sh \
	%reldir%/deb.sh
TESTS += $(packaging_tests)
dist_check_SCRIPTS += $(packaging_tests)
# The cases the three completion tests share, and the zsh session that types them.
EXTRA_DIST += %reldir%/completion-cases.sh %reldir%/zsh-complete.zsh

# The example accounts through the daemon's own account-file parser.
check_PROGRAMS += %reldir%/test-examples
%canon_reldir%_test_examples_SOURCES = %reldir%/test-examples.c
%canon_reldir%_test_examples_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_examples_LDADD = $(TEST_ENGINE_LIBS)
TESTS += %reldir%/test-examples
