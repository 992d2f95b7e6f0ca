# helper/: the front ends, each in two halves. The launchers people and git run (tokenbroker,
# git-credential-tokenbroker) link libc and json-c only (json-c built in where configure finds its archive)
# and answer the hot operations over the token socket; everything else they exec() from the full programs in
# $(pkglibexecdir) (tokenbroker-cli, git-credential-tokenbroker-bus), which link libc and libsystemd and speak
# D-Bus. Neither links the engine, so that a spawn stays cheap.
launcher_sources = %reldir%/launcher.h %reldir%/launcher.c
git_helper_sources = %reldir%/git-credential-common.h %reldir%/git-credential-common.c

# ---- git-credential-tokenbroker ------------------------------------------------------------------------
# In $(bindir), where `git credential-tokenbroker` (credential.helper = tokenbroker) finds it on $PATH.
bin_PROGRAMS += git-credential-tokenbroker

git_credential_tokenbroker_SOURCES = \
	%reldir%/git-credential-tokenbroker.c \
	$(git_helper_sources) \
	$(launcher_sources)
git_credential_tokenbroker_CPPFLAGS = $(AM_CPPFLAGS) $(JSONC_CFLAGS)
git_credential_tokenbroker_LDADD = lib/libtb-wire.la $(LAUNCHER_JSONC_LIBS)

pkglibexec_PROGRAMS += git-credential-tokenbroker-bus

git_credential_tokenbroker_bus_SOURCES = %reldir%/git-credential-tokenbroker-bus.c $(git_helper_sources)
git_credential_tokenbroker_bus_CPPFLAGS = $(AM_CPPFLAGS) $(SYSTEMD_CFLAGS)
git_credential_tokenbroker_bus_LDADD = lib/libtb-client.la $(SYSTEMD_LIBS)
# ---- end git-credential-tokenbroker --------------------------------------------------------------------

# ---- docker-credential-tokenbroker ---------------------------------------------------------------------
# The docker-credential-helpers protocol (docker, podman, skopeo, buildah, helm, crane), on the token socket.
bin_PROGRAMS += docker-credential-tokenbroker

url_credential_sources = %reldir%/url-credential.h %reldir%/url-credential.c
docker_credential_tokenbroker_SOURCES = %reldir%/docker-credential-tokenbroker.c $(url_credential_sources) \
	$(launcher_sources)
docker_credential_tokenbroker_CPPFLAGS = $(AM_CPPFLAGS) $(JSONC_CFLAGS)
docker_credential_tokenbroker_LDADD = lib/libtb-wire.la $(LAUNCHER_JSONC_LIBS)

# Terraform's and OpenTofu's credentials helper protocol.
bin_PROGRAMS += terraform-credentials-tokenbroker
terraform_credentials_tokenbroker_SOURCES = %reldir%/terraform-credentials-tokenbroker.c $(url_credential_sources) \
	$(launcher_sources)
terraform_credentials_tokenbroker_CPPFLAGS = $(AM_CPPFLAGS) $(JSONC_CFLAGS)
terraform_credentials_tokenbroker_LDADD = lib/libtb-wire.la $(LAUNCHER_JSONC_LIBS)

# Cargo's credential provider protocol (registries with authentication).
bin_PROGRAMS += cargo-credential-tokenbroker
cargo_credential_tokenbroker_SOURCES = %reldir%/cargo-credential-tokenbroker.c $(url_credential_sources) \
	$(launcher_sources)
cargo_credential_tokenbroker_CPPFLAGS = $(AM_CPPFLAGS) $(JSONC_CFLAGS)
cargo_credential_tokenbroker_LDADD = lib/libtb-wire.la $(LAUNCHER_JSONC_LIBS)
# ---- end docker-credential-tokenbroker -----------------------------------------------------------------

# ---- tokenbroker (the command line) --------------------------------------------------------------------
bin_PROGRAMS += tokenbroker

# Also as tokenbroker-credential-helper: Bazel runs a credential helper by its path alone.
install-exec-hook: helper-install-exec-hook
helper-install-exec-hook:
	cd $(DESTDIR)$(bindir) && rm -f tokenbroker-credential-helper && $(LN_S) tokenbroker tokenbroker-credential-helper
uninstall-hook: helper-uninstall-hook
helper-uninstall-hook:
	rm -f $(DESTDIR)$(bindir)/tokenbroker-credential-helper
.PHONY: helper-install-exec-hook helper-uninstall-hook

tokenbroker_SOURCES = %reldir%/tokenbroker.c %reldir%/launcher-tools.h %reldir%/launcher-tools.c \
	$(url_credential_sources) $(launcher_sources)
tokenbroker_CPPFLAGS = $(AM_CPPFLAGS) $(JSONC_CFLAGS)
tokenbroker_LDADD = lib/libtb-wire.la $(LAUNCHER_JSONC_LIBS)

pkglibexec_PROGRAMS += tokenbroker-cli

tokenbroker_cli_SOURCES = \
	%reldir%/tokenbroker-cli.c \
	%reldir%/cli.h \
	%reldir%/cli-util.c \
	%reldir%/cli-help.c \
	%reldir%/cli-account.c \
	%reldir%/cli-status.c \
	%reldir%/cli-add-ask.c \
	%reldir%/cli-doctor.c \
	%reldir%/cli-tools.c \
	%reldir%/cli-token.c \
	%reldir%/cli-keys.c \
	%reldir%/cli-curl.c \
	%reldir%/curl-request.h \
	%reldir%/curl-request.c \
	%reldir%/cli-dpop.c \
	%reldir%/cli-login.c \
	%reldir%/cli-setup-git.c \
	%reldir%/cli-setup-docker.c \
	%reldir%/qr-code.h \
	%reldir%/qr-code.c
# libqrencode's header only: the library is dlopen()ed by `login`, never linked.
tokenbroker_cli_CPPFLAGS = $(AM_CPPFLAGS) $(SYSTEMD_CFLAGS) $(QRENCODE_CFLAGS) $(JSONC_CFLAGS)
tokenbroker_cli_LDADD = lib/libtb-client.la $(SYSTEMD_LIBS) $(JSONC_LIBS)
# ---- end tokenbroker -----------------------------------------------------------------------------------
