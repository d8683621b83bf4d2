package chain

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/filecache"
	"github.com/tempcreds/tempcreds/internal/cacheid"
	"github.com/tempcreds/tempcreds/internal/childproc"
	"github.com/tempcreds/tempcreds/internal/credprocess"
	"github.com/tempcreds/tempcreds/internal/mfacode"
	"github.com/tempcreds/tempcreds/internal/stsclient"
)

// innerFreshness is how much life an inner hop (a source) needs to be
// reused from the file cache: it only signs the next call.
var innerFreshness = filecache.MinTTL(2 * time.Minute)

// Deps are what Build needs besides the plan. Every field is optional.
type Deps struct {
	// Clock decides every expiry (default the system clock).
	Clock tempcreds.Clock
	// TokenCode gives every MFA code when set (a code, a command the
	// caller chose); it wins over a profile's mfa_process.
	TokenCode tempcreds.TokenCodeFunc
	// MFAPrompt asks for codes no TokenCode or mfa_process gives (default
	// TerminalPrompt: the controlling terminal, never stdin or stdout).
	MFAPrompt tempcreds.TokenCodeFunc
	// Warn receives warnings (default: dropped); Debug one line per step
	// (default: dropped). Neither ever receives a secret.
	Warn, Debug func(msg string)
	// Stderr receives the standard error of commands the chain runs (a
	// credential_process, a token command). Default os.Stderr.
	Stderr io.Writer
	// STS bounds and adjusts the STS client.
	STS STSSettings
}

// STSSettings bound and adjust the STS client (timeouts, answer size, a
// transport wrapper). Zero fields take the defaults.
type STSSettings = stsclient.Settings

func (d *Deps) debugf(format string, args ...any) {
	if d.Debug != nil {
		d.Debug(fmt.Sprintf(format, args...))
	}
}

func (d *Deps) warn(msg string) {
	if d.Warn != nil {
		d.Warn(msg)
	}
}

// Build turns the plan into one provider: a source, then one provider per
// hop, each cached on disk (its own key, 0600) and in memory, each signing
// the next. Nothing here talks to the network: the first Retrieve does,
// unless the cache already holds what it needs.
func Build(p *Plan, d Deps) (*tempcreds.Cache, error) {
	if d.Clock == nil {
		d.Clock = tempcreds.SystemClock{}
	}
	if d.Stderr == nil {
		d.Stderr = os.Stderr
	}
	if d.MFAPrompt == nil {
		d.MFAPrompt = mfacode.TerminalPrompt(mfacode.OpenTerminal)
	}
	for _, w := range p.Warnings {
		d.warn(w)
	}
	withClock := func(o *tempcreds.CacheOptions) { o.Clock = d.Clock }
	client := newSTSClient(p, d.STS)
	var source aws.CredentialsProvider
	switch p.Source {
	case SourceStatic:
		source = credentials.NewStaticCredentialsProvider(p.StaticKey, p.staticSecret, p.staticToken)
		d.debugf("source: static keys %s", redact(p.StaticKey))
	case SourceProfileSDK:
		source = sdkSource(p, &d, config.WithSharedConfigProfile(p.Profile))
		d.debugf("source: profile %q resolved by aws-sdk-go-v2", p.Profile)
	case SourceDefaultChain:
		source = sdkSource(p, &d)
		d.debugf("source: aws-sdk-go-v2 default credential chain")
	case SourceProcess:
		source = credprocess.Source{Command: p.ProcessCommand, Profile: p.Profile, Guard: p.ConfigProfile, Stderr: d.Stderr, TTL: p.ProcessTTL, Clock: d.Clock}
		d.debugf("source: a process (%s)", processIdentity(p)[:len("process:")+12]) // never the command line: it may hold a secret
		// Its output is cached on its own, under one key whether it is the
		// final credentials or a role's source, so a role refresh (or the
		// other use) reuses it while it is valid.
		final := p.Hops[0].Kind == HopSource
		if backend := backend(p, final, d.warn); backend != nil {
			fresh := innerFreshness
			if final {
				fresh = p.Freshness
			}
			in := processKeyInputs(p)
			source = &filecache.Provider{Backend: backend, Key: in.Key(), Inputs: in, Inner: source, Profile: p.ConfigProfile,
				Freshness: fresh, Clock: d.Clock, Debug: d.Debug, Warn: d.Warn}
		}
		source = tempcreds.NewCache(source, withClock)
	}
	token, identity := firstIdentity(p, source)
	var cache *tempcreds.Cache
	below := ""
	for i, h := range p.Hops {
		final := i == len(p.Hops)-1
		prov, err := hopProvider(p, client, h, source, token, &d)
		if err != nil {
			return nil, err
		}
		if final && h.DurationOrigin == OriginDefault && h.Kind == HopAssumeRole {
			short := h
			short.Duration = 0
			fallback, err := hopProvider(p, client, short, source, token, &d)
			if err != nil {
				return nil, err
			}
			prov = &durationFallback{primary: prov, fallback: fallback, warn: d.warn, role: h.RoleARN}
		}
		in := keyInputs(p, i, below)
		key := in.Key()
		d.debugf("hop %d: %s %s, session %s (cache key %s)", i+1, h.Kind, h.RoleARN, sessionName(h, d.Clock), key)
		// A "source" hop (an SDK-resolved profile used as it is) is cached
		// too, under the environment and files digest; a process's output
		// is cached above, under its own key.
		if backend := backend(p, final, d.warn); backend != nil && (h.Kind != HopSource || p.Source == SourceProfileSDK) {
			fresh := innerFreshness
			if final {
				fresh = p.Freshness
			}
			prov = &filecache.Provider{Backend: backend, Key: key, Inputs: in, Identity: identity, Inner: prov, Profile: p.ConfigProfile,
				Freshness: fresh, Clock: d.Clock, Debug: d.Debug, Warn: d.Warn}
		}
		cache = tempcreds.NewCache(prov, withClock)
		source = cache
		below = key
	}
	return cache, nil
}

// firstIdentity says who signs the first call when only reading it tells
// (identity.go): a web identity token (memoised, so the key and the call
// read the same token), or the credentials a source process gave (from its
// own cache while they are valid: the process's output is cached under the
// command, and what is built on it under the identity it printed).
func firstIdentity(p *Plan, source aws.CredentialsProvider) (*cacheid.MemoToken, func(context.Context) (string, error)) {
	if h := p.Hops[0]; h.Kind == HopWebIdentity {
		var ts tempcreds.TokenSource = tempcreds.TokenFile(h.TokenFile)
		if h.TokenCommand != "" {
			ts = tempcreds.TokenCommand{Argv: childproc.ShellArgv(h.TokenCommand)}
		}
		token := cacheid.NewMemoToken(ts)
		return token, token.Identity
	}
	if p.Source != SourceProcess || p.Hops[0].Kind == HopSource {
		return nil, nil
	}
	return nil, func(ctx context.Context) (string, error) {
		c, err := source.Retrieve(ctx)
		if err != nil {
			return "", err
		}
		return cacheid.ProcessOutput(c), nil
	}
}

// backend is the file cache of a hop, nil for none.
func backend(p *Plan, final bool, warn func(string)) filecache.Backend {
	switch {
	case p.NoCache || (final && p.FinalInMemory):
		return nil
	case p.CacheFile != "" && final:
		return &filecache.SingleFile{Path: p.CacheFile, Mode: p.CacheMode, Warn: warn}
	case p.CacheDir == "":
		return nil
	}
	return &filecache.Store{Dir: p.CacheDir, Warn: warn}
}

// hopProvider is the provider of one hop, signed by source.
func hopProvider(p *Plan, client *stsclient.Client, h Hop, source aws.CredentialsProvider, token tempcreds.TokenSource, d *Deps) (aws.CredentialsProvider, error) {
	tokenCode := d.TokenCode
	switch {
	case tokenCode != nil:
	case h.MFAProcess != "":
		tokenCode = mfacode.Command(h.MFAProcess, h.mfaProcessName, d.Stderr)
	default:
		tokenCode = d.MFAPrompt
	}
	tokenCode = lockedTokenCode(p, tokenCode)
	switch h.Kind {
	case HopSource:
		return source, nil // the source's own credentials
	case HopSessionToken:
		return tempcreds.NewSessionToken(client, func(o *tempcreds.SessionTokenOptions) {
			o.Duration, o.Source, o.SerialNumber, o.MinTokenSize = h.Duration, source, h.MFASerial, h.MinTokenSize
			o.Clock = d.Clock
			if h.MFASerial != "" {
				o.TokenCode = tokenCode
			}
		})
	case HopAssumeRole:
		return tempcreds.NewAssumeRole(client, h.RoleARN, func(o *tempcreds.AssumeRoleOptions) {
			o.RoleSessionName, o.Duration, o.ExternalID = sessionName(h, d.Clock), h.Duration, h.ExternalID
			o.Policy, o.PolicyARNs, o.Tags, o.TransitiveTagKeys = h.Policy, h.PolicyARNs, h.Tags, h.TransitiveTags
			o.SourceIdentity, o.SerialNumber, o.Source, o.Warn = h.SourceIdentity, h.MFASerial, source, d.Warn
			o.MinTokenSize, o.Clock = h.MinTokenSize, d.Clock
			if h.MFASerial != "" {
				o.TokenCode = tokenCode
			}
		})
	case HopWebIdentity:
		return tempcreds.NewWebIdentity(client, h.RoleARN, token, func(o *tempcreds.WebIdentityOptions) {
			o.RoleSessionName, o.Duration, o.Policy, o.PolicyARNs = h.SessionName, h.Duration, h.Policy, h.PolicyARNs
			o.MinTokenSize = h.MinTokenSize
		})
	}
	return nil, &tempcreds.ConfigError{Field: "Hops", Value: h.Kind, Problem: "hop kind {{value}} is not one of session-token, assume-role, web-identity, source"}
}

// sessionName is the name a role session is asked under: the default
// tempcreds-USER gets the Unix time of the build appended.
func sessionName(h Hop, clock tempcreds.Clock) string {
	if h.sessionNameTimestamp {
		return h.SessionName + "-" + strconv.FormatInt(clock.Now().Unix(), 10)
	}
	return h.SessionName
}

// lockedTokenCode asks for one MFA code at a time per device across
// processes (a lock in the cache directory): two prompts never race on one
// terminal, and a process that waited finds the code's session in the file
// cache instead of prompting again.
func lockedTokenCode(p *Plan, code tempcreds.TokenCodeFunc) tempcreds.TokenCodeFunc {
	if p.CacheDir == "" {
		return code
	}
	return func(ctx context.Context, serial string) (string, error) {
		unlock, err := (&filecache.Store{Dir: p.CacheDir, LockTimeout: tempcreds.DefaultLoadTimeout}).Lock(ctx, filecache.DeriveKey("mfa", serial))
		if err != nil {
			return "", err
		}
		defer unlock()
		return code(ctx, serial)
	}
}

// newSTSClient is the STS client of the plan: configured from the same
// files, profile, region and endpoint the plan was resolved from.
func newSTSClient(p *Plan, s STSSettings) *stsclient.Client {
	c := stsclient.Config{Region: p.Region, Endpoint: p.Endpoint, ConfigFile: p.ConfigFile, CredentialsFile: p.CredentialsFile,
		Profile: p.ConfigProfile, CheckFiles: files(p).Check}
	if p.loginSources != nil {
		c.WithConfigCopy = func(load func(path string) error) error {
			return files(p).WithLoginSources(p.loginSources, p.CacheDir, load)
		}
	}
	return stsclient.New(c, s)
}

// redact shows an access key ID as ASIA…ABCD.
func redact(s string) string {
	if len(s) <= 8 {
		return "…"
	}
	return s[:4] + "…" + s[len(s)-4:]
}
