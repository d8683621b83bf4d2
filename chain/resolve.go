package chain

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tempcreds/tempcreds/internal/redact"

	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/cacheid"
	"github.com/tempcreds/tempcreds/internal/credprocess"
	"github.com/tempcreds/tempcreds/internal/filecache"
	"github.com/tempcreds/tempcreds/internal/safefile"
)

// Defaults per interface (docs/defaults.md). aws-sts-helper's environment
// interface (AWS_STS_* keys, AWS_ROLE_ARN) keeps its own: the session name
// "temporary" and 12 hours. Profiles and the command line follow the AWS
// CLI: a role lasts the profile's duration_seconds, else 1 hour, and its
// session is named after the person (tempcreds-USER-UNIXTIME), so
// CloudTrail tells engineers apart.
const (
	helperDuration  = 43200 * time.Second
	profileDuration = time.Hour
	defaultRegion   = "us-east-1"
	defaultMinTTL   = 15 * time.Minute
)

// env reads an environment variable through the injectable lookup.
type env func(string) string

// profileOnlyHidden are the variables a ProfileOnly request ignores.
var profileOnlyHidden = []string{"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_ROLE_DURATION_SECONDS",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_STS_ACCESS_KEY", "AWS_STS_ACCESS_SECRET", "AWS_PROFILE", "AWS_STS_FILE_NAME"}

// Resolve turns a request into a plan: request > environment > profile >
// defaults. getenv is the environment (os.Getenv, or a map): every variable
// tempcreds reads is read here, through it, and nowhere else. One exception
// is aws-sdk-go-v2's own credential chain (no keys, no profile, no token
// given), which always reads the process environment: the cache key of its
// credentials digests the process's credential variables, read here too.
// Resolve reads the AWS config and credentials files; it makes no network
// call and runs no command. Its errors about settings are
// *tempcreds.ConfigError.
func Resolve(ctx context.Context, r Request, getenv func(string) string) (*Plan, error) {
	e := env(getenv)
	if r.ProfileOnly {
		e = without(e, profileOnlyHidden...)
	}
	p, err := newPlan(r, e)
	if err != nil {
		return nil, err
	}
	t, err := resolveTarget(r, e)
	if err != nil {
		return nil, err
	}
	if err := resolveSource(p, ctx, r, t, e); err != nil {
		return nil, err
	}
	p.profileHops = len(p.Hops)
	if err := checkSourceProcess(p, r, e); err != nil {
		return nil, err
	}
	p.ProcessTTL = r.SourceProcessTTL
	if err := resolveHops(p, r, t); err != nil {
		return nil, err
	}
	if err := checkSessionTokenSigner(p, e); err != nil {
		return nil, err
	}
	p.Region = firstNonEmpty(p.Region, defaultRegion)
	if err := checkRegion(p.Region, r.Region, e, p.ConfigProfile); err != nil {
		return nil, err
	}
	return p, nil
}

// newPlan starts a plan with the request's and the environment's settings
// that come before the source: MFA mode, shared files, cache, endpoint,
// region and user.
func newPlan(r Request, e env) (*Plan, error) {
	p := &Plan{MFAMode: r.MFAMode, NoCache: r.Cache.Disabled, FinalInMemory: r.FinalInMemory, helperDefaults: r.HelperDefaults}
	if p.MFAMode == "" {
		p.MFAMode = MFASession
	}
	if p.MFAMode != MFASession && p.MFAMode != MFARole {
		return nil, bad("MFAMode", "", string(r.MFAMode), "{{MFAMode}} {{value}} must be session or role")
	}
	home := e("HOME")
	p.ConfigFile = firstNonEmpty(e("AWS_CONFIG_FILE"), filepath.Join(home, ".aws", "config"))
	p.CredentialsFile = firstNonEmpty(e("AWS_SHARED_CREDENTIALS_FILE"), filepath.Join(home, ".aws", "credentials"))
	p.configFromEnv, p.credentialsFromEnv = e("AWS_CONFIG_FILE") != "", e("AWS_SHARED_CREDENTIALS_FILE") != ""
	// aws-sdk-go-v2's chain reads the process environment, whatever getenv
	// says: its identity is taken from there, so a cache entry is only
	// reused for the credentials the SDK would really resolve.
	p.credEnv = cacheid.ProcessEnv()
	if err := resolveCache(p, r, e); err != nil {
		return nil, err
	}
	if err := resolveEndpoint(p, r, e); err != nil {
		return nil, err
	}
	p.Region = firstNonEmpty(r.Region, e("AWS_REGION"), e("AWS_DEFAULT_REGION"))
	p.user = userName(e)
	return p, nil
}

// checkSourceProcess refuses a credential_process loop (a profile already
// being resolved by the tempcreds that runs this one) and a
// SourceProcessTTL outside what a source process's output may be cached for.
func checkSourceProcess(p *Plan, r Request, e env) error {
	if credprocess.Resolving(e(credprocess.ResolvingEnv), p.ConfigProfile) {
		return bad("Profile", "", p.ConfigProfile, "{{Profile}} {{value}} is already being resolved by the tempcreds that runs this one "+
			"(its credential_process calls tempcreds for the same profile: a loop). Point the credential_process at another "+
			"profile, or give the profile its source with source_profile and role_arn instead")
	}
	const limit = "1m to 36h"
	switch ttl := r.SourceProcessTTL; {
	case ttl < 0 || ttl%time.Second != 0:
		return bad("SourceProcessTTL", "", "", "{{SourceProcessTTL}} %s is not a whole, positive number of seconds", ttl)
	case ttl > 0 && ttl < time.Minute:
		e := bad("SourceProcessTTL", "", "", "{{SourceProcessTTL}} %s is shorter than a minute: credentials that short are refused as nearly expired", ttl)
		e.Limit = limit
		return e
	case ttl > credprocess.MaxLife:
		e := bad("SourceProcessTTL", "", "", "{{SourceProcessTTL}} %s is longer than any AWS session (36h)", ttl)
		e.Limit = limit
		return e
	case ttl > 0 && p.Source != SourceProcess:
		return bad("SourceProcessTTL", "", "", "{{SourceProcessTTL}} needs a source process ({{SourceProcess}}, or a profile's credential_process)")
	}
	return nil
}

// resolveCache reads the cache settings.
func resolveCache(p *Plan, r Request, e env) error {
	p.CacheFile = firstNonEmpty(r.Cache.File, e("AWS_STS_FILE_NAME"))
	p.CacheMode = 0o600
	if m := r.Cache.Mode; m != 0 {
		if m&^os.ModePerm != 0 || safefile.CheckMode(m) != nil {
			return bad("Cache.Mode", "", fmt.Sprintf("%04o", uint32(m)), "{{Cache.Mode}} {{value}} must be an owner-only mode with read-write, 0600 (or 0700): "+
				"a credentials file readable or writable by others is refused")
		}
		p.CacheMode = m
	} else if m := e("AWS_STS_FILE_MODE"); m != "" {
		n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(m, "0o"), "0"), 8, 32)
		if err != nil || n > 0o777 || safefile.CheckMode(os.FileMode(n)) != nil {
			return bad(fieldCacheMode, "AWS_STS_FILE_MODE", m, "{{%s}} {{value}} must be an owner-only octal mode with read-write, 0600 (or 0700): "+
				"a credentials file readable or writable by others is refused", fieldCacheMode)
		}
		p.CacheMode = os.FileMode(n)
	}
	p.CacheDir = r.Cache.Dir
	if p.CacheDir == "" && !p.NoCache {
		d, err := filecache.DefaultDir(e)
		if err != nil && p.CacheFile == "" {
			return err
		}
		p.CacheDir = d // "" with a cache file: only the final hop is cached
	}
	if r.Cache.MinTTL < 0 {
		return bad("Cache.MinTTL", "", "", "{{Cache.MinTTL}} must not be negative")
	}
	// An asked-for MinTTL is exact; the default gives way to half a
	// shorter session.
	p.Freshness = tempcreds.Freshness{Min: r.Cache.MinTTL}
	if r.Cache.MinTTL == 0 {
		p.Freshness = filecache.MinTTL(defaultMinTTL)
	}
	return nil
}

// resolveEndpoint reads the STS endpoint and checks it is a URL.
func resolveEndpoint(p *Plan, r Request, e env) error {
	p.Endpoint = firstNonEmpty(r.EndpointURL, e("AWS_ENDPOINT_URL_STS"), e("AWS_ENDPOINT_URL"))
	if p.Endpoint == "" {
		return nil
	}
	origin := ""
	switch p.Endpoint {
	case r.EndpointURL:
	case e("AWS_ENDPOINT_URL_STS"):
		origin = "AWS_ENDPOINT_URL_STS"
	default:
		origin = "AWS_ENDPOINT_URL"
	}
	if u, err := url.Parse(p.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return bad("EndpointURL", origin, redact.URL(p.Endpoint), "{{EndpointURL}} {{value}} is not an http(s) URL like https://sts.us-east-1.amazonaws.com")
	}
	return nil
}

// checkRegion refuses a region that is not one (lower-case letters,
// digits and dashes), naming where it was given.
func checkRegion(region, asked string, e env, profile string) error {
	ok := len(region) <= 63
	for _, r := range region {
		ok = ok && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
	}
	if ok {
		return nil
	}
	origin := fmt.Sprintf("region of profile %q", profile)
	switch region {
	case asked:
		origin = ""
	case e("AWS_REGION"):
		origin = "AWS_REGION"
	case e("AWS_DEFAULT_REGION"):
		origin = "AWS_DEFAULT_REGION"
	}
	return bad("Region", origin, region, "{{Region}} {{value}} is not a region like us-east-1 (lower-case letters, digits and dashes)")
}

// checkSessionTokenSigner refuses a GetSessionToken that the SDK's chain
// would sign with session credentials from the environment (an earlier
// `eval "$(tempcreds export)"`): AWS refuses it, and the user is better
// told what to do than shown AWS's AccessDenied.
func checkSessionTokenSigner(p *Plan, e env) error {
	if p.Source != SourceDefaultChain || lastHop(p).Kind != HopSessionToken || e("AWS_SESSION_TOKEN") == "" || e("AWS_ACCESS_KEY_ID") == "" {
		return nil
	}
	return bad("NoRole", "AWS_SESSION_TOKEN", "", "AWS_ACCESS_KEY_ID and AWS_SESSION_TOKEN hold session credentials (an earlier tempcreds export?), "+
		"and AWS refuses GetSessionToken signed with them: assume a role from them with {{RoleARN}}, use {{Profile}}, "+
		"or unset them first: unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION")
}

// userName is who runs tempcreds, for default session names: $USER,
// $USERNAME (Windows), else the account's name.
func userName(e env) string {
	if n := firstNonEmpty(e("USER"), e("USERNAME")); n != "" {
		return n
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// without is e with the named variables unset.
func without(e env, names ...string) env {
	return func(k string) string {
		for _, n := range names {
			if k == n {
				return ""
			}
		}
		return e(k)
	}
}

// absPath makes a relative path absolute (two directories never share a
// relative token path's entry, and errors name the real file).
func absPath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
