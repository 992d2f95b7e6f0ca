/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kube-credential, credential-helper and exec are answered by the launcher (launcher-tools.c), over the token socket. The full
 * command line gets them only when their arguments are wrong, and says how. */
#include <string.h>

#include "cli.h"
#include "exit-status.h"

int verb_kube_credential(int argc, char *argv[]) {
        return cli_usage_error("kube-credential takes one account name and, optionally, --scope SCOPES; "
                               "KUBERNETES_EXEC_INFO, when set, must ask for apiVersion "
                               "client.authentication.k8s.io/v1 or v1beta1.");
}

int verb_exec(int argc, char *argv[]) {
        return cli_usage_error("exec takes one or more --env VAR=ACCOUNT (VAR a variable name, ACCOUNT an account "
                               "name), then the command to run: tokenbroker exec --env GH_TOKEN=github -- gh pr list");
}

int verb_credential_helper(int argc, char *argv[]) {
        return cli_usage_error("credential-helper takes one operation, get, and reads {\"uri\": \"https://...\"} on "
                               "standard input.");
}
