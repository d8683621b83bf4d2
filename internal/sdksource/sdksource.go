// Package sdksource is a chain's source when aws-sdk-go-v2 resolves it:
// its default credential chain, or a profile it resolves (SSO, aws login,
// credential_source). The SDK's loader runs on the first Retrieve only (a
// cache hit never loads configuration), on the same shared files the chain
// read, with the SDK's own log lines silenced; an SSO or login session is
// refreshed by one process at a time; errors never carry the SDK's raw
// text, which can hold secrets.
package sdksource

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tempcreds/tempcreds/internal/redact"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/smithy-go/logging"
	"github.com/tempcreds/tempcreds/internal/filecache"
	"github.com/tempcreds/tempcreds/internal/sharedfiles"
)

// noSourceHint says how to give source credentials.
const noSourceHint = "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_STS_ACCESS_KEY/AWS_STS_ACCESS_SECRET, or a profile"

// Source is an aws.CredentialsProvider resolved by aws-sdk-go-v2.
type Source struct {
	// Region and Files are the chain's.
	Region string
	Files  sharedfiles.Files
	// Profile is the profile the SDK resolves; "" for its default chain.
	Profile string
	// HumanSession names the SSO or login session the profile refreshes
	// ("sso:NAME", "login:ARN"), LoginCommand what to run when it expired.
	HumanSession, LoginCommand string
	// LockDir holds the cross-process lock of the human session ("" for
	// none).
	LockDir string
	// Debugf receives debug lines (never a secret); nil drops them.
	Debugf func(format string, args ...any)

	once    sync.Once
	prov    aws.CredentialsProvider
	err     error
	sources atomic.Pointer[[]aws.CredentialSource] // the SDK provider's, once loaded
}

func (s *Source) debugf(format string, args ...any) {
	if s.Debugf != nil {
		s.Debugf(format, args...)
	}
}

// load runs the SDK's loader once.
func (s *Source) load(ctx context.Context) {
	if s.err = s.Files.Check(); s.err != nil {
		return
	}
	// The same shared files the chain read and keyed on; the SDK's own log
	// lines (IMDS fallbacks, retries) would bypass our scrubbing and our
	// one-line messages.
	opts := []func(*config.LoadOptions) error{config.WithRegion(s.Region), config.WithLogger(logging.Nop{}),
		config.WithSharedConfigFiles([]string{s.Files.Config}), config.WithSharedCredentialsFiles([]string{s.Files.Credentials})}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	s.prov, s.err = cfg.Credentials, err
	if err == nil && s.prov == nil {
		s.err = errors.New("aws-sdk-go-v2 found no credentials (" + noSourceHint + ")")
	}
	if ps, ok := s.prov.(aws.CredentialProviderSource); ok {
		sources := ps.ProviderSources()
		s.sources.Store(&sources)
	}
}

// ProviderSources reports the sources of the provider the SDK resolved
// (a profile's keys, SSO, a process...), for the SDK's credential feature
// tracking; none before the first Retrieve.
func (s *Source) ProviderSources() []aws.CredentialSource {
	if p := s.sources.Load(); p != nil {
		return *p
	}
	return nil
}

// Retrieve resolves the credentials with the SDK.
func (s *Source) Retrieve(ctx context.Context) (aws.Credentials, error) {
	s.once.Do(func() { s.load(ctx) })
	if s.err != nil {
		return aws.Credentials{}, fmt.Errorf("loading source credentials: %w", s.err)
	}
	// One human step per host: an SSO or login session's token is
	// refreshed by one process at a time; the next one re-reads the SDK's
	// token cache (as every Retrieve does) and finds it fresh.
	unlock, err := s.lock(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	c, err := s.prov.Retrieve(ctx)
	unlock()
	if err != nil {
		return aws.Credentials{}, s.error(err)
	}
	s.debugf("source credentials: %s", redact.KeyID(c.AccessKeyID))
	return c, nil
}

// error describes a failure of the SDK's source without its raw text,
// which can hold secrets: a credential_process that prints malformed JSON
// puts its whole output, SecretAccessKey included, into the SDK's error.
func (s *Source) error(err error) error {
	var pe *processcreds.ProviderError
	if errors.As(err, &pe) {
		where := "the credential_process"
		if s.Profile != "" {
			where += " of profile " + s.Profile
		}
		return fmt.Errorf("no source credentials: %s failed or printed output that is not valid credentials JSON "+
			"(its output is not shown: it may hold secrets; run the command yourself to see it)", where)
	}
	if s.LoginCommand != "" {
		return fmt.Errorf("no source credentials: the %s session of profile %s failed: %s (if it expired, run `%s` and retry)",
			strings.SplitN(s.HumanSession, ":", 2)[0], s.Profile, redact.SafeMessage(err), s.LoginCommand)
	}
	return fmt.Errorf("no source credentials: %s (%s)", redact.SafeMessage(err), noSourceHint)
}

// lock takes the cross-process lock of the human session (none without
// one, or without a lock directory) and returns its release.
func (s *Source) lock(ctx context.Context) (func(), error) {
	if s.HumanSession == "" || s.LockDir == "" {
		return func() {}, nil
	}
	unlock, err := (&filecache.Store{Dir: s.LockDir}).Lock(ctx, filecache.DeriveKey("session", s.HumanSession))
	if err != nil {
		return nil, err
	}
	s.debugf("holding the lock of the %s session", s.HumanSession)
	return unlock, nil
}
