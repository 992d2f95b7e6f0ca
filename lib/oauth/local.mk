# lib/oauth/: the pure OAuth engine (request building, response parsing, JSON and JWT helpers).
lib_libtb_engine_la_SOURCES += \
	%reldir%/form.h \
	%reldir%/form.c \
	%reldir%/json-util.h \
	%reldir%/json-util.c \
	%reldir%/jwt.h \
	%reldir%/jwt.c \
	%reldir%/id-token.h \
	%reldir%/id-token.c \
	%reldir%/client-assertion.h \
	%reldir%/client-assertion.c \
	%reldir%/dpop-proof.h \
	%reldir%/dpop-proof.c \
	%reldir%/pushed-authorization.h \
	%reldir%/pushed-authorization.c \
	%reldir%/token-request.h \
	%reldir%/token-request.c \
	%reldir%/token-response.h \
	%reldir%/token-response.c \
	%reldir%/server-metadata.h \
	%reldir%/server-metadata.c \
	%reldir%/pkce.h \
	%reldir%/pkce.c \
	%reldir%/authorize-url.h \
	%reldir%/authorize-url.c \
	%reldir%/redirect-request.h \
	%reldir%/redirect-request.c \
	%reldir%/device-authorization.h \
	%reldir%/device-authorization.c
