// Package chain turns a request (a profile, a role, a role chain, MFA, web
// identity...) plus the environment and ~/.aws/config into one refreshing,
// disk-cached aws.CredentialsProvider: the tempcreds command line's
// behaviour, for any Go program that uses aws-sdk-go-v2.
//
// Two steps, so each can be tested and reused on its own:
//
//   - Resolve is pure configuration: it reads the environment (through the
//     lookup it is given) and the AWS config and credentials files, and
//     returns a Plan. It makes no network call and runs no command.
//   - Build turns a Plan and its Deps (clock, MFA codes, warnings, debug
//     lines, STS client settings) into a provider: one cached provider per
//     STS call of the chain, each signing the next, each in a 0600 file
//     cache under a key that names its inputs and its source's identity.
//
// FromProfile does both for a named profile:
//
//	creds, err := chain.FromProfile(ctx, "prod", chain.Deps{})
//	cfg.Credentials = creds // refreshing, disk-cached, one MFA prompt per session
//
// Errors about the request are *tempcreds.ConfigError: their Field is the
// Request field ("RoleARN", "Cache.MinTTL"), and their Origin the
// environment variable or profile key when the value came from there.
package chain
