# tests/unit/credential.mk: the git credential protocol and Hosts= matching. These link the lean client
# library only, as the helper does.
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
