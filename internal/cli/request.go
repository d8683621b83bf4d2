package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tempcreds/tempcreds/internal/redact"
	"github.com/tempcreds/tempcreds/internal/refusal"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/chain"
	"github.com/tempcreds/tempcreds/internal/bounded"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// Options are the command-line flags shared by the credential commands:
// the text form of a chain.Request.
type Options struct {
	Profile                 string
	RoleARN                 string
	RoleSessionName         string
	Duration                string
	Via                     []string
	NoRole                  bool
	MFASerial               string
	MFACode                 string
	MFACommand              string
	MFAMode                 string
	WebIdentityTokenFile    string
	WebIdentityTokenCommand string
	SourceProcess           string
	SourceProcessTTL        string
	ExternalID              string
	Policy                  string
	PolicyARNs              []string
	Tags                    []string
	TransitiveTags          []string
	SourceIdentity          string
	Region                  string
	EndpointURL             string
	CacheFile               string
	CacheDir                string
	NoCache                 bool
	MinTTL                  string
	MinTokenSize            int
	Debug                   bool

	// serveMinTTL (serve, exec --server): the final hop's file-cache entry
	// is reused only while it has this much left, above the server's
	// refresh-ahead point, so a server starts from a cached session that
	// still meets its freshness rule, and its refreshes reach STS.
	serveMinTTL time.Duration
	// profileOnly: the credentials are the profile's alone (serve --path).
	profileOnly bool
	// positionalProfile: Profile came from exec's PROFILE word (errors say
	// how to run a command instead).
	positionalProfile bool
}

// flagOf names a chain.Request field (or a setting of the library) by the
// flag that sets it: the CLI's words for the library's errors.
var flagOf = map[string]string{
	"Profile": "--profile", "RoleARN": "--role-arn", "RoleSessionName": "--role-session-name",
	"Duration": "--duration", "Via": "--via", "NoRole": "--no-role", "MFASerial": "--mfa-serial",
	"MFAMode": "--mfa-mode", "WebIdentityTokenFile": "--web-identity-token-file",
	"WebIdentityTokenCommand": "--web-identity-token-command", "ExternalID": "--external-id",
	"Policy": "--policy", "PolicyARNs": "--policy-arn", "Tags": "--tag", "SourceIdentity": "--source-identity",
	"Region": "--region", "EndpointURL": "--endpoint-url", "Cache.File": "--cache-file",
	"Cache.Dir": "--cache-dir", "Cache.MinTTL": "--min-ttl", "SerialNumber": "--mfa-serial",
	"Listen": "--listen", "AllowRemote": "--allow-remote", "MinTokenSize": "--min-token-size",
	"SourceProcess": "--source-process", "TransitiveTags": "--transitive-tag", "SourceProcessTTL": "--source-process-ttl", "Keys": "AWS_STS_ACCESS_KEY",
}

// flagName is flagOf with the field itself for anything else.
func flagName(field string) string {
	if f, ok := flagOf[field]; ok {
		return f
	}
	return field
}

// request turns the flags into a chain.Request, parsing what only the
// command line writes as text (durations, KEY=VALUE tags, @FILE policies).
func (o Options) request() (chain.Request, error) {
	r := chain.Request{Profile: o.Profile, RoleARN: o.RoleARN, RoleSessionName: o.RoleSessionName, Via: o.Via,
		NoRole: o.NoRole, MFASerial: o.MFASerial, MFAMode: chain.MFAMode(o.MFAMode),
		WebIdentityTokenFile: o.WebIdentityTokenFile, WebIdentityTokenCommand: o.WebIdentityTokenCommand, SourceProcess: o.SourceProcess,
		ExternalID: o.ExternalID, PolicyARNs: o.PolicyARNs, SourceIdentity: o.SourceIdentity, TransitiveTags: o.TransitiveTags, Region: o.Region,
		EndpointURL: o.EndpointURL, ProfileOnly: o.profileOnly, MinTokenSize: o.MinTokenSize,
		Cache: chain.CachePolicy{File: o.CacheFile, Dir: o.CacheDir, Disabled: o.NoCache}}
	var err error
	if r.Duration, err = parseDuration("--duration", o.Duration); err != nil {
		return r, err
	}
	if r.Cache.MinTTL, err = parseDuration("--min-ttl", o.MinTTL); err != nil {
		return r, err
	}
	if o.serveMinTTL > r.Cache.MinTTL {
		r.Cache.MinTTL = o.serveMinTTL
	}
	if r.SourceProcessTTL, err = parseDuration("--source-process-ttl", o.SourceProcessTTL); err != nil {
		return r, err
	}
	if r.Policy, err = readPolicy(o.Policy); err != nil {
		return r, err
	}
	if r.Tags, err = parseTags(o.Tags); err != nil {
		return r, err
	}
	if v := stsrules.TokenCode("--mfa-code", o.MFACode); o.MFACode != "" && v != nil {
		return r, usagef("%s", v.Error())
	}
	if o.MFACode != "" && o.MFACommand != "" {
		return r, usagef("give --mfa-code or --mfa-command, not both")
	}
	if o.NoCache && (o.CacheDir != "" || o.CacheFile != "") {
		return r, usagef("--no-cache reads and writes no cache: give it or --cache-dir/--cache-file, not both")
	}
	return r, nil
}

// UsageError is a mistake in flags, environment or configuration: exit 2.
type UsageError struct {
	Msg string
	// Flags: the command line itself could not be parsed (cobra's error):
	// the message is followed by the help hint.
	Flags bool
}

// Error is the message (messages adds the "tempcreds: " of its line).
func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{Msg: fmt.Sprintf(format, args...)} }

// parseDuration reads a duration flag, naming it in errors.
func parseDuration(flag, v string) (_ time.Duration, err error) {
	d, err := stsrules.ParseDuration(v)
	if err != nil {
		return 0, usagef("%s %q %v", flag, v, err)
	}
	return d, nil
}

func parseTags(tags []string) (map[string]string, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, t := range tags {
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			return nil, usagef("--tag %q must be KEY=VALUE", t)
		}
		if _, dup := out[k]; dup {
			return nil, usagef("--tag %q is given twice", k)
		}
		out[k] = v
	}
	return out, nil
}

// readPolicy takes inline JSON or @file.
func readPolicy(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if strings.HasPrefix(v, "@") {
		b, err := bounded.ReadFile(v[1:], bounded.Policy)
		if err != nil {
			if u := errors.Unwrap(err); u != nil {
				err = u
			}
			return "", usagef("--policy %s: %v", v, err)
		}
		v = string(b)
	}
	v = strings.TrimSpace(v)
	if v := stsrules.PolicyJSON("--policy", v); v != nil {
		return "", usagef("%s (give the JSON, or @FILE)", v.Error())
	}
	return v, nil
}

// configMessage is err's text with a library configuration error in it
// told in the CLI's words: the flag for a field the flags set.
func configMessage(err error) (string, bool) {
	var ce *tempcreds.ConfigError
	if !errors.As(err, &ce) {
		return "", false
	}
	return strings.Replace(err.Error(), ce.Error(), ce.Message(flagName), 1), true
}

// resolved is what a command's flags resolve to: the plan, its provider,
// and what set the final session's duration. Each command (each serve
// --path) has its own: nothing of it is kept on the app.
type resolved struct {
	plan     *chain.Plan
	provider *tempcreds.Cache
	// durationFrom names what set the final session's duration (a flag, a
	// variable, a profile key), or "" for the default: errors name it.
	durationFrom string
}

// blame names, in a refusal of the session's duration, what set it.
func (r *resolved) blame(err error) error {
	if err == nil || r.durationFrom == "" || refusal.Classify(err) != refusal.MaxSessionDuration {
		return err
	}
	return &durationError{err: err, from: r.durationFrom}
}

// durationError is a refusal of a duration, with what set it (a flag, a
// variable, a profile key): errorMessage names it.
type durationError struct {
	err  error
	from string
}

// Error is the refusal's own text.
func (e *durationError) Error() string { return e.err.Error() }

// Unwrap returns the refusal.
func (e *durationError) Unwrap() error { return e.err }

// durationSource names what set a plan's final duration, or "" for the
// default.
func durationSource(p *chain.Plan) string {
	f := p.Hops[len(p.Hops)-1]
	if f.Duration == 0 || f.DurationOrigin == chain.OriginDefault {
		return ""
	}
	return firstNonEmpty(f.DurationOrigin, "--duration")
}

// credentials resolves the flags into a plan and builds its provider.
func (a *app) credentials(ctx context.Context, o Options) (*resolved, error) {
	say := a.say.debugging(o.Debug)
	r, err := o.request()
	if err != nil {
		return nil, err
	}
	p, err := chain.Resolve(ctx, r, a.getenv)
	if err != nil {
		return nil, err
	}
	if err := checkMFAUsed(o, p); err != nil {
		return nil, err
	}
	say.Debugf("plan: %d hop(s), region %s, endpoint %q, cache dir %q, cache file %q", len(p.Hops), p.Region, p.Endpoint, p.CacheDir, p.CacheFile)
	c, err := chain.Build(p, chain.Deps{Clock: a.clock, TokenCode: a.tokenCodeFunc(o, say), MFAPrompt: a.mfaPrompt(), Warn: say.Warn, Debug: say.Debug,
		Stderr: a.stderr, STS: a.STS})
	if err != nil {
		return nil, err
	}
	return &resolved{plan: p, provider: c, durationFrom: durationSource(p)}, nil
}

// checkMFAUsed refuses an MFA code or command when no hop of the plan uses
// an MFA device: it would be silently ignored.
func checkMFAUsed(o Options, p *chain.Plan) error {
	if o.MFACode == "" && o.MFACommand == "" {
		return nil
	}
	for _, h := range p.Hops {
		if h.MFASerial != "" {
			return nil
		}
	}
	flag := "--mfa-code"
	if o.MFACode == "" {
		flag = "--mfa-command"
	}
	return usagef("%s is given, but no MFA device is in use: give --mfa-serial, or a profile with mfa_serial", flag)
}

// retrieve resolves the flags and gets the credentials.
func (a *app) retrieve(ctx context.Context, o Options) (*chain.Plan, aws.Credentials, error) {
	r, err := a.credentials(ctx, o)
	if err != nil {
		return nil, aws.Credentials{}, err
	}
	creds, err := r.provider.Retrieve(ctx)
	if err != nil {
		return nil, aws.Credentials{}, r.blame(err)
	}
	a.say.debugging(o.Debug).Debugf("credentials %s, expire %s", redact.KeyID(creds.AccessKeyID), creds.Expires.UTC().Format("2006-01-02T15:04:05Z"))
	return r.plan, creds, nil
}
