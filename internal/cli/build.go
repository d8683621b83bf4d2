package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/filecache"
	"github.com/tempcreds/tempcreds/internal/childproc"
)

// innerMinTTL is how much life an inner hop (a source) needs to be reused:
// it only signs the next call.
const innerMinTTL = 2 * time.Minute

// built is the provider of the final hop and what describes it.
type built struct {
	provider aws.CredentialsProvider
	hop      hop
}

// build turns the plan into providers: a source, then one provider per hop,
// each cached on disk (its own key) and in memory, each signing with the
// one below. Nothing here talks to the network.
func (a *app) build(p *plan) (*built, error) {
	client := &lazySTS{region: p.Region, endpoint: p.Endpoint, profile: p.ConfigProfile, getenv: a.getenv}
	var source aws.CredentialsProvider
	switch p.Source {
	case sourceStatic:
		source = credentials.NewStaticCredentialsProvider(p.StaticKey, p.StaticSecret, p.StaticToken)
		a.debugf("source: static keys %s", redact(p.StaticKey))
	case sourceProfileSDK:
		source = a.lazySDK(p, config.WithSharedConfigProfile(p.Profile))
		a.debugf("source: profile %q resolved by aws-sdk-go-v2", p.Profile)
	case sourceDefaultChain:
		source = a.lazySDK(p)
		a.debugf("source: aws-sdk-go-v2 default credential chain")
	case sourceProcess:
		// One run per resolution, shared by the identity and the call.
		source = tempcreds.NewCache(processSource{command: p.ProcessCommand, profile: p.Profile, stderr: a.stderr},
			func(o *tempcreds.CacheOptions) { o.Clock = a.clock })
		a.debugf("source: credential_process of profile %q", p.Profile)
	}
	tokenCode := a.tokenCodeFunc(p)
	// Who signs the first call, as the cache key records it (identity.go).
	var token *memoToken
	var identity func(context.Context) (string, error)
	if h := p.Hops[0]; h.Kind == "web-identity" {
		var ts tempcreds.TokenSource = tempcreds.TokenFile(h.TokenFile)
		if h.TokenCommand != "" {
			ts = tempcreds.TokenCommand{Argv: []string{"/bin/sh", "-c", h.TokenCommand}}
		}
		token = &memoToken{src: ts}
		identity = token.identity
	} else if p.Source == sourceProcess {
		// Known only once the command ran: a digest of what it printed.
		// (processCache, not source: source is reassigned hop by hop.)
		processCache := source
		identity = func(ctx context.Context) (string, error) {
			c, err := processCache.Retrieve(ctx)
			if err != nil {
				return "", err
			}
			return "process-output-sha256:" + digest(c.AccessKeyID, c.SecretAccessKey, c.SessionToken), nil
		}
	}
	var b built
	below := ""
	for i, h := range p.Hops {
		final := i == len(p.Hops)-1
		prov, err := a.hopProvider(client, h, source, tokenCode, token)
		if err != nil {
			return nil, err
		}
		if final && h.DurationDefault && h.Kind == "assume-role" {
			short := h
			short.Duration = 0
			fallback, err := a.hopProvider(client, short, source, tokenCode, token)
			if err != nil {
				return nil, err
			}
			prov = &durationFallback{primary: prov, fallback: fallback, warn: a.warnf, role: h.RoleARN}
		}
		in := p.keyInputs(i, below)
		if below == "" && (p.Source == sourceDefaultChain || p.Source == sourceProfileSDK) {
			// Resolved by the SDK: who signs depends on the whole
			// credential environment and the shared files.
			in.SourceIdentity += ":" + a.environmentIdentity()
		}
		key := in.Key()
		a.debugf("hop %d: %s %s (cache key %s)", i+1, h.Kind, h.RoleARN, key)
		// A "source" hop (an SDK-resolved profile used as it is) is cached
		// too, under the environment and files digest; a credential_process
		// is not (its identity is what it prints: issue 13 caches it).
		if backend := a.backend(p, final); backend != nil && (h.Kind != "source" || p.Source == sourceProfileSDK) {
			fresh := filecache.MinTTL(innerMinTTL)
			if final {
				fresh = p.Freshness
			}
			prov = &filecache.Provider{Backend: backend, Key: key, Inputs: in, Identity: identity, Inner: prov,
				Freshness: fresh, Clock: a.clock, Debug: a.debugLine, Warn: a.warnf}
		}
		source = tempcreds.NewCache(prov, func(o *tempcreds.CacheOptions) { o.Clock = a.clock })
		below = key
		b = built{provider: source, hop: h}
	}
	return &b, nil
}

func (a *app) backend(p *plan, final bool) filecache.Backend {
	if p.NoCache || (final && p.NoFinalCache) {
		return nil
	}
	if p.CacheFile != "" && final {
		return &filecache.SingleFile{Path: p.CacheFile, Mode: p.CacheMode, Warn: a.warnf}
	}
	dir := p.CacheDir
	if dir == "" {
		d, err := filecache.DefaultDir(getenvOf(a))
		if err != nil {
			return nil
		}
		dir = d
	}
	return &filecache.Store{Dir: dir, Warn: a.warnf}
}

func (a *app) hopProvider(client *lazySTS, h hop, source aws.CredentialsProvider, tokenCode tempcreds.TokenCodeFunc, token tempcreds.TokenSource) (aws.CredentialsProvider, error) {
	var (
		p   aws.CredentialsProvider
		err error
	)
	switch h.Kind {
	case "source":
		return source, nil // the SDK-resolved profile's own credentials
	case "session-token":
		p, err = tempcreds.NewSessionToken(client, func(o *tempcreds.SessionTokenOptions) {
			o.Duration, o.Source, o.SerialNumber = h.Duration, source, h.MFASerial
			if h.MFASerial != "" {
				o.TokenCode = tokenCode
			}
		})
	case "assume-role":
		p, err = tempcreds.NewAssumeRole(client, h.RoleARN, func(o *tempcreds.AssumeRoleOptions) {
			o.RoleSessionName, o.Duration, o.ExternalID = h.SessionName, h.Duration, h.ExternalID
			o.Policy, o.PolicyARNs, o.Tags, o.TransitiveTagKeys = h.Policy, h.PolicyARNs, h.Tags, h.TransitiveTags
			o.SourceIdentity, o.SerialNumber, o.Source, o.Warn = h.SourceIdentity, h.MFASerial, source, a.warnf
			if h.MFASerial != "" {
				o.TokenCode = tokenCode
			}
		})
	case "web-identity":
		p, err = tempcreds.NewWebIdentity(client, h.RoleARN, token, func(o *tempcreds.WebIdentityOptions) {
			o.RoleSessionName, o.Duration, o.Policy, o.PolicyARNs = h.SessionName, h.Duration, h.Policy, h.PolicyARNs
		})
	default:
		return nil, fmt.Errorf("tempcreds: unknown hop kind %q", h.Kind)
	}
	if err != nil {
		return nil, &UsageError{Msg: strings.TrimPrefix(err.Error(), "tempcreds: ")}
	}
	return p, nil
}

// lazySDK resolves credentials with aws-sdk-go-v2's config loader, but only
// on the first Retrieve: a cache hit never loads configuration.
func (a *app) lazySDK(p *plan, extra ...func(*config.LoadOptions) error) aws.CredentialsProvider {
	var (
		once sync.Once
		prov aws.CredentialsProvider
		err  error
	)
	return aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		once.Do(func() {
			if err = checkSharedFiles(a.getenv); err != nil {
				return
			}
			opts := append([]func(*config.LoadOptions) error{config.WithRegion(p.Region)}, extra...)
			var cfg aws.Config
			cfg, err = config.LoadDefaultConfig(ctx, opts...)
			prov = cfg.Credentials
			if err == nil && prov == nil {
				err = errors.New("aws-sdk-go-v2 found no credentials (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_STS_ACCESS_KEY/AWS_STS_ACCESS_SECRET, or --profile)")
			}
		})
		if err != nil {
			return aws.Credentials{}, fmt.Errorf("loading source credentials: %w", err)
		}
		c, err := prov.Retrieve(ctx)
		if err != nil {
			return aws.Credentials{}, sourceError(p, err)
		}
		a.debugf("source credentials: %s", redact(c.AccessKeyID))
		return c, nil
	})
}

// sourceError describes a failure of a source the SDK resolved without
// its raw text, which can hold secrets: a credential_process that prints
// malformed JSON puts its whole output, SecretAccessKey included, into the
// SDK's error.
func sourceError(p *plan, err error) error {
	var pe *processcreds.ProviderError
	if errors.As(err, &pe) {
		where := "the credential_process"
		if p.Profile != "" {
			where += " of profile " + p.Profile
		}
		return fmt.Errorf("no source credentials: %s failed or printed output that is not valid credentials JSON "+
			"(its output is not shown: it may hold secrets; run the command yourself to see it)", where)
	}
	return fmt.Errorf("no source credentials: %s (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_STS_ACCESS_KEY/AWS_STS_ACCESS_SECRET, or --profile)",
		tempcreds.SafeMessage(err))
}

// durationFallback asks for the helper's default 12-hour session and, if
// the role's MaxSessionDuration is shorter, retries with STS's default (1
// hour) and says so. An asked-for duration is never lowered silently: it
// gets the error, which names the limit and the flag.
type durationFallback struct {
	primary, fallback aws.CredentialsProvider
	warn              func(string)
	role              string
}

// Retrieve gets the credentials, falling back to 1 hour if the role allows less than 12.
func (d *durationFallback) Retrieve(ctx context.Context) (aws.Credentials, error) {
	r, err := d.RetrieveResult(ctx)
	return r.Credentials, err
}

// RetrieveResult is Retrieve with the assumed-role user.
func (d *durationFallback) RetrieveResult(ctx context.Context) (tempcreds.Result, error) {
	r, err := tempcreds.RetrieveResult(ctx, d.primary)
	if err != nil && isMaxSessionDuration(err) {
		d.warn(fmt.Sprintf("tempcreds: %s allows less than the default 12h session: using 1h (set --duration or AWS_ROLE_DURATION_SECONDS up to the role's MaxSessionDuration)", d.role))
		return tempcreds.RetrieveResult(ctx, d.fallback)
	}
	return r, err
}

func isMaxSessionDuration(err error) bool {
	return tempcreds.Classify(err) == tempcreds.RefusalMaxSessionDuration
}

// tokenCodeFunc returns how MFA codes are obtained: --mfa-code (once),
// --mfa-command, or a prompt on the terminal (never stdin or stdout, so it
// works under $(tempcreds export) and as a credential_process).
func (a *app) tokenCodeFunc(p *plan) tempcreds.TokenCodeFunc {
	var used bool
	var mu sync.Mutex
	return func(ctx context.Context, serial string) (string, error) {
		switch {
		case p.MFACode != "":
			mu.Lock()
			defer mu.Unlock()
			if used {
				return "", errors.New("the --mfa-code was already used for another call (an MFA code works once): use --mfa-command or the prompt")
			}
			used = true
			a.debugf("MFA code for %s from --mfa-code", serial)
			return p.MFACode, nil
		case p.MFACommand != "":
			a.debugf("MFA code for %s from --mfa-command", serial)
			const timeout = 2 * time.Minute
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			cmd := exec.Command("/bin/sh", "-c", p.MFACommand)
			cmd.Env = append(childproc.HelperEnv(os.Environ()), "TEMPCREDS_MFA_SERIAL="+serial)
			cmd.Stderr = a.stderr
			out, err := childproc.Output(ctx, cmd, 64)
			switch {
			case errors.Is(err, childproc.ErrTooMuchOutput):
				return "", errors.New("--mfa-command printed more than 64 bytes: not an MFA code (it was stopped)")
			case ctx.Err() != nil:
				return "", fmt.Errorf("--mfa-command timed out after %s (its process group was killed)", timeout)
			case err != nil:
				return "", fmt.Errorf("--mfa-command failed: %v", err)
			}
			return strings.TrimSpace(string(out)), nil
		default:
			return a.promptTTY(serial)
		}
	}
}

func (a *app) promptTTY(serial string) (string, error) {
	tty, err := a.openTTY()
	if err != nil {
		return "", fmt.Errorf("no terminal to ask for the MFA code of %s: pass --mfa-code or --mfa-command", serial)
	}
	defer tty.Close()
	fmt.Fprintf(tty, "MFA code for %s: ", serial)
	line, err := bufio.NewReader(io.LimitReader(tty, 64)).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading the MFA code: %v", err)
	}
	return strings.TrimSpace(line), nil
}

// redact shows an access key ID as ASIA…ABCD.
func redact(s string) string {
	if len(s) <= 8 {
		return "…"
	}
	return s[:4] + "…" + s[len(s)-4:]
}
