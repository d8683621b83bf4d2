package chain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/smithy-go/logging"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/filecache"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// noSourceHint says how to give source credentials.
const noSourceHint = "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_STS_ACCESS_KEY/AWS_STS_ACCESS_SECRET, or a profile"

// sdkSource resolves credentials with aws-sdk-go-v2's config loader, but
// only on the first Retrieve: a cache hit never loads configuration.
func sdkSource(p *Plan, d *Deps, extra ...func(*config.LoadOptions) error) aws.CredentialsProvider {
	var (
		once sync.Once
		prov aws.CredentialsProvider
		err  error
	)
	return aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		once.Do(func() {
			if err = files(p).Check(); err != nil {
				return
			}
			// The SDK's own log lines (IMDS fallbacks, retries) would
			// bypass our scrubbing and our one-line messages.
			// The same shared files the plan read and keyed on.
			opts := append([]func(*config.LoadOptions) error{config.WithRegion(p.Region), config.WithLogger(logging.Nop{}),
				config.WithSharedConfigFiles([]string{p.ConfigFile}), config.WithSharedCredentialsFiles([]string{p.CredentialsFile})}, extra...)
			var cfg aws.Config
			cfg, err = config.LoadDefaultConfig(ctx, opts...)
			prov = cfg.Credentials
			if err == nil && prov == nil {
				err = errors.New("aws-sdk-go-v2 found no credentials (" + noSourceHint + ")")
			}
		})
		if err != nil {
			return aws.Credentials{}, fmt.Errorf("loading source credentials: %w", err)
		}
		// One human step per host: an SSO or login session's token is
		// refreshed by one process at a time; the next one re-reads the
		// SDK's token cache (as every Retrieve does) and finds it fresh.
		unlock, err := lockSession(p, ctx, d)
		if err != nil {
			return aws.Credentials{}, err
		}
		c, err := prov.Retrieve(ctx)
		unlock()
		if err != nil {
			return aws.Credentials{}, sourceError(p, err)
		}
		d.debugf("source credentials: %s", redact(c.AccessKeyID))
		return c, nil
	})
}

// sourceError describes a failure of a source the SDK resolved without
// its raw text, which can hold secrets: a credential_process that prints
// malformed JSON puts its whole output, SecretAccessKey included, into the
// SDK's error.
func sourceError(p *Plan, err error) error {
	var pe *processcreds.ProviderError
	if errors.As(err, &pe) {
		where := "the credential_process"
		if p.Profile != "" {
			where += " of profile " + p.Profile
		}
		return fmt.Errorf("no source credentials: %s failed or printed output that is not valid credentials JSON "+
			"(its output is not shown: it may hold secrets; run the command yourself to see it)", where)
	}
	if p.loginCommand != "" {
		return fmt.Errorf("no source credentials: the %s session of profile %s failed: %s (if it expired, run `%s` and retry)",
			strings.SplitN(p.humanSession, ":", 2)[0], p.Profile, tempcreds.SafeMessage(err), p.loginCommand)
	}
	return fmt.Errorf("no source credentials: %s (%s)", tempcreds.SafeMessage(err), noSourceHint)
}

// lockSession takes the cross-process lock of the plan's SSO or login
// session (in the cache directory; none without one) and returns its
// release.
func lockSession(p *Plan, ctx context.Context, d *Deps) (func(), error) {
	if p.humanSession == "" || p.CacheDir == "" {
		return func() {}, nil
	}
	unlock, err := (&filecache.Store{Dir: p.CacheDir}).Lock(ctx, filecache.DeriveKey("session", p.humanSession))
	if err != nil {
		return nil, err
	}
	d.debugf("holding the lock of the %s session", p.humanSession)
	return unlock, nil
}

// durationFallback asks for the helper's default 12-hour session and, if
// the role's MaxSessionDuration is shorter, retries with STS's default (1
// hour) and says so. An asked-for duration is never lowered silently: it
// gets the error, which names the limit.
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
	// stsrules.AskAgain holds this rule beside the chaining cap's: a
	// default duration the role refuses is asked again with STS's default
	// (the fallback provider's).
	if _, again := stsrules.AskAgain(stsrules.MaxSessionDuration, 0, true, false); again && err != nil &&
		tempcreds.Classify(err) == tempcreds.RefusalMaxSessionDuration {
		d.warn(fmt.Sprintf("tempcreds: %s allows less than the default 12h session: using 1h "+
			"(ask for a duration up to the role's MaxSessionDuration, e.g. AWS_ROLE_DURATION_SECONDS)", d.role))
		return tempcreds.RetrieveResult(ctx, d.fallback)
	}
	return r, err
}
