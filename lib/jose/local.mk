# lib/jose/: JSON Web Keys and Signatures on GnuTLS (ID tokens now; client assertions and DPoP proofs build on it).
lib_libtb_engine_la_SOURCES += \
	%reldir%/jwk.h \
	%reldir%/jwk.c \
	%reldir%/jws.h \
	%reldir%/jws.c \
	%reldir%/jose-key.h \
	%reldir%/jose-key.c
