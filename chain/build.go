package chain

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/cacheid"
	"github.com/tempcreds/tempcreds/internal/childproc"
	"github.com/tempcreds/tempcreds/internal/credprocess"
	"github.com/tempcreds/tempcreds/internal/filecache"
	"github.com/tempcreds/tempcreds/internal/mfacode"
	"github.com/tempcreds/tempcreds/internal/redact"
	"github.com/tempcreds/tempcreds/internal/stsclient"
	"github.com/tempcreds/tempcreds/internal/sysclock"
	"github.com/tempcreds/tempcreds/internal/tokencmd"
	"github.com/tempcreds/tempcreds/internal/warnlog"
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
	d = d.withDefaults()
	for _, w := range p.Warnings {
		d.warn(w)
	}
	b := &builder{p: p, d: &d, client: newSTSClient(p, d.STS)}
	source := b.source()
	b.token, b.identity = firstIdentity(p, source)
	var cache *tempcreds.Cache
	below := ""
	for i, h := range p.Hops {
		prov, key, err := b.hop(i, h, source, below)
		if err != nil {
			return nil, err
		}
		cache = tempcreds.NewCache(prov, b.withClock)
		source, below = cache, key
	}
	return cache, nil
}

// withDefaults fills the optional fields.
func (d Deps) withDefaults() Deps {
	if d.Clock == nil {
		d.Clock = sysclock.Clock{}
	}
	if d.Stderr == nil {
		d.Stderr = os.Stderr
	}
	if d.MFAPrompt == nil {
		d.MFAPrompt = mfacode.TerminalPrompt(mfacode.OpenTerminal)
	}
	return d
}

// builder holds what every hop of one Build shares.
type builder struct {
	p        *Plan
	d        *Deps
	client   *stsclient.Client
	token    *cacheid.MemoToken
	identity func(context.Context) (string, error)
}

func (b *builder) withClock(o *tempcreds.CacheOptions) { o.Clock = b.d.Clock }

// source is the provider of the chain's first credentials.
func (b *builder) source() aws.CredentialsProvider {
	p, d := b.p, b.d
	switch p.Source {
	case SourceStatic:
		d.debugf("source: static keys %s", redact.KeyID(p.StaticKey))
		return credentials.NewStaticCredentialsProvider(p.StaticKey, p.staticSecret, p.staticToken)
	case SourceProfileSDK:
		d.debugf("source: profile %q resolved by aws-sdk-go-v2", p.Profile)
		return sdkSource(p, d, p.Profile)
	case SourceDefaultChain:
		d.debugf("source: aws-sdk-go-v2 default credential chain")
		return sdkSource(p, d, "")
	case SourceProcess:
		d.debugf("source: a process (%s)", processIdentity(p)[:len("process:")+12]) // never the command line: it may hold a secret
		// Its output is cached on its own, under one key whether it is the
		// final credentials or a role's source, so a role refresh (or the
		// other use) reuses it while it is valid.
		var source aws.CredentialsProvider = credprocess.Source{Command: p.ProcessCommand, Profile: p.Profile, Guard: p.ConfigProfile,
			Stderr: d.Stderr, TTL: p.ProcessTTL, Clock: d.Clock}
		in := processKeyInputs(p)
		source = b.fileCached(p.Hops[0].Kind == HopSource, in, nil, source)
		return tempcreds.NewCache(source, b.withClock)
	}
	return nil // web identity: the first hop needs no source
}

// hop is the provider of hop i (file-cached when the plan caches it),
// signed by source, and its cache key; below is the key of the hop under it.
func (b *builder) hop(i int, h Hop, source aws.CredentialsProvider, below string) (aws.CredentialsProvider, string, error) {
	final := i == len(b.p.Hops)-1
	prov, err := hopProvider(b.p, b.client, h, source, b.token, b.d)
	if err != nil {
		return nil, "", err
	}
	if final && h.DurationOrigin == OriginDefault && h.Kind == HopAssumeRole {
		short := h
		short.Duration = 0
		fallback, err := hopProvider(b.p, b.client, short, source, b.token, b.d)
		if err != nil {
			return nil, "", err
		}
		prov = &durationFallback{primary: prov, fallback: fallback, warn: b.d.warn, role: h.RoleARN}
	}
	in := keyInputs(b.p, i, below)
	key := in.Key()
	b.d.debugf("hop %d: %s %s, session %s (cache key %s)", i+1, h.Kind, h.RoleARN, sessionName(h, b.d.Clock), key)
	// A "source" hop (an SDK-resolved profile used as it is) is cached
	// too, under the environment and files digest; a process's output is
	// cached with the source, under its own key.
	if h.Kind != HopSource || b.p.Source == SourceProfileSDK {
		prov = b.fileCached(final, in, b.identity, prov)
	}
	return prov, key, nil
}

// fileCached wraps inner in the file cache of a hop (the final one's or an
// inner one's); inner as it is when the plan caches none there.
func (b *builder) fileCached(final bool, in filecache.KeyInputs, identity func(context.Context) (string, error), inner aws.CredentialsProvider) aws.CredentialsProvider {
	be := backend(b.p, final, b.d.warn)
	if be == nil {
		return inner
	}
	fresh := innerFreshness
	if final {
		fresh = b.p.Freshness
	}
	return &filecache.Provider{Backend: be, Key: in.Key(), Inputs: in, Identity: identity, Inner: inner, Profile: b.p.ConfigProfile,
		Freshness: fresh, Clock: b.d.Clock, Debug: b.d.Debug, Warn: b.d.Warn}
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
			ts = tokencmd.Command{Argv: childproc.ShellArgv(h.TokenCommand)}
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
	if h.Kind == HopSource {
		return source, nil // the source's own credentials
	}
	c, err := hopCache(client, h, source, token, tokenCode, d)
	if err != nil {
		return nil, err
	}
	// The library's constructors return a Cache; Build layers the file
	// cache between the STS provider and its own Cache, so it takes the
	// provider the Cache wraps.
	return c.Provider(), nil
}

// hopCache is the library's Cache over one hop's STS call.
func hopCache(client *stsclient.Client, h Hop, source aws.CredentialsProvider, token tempcreds.TokenSource, tokenCode tempcreds.TokenCodeFunc, d *Deps) (*tempcreds.Cache, error) {
	switch h.Kind {
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
			o.SourceIdentity, o.SerialNumber, o.Source, o.Logger = h.SourceIdentity, h.MFASerial, source, warnlog.New(d.Warn)
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
		unlock, err := (&filecache.Store{Dir: p.CacheDir, LockTimeout: 5 * time.Minute}).Lock(ctx, filecache.DeriveKey("mfa", serial))
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
