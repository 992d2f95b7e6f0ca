# packaging/: what makes tokenbroker a citizen of a systemd/D-Bus desktop: the user units, the D-Bus
# activation file, the pam-auth-update profile, bash, zsh and fish completion and example accounts. The
# Debian and RPM packaging build from these installed files (packaging/README.md).

# @bindir@ is substituted at make time, not by configure, so that `make bindir=...` is honoured.
packaging_edit = $(SED) -e 's|[@]bindir[@]|$(bindir)|g'

systemduserunit_DATA = \
	%reldir%/tokenbrokerd.service \
	%reldir%/tokenbroker-warmup.service
dist_systemduserunit_DATA = %reldir%/tokenbrokerd.socket
dbusservices_DATA = %reldir%/org.tokenbroker.Broker1.service

%reldir%/tokenbrokerd.service: %reldir%/tokenbrokerd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(packaging_edit) $(srcdir)/%reldir%/tokenbrokerd.service.in > $@.tmp && mv -f $@.tmp $@
%reldir%/tokenbroker-warmup.service: %reldir%/tokenbroker-warmup.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(packaging_edit) $(srcdir)/%reldir%/tokenbroker-warmup.service.in > $@.tmp && mv -f $@.tmp $@
%reldir%/org.tokenbroker.Broker1.service: %reldir%/org.tokenbroker.Broker1.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(packaging_edit) $(srcdir)/%reldir%/org.tokenbroker.Broker1.service.in > $@.tmp && mv -f $@.tmp $@

CLEANFILES += \
	%reldir%/tokenbrokerd.service \
	%reldir%/tokenbroker-warmup.service \
	%reldir%/org.tokenbroker.Broker1.service

# pam-auth-update(8) profile: Debian's way to add an optional module to common-session.
pamconfigsdir = $(datadir)/pam-configs
dist_pamconfigs_DATA = %reldir%/pam-configs/tokenbroker

# Bash completion: bash-completion's own directory, relocated under our $(datadir) so that a --prefix
# install stays inside the prefix; `make bashcompletiondir=...` overrides it.
bashcompletiondir = $(shell $(PKG_CONFIG) --define-variable=datadir='$(datadir)' \
	--variable=completionsdir bash-completion 2>/dev/null || echo '$(datadir)/bash-completion/completions')
dist_bashcompletion_DATA = %reldir%/bash-completion/tokenbroker

# bash-completion loads a file by the command's name: the helpers share the file.
install-data-hook: packaging-install-data-hook
packaging-install-data-hook:
	cd $(DESTDIR)$(bashcompletiondir) && \
		rm -f git-credential-tokenbroker docker-credential-tokenbroker terraform-credentials-tokenbroker \
			cargo-credential-tokenbroker && \
		$(LN_S) tokenbroker git-credential-tokenbroker && \
		$(LN_S) tokenbroker docker-credential-tokenbroker && \
		$(LN_S) tokenbroker terraform-credentials-tokenbroker && \
		$(LN_S) tokenbroker cargo-credential-tokenbroker
uninstall-hook: packaging-uninstall-hook
packaging-uninstall-hook:
	rm -f $(DESTDIR)$(bashcompletiondir)/git-credential-tokenbroker \
		$(DESTDIR)$(bashcompletiondir)/docker-credential-tokenbroker \
		$(DESTDIR)$(bashcompletiondir)/terraform-credentials-tokenbroker \
		$(DESTDIR)$(bashcompletiondir)/cargo-credential-tokenbroker
.PHONY: packaging-install-data-hook packaging-uninstall-hook

# zsh completion: zsh's site-functions directory under our $(datadir), which zsh searches for its own prefix
# (/usr/share/zsh/site-functions on Fedora and Arch) and Debian's zsh for /usr/local. Debian's packages use
# /usr/share/zsh/vendor-completions, which debian/rules passes as `make zshcompletiondir=...`. One file: its
# #compdef names every command.
zshcompletiondir = $(datadir)/zsh/site-functions
dist_zshcompletion_DATA = %reldir%/zsh-completion/_tokenbroker

# fish completion: fish's vendor directory (its pkg-config completionsdir), relocated under our $(datadir)
# like bash's; `make fishcompletiondir=...` overrides it. fish loads one file per command.
fishcompletiondir = $(shell $(PKG_CONFIG) --define-variable=datadir='$(datadir)' \
	--variable=completionsdir fish 2>/dev/null || echo '$(datadir)/fish/vendor_completions.d')
dist_fishcompletion_DATA = \
	%reldir%/fish-completion/tokenbroker.fish \
	%reldir%/fish-completion/git-credential-tokenbroker.fish \
	%reldir%/fish-completion/docker-credential-tokenbroker.fish \
	%reldir%/fish-completion/terraform-credentials-tokenbroker.fish \
	%reldir%/fish-completion/cargo-credential-tokenbroker.fish

examplesdir = $(docdir)/examples
dist_examples_DATA = \
	%reldir%/examples/flaik.conf \
	%reldir%/examples/floriday.conf \
	%reldir%/examples/flixcheck.conf \
	%reldir%/examples/flume.conf \
	%reldir%/examples/sharetribe.conf \
	%reldir%/examples/generic-oidc.conf \
	%reldir%/examples/generic-private-key-jwt.conf \
	%reldir%/examples/generic-dpop.conf \
	%reldir%/examples/generic-mtls.conf

EXTRA_DIST += \
	%reldir%/README.md \
	%reldir%/tokenbrokerd.service.in \
	%reldir%/tokenbroker-warmup.service.in \
	%reldir%/org.tokenbroker.Broker1.service.in \
	%reldir%/tokenbroker.spec \
	debian/changelog \
	debian/control \
	debian/copyright \
	debian/rules \
	debian/source/format \
	debian/tokenbroker.install \
	debian/libpam-tokenbroker.install \
	debian/libpam-tokenbroker.postinst \
	debian/libpam-tokenbroker.prerm \
	debian/tokenbroker.docs \
	debian/tokenbroker.dirs \
	debian/tests/control \
	debian/tests/demo \
	debian/tests/activation \
	debian/tests/integration

# `make deb`: Debian packages built from a fresh copy of the release tree (the distdir), so that the build
# tree and the source tree stay untouched; the .deb files end up in deb/.
deb: distdir
	rm -rf deb && $(MKDIR_P) deb
	cd $(distdir) && dpkg-buildpackage -us -uc -b $(DEB_BUILD_FLAGS)
	mv -f *$(PACKAGE)*_$(VERSION)_*.deb deb/
	rm -f $(PACKAGE)_$(VERSION)_*.buildinfo $(PACKAGE)_$(VERSION)_*.changes
	$(am__post_remove_distdir)
.PHONY: deb
clean-local: packaging-clean-local
packaging-clean-local:
	rm -rf deb rpm deb-build.log
.PHONY: packaging-clean-local

# `make rpm`: where rpmbuild exists, binary RPMs from the release tarball into rpm/.
rpm: dist-xz
	rm -rf rpm && $(MKDIR_P) rpm/SOURCES
	cp $(distdir).tar.xz rpm/SOURCES/
	rpmbuild -bb --define "_topdir $(abs_builddir)/rpm" $(RPMBUILD_FLAGS) $(srcdir)/%reldir%/tokenbroker.spec
.PHONY: rpm

# The administrator's account folder (tokenbroker.conf(5)), empty: each user's daemon watches it.
adminaccountsdir = $(sysconfdir)/tokenbroker/accounts
install-data-local:
	$(MKDIR_P) '$(DESTDIR)$(adminaccountsdir)'
uninstall-local:
	-rmdir '$(DESTDIR)$(adminaccountsdir)' '$(DESTDIR)$(sysconfdir)/tokenbroker' 2>/dev/null
