/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "account.h"

/* What a token request needs besides the account's own secrets, gathered before it is sent: the token
 * endpoint of an account that names only its Issuer= (discovery), and for a token exchange the access
 * tokens of SubjectAccount= and ActorAccount= (fetched first when they have none), and with DPoP=true the
 * account's DPoP key (made and stored on first use). */

typedef struct TokenPrereqs {
        const char *token_url;          /* all borrowed: valid until the event loop runs again */
        const char *subject_token;
        const char *actor_token;
} TokenPrereqs;

/* 1 with *ret filled when all is at hand; 0 when something is being fetched (token_fetch_resume() on the
 * entry follows); < 0 with *ret_message when it cannot be had. */
int token_prereqs_gather(TokenEntry *e, GrantType grant, TokenPrereqs *ret, char **ret_message);
