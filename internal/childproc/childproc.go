// Package childproc is how tempcreds starts helper processes (a web identity
// token command, an MFA command) and children (exec): their environment
// never carries our credentials, and a helper with a timeout is killed with
// its whole process group when the timeout fires.
package childproc

import (
	"os/exec"
	"strings"
	"time"
)

// CredentialVars is every environment variable from which some AWS SDK or
// tool takes credentials or chooses where to get them: aws-sdk-go-v2
// (config/env_config.go: AWS_ACCESS_KEY and AWS_SECRET_KEY as alternates),
// botocore, the Java SDK (AWS_ACCESS_KEY, AWS_SECRET_KEY) and JavaScript
// SDKs (AMAZON_* in v2), and aws-sts-helper (AWS_STS_*).
var CredentialVars = []string{
	"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY",
	"AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID",
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_STS_ACCESS_KEY", "AWS_STS_ACCESS_SECRET",
	"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	// The JavaScript SDK v2 also reads AMAZON_* (its EnvironmentCredentials("AMAZON")).
	"AMAZON_ACCESS_KEY_ID", "AMAZON_SECRET_ACCESS_KEY", "AMAZON_SESSION_TOKEN", "AMAZON_CREDENTIAL_EXPIRATION",
}

// secretVars are the variables a helper must never see: it needs no
// credentials to print a token or a code.
var secretVars = map[string]bool{
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SECRET_KEY": true, "AWS_SESSION_TOKEN": true,
	"AWS_SECURITY_TOKEN": true, "AWS_STS_ACCESS_SECRET": true, "AWS_CONTAINER_AUTHORIZATION_TOKEN": true,
	"AMAZON_SECRET_ACCESS_KEY": true, "AMAZON_SESSION_TOKEN": true,
}

// Without returns environ without the named variables.
func Without(environ []string, names []string) []string {
	drop := map[string]bool{}
	for _, n := range names {
		drop[n] = true
	}
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !drop[name] {
			out = append(out, kv)
		}
	}
	return out
}

// HelperEnv is environ without any secret credential variable: for a token
// or MFA command.
func HelperEnv(environ []string) []string {
	names := make([]string, 0, len(secretVars))
	for n := range secretVars {
		names = append(names, n)
	}
	return Without(environ, names)
}

// KillGroupOnCancel makes cmd (not yet started) lead its own process group
// and, when its context is done, kill the whole group, so `sleep 100; echo
// tok` under a 30 s timeout ends at 30 s and leaves no orphan. WaitDelay
// bounds waiting for pipes a surviving grandchild might hold.
func KillGroupOnCancel(cmd *exec.Cmd) {
	setGroup(cmd)
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = 2 * time.Second
}
