# tests/unit/oauth.mk: unit tests of the OAuth engine (lib/oauth/).
oauth_unit_tests = \
	%reldir%/test-form \
	%reldir%/test-json-util \
	%reldir%/test-jwt \
	%reldir%/test-token-request \
	%reldir%/test-token-response \
	%reldir%/test-server-metadata \
	%reldir%/test-login-parts \
	%reldir%/test-jose \
	%reldir%/test-dpop-proof

check_PROGRAMS += $(oauth_unit_tests)
TESTS += $(oauth_unit_tests)

%canon_reldir%_test_form_SOURCES = %reldir%/test-form.c
%canon_reldir%_test_form_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_form_LDADD = $(TEST_ENGINE_LIBS)

%canon_reldir%_test_json_util_SOURCES = %reldir%/test-json-util.c
%canon_reldir%_test_json_util_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_json_util_LDADD = $(TEST_ENGINE_LIBS) $(JSONC_LIBS)

%canon_reldir%_test_jwt_SOURCES = %reldir%/test-jwt.c
%canon_reldir%_test_jwt_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_jwt_LDADD = $(TEST_ENGINE_LIBS) $(JSONC_LIBS)

%canon_reldir%_test_token_request_SOURCES = %reldir%/test-token-request.c
%canon_reldir%_test_token_request_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_token_request_LDADD = $(TEST_ENGINE_LIBS) $(JSONC_LIBS)

%canon_reldir%_test_token_response_SOURCES = %reldir%/test-token-response.c
%canon_reldir%_test_token_response_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_token_response_LDADD = $(TEST_ENGINE_LIBS)

%canon_reldir%_test_server_metadata_SOURCES = %reldir%/test-server-metadata.c
%canon_reldir%_test_server_metadata_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_server_metadata_LDADD = $(TEST_ENGINE_LIBS)

%canon_reldir%_test_login_parts_SOURCES = %reldir%/test-login-parts.c
%canon_reldir%_test_login_parts_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_login_parts_LDADD = $(TEST_ENGINE_LIBS)

# The libFuzzer harness is built by hand (see its header comment); it and its seeds ship with the sources.
EXTRA_DIST += \
	tests/fuzz/fuzz-token-response.c \
	tests/fuzz/corpus/token-response/flixcheck.json \
	tests/fuzz/corpus/token-response/flume-error.json \
	tests/fuzz/corpus/token-response/flume-success.json \
	tests/fuzz/corpus/token-response/html.html \
	tests/fuzz/corpus/token-response/jwt-no-expiry.json \
	tests/fuzz/corpus/token-response/rfc-error.json \
	tests/fuzz/corpus/token-response/rfc-success.json \
	tests/fuzz/corpus/token-response/status-only.txt \
	tests/fuzz/corpus/token-response/truncated.json

%canon_reldir%_test_jose_SOURCES = %reldir%/test-jose.c
%canon_reldir%_test_jose_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_jose_LDADD = $(TEST_ENGINE_LIBS) $(JSONC_LIBS) $(GNUTLS_LIBS)

%canon_reldir%_test_dpop_proof_SOURCES = %reldir%/test-dpop-proof.c
%canon_reldir%_test_dpop_proof_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_dpop_proof_LDADD = $(TEST_ENGINE_LIBS) $(JSONC_LIBS) $(GNUTLS_LIBS)
