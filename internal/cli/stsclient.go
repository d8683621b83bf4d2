package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
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
	region   string
	endpoint string // --endpoint-url, AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL as resolved: it wins
	profile  string // the profile whose settings apply ("" = the loader's default)
	getenv   env
	once     sync.Once
	client   *sts.Client
	err      error
}

// STS call bounds: one attempt, all attempts of one call, one answer
// (variables so tests can shorten them).
var (
	stsAttemptTimeout       = 10 * time.Second
	stsCallTimeout          = 25 * time.Second
	stsMaxAnswer      int64 = 1 << 20
)

// stsTransportHook, when set (tests), replaces the transport under our
// wrapping: to see where requests go without any network.
var stsTransportHook func(base http.RoundTripper) http.RoundTripper

func (l *lazySTS) get(ctx context.Context) (*sts.Client, error) {
	l.once.Do(func() {
		if l.err = checkSharedFiles(l.getenv); l.err != nil {
			return
		}
		// The same files, profile and region our resolution used (never
		// a different AWS_PROFILE the loader would pick up by itself).
		home := l.getenv("HOME")
		opts := []func(*config.LoadOptions) error{
			config.WithRegion(l.region),
			config.WithSharedConfigFiles([]string{firstNonEmpty(l.getenv("AWS_CONFIG_FILE"), filepath.Join(home, ".aws", "config"))}),
			config.WithSharedCredentialsFiles([]string{firstNonEmpty(l.getenv("AWS_SHARED_CREDENTIALS_FILE"), filepath.Join(home, ".aws", "credentials"))}),
			// Only the client's settings are wanted: the loader must not
			// resolve (or prompt for) the profile's own credentials.
			config.WithCredentialsProvider(aws.AnonymousCredentials{}),
		}
		if l.profile != "" {
			opts = append(opts, config.WithSharedConfigProfile(l.profile))
		}
		var cfg aws.Config
		cfg, l.err = config.LoadDefaultConfig(ctx, opts...)
		if l.err != nil {
			l.err = usagef("loading the AWS configuration for STS: %v", l.err)
			return
		}
		var base http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
		if bc, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok {
			base = bc.GetTransport() // with the CA bundle the loader applied
		}
		if stsTransportHook != nil {
			base = stsTransportHook(base)
		}
		cfg.HTTPClient = &http.Client{
			Transport:     boundedTransport{base: base},
			Timeout:       stsAttemptTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		// The SDK's own log lines (its retry and body warnings) would
		// bypass our scrubbing: errors carry what matters.
		cfg.Logger = logging.Nop{}
		// Every call is signed with the credentials its provider chose
		// (or none, for web identity): never the default chain's.
		cfg.Credentials = nil
		l.client = sts.NewFromConfig(cfg, func(o *sts.Options) {
			if l.endpoint != "" {
				o.BaseEndpoint = aws.String(l.endpoint)
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

// boundedTransport caps response bodies at stsMaxAnswer: a 300 MiB answer
// fails after 1 MiB instead of costing gigabytes.
type boundedTransport struct{ base http.RoundTripper }

func (b boundedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.base.RoundTrip(r)
	if err == nil {
		resp.Body = &cappedBody{ReadCloser: resp.Body, left: stsMaxAnswer}
	}
	return resp, err
}

type cappedBody struct {
	io.ReadCloser
	left int64
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("the STS answer is larger than %d bytes: not STS", stsMaxAnswer)
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
func callBoundError(parent, bounded context.Context, err error) error {
	if err == nil || parent.Err() != nil {
		return err
	}
	var ne net.Error
	if bounded.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("STS did not answer in time (each attempt is cut after %s, a call after %s): %w", stsAttemptTimeout, stsCallTimeout, err)
	}
	return err
}

// call runs one STS operation with the client, within stsCallTimeout.
func call[In, Out any](ctx context.Context, l *lazySTS, in In, optFns []func(*sts.Options),
	op func(*sts.Client, context.Context, In, ...func(*sts.Options)) (Out, error)) (Out, error) {
	var zero Out
	c, err := l.get(ctx)
	if err != nil {
		return zero, err
	}
	bctx, cancel := context.WithTimeout(ctx, stsCallTimeout)
	defer cancel()
	out, err := op(c, bctx, in, optFns...)
	return out, callBoundError(ctx, bctx, err)
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
