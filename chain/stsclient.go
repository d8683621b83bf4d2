package chain

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
)

// lazySTS builds the STS client on its first call, so a cache hit never
// loads configuration or builds a client. The client comes from
// aws-sdk-go-v2's own configuration loader, so everything the SDK honours
// for STS applies: AWS_CA_BUNDLE and ca_bundle, AWS_MAX_ATTEMPTS and
// retry_mode, AWS_USE_FIPS_ENDPOINT and AWS_USE_DUALSTACK_ENDPOINT, a
// profile's endpoint_url and [services] section, AWS_ENDPOINT_URL_STS,
// sts_regional_endpoints. On top of it: an explicit --endpoint-url wins,
// redirects are never followed, each attempt and each call are bounded,
// answers are capped, and failures no retry can fix are not retried.
type lazySTS struct {
	plan     *Plan // region, endpoint (which wins), profile and files
	settings STSSettings
	once     sync.Once
	client   *sts.Client
	err      error
}

// STSSettings bound and adjust the STS client. Zero fields take the
// defaults.
type STSSettings struct {
	// AttemptTimeout cuts one HTTP attempt (default 10 s); CallTimeout one
	// call with all its retries (default 25 s).
	AttemptTimeout, CallTimeout time.Duration
	// MaxAnswer caps an STS response body (default 1 MiB).
	MaxAnswer int64
	// Transport, if set, wraps the transport the SDK's configuration built
	// (with its CA bundle): for proxies, or to watch requests in tests.
	Transport func(base http.RoundTripper) http.RoundTripper
}

func (s STSSettings) withDefaults() STSSettings {
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

func (l *lazySTS) get(ctx context.Context) (*sts.Client, error) {
	l.once.Do(func() {
		if l.err = l.plan.checkSharedFiles(); l.err != nil {
			return
		}
		// The same files, profile and region our resolution used (never
		// a different AWS_PROFILE the loader would pick up by itself).
		opts := []func(*config.LoadOptions) error{
			config.WithRegion(l.plan.Region),
			config.WithSharedConfigFiles([]string{l.plan.ConfigFile}),
			config.WithSharedCredentialsFiles([]string{l.plan.CredentialsFile}),
			// Only the client's settings are wanted: the loader must not
			// resolve (or prompt for) the profile's own credentials.
			config.WithCredentialsProvider(aws.AnonymousCredentials{}),
		}
		if l.plan.ConfigProfile != "" {
			opts = append(opts, config.WithSharedConfigProfile(l.plan.ConfigProfile))
		}
		var cfg aws.Config
		if l.plan.loginSources != nil {
			l.err = l.plan.withLoginSources(func(path string) error {
				var err error
				cfg, err = config.LoadDefaultConfig(ctx, append(opts, config.WithSharedConfigFiles([]string{path}))...)
				return err
			})
		} else {
			cfg, l.err = config.LoadDefaultConfig(ctx, opts...)
			var ne config.SharedConfigProfileNotExistError
			if l.plan.ConfigProfile == "" && errors.As(l.err, &ne) {
				// AWS_PROFILE names a profile that does not exist, but the
				// source is not that profile (keys, a process, a token
				// win over it): the client's settings come from [default].
				cfg, l.err = config.LoadDefaultConfig(ctx, append(opts, config.WithSharedConfigProfile("default"))...)
			}
		}
		if l.err != nil {
			e := bad(FieldConfigFile, "", "", "loading the AWS configuration for STS")
			e.Err = l.err
			l.err = e
			return
		}
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
		// The SDK's own log lines (its retry and body warnings) would
		// bypass our scrubbing: errors carry what matters.
		cfg.Logger = logging.Nop{}
		// Every call is signed with the credentials its provider chose
		// (or none, for web identity): never the default chain's.
		cfg.Credentials = nil
		l.client = sts.NewFromConfig(cfg, func(o *sts.Options) {
			if l.plan.Endpoint != "" {
				o.BaseEndpoint = aws.String(l.plan.Endpoint)
			}
			if r, ok := o.Retryer.(aws.RetryerV2); ok {
				o.Retryer = permanentFailureRetryer{r}
			}
		})
	})
	return l.client, l.err
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
func (l *lazySTS) callBoundError(parent, bounded context.Context, err error) error {
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
func call[In, Out any](ctx context.Context, l *lazySTS, in In, optFns []func(*sts.Options),
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
func (l *lazySTS) GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, optFns ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	return call(ctx, l, in, optFns, (*sts.Client).GetSessionToken)
}

// AssumeRole calls STS.
func (l *lazySTS) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return call(ctx, l, in, optFns, (*sts.Client).AssumeRole)
}

// AssumeRoleWithWebIdentity calls STS.
func (l *lazySTS) AssumeRoleWithWebIdentity(ctx context.Context, in *sts.AssumeRoleWithWebIdentityInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	return call(ctx, l, in, optFns, (*sts.Client).AssumeRoleWithWebIdentity)
}
