package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// addCredentialFlags registers the flags that say which credentials to get.
func addCredentialFlags(cmd *cobra.Command, o *Options) {
	f := cmd.Flags()
	f.StringVar(&o.Profile, "profile", "", "profile in ~/.aws/config (default $AWS_PROFILE)")
	f.StringVar(&o.RoleARN, "role-arn", "", "role to assume (default $AWS_ROLE_ARN, else the profile's role_arn)")
	f.StringVar(&o.RoleSessionName, "role-session-name", "", "session name (default $AWS_ROLE_SESSION_NAME, the profile's role_session_name, else tempcreds-USER-UNIXTIME; \"temporary\" for AWS_ROLE_ARN)")
	f.StringVar(&o.Duration, "duration", "", "session duration: seconds (3600) or a duration (1h); default $AWS_ROLE_DURATION_SECONDS, the profile's duration_seconds, else 1h for a role (12h for AWS_ROLE_ARN, 1h if the role allows less) and 12h for a session token")
	f.StringArrayVar(&o.Via, "via", nil, "role to assume first, in order (repeatable): a chain")
	f.BoolVar(&o.NoRole, "no-role", false, "GetSessionToken only, no role")
	f.StringVar(&o.MFASerial, "mfa-serial", "", "MFA device ARN or serial (default the profile's mfa_serial)")
	f.StringVar(&o.MFACode, "mfa-code", "", "the current 6-digit MFA code (else a prompt on the terminal)")
	f.StringVar(&o.MFACommand, "mfa-command", "", "shell command printing the MFA code (hardware tokens, password managers)")
	f.StringVar(&o.MFAMode, "mfa-mode", "session", "session: one MFA GetSessionToken, roles assumed from it (AWS caps those at 1h); role: MFA on AssumeRole itself")
	f.StringVar(&o.WebIdentityTokenFile, "web-identity-token-file", "", "web identity token file, re-read on every refresh (default $AWS_WEB_IDENTITY_TOKEN_FILE)")
	f.StringVar(&o.WebIdentityTokenCommand, "web-identity-token-command", "", "shell command printing the web identity token")
	f.StringVar(&o.SourceProcess, "source-process", "", "shell command printing credential_process JSON, as the source: run once, cached 0600 until its Expiration")
	f.StringVar(&o.SourceProcessTTL, "source-process-ttl", "", "cache temporary credentials a --source-process prints without an Expiration this long (default: not cached)")
	f.StringVar(&o.ExternalID, "external-id", "", "external ID for the role")
	f.StringVar(&o.Policy, "policy", "", "session policy JSON, or @FILE")
	f.StringArrayVar(&o.PolicyARNs, "policy-arn", nil, "managed session policy ARN (repeatable)")
	f.StringArrayVar(&o.Tags, "tag", nil, "session tag KEY=VALUE (repeatable)")
	f.StringArrayVar(&o.TransitiveTags, "transitive-tag", nil, "mark the --tag KEY as transitive: it is set on the chain's first role and passes along the chain (repeatable)")
	f.StringVar(&o.SourceIdentity, "source-identity", "", "source identity, set on the chain's first role (AWS keeps it along the chain)")
	f.StringVar(&o.Region, "region", "", "STS region (default $AWS_REGION, the profile's region, else us-east-1)")
	f.StringVar(&o.EndpointURL, "endpoint-url", "", "STS endpoint (default $AWS_ENDPOINT_URL_STS)")
	f.StringVar(&o.CacheFile, "cache-file", "", "single-file cache as aws-sts-helper (default $AWS_STS_FILE_NAME)")
	f.StringVar(&o.CacheDir, "cache-dir", "", cacheDirHelp)
	f.BoolVar(&o.NoCache, "no-cache", false, "neither read nor write the cache")
	f.StringVar(&o.MinTTL, "min-ttl", "", "refresh cached credentials with less than this left (default 15m, or half a shorter session)")
	f.IntVar(&o.MinTokenSize, "min-token-size", 0, "ask STS for a session token of at least N bytes (up to 4096), to test consumers with the longest tokens")
	f.BoolVar(&o.Debug, "debug", false, "log each step to stderr (secrets redacted)")
}

// refuseEmptyFlags refuses every text flag given as "".
func refuseEmptyFlags(cmd *cobra.Command, _ []string) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err == nil && f.Value.Type() == "string" && f.Value.String() == "" {
			err = &UsageError{Msg: fmt.Sprintf("--%s is empty: give it a value or leave it out", f.Name), Flags: true}
		}
	})
	return err
}

// cacheDirHelp describes --cache-dir (the credential commands' and cache's).
const cacheDirHelp = "cache directory (default $XDG_CACHE_HOME/tempcreds, else %LOCALAPPDATA%\\tempcreds on Windows, else ~/.cache/tempcreds)"

// usageArgs tags cobra's argument-count errors as usage errors.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &UsageError{Msg: err.Error(), Flags: true}
		}
		return nil
	}
}

// helpOrUnknown runs a command that only groups others: its help, or a
// usage error for a subcommand that does not exist.
func helpOrUnknown(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if cmd.SuggestionsMinimumDistance <= 0 {
			cmd.SuggestionsMinimumDistance = 2
		}
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "; did you mean " + strings.Join(s, " or ") + "?"
		}
		return &UsageError{Msg: msg, Flags: true}
	}
	return cmd.Help()
}

// choiceFlag is a flag whose value is one of a fixed set (--format),
// checked when the flags are parsed: a wrong one fails before anything
// runs.
type choiceFlag struct {
	value   *string
	choices []string
	refuse  func(v string) string // the message for any other value
}

// newChoiceFlag is a choiceFlag setting value, def by default.
func newChoiceFlag(value *string, def string, choices []string, refuse func(string) string) *choiceFlag {
	*value = def
	return &choiceFlag{value: value, choices: choices, refuse: refuse}
}

// String is the value.
func (c *choiceFlag) String() string { return *c.value }

// Set takes v if it is one of the choices.
func (c *choiceFlag) Set(v string) error {
	if !slices.Contains(c.choices, v) {
		return &UsageError{Msg: c.refuse(v), Flags: true}
	}
	*c.value = v
	return nil
}

// Type is string, as in the help of any text flag.
func (c *choiceFlag) Type() string { return "string" }

// flagError tags an error of flag parsing as a usage error, with the
// flags close to an unknown one; a flag's own usage error (a choiceFlag's)
// is kept as it is.
func flagError(c *cobra.Command, err error) error {
	var ue *UsageError
	if errors.As(err, &ue) {
		return ue
	}
	return &UsageError{Msg: err.Error() + flagSuggestion(c, err), Flags: true}
}
