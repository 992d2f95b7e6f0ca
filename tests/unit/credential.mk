# tests/unit/credential.mk: the git credential protocol, Hosts= matching and the reading of curl's arguments.
# These link the lean client library only, as the front ends do.
check_PROGRAMS += \
	tests/unit/test-credential-proto \
	tests/unit/test-host-match
TESTS += \
	tests/unit/test-credential-proto \
	tests/unit/test-host-match

tests_unit_test_credential_proto_SOURCES = tests/unit/test-credential-proto.c
tests_unit_test_credential_proto_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_credential_proto_LDADD = lib/libtb-client.la

tests_unit_test_host_match_SOURCES = tests/unit/test-host-match.c
tests_unit_test_host_match_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_host_match_LDADD = lib/libtb-client.la

# libFuzzer harness, not built by default: see tests/fuzz/README.md.
EXTRA_DIST += \
	tests/fuzz/fuzz-credential-proto.c \
	tests/fuzz/README.md \
	tests/fuzz/corpus/credential/crlf \
	tests/fuzz/corpus/credential/erase-authtype \
	tests/fuzz/corpus/credential/erase-basic \
	tests/fuzz/corpus/credential/get-authtype \
	tests/fuzz/corpus/credential/get-basic \
	tests/fuzz/corpus/credential/no-equals \
	tests/fuzz/corpus/credential/url-cert \
	tests/fuzz/corpus/credential/url-userinfo

# tokenbroker curl's reading of curl's own arguments (helper/curl-request.c), for DPoP proofs.
check_PROGRAMS += tests/unit/test-curl-request
TESTS += tests/unit/test-curl-request
tests_unit_test_curl_request_SOURCES = tests/unit/test-curl-request.c helper/curl-request.h helper/curl-request.c
tests_unit_test_curl_request_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/helper
tests_unit_test_curl_request_LDADD = lib/libtb-client.la
