# tests/fuzz: libFuzzer harnesses for the parsers that read bytes from outside (README.md there).
#
#   every build   the harnesses are linked with fuzz-main.c, a plain driver, and `make check` replays each
#                 over its seed corpus and its regressions (replay.sh): with gcc, and under ASan+UBSan in the
#                 sanitizer build.
#   --enable-fuzzers CC=clang
#                 the harnesses are libFuzzer programs (and everything is built for coverage and with
#                 ASan+UBSan); `make fuzz` runs each for FUZZ_SECONDS (60) and fails on a crash
#                 (run-fuzzers.sh). make check replays the same files through libFuzzer.
fuzz_harnesses = \
	%reldir%/fuzz-credential-proto \
	%reldir%/fuzz-token-response \
	%reldir%/fuzz-account-file \
	%reldir%/fuzz-server-metadata \
	%reldir%/fuzz-redirect-request \
	%reldir%/fuzz-device-authorization \
	%reldir%/fuzz-jose

check_PROGRAMS += $(fuzz_harnesses)
TESTS += %reldir%/replay.sh
dist_check_SCRIPTS += %reldir%/replay.sh %reldir%/run-fuzzers.sh
EXTRA_DIST += \
	%reldir%/harnesses.sh \
	%reldir%/corpus \
	%reldir%/regressions \
	%reldir%/dicts

if ENABLE_FUZZERS
fuzz_driver =
else
fuzz_driver = %reldir%/fuzz-main.c
endif
FUZZ_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/%reldir%
FUZZ_LINK_OPTIONS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

%canon_reldir%_fuzz_credential_proto_SOURCES = %reldir%/fuzz-credential-proto.c %reldir%/fuzz.h $(fuzz_driver)
%canon_reldir%_fuzz_credential_proto_CPPFLAGS = $(FUZZ_CPPFLAGS)
%canon_reldir%_fuzz_credential_proto_LDFLAGS = $(FUZZ_LINK_OPTIONS)
%canon_reldir%_fuzz_credential_proto_LDADD = lib/libtb-client.la

%canon_reldir%_fuzz_token_response_SOURCES = %reldir%/fuzz-token-response.c %reldir%/fuzz.h $(fuzz_driver)
%canon_reldir%_fuzz_token_response_CPPFLAGS = $(FUZZ_CPPFLAGS)
%canon_reldir%_fuzz_token_response_LDFLAGS = $(FUZZ_LINK_OPTIONS)
%canon_reldir%_fuzz_token_response_LDADD = $(TEST_ENGINE_LIBS) $(JSONC_LIBS)

%canon_reldir%_fuzz_account_file_SOURCES = %reldir%/fuzz-account-file.c %reldir%/fuzz.h $(fuzz_driver)
%canon_reldir%_fuzz_account_file_CPPFLAGS = $(FUZZ_CPPFLAGS)
%canon_reldir%_fuzz_account_file_LDFLAGS = $(FUZZ_LINK_OPTIONS)
%canon_reldir%_fuzz_account_file_LDADD = $(TEST_ENGINE_LIBS) $(GLIB_LIBS)

%canon_reldir%_fuzz_server_metadata_SOURCES = %reldir%/fuzz-server-metadata.c %reldir%/fuzz.h $(fuzz_driver)
%canon_reldir%_fuzz_server_metadata_CPPFLAGS = $(FUZZ_CPPFLAGS)
%canon_reldir%_fuzz_server_metadata_LDFLAGS = $(FUZZ_LINK_OPTIONS)
%canon_reldir%_fuzz_server_metadata_LDADD = $(TEST_ENGINE_LIBS) $(JSONC_LIBS)

%canon_reldir%_fuzz_redirect_request_SOURCES = %reldir%/fuzz-redirect-request.c %reldir%/fuzz.h $(fuzz_driver)
%canon_reldir%_fuzz_redirect_request_CPPFLAGS = $(FUZZ_CPPFLAGS)
%canon_reldir%_fuzz_redirect_request_LDFLAGS = $(FUZZ_LINK_OPTIONS)
%canon_reldir%_fuzz_redirect_request_LDADD = $(TEST_ENGINE_LIBS)

%canon_reldir%_fuzz_device_authorization_SOURCES = %reldir%/fuzz-device-authorization.c %reldir%/fuzz.h $(fuzz_driver)
%canon_reldir%_fuzz_device_authorization_CPPFLAGS = $(FUZZ_CPPFLAGS)
%canon_reldir%_fuzz_device_authorization_LDFLAGS = $(FUZZ_LINK_OPTIONS)
%canon_reldir%_fuzz_device_authorization_LDADD = $(TEST_ENGINE_LIBS) $(JSONC_LIBS)

# make fuzz: FUZZ_SECONDS per harness (FUZZ_ONLY="NAME ..." picks some); fails on the first crash found.
FUZZ_SECONDS = 60
if ENABLE_FUZZERS
fuzz: $(fuzz_harnesses)
	$(AM_V_at)abs_top_srcdir='$(abs_top_srcdir)' abs_top_builddir='$(abs_top_builddir)' \
		FUZZ_SECONDS='$(FUZZ_SECONDS)' $(SHELL) $(top_srcdir)/%reldir%/run-fuzzers.sh
else
fuzz:
	@echo "make fuzz needs a build configured with --enable-fuzzers CC=clang (Debian: clang libclang-rt-14-dev)." >&2
	@exit 1
endif
.PHONY: fuzz

clean-local: clean-fuzz
clean-fuzz:
	-rm -rf %reldir%/work %reldir%/artifacts %reldir%/*.fuzz.log
.PHONY: clean-fuzz

%canon_reldir%_fuzz_jose_SOURCES = %reldir%/fuzz-jose.c %reldir%/fuzz.h $(fuzz_driver)
%canon_reldir%_fuzz_jose_CPPFLAGS = $(FUZZ_CPPFLAGS)
%canon_reldir%_fuzz_jose_LDFLAGS = $(FUZZ_LINK_OPTIONS)
%canon_reldir%_fuzz_jose_LDADD = $(TEST_ENGINE_LIBS) $(JSONC_LIBS) $(GNUTLS_LIBS)
