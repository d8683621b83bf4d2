// Package stsclient is the STS client of a chain: built on its first call
// by aws-sdk-go-v2's own configuration loader (so everything the SDK
// honours for STS applies), bounded per attempt and per call, with capped
// answers, no redirects, and no retry of what cannot succeed on retry.
package stsclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/tempcreds/tempcreds"
)

// Client builds the STS client on its first call, so a cache hit never
// loads configuration or builds a client. The client comes from
// aws-sdk-go-v2's own configuration loader, so everything the SDK honours
// for STS applies: AWS_CA_BUNDLE and ca_bundle, AWS_MAX_ATTEMPTS and
// retry_mode, AWS_USE_FIPS_ENDPOINT and AWS_USE_DUALSTACK_ENDPOINT, a
// profile's endpoint_url and [services] section, AWS_ENDPOINT_URL_STS,
// sts_regional_endpoints. On top of it: an explicit --endpoint-url wins,
// redirects are never followed, each attempt and each call are bounded,
// answers are capped, and failures no retry can fix are not retried.
type Client struct {
	cfg      Config
	settings Settings
	once     sync.Once
	client   *sts.Client
	err      error
}

// Config is what the client is configured from: the same files, profile
// and region the chain's resolution used.
type Config struct {
	Region string
	// Endpoint, when set, wins over the SDK's resolution.
	Endpoint string
	// ConfigFile and CredentialsFile are the shared files; Profile the
	// profile whose settings configure the client ("" for none).
	ConfigFile, CredentialsFile, Profile string
	// CheckFiles, if set, refuses shared files before the loader opens them.
	CheckFiles func() error
	// WithConfigCopy, if set, calls load with the path of a copy of the
	// config file to load instead of ConfigFile (an `aws login`
	// source_profile the SDK's loader only reads that way).
	WithConfigCopy func(load func(path string) error) error
}

// Settings bound and adjust the STS client. Zero fields take the
// defaults.
type Settings struct {
	// AttemptTimeout cuts one HTTP attempt (default 10 s); CallTimeout one
	// call with all its retries (default 25 s).
	AttemptTimeout, CallTimeout time.Duration
	// MaxAnswer caps an STS response body (default 1 MiB).
	MaxAnswer int64
	// Transport, if set, wraps the transport the SDK's configuration built
	// (with its CA bundle): for proxies, or to watch requests in tests.
	Transport func(base http.RoundTripper) http.RoundTripper
}

// New returns a client that is built on its first call.
func New(cfg Config, s Settings) *Client {
	return &Client{cfg: cfg, settings: s.withDefaults()}
}

func (s Settings) withDefaults() Settings {
	if s.AttemptTimeout <= 0 {
		s.AttemptTimeout = 10 * time.Second
	}
	if s.CallTimeout <= 0 {
		s.CallTimeout = 25 * time.Second
	}
	if s.MaxAnswer <= 0 {
		s.MaxAnswer = 1 << 20
	}
	return s
}

func (l *Client) get(ctx context.Context) (*sts.Client, error) {
	l.once.Do(func() {
		if l.cfg.CheckFiles != nil {
			if l.err = l.cfg.CheckFiles(); l.err != nil {
				return
			}
		}
		var cfg aws.Config
		cfg, l.err = l.load(ctx)
		if l.err != nil {
			l.err = &tempcreds.ConfigError{Field: "ConfigFile", Problem: "loading the AWS configuration for STS", Err: l.err}
			return
		}
		l.client = l.newClient(cfg)
	})
	return l.client, l.err
}

// load reads the client's configuration with the SDK's loader: the same
// files, profile and region our resolution used (never a different
// AWS_PROFILE the loader would pick up by itself).
func (l *Client) load(ctx context.Context) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(l.cfg.Region),
		config.WithSharedConfigFiles([]string{l.cfg.ConfigFile}),
		config.WithSharedCredentialsFiles([]string{l.cfg.CredentialsFile}),
		// Only the client's settings are wanted: the loader must not
		// resolve (or prompt for) the profile's own credentials.
		config.WithCredentialsProvider(aws.AnonymousCredentials{}),
	}
	if l.cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(l.cfg.Profile))
	}
	if l.cfg.WithConfigCopy != nil {
		var cfg aws.Config
		err := l.cfg.WithConfigCopy(func(path string) error {
			var err error
			cfg, err = config.LoadDefaultConfig(ctx, append(opts, config.WithSharedConfigFiles([]string{path}))...)
			return err
		})
		return cfg, err
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	var ne config.SharedConfigProfileNotExistError
	if l.cfg.Profile == "" && errors.As(err, &ne) {
		// AWS_PROFILE names a profile that does not exist, but the
		// source is not that profile (keys, a process, a token win over
		// it): the client's settings come from [default].
		return config.LoadDefaultConfig(ctx, append(opts, config.WithSharedConfigProfile("default"))...)
	}
	return cfg, err
}

// newClient is the STS client of cfg, bounded.
func (l *Client) newClient(cfg aws.Config) *sts.Client {
	var base http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if bc, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok {
		base = bc.GetTransport() // with the CA bundle the loader applied
	}
	if l.settings.Transport != nil {
		base = l.settings.Transport(base)
	}
	cfg.HTTPClient = &http.Client{
		Transport:     boundedTransport{base: base, max: l.settings.MaxAnswer},
		Timeout:       l.settings.AttemptTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	// The SDK's own log lines (its retry and body warnings) would bypass
	// our scrubbing: errors carry what matters.
	cfg.Logger = logging.Nop{}
	// Every call is signed with the credentials its provider chose (or
	// none, for web identity): never the default chain's.
	cfg.Credentials = nil
	return sts.NewFromConfig(cfg, func(o *sts.Options) {
		if l.cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(l.cfg.Endpoint)
		}
		if r, ok := o.Retryer.(aws.RetryerV2); ok {
			o.Retryer = permanentFailureRetryer{r}
		}
	})
}

// permanentFailureRetryer is the SDK's retryer (AWS_MAX_ATTEMPTS,
// retry_mode) that never retries what cannot succeed on retry.
type permanentFailureRetryer struct{ aws.RetryerV2 }

// IsErrorRetryable is false for TLS and scheme failures, else the SDK's.
func (r permanentFailureRetryer) IsErrorRetryable(err error) bool {
	if permanentFailure(err) {
		return false
	}
	return r.RetryerV2.IsErrorRetryable(err)
}

// boundedTransport caps response bodies at max: a 300 MiB answer fails
// after 1 MiB instead of costing gigabytes.
type boundedTransport struct {
	base http.RoundTripper
	max  int64
}

// RoundTrip sends the request and caps the answer's body.
func (b boundedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.base.RoundTrip(r)
	if err == nil {
		resp.Body = &cappedBody{ReadCloser: resp.Body, left: b.max, max: b.max}
	}
	return resp, err
}

type cappedBody struct {
	io.ReadCloser
	left, max int64
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("the STS answer is larger than %d bytes: not STS", c.max)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.ReadCloser.Read(p)
	c.left -= int64(n)
	return n, err
}

// permanentFailure reports failures that cannot succeed on retry: TLS
// certificate problems, TLS to a plain-HTTP port, a bad scheme.
func permanentFailure(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var rh tls.RecordHeaderError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &rh) ||
		strings.Contains(err.Error(), "unsupported protocol scheme") ||
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") // https:// to a plain-HTTP port
}

// callBoundError says plainly when an attempt or the whole call ran out of
// time, whichever bound fired (the SDK words each differently).
func (l *Client) callBoundError(parent, bounded context.Context, err error) error {
	if err == nil || parent.Err() != nil {
		return err
	}
	var ne net.Error
	if bounded.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("STS did not answer in time (each attempt is cut after %s, a call after %s): %w", l.settings.AttemptTimeout, l.settings.CallTimeout, err)
	}
	return err
}

// call runs one STS operation with the client, within the call timeout.
func call[In, Out any](ctx context.Context, l *Client, in In, optFns []func(*sts.Options),
	op func(*sts.Client, context.Context, In, ...func(*sts.Options)) (Out, error)) (Out, error) {
	var zero Out
	c, err := l.get(ctx)
	if err != nil {
		return zero, err
	}
	bctx, cancel := context.WithTimeout(ctx, l.settings.CallTimeout)
	defer cancel()
	out, err := op(c, bctx, in, optFns...)
	return out, l.callBoundError(ctx, bctx, err)
}

// GetSessionToken calls STS.
func (l *Client) GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, optFns ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	return call(ctx, l, in, optFns, (*sts.Client).GetSessionToken)
}

// AssumeRole calls STS.
func (l *Client) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return call(ctx, l, in, optFns, (*sts.Client).AssumeRole)
}

// AssumeRoleWithWebIdentity calls STS.
func (l *Client) AssumeRoleWithWebIdentity(ctx context.Context, in *sts.AssumeRoleWithWebIdentityInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	return call(ctx, l, in, optFns, (*sts.Client).AssumeRoleWithWebIdentity)
}
