package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/filecache"
	"github.com/tempcreds/tempcreds/internal/bounded"
	"github.com/tempcreds/tempcreds/internal/safefile"
)

// Defaults of the aws-sts-helper variables.
const (
	defaultSessionName = "temporary"
	defaultDuration    = 43200 * time.Second
	defaultRegion      = "us-east-1"
)

// Options are the command-line flags shared by the credential commands.
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
	ExternalID              string
	Policy                  string
	PolicyARNs              []string
	Tags                    []string
	SourceIdentity          string
	Region                  string
	EndpointURL             string
	CacheFile               string
	CacheDir                string
	NoCache                 bool
	MinTTL                  string
	Debug                   bool

	// serveMode: the final hop is kept in the server's memory only (its
	// refresh-ahead windows need fresh STS answers, not file-cache hits).
	serveMode bool
	// profileOnly: the credentials are the profile's alone (serve --path):
	// the environment's role, keys, token file and profile do not apply.
	profileOnly bool
}

// sourceKind says where the long-term (first) credentials come from.
type sourceKind int

const (
	sourceDefaultChain sourceKind = iota // aws-sdk-go-v2's default chain
	sourceStatic                         // keys (AWS_STS_* or a profile's keys)
	sourceProfileSDK                     // a profile the SDK resolves (SSO, credential_source, ...)
	sourceProcess                        // a profile's credential_process, run by us (bounded)
	sourceWebIdentity                    // the first hop itself is web identity
)

// hop is one STS call of the chain, from the source upwards.
type hop struct {
	Kind            string // session-token, assume-role, web-identity
	RoleARN         string
	SessionName     string
	Duration        time.Duration
	DurationDefault bool   // the duration was not asked for: fall back if the role refuses it
	DurationFrom    string // where the duration was given (a flag, a variable, a profile key), for errors
	ExternalID      string
	Policy          string
	PolicyARNs      []string
	Tags            map[string]string
	TransitiveTags  []string
	SourceIdentity  string
	MFASerial       string
	TokenFile       string
	TokenCommand    string
}

// plan is everything needed to get the credentials, resolved from flags,
// environment and profile; building it does no network and no STS call.
type plan struct {
	Source       sourceKind
	StaticKey    string // access key ID (for the cache key and --debug)
	StaticSecret string
	StaticToken  string
	Profile      string // for sourceProfileSDK and the cache key
	// ProcessCommand is the leaf profile's credential_process (sourceProcess).
	ProcessCommand string
	// ConfigProfile is the profile whose settings configure the STS client
	// (ca_bundle, endpoint_url, retry_mode...); "" for none.
	ConfigProfile string
	// KeyEndpoint is an endpoint the SDK's loader applies by itself (a
	// profile's endpoint_url), recorded in the cache key.
	KeyEndpoint  string
	Hops         []hop
	Region       string
	Endpoint     string
	MFAMode      string
	MFACode      string
	MFACommand   string
	CacheFile    string
	CacheMode    os.FileMode
	CacheDir     string
	NoCache      bool
	NoFinalCache bool
	Freshness    tempcreds.Freshness // of the final hop's file cache
}

// env reads an environment variable through the injectable lookup.
type env func(string) string

// checkNames checks the role session name, source identity, MFA serial
// and policy ARNs against STS's limits, naming the flag or variable.
func checkNames(o Options, sessionName string) error {
	if sessionName != "" && !tempcreds.ValidSessionName(sessionName) {
		from := "--role-session-name"
		if o.RoleSessionName == "" {
			from = "AWS_ROLE_SESSION_NAME"
		}
		return usagef("%s %q must be 2 to 64 characters of letters, digits and +=,.@_-", from, sessionName)
	}
	if o.SourceIdentity != "" && !tempcreds.ValidSessionName(o.SourceIdentity) {
		return usagef("--source-identity %q must be 2 to 64 characters of letters, digits and +=,.@_-", o.SourceIdentity)
	}
	if s := o.MFASerial; s != "" && (len(s) < 9 || len(s) > 256) {
		return usagef("--mfa-serial %q must be 9 to 256 characters (an MFA device ARN or hardware serial)", s)
	}
	for _, a := range o.PolicyARNs {
		if !strings.HasPrefix(a, "arn:") || len(a) < 20 {
			return usagef("--policy-arn %q is not an ARN like arn:aws:iam::aws:policy/NAME", a)
		}
	}
	return nil
}

// checkRegion refuses a region that is not one (lower-case letters,
// digits and dashes), naming where it was given.
func checkRegion(region, flag string, getenv env) error {
	ok := len(region) <= 63
	for _, r := range region {
		ok = ok && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
	}
	if ok {
		return nil
	}
	from := "the profile's region"
	switch region {
	case flag:
		from = "--region"
	case getenv("AWS_REGION"):
		from = "AWS_REGION"
	case getenv("AWS_DEFAULT_REGION"):
		from = "AWS_DEFAULT_REGION"
	}
	return usagef("%s %q is not a region like us-east-1 (lower-case letters, digits and dashes)", from, region)
}

// redactURL hides the user information of a URL given by the user (a
// password, or a token in the user part), even when the URL is malformed:
// everything before the last @ after the last / that precedes it.
func redactURL(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	start := strings.LastIndex(s[:at], "/") + 1
	return s[:start] + "[REDACTED]" + s[at:]
}

// without is getenv with the named variables unset.
func without(getenv env, names ...string) env {
	return func(k string) string {
		for _, n := range names {
			if k == n {
				return ""
			}
		}
		return getenv(k)
	}
}

// UsageError is a mistake in flags, environment or configuration: exit 2.
type UsageError struct{ Msg string }

// Error is the message, prefixed with tempcreds.
func (e *UsageError) Error() string { return "tempcreds: " + e.Msg }

func usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// maxDurationSeconds bounds every duration flag (a year): far above any
// STS limit, far below an overflow.
const maxDurationSeconds = 366 * 24 * 3600

// parseDuration accepts seconds ("3600") or a Go duration ("1h", "90m").
func parseDuration(flag, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0, usagef("%s %q must be positive", flag, v)
		}
		if n > maxDurationSeconds {
			return 0, usagef("%s %q is more than a year", flag, v)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usagef("%s %q is not a duration: use seconds (3600) or a duration (1h, 90m)", flag, v)
	}
	if d > maxDurationSeconds*time.Second {
		return 0, usagef("%s %q is more than a year", flag, v)
	}
	if d%time.Second != 0 {
		return 0, usagef("%s %q is not a whole number of seconds", flag, v)
	}
	return d, nil
}

func checkARN(flag, v string) error {
	a, err := arn.Parse(v)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") || len(a.AccountID) != 12 ||
		strings.ContainsFunc(a.Resource, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return usagef("%s %q is not a role ARN like arn:aws:iam::123456789012:role/NAME", flag, v)
	}
	return nil
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
	if !json.Valid([]byte(v)) {
		return "", usagef("--policy is not valid JSON (give the JSON, or @FILE)")
	}
	return v, nil
}

// resolve builds the plan: flags > environment > profile > defaults.
func resolve(ctx context.Context, o Options, getenv env) (*plan, error) {
	if o.profileOnly {
		getenv = without(getenv, "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_ROLE_DURATION_SECONDS",
			"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_STS_ACCESS_KEY", "AWS_STS_ACCESS_SECRET", "AWS_PROFILE", "AWS_STS_FILE_NAME")
	}
	p := &plan{MFAMode: o.MFAMode, MFACode: o.MFACode, MFACommand: o.MFACommand, NoCache: o.NoCache, NoFinalCache: o.serveMode}
	if p.MFAMode == "" {
		p.MFAMode = "session"
	}
	if p.MFAMode != "session" && p.MFAMode != "role" {
		return nil, usagef("--mfa-mode %q must be session or role", o.MFAMode)
	}
	if p.MFACode != "" && (len(p.MFACode) != 6 || strings.Trim(p.MFACode, "0123456789") != "") {
		return nil, usagef("--mfa-code must be 6 digits")
	}

	// Cache settings.
	p.CacheFile = firstNonEmpty(o.CacheFile, getenv("AWS_STS_FILE_NAME"))
	p.CacheMode = 0o600
	if m := getenv("AWS_STS_FILE_MODE"); m != "" {
		n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(m, "0o"), "0"), 8, 32)
		if err != nil || n > 0o777 || safefile.CheckMode(os.FileMode(n)) != nil {
			return nil, usagef("AWS_STS_FILE_MODE %q must be an owner-only octal mode with read-write, 0600 (or 0700): a credentials file readable or writable by others is refused", m)
		}
		p.CacheMode = os.FileMode(n)
	}
	p.CacheDir = o.CacheDir
	if p.CacheDir == "" && p.CacheFile == "" && !p.NoCache {
		d, err := filecache.DefaultDir(getenv)
		if err != nil {
			return nil, err
		}
		p.CacheDir = d
	}
	minTTL, err := parseDuration("--min-ttl", o.MinTTL)
	if err != nil {
		return nil, err
	}
	// An asked-for --min-ttl is exact; the default gives way to half a
	// shorter session.
	p.Freshness = tempcreds.Freshness{Min: minTTL}
	if o.MinTTL == "" {
		p.Freshness = filecache.MinTTL(15 * time.Minute)
	}

	// Region and endpoint.
	p.Endpoint = firstNonEmpty(o.EndpointURL, getenv("AWS_ENDPOINT_URL_STS"), getenv("AWS_ENDPOINT_URL"))
	if p.Endpoint != "" {
		from := "--endpoint-url"
		switch p.Endpoint {
		case o.EndpointURL:
		case getenv("AWS_ENDPOINT_URL_STS"):
			from = "AWS_ENDPOINT_URL_STS"
		default:
			from = "AWS_ENDPOINT_URL"
		}
		if u, err := url.Parse(p.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, usagef("%s %q is not an http(s) URL like https://sts.us-east-1.amazonaws.com", from, redactURL(p.Endpoint))
		}
	}
	p.Region = firstNonEmpty(o.Region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"))

	// The target role's parameters.
	duration, err := parseDuration("--duration", o.Duration)
	if err != nil {
		return nil, err
	}
	durationFrom := "--duration"
	if duration == 0 {
		durationFrom = "AWS_ROLE_DURATION_SECONDS"
		if duration, err = parseDuration("AWS_ROLE_DURATION_SECONDS", getenv("AWS_ROLE_DURATION_SECONDS")); err != nil {
			return nil, err
		}
	}
	roleARN := firstNonEmpty(o.RoleARN, getenv("AWS_ROLE_ARN"))
	// Errors name what the user actually gave: the flag or the variable.
	roleFrom := "--role-arn"
	if o.RoleARN == "" {
		roleFrom = "AWS_ROLE_ARN"
	}
	sessionName := firstNonEmpty(o.RoleSessionName, getenv("AWS_ROLE_SESSION_NAME"))
	tokenFile := absPath(firstNonEmpty(o.WebIdentityTokenFile, getenv("AWS_WEB_IDENTITY_TOKEN_FILE")))
	tokenCommand := o.WebIdentityTokenCommand
	mfaSerial := o.MFASerial
	// Checked here so the error names what the user gave (the library
	// checks them again, in its own words).
	if err := checkNames(o, sessionName); err != nil {
		return nil, err
	}
	policy, err := readPolicy(o.Policy)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(o.Tags)
	if err != nil {
		return nil, err
	}
	for _, v := range o.Via {
		if err := checkARN("--via", v); err != nil {
			return nil, err
		}
	}

	// The source: web identity; a --profile flag; AWS_STS_ACCESS_KEY/SECRET
	// (the helper's); AWS_PROFILE; then the SDK's default chain. Web identity (a token file or
	// command) is its own source: with it, AWS_ROLE_ARN is the web identity
	// role, as in the SDKs.
	access, secret := getenv("AWS_STS_ACCESS_KEY"), getenv("AWS_STS_ACCESS_SECRET")
	switch {
	case (access == "") != (secret == ""):
		return nil, usagef("AWS_STS_ACCESS_KEY and AWS_STS_ACCESS_SECRET must be set together (one is empty)")
	case tokenFile != "" || tokenCommand != "":
		if tokenFile != "" && tokenCommand != "" {
			return nil, usagef("give --web-identity-token-file or --web-identity-token-command, not both")
		}
		p.Source = sourceWebIdentity
	case o.Profile != "":
		if err := p.fromProfile(ctx, o.Profile, getenv); err != nil {
			return nil, err
		}
	case access != "":
		p.Source, p.StaticKey, p.StaticSecret = sourceStatic, access, secret
	case getenv("AWS_PROFILE") != "":
		if err := p.fromProfile(ctx, getenv("AWS_PROFILE"), getenv); err != nil {
			return nil, err
		}
	default:
		p.Source = sourceDefaultChain
	}

	// A profile's web identity (role_arn + web_identity_token_file, the
	// EKS/IRSA shape) already made its hop; this is the flags' and
	// environment's.
	if p.Source == sourceWebIdentity && (tokenFile != "" || tokenCommand != "") {
		if roleARN == "" {
			return nil, usagef("web identity needs a role: pass --role-arn or set AWS_ROLE_ARN")
		}
		if err := checkARN(roleFrom, roleARN); err != nil {
			return nil, err
		}
		p.Hops = append(p.Hops, hop{Kind: "web-identity", RoleARN: roleARN, DurationFrom: durationFrom,
			SessionName: firstNonEmpty(sessionName, "web-identity"), Duration: duration, Policy: policy,
			PolicyARNs: o.PolicyARNs, TokenFile: tokenFile, TokenCommand: tokenCommand})
		roleARN = "" // consumed
		if mfaSerial != "" {
			return nil, usagef("--mfa-serial cannot be used with web identity")
		}
	}

	for _, v := range o.Via {
		p.Hops = append(p.Hops, hop{Kind: "assume-role", RoleARN: v, SessionName: firstNonEmpty(sessionName, defaultSessionName)})
	}

	final := hop{Kind: "assume-role", RoleARN: roleARN, SessionName: sessionName, Duration: duration, DurationFrom: durationFrom,
		ExternalID: o.ExternalID, Policy: policy, PolicyARNs: o.PolicyARNs, Tags: tags, SourceIdentity: o.SourceIdentity,
		MFASerial: mfaSerial}
	switch {
	case o.NoRole:
		if o.RoleARN != "" || len(o.Via) > 0 {
			return nil, usagef("--no-role cannot be combined with --role-arn or --via")
		}
		if p.Source == sourceWebIdentity {
			return nil, usagef("--no-role (GetSessionToken) cannot be used with web identity")
		}
		if o.ExternalID != "" || policy != "" || len(o.PolicyARNs) > 0 || len(tags) > 0 || o.SourceIdentity != "" {
			return nil, usagef("--external-id, --policy, --policy-arn, --tag and --source-identity need a role; --no-role uses GetSessionToken")
		}
		// A profile role is dropped: the session token is the target.
		p.Hops = dropRoleHops(p.Hops)
		p.Hops = append(p.Hops, hop{Kind: "session-token", Duration: duration, DurationFrom: durationFrom, MFASerial: firstNonEmpty(mfaSerial, p.profileMFA())})
	case roleARN != "":
		if err := checkARN(roleFrom, roleARN); err != nil {
			return nil, err
		}
		p.Hops = append(p.Hops, final)
	case len(p.Hops) > 0:
		// The profile (or web identity, or --via) is the target: apply the
		// flags that shape the last hop.
		last := &p.Hops[len(p.Hops)-1]
		if duration != 0 {
			last.Duration, last.DurationFrom = duration, durationFrom
		}
		if sessionName != "" && last.Kind == "assume-role" {
			last.SessionName = sessionName
		}
		if o.ExternalID != "" {
			last.ExternalID = o.ExternalID
		}
		if policy != "" {
			last.Policy = policy
		}
		if len(o.PolicyARNs) > 0 {
			last.PolicyARNs = o.PolicyARNs
		}
		if len(tags) > 0 {
			last.Tags = tags
		}
		if o.SourceIdentity != "" {
			last.SourceIdentity = o.SourceIdentity
		}
		if mfaSerial != "" && last.Kind == "assume-role" {
			last.MFASerial = mfaSerial
		}
	case (p.Source == sourceProfileSDK || p.Source == sourceProcess) && mfaSerial == "":
		// A profile the SDK resolves (SSO, credential_process,
		// credential_source) with no role above it: its credentials are
		// already temporary, and AWS refuses GetSessionToken signed with
		// them. They are used as they are.
		if o.ExternalID != "" || policy != "" || len(o.PolicyARNs) > 0 || len(tags) > 0 || o.SourceIdentity != "" || duration != 0 {
			return nil, usagef("--external-id, --policy, --policy-arn, --tag, --source-identity and --duration need a role: profile %q gives its credentials as they are", p.Profile)
		}
		p.Hops = append(p.Hops, hop{Kind: "source"})
	default:
		// No role anywhere: GetSessionToken, the seed's TemporaryCredentials
		// without a RoleArn.
		if o.ExternalID != "" || policy != "" || len(o.PolicyARNs) > 0 || len(tags) > 0 || o.SourceIdentity != "" {
			return nil, usagef("--external-id, --policy, --policy-arn, --tag and --source-identity need a role: pass --role-arn or set AWS_ROLE_ARN")
		}
		p.Hops = append(p.Hops, hop{Kind: "session-token", Duration: duration, DurationFrom: durationFrom, MFASerial: mfaSerial})
	}

	// Defaults for the final hop: the helper's session name and duration.
	last := &p.Hops[len(p.Hops)-1]
	if last.Kind == "assume-role" && last.SessionName == "" {
		last.SessionName = defaultSessionName
	}
	if last.Duration == 0 && last.Kind != "web-identity" && last.Kind != "source" {
		last.Duration, last.DurationDefault = defaultDuration, true
	}
	for i := range p.Hops {
		if p.Hops[i].Kind == "assume-role" && p.Hops[i].SessionName == "" {
			p.Hops[i].SessionName = defaultSessionName
		}
	}
	if err := p.checkDurations(); err != nil {
		return nil, err
	}
	if p.MFACode != "" && p.MFACommand != "" {
		return nil, usagef("give --mfa-code or --mfa-command, not both")
	}
	p.applyMFAMode()
	// The helper's 12-hour default cannot apply to a role assumed with
	// temporary credentials (AWS's 1-hour chaining cap): ask for STS's
	// default instead of being capped with a warning on every refresh.
	if last := &p.Hops[len(p.Hops)-1]; last.DurationDefault && (len(p.Hops) > 1 || p.StaticToken != "") {
		last.Duration, last.DurationDefault = 0, false
	}
	if p.Region == "" {
		p.Region = defaultRegion
	}
	if err := checkRegion(p.Region, o.Region, getenv); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *plan) checkDurations() error {
	for _, h := range p.Hops {
		from := firstNonEmpty(h.DurationFrom, "--duration")
		if h.Duration < 0 {
			return usagef("%s is not a whole number of seconds", from)
		}
		if h.Duration == 0 {
			continue
		}
		lo, hi := 15*time.Minute, 12*time.Hour
		if h.Kind == "session-token" {
			hi = 36 * time.Hour
		}
		if h.Duration < lo || h.Duration > hi {
			return usagef("%s %s is outside what STS allows for %s (%s to %s)", from, h.Duration, h.Kind, lo, hi)
		}
	}
	return nil
}

// profileMFA returns the mfa_serial of the profile's first role hop.
func (p *plan) profileMFA() string {
	for _, h := range p.Hops {
		if h.MFASerial != "" {
			return h.MFASerial
		}
	}
	return ""
}

func dropRoleHops(hops []hop) []hop {
	var out []hop
	for _, h := range hops {
		if h.Kind != "assume-role" {
			out = append(out, h)
		}
	}
	return out
}

// applyMFAMode: in session mode (the default), MFA on the first role hop
// signed with long-term keys becomes an MFA GetSessionToken below it,
// cached on its own, so roles are assumed from it without prompting again
// (AWS then caps those role sessions at 1 hour). In role mode, MFA stays on
// AssumeRole: longer sessions, one prompt per role refresh.
func (p *plan) applyMFAMode() {
	if p.MFAMode != "session" || p.Source == sourceWebIdentity || len(p.Hops) == 0 {
		return
	}
	first := &p.Hops[0]
	if first.Kind != "assume-role" || first.MFASerial == "" {
		return
	}
	serial := first.MFASerial
	first.MFASerial = ""
	p.Hops = append([]hop{{Kind: "session-token", MFASerial: serial}}, p.Hops...)
}

// fromProfile reads a profile chain with aws-sdk-go-v2's shared-config
// loader and turns it into a source and role hops.
func (p *plan) fromProfile(ctx context.Context, profile string, getenv env) error {
	cfg, err := loadProfile(ctx, profile, getenv)
	if err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			return err
		}
		var ne config.SharedConfigProfileNotExistError
		var re config.SharedConfigAssumeRoleError
		switch {
		case errors.As(err, &ne):
			return usagef("profile %q is not in the AWS config or credentials file", ne.Profile)
		case errors.As(err, &re):
			if re.Err != nil {
				return usagef("profile chain of %q: source_profile %q: %v", profile, re.Profile, re.Err)
			}
			return usagef("profile chain of %q: source_profile %q has no credentials (a source_profile cycle, or a profile without keys)", profile, re.Profile)
		}
		return usagef("reading profile %q: %v", profile, err)
	}
	if p.Region == "" {
		p.Region = cfg.Region
	}
	p.ConfigProfile = profile
	if p.Endpoint == "" {
		// The profile's endpoint_url is the client's; the key records it.
		p.KeyEndpoint = cfg.BaseEndpoint
	}
	var chain []*config.SharedConfig
	for c := &cfg; c != nil; c = c.Source {
		chain = append([]*config.SharedConfig{c}, chain...)
	}
	if len(chain) > 16 {
		return usagef("profile chain of %q is deeper than 16 profiles", profile)
	}
	leaf := chain[0]
	names := make([]string, len(chain))
	for i, c := range chain {
		names[i] = c.Profile
	}
	p.Profile = strings.Join(names, ">")
	switch {
	case leaf.Credentials.HasKeys():
		p.Source = sourceStatic
		p.StaticKey, p.StaticSecret, p.StaticToken = leaf.Credentials.AccessKeyID, leaf.Credentials.SecretAccessKey, leaf.Credentials.SessionToken
	case leaf.WebIdentityTokenFile != "" && leaf.RoleARN != "":
		p.Source = sourceWebIdentity
		p.Hops = append(p.Hops, hop{Kind: "web-identity", RoleARN: leaf.RoleARN,
			SessionName: firstNonEmpty(leaf.RoleSessionName, "web-identity"), TokenFile: absPath(leaf.WebIdentityTokenFile)})
		chain = chain[1:]
	case leaf.CredentialProcess != "" && leaf.RoleARN == "":
		p.Source = sourceProcess
		p.Profile, p.ProcessCommand = leaf.Profile, leaf.CredentialProcess
		chain = chain[1:]
	default:
		// SSO, credential_source, or a profile without credentials: the
		// SDK resolves the leaf profile (its own role included); we take
		// over from the first profile above it.
		p.Source = sourceProfileSDK
		p.Profile = leaf.Profile
		chain = chain[1:]
	}
	for _, c := range chain {
		if c.RoleARN != "" {
			p.Hops = append(p.Hops, roleHop(c))
		}
	}
	return nil
}

// loadProfile calls aws-sdk-go-v2's shared-config loader. Its ini parser
// panics on some malformed values (a lone `"`, found by FuzzProfileConfig):
// that becomes a usage error instead of a crash.
func loadProfile(ctx context.Context, profile string, getenv env) (cfg config.SharedConfig, err error) {
	if err := checkSharedFiles(getenv); err != nil {
		return cfg, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = usagef("the AWS config or credentials file could not be parsed (aws-sdk-go-v2's parser failed: look for an unbalanced quote in a value)")
		}
	}()
	return config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		if f := getenv("AWS_CONFIG_FILE"); f != "" {
			o.ConfigFiles = []string{f}
		}
		if f := getenv("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
			o.CredentialsFiles = []string{f}
		}
	})
}

// checkSharedFiles refuses a config or credentials file the SDK's loader
// would hang on (a FIFO) or read without limit (/dev/zero, a huge file)
// before the loader opens it. The files are optional: missing is fine.
func checkSharedFiles(getenv env) error {
	home := getenv("HOME")
	for _, f := range []struct{ name, path string }{
		{"AWS_CONFIG_FILE", firstNonEmpty(getenv("AWS_CONFIG_FILE"), filepath.Join(home, ".aws", "config"))},
		{"AWS_SHARED_CREDENTIALS_FILE", firstNonEmpty(getenv("AWS_SHARED_CREDENTIALS_FILE"), filepath.Join(home, ".aws", "credentials"))},
	} {
		st, err := os.Stat(f.path)
		if err != nil {
			continue
		}
		if !st.Mode().IsRegular() {
			return usagef("%s %s is not a regular file (a FIFO, a device or a directory): the AWS config must be a file", f.name, f.path)
		}
		if st.Size() > bounded.ConfigFile {
			return usagef("%s %s is %d bytes, more than the %d an AWS config file may have here", f.name, f.path, st.Size(), bounded.ConfigFile)
		}
	}
	return nil
}

func roleHop(c *config.SharedConfig) hop {
	h := hop{Kind: "assume-role", RoleARN: c.RoleARN, SessionName: c.RoleSessionName, ExternalID: c.ExternalID, MFASerial: c.MFASerial}
	if c.RoleDurationSeconds != nil {
		h.Duration = *c.RoleDurationSeconds
		h.DurationFrom = fmt.Sprintf("duration_seconds of profile %q", c.Profile)
		if h.Duration == 0 {
			// The SDK's loader turns a value that is not a number into
			// 0; never ignore it silently.
			h.Duration = -1
		}
	}
	return h
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// keyInputs returns the cache key inputs of hop i; below is the key of the
// hop under it ("" for the first).
func (p *plan) keyInputs(i int, below string) filecache.KeyInputs {
	h := p.Hops[i]
	k := filecache.KeyInputs{
		Kind: h.Kind, RoleARN: h.RoleARN, SessionName: h.SessionName, DurationSeconds: int64(h.Duration / time.Second),
		ExternalID: h.ExternalID, Policy: h.Policy, PolicyARNs: sortedCopy(h.PolicyARNs), Tags: h.Tags,
		TransitiveTagKeys: h.TransitiveTags, SourceIdentityTag: h.SourceIdentity, MFASerial: h.MFASerial,
		Region: p.Region, Endpoint: firstNonEmpty(p.Endpoint, p.KeyEndpoint),
	}
	switch {
	case below != "":
		k.SourceIdentity = "hop:" + below
	case h.Kind == "web-identity":
		// The exact token's digest is mixed in on every lookup
		// (filecache.Provider.Identity); this only tells the forms apart.
		k.WebIdentity = "file:" + h.TokenFile
		if h.TokenFile == "" {
			k.WebIdentity = "command:" + h.TokenCommand + "@" + cwd()
		}
	case p.Source == sourceStatic:
		// The access key ID and a digest of the secret (and token).
		k.SourceIdentity = "keys:" + p.StaticKey + ":" + digest(p.StaticSecret, p.StaticToken)
	case p.Source == sourceProcess:
		// The command names the source; the digest of what it printed is
		// mixed in on every lookup (filecache.Provider.Identity).
		k.SourceIdentity = "process:" + p.Profile + ":" + p.ProcessCommand
	case p.Source == sourceProfileSDK:
		k.SourceIdentity = "profile:" + p.Profile // completed with the environment by build
	default:
		k.SourceIdentity = "default-chain" // completed with the environment by build
	}
	return k
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
