package containercreds

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/tempcreds/tempcreds/internal/redact"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
)

// Source names this provider in aws.Credentials.Source.
const Source = "tempcreds.containercreds"

// Options configure a Provider. The defaults are those of the AWS SDK for
// JavaScript v2's AWS.RemoteCredentials.
type Options struct {
	// Timeout is AWS.RemoteCredentials' inactivity timeout (default 1 s): an attempt
	// fails when no byte arrives for this long (connecting, waiting for the
	// answer, or reading its body). A slow but steady body is not cut.
	Timeout time.Duration
	// MaxAttemptTime bounds one attempt however steadily it trickles
	// (default 10 s).
	MaxAttemptTime time.Duration
	// Retries after the first attempt (0: the default, 3; negative: none):
	// only timeouts, connection errors, 5xx and 429 are retried.
	Retries int
	// Clock judges an answer's Expiration (default the system clock): an
	// answer that has already expired is refused.
	Clock tempcreds.Clock
	// Backoff is the base of the jittered exponential delay between
	// attempts (default 100 ms).
	Backoff time.Duration
	// MaxBody limits the response body (default 64 KiB).
	MaxBody int64
	// Getenv replaces os.Getenv for the AWS_CONTAINER_* variables.
	Getenv func(string) string
	// HTTPClient replaces the default client (its Timeout is not used:
	// Timeout applies per attempt).
	HTTPClient *http.Client
	// LookupHost resolves "localhost"-like names for the loopback check
	// (default net.DefaultResolver).
	LookupHost func(ctx context.Context, host string) ([]string, error)
}

// Provider gets credentials from a container credentials endpoint: ECS,
// EKS Pod Identity, or `tempcreds serve`.
//
// It is written here rather than composed from aws-sdk-go-v2's endpointcreds
// because the behaviour we promise differs: a response without an RFC 3339
// Expiration or a session token is refused instead of cached forever, an
// already expired answer is refused, the body is capped, the token file is
// bounded (16 KiB, a regular file), and retries follow AWS.RemoteCredentials'
// (1 s timeout, 3 retries) rather than the SDK's standard retryer. Both
// re-read the token file on every fetch.
type Provider struct {
	url    string
	token  TokenSource // nil: none
	opts   Options
	client *http.Client
}

// Error is the endpoint's error answer, or a refused response.
type Error struct {
	URL        string
	StatusCode int    // 0 if no HTTP answer
	Code       string // the body's Code, if any
	Message    string
}

// Error names the endpoint, the HTTP status, and the code and message it gave.
func (e *Error) Error() string {
	s := "tempcreds: container credentials endpoint " + e.URL
	if e.StatusCode != 0 {
		s += fmt.Sprintf(": HTTP %d", e.StatusCode)
	}
	if e.Code != "" {
		s += ": " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return redact.Scrub(s)
}

// SecretFree marks Error as safe to pass on (redact.SecretFree): its
// text is scrubbed of the token and of anything secret-shaped.
func (e *Error) SecretFree() {}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.MaxAttemptTime <= 0 {
		o.MaxAttemptTime = 10 * time.Second
	}
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = 100 * time.Millisecond
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 10
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.LookupHost == nil {
		o.LookupHost = net.DefaultResolver.LookupHost
	}
}

// New resolves the endpoint as the SDKs do:
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (http://169.254.170.2 + path; it
// wins), else AWS_CONTAINER_CREDENTIALS_FULL_URI, over http only to
// loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23, over https to any
// host. The token comes from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read
// on every fetch; it wins) or AWS_CONTAINER_AUTHORIZATION_TOKEN.
func New(ctx context.Context, optFns ...func(*Options)) (*Provider, error) {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	o.defaults()
	var endpoint string
	if rel := o.Getenv(EnvRelativeURI); rel != "" {
		if !strings.HasPrefix(rel, "/") {
			return nil, &tempcreds.ConfigError{Field: "RelativeURI", Origin: EnvRelativeURI, Value: rel, Problem: "{{RelativeURI}} {{value}} must start with /"}
		}
		endpoint = ECSHost + rel
	} else if full := o.Getenv(EnvFullURI); full != "" {
		endpoint = full
	} else {
		return nil, &tempcreds.ConfigError{Field: "Endpoint", Problem: "neither " + EnvRelativeURI + " nor " + EnvFullURI + " is set"}
	}
	var token TokenSource
	if f := o.Getenv(EnvTokenFile); f != "" {
		token = TokenFile(f)
	} else if t := o.Getenv(EnvToken); t != "" {
		token = Token(t)
	}
	return newProvider(ctx, endpoint, token, o)
}

// NewURL returns a provider for endpoint with an authorization token
// source (nil for none), checking the host as New does.
func NewURL(ctx context.Context, endpoint string, token TokenSource, optFns ...func(*Options)) (*Provider, error) {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	o.defaults()
	return newProvider(ctx, endpoint, token, o)
}

func newProvider(ctx context.Context, endpoint string, token TokenSource, o Options) (*Provider, error) {
	if err := checkEndpoint(ctx, endpoint, o.LookupHost); err != nil {
		return nil, err
	}
	client := o.HTTPClient
	if client == nil {
		client = &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConns: 2, IdleConnTimeout: 30 * time.Second}}
	}
	// Never follow a redirect: it could carry the token elsewhere.
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Timeout = 0
	return &Provider{url: endpoint, token: token, opts: o, client: &c}, nil
}

// allowedHTTPHosts are the link-local addresses of ECS and EKS Pod Identity.
var allowedHTTPHosts = []netip.Addr{
	netip.MustParseAddr("169.254.170.2"),
	netip.MustParseAddr("169.254.170.23"),
	netip.MustParseAddr("fd00:ec2::23"),
}

// checkEndpoint refuses plain http to anything but loopback and the
// container hosts.
func checkEndpoint(ctx context.Context, endpoint string, lookup func(context.Context, string) ([]string, error)) error {
	u, err := url.Parse(endpoint)
	switch {
	case err == nil && u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https":
		return endpointError(endpoint, " must be http or https")
	case err != nil || u.Host == "":
		return endpointError(endpoint, " is not an absolute URL")
	case u.Scheme == "https":
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if allowedIP(ip) {
			return nil
		}
		return endpointError(endpoint, ": plain http is only allowed to loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 (use https for %s)", host)
	}
	addrs, err := lookup(ctx, host)
	if err != nil || len(addrs) == 0 {
		return endpointError(endpoint, ": cannot resolve %s to check it is loopback", host)
	}
	for _, a := range addrs {
		ip, err := netip.ParseAddr(a)
		if err != nil || !ip.IsLoopback() {
			return endpointError(endpoint, ": plain http is only allowed to a host that resolves only to loopback; %s resolves to %s (use https)", host, a)
		}
	}
	return nil
}

// endpointError refuses the endpoint URL, its user information (a
// password) hidden.
func endpointError(endpoint, problem string, args ...any) error {
	return &tempcreds.ConfigError{Field: "Endpoint", Value: redact.URL(endpoint), Problem: "container credentials URI {{value}}" + fmt.Sprintf(problem, args...)}
}

func allowedIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return true
	}
	for _, a := range allowedHTTPHosts {
		if ip == a {
			return true
		}
	}
	return false
}

func (p *Provider) now() time.Time {
	if p.opts.Clock != nil {
		return p.opts.Clock.Now()
	}
	return time.Now()
}

// URL returns the endpoint.
func (p *Provider) URL() string { return p.url }

// answer is what the endpoint may send: credentials or an error body.
type answer struct {
	Credentials
	ErrorBody
}

// Retrieve fetches the credentials, retrying transient failures.
func (p *Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	var lastErr error
	for attempt := 0; attempt <= p.opts.Retries; attempt++ {
		if attempt > 0 {
			d := p.opts.Backoff << (attempt - 1)
			d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
			select {
			case <-ctx.Done():
				return aws.Credentials{}, fmt.Errorf("container credentials endpoint %s: %w (last error: %v)", p.url, ctx.Err(), lastErr)
			case <-time.After(d):
			}
		}
		creds, retry, err := p.fetch(ctx)
		if err == nil {
			return creds, nil
		}
		lastErr = err
		if !retry {
			break
		}
	}
	return aws.Credentials{}, lastErr
}

// fetch makes one attempt; retry tells whether another attempt may help.
func (p *Provider) fetch(ctx context.Context) (aws.Credentials, bool, error) {
	token := ""
	if p.token != nil {
		t, err := p.token.Token(ctx)
		if err != nil {
			return aws.Credentials{}, false, &Error{URL: p.url, Message: err.Error()}
		}
		token = t
	}
	a := p.newAttempt(ctx)
	defer a.stop()
	req, err := http.NewRequestWithContext(a.ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return aws.Credentials{}, false, &Error{URL: p.url, Message: err.Error()}
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return aws.Credentials{}, !permanentTLSFailure(err), p.requestError(ctx, a, err)
	}
	defer resp.Body.Close()
	body, retry, err := p.readAnswer(a, resp)
	if err != nil {
		return aws.Credentials{}, retry, err
	}
	// The endpoint may echo the token back: parseAnswer removes it before
	// it cuts anything.
	creds, retry, err := parseAnswer(p.url, resp.StatusCode, body, token)
	if err == nil && !creds.Expires.After(p.now()) {
		return aws.Credentials{}, false, &Error{URL: p.url, StatusCode: resp.StatusCode,
			Message: fmt.Sprintf("the answer expired at %s: is the endpoint serving stale credentials, or this machine's clock wrong?", creds.Expires.Format(time.RFC3339))}
	}
	return creds, retry, err
}

// attempt bounds one request: an idle timer (reset by every byte read)
// and an overall bound cancel its context; the cause says which fired.
type attempt struct {
	ctx            context.Context
	idle, overall  *time.Timer
	cancel         context.CancelCauseFunc
	idleAfter, max time.Duration
}

func (p *Provider) newAttempt(ctx context.Context) *attempt {
	actx, cancel := context.WithCancelCause(ctx)
	return &attempt{ctx: actx, cancel: cancel, idleAfter: p.opts.Timeout, max: p.opts.MaxAttemptTime,
		idle:    time.AfterFunc(p.opts.Timeout, func() { cancel(errRemoteIdle) }),
		overall: time.AfterFunc(p.opts.MaxAttemptTime, func() { cancel(errRemoteOverall) })}
}

// stop ends the attempt's timers and context.
func (a *attempt) stop() {
	a.idle.Stop()
	a.overall.Stop()
	a.cancel(nil)
}

// timedOut says which of the attempt's bounds fired, if one did.
func (a *attempt) timedOut() (string, bool) {
	switch context.Cause(a.ctx) {
	case errRemoteIdle:
		return fmt.Sprintf("no data for %s", a.idleAfter), true
	case errRemoteOverall:
		return fmt.Sprintf("no complete answer within %s", a.max), true
	}
	return "", false
}

// requestError tells a failed request: a bound of the attempt, the
// caller's cancellation, or the network's failure.
func (p *Provider) requestError(ctx context.Context, a *attempt, err error) error {
	if m, ok := a.timedOut(); ok {
		return &Error{URL: p.url, Message: m}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("container credentials endpoint %s: %w", p.url, ctx.Err())
	}
	msg := "request failed"
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) {
		msg = oe.Op + ": " + oe.Err.Error()
	} else if errors.As(err, &ne) {
		msg = ne.Error()
	}
	return &Error{URL: p.url, Message: msg}
}

// readAnswer reads the answer's body, at most MaxBody bytes, each read
// resetting the attempt's idle timer.
func (p *Provider) readAnswer(a *attempt, resp *http.Response) ([]byte, bool, error) {
	a.idle.Reset(p.opts.Timeout)
	body, err := io.ReadAll(io.LimitReader(idleReader{r: resp.Body, idle: a.idle, d: p.opts.Timeout}, p.opts.MaxBody+1))
	if err != nil {
		msg := "reading the answer: " + err.Error()
		if m, ok := a.timedOut(); ok {
			msg = "reading the answer: " + m
		}
		return nil, true, &Error{URL: p.url, StatusCode: resp.StatusCode, Message: msg}
	}
	if int64(len(body)) > p.opts.MaxBody {
		return nil, false, &Error{URL: p.url, StatusCode: resp.StatusCode, Message: fmt.Sprintf("the answer is larger than %d bytes", p.opts.MaxBody)}
	}
	return body, false, nil
}

// permanentTLSFailure reports a TLS failure no retry can fix (an untrusted
// or wrong certificate, TLS spoken to a plain-HTTP port).
func permanentTLSFailure(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var rh tls.RecordHeaderError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &rh)
}

// Causes of a cancelled attempt.
var (
	errRemoteIdle    = errors.New("idle timeout")
	errRemoteOverall = errors.New("attempt timeout")
)

// idleReader resets the idle timer whenever bytes arrive.
type idleReader struct {
	r    io.Reader
	idle *time.Timer
	d    time.Duration
}

func (r idleReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if n > 0 {
		r.idle.Reset(r.d)
	}
	return n, err
}

// parseAnswer checks one answer of the endpoint; retry tells whether
// another attempt may help.
func parseAnswer(url string, status int, body []byte, secrets ...string) (aws.Credentials, bool, error) {
	var r answer
	jsonErr := json.Unmarshal(body, &r)
	if status != http.StatusOK {
		e := &Error{URL: url, StatusCode: status}
		if jsonErr == nil {
			e.Code, e.Message = truncate(redact.ScrubKnown(r.Code, secrets...), 100), truncate(redact.ScrubKnown(r.Message, secrets...), 500)
		}
		retry := status >= 500 || status == http.StatusTooManyRequests
		return aws.Credentials{}, retry, e
	}
	if jsonErr != nil {
		return aws.Credentials{}, false, &Error{URL: url, StatusCode: 200, Message: "the answer is not JSON"}
	}
	var missing []string
	for name, v := range map[string]string{"AccessKeyId": r.AccessKeyID, "SecretAccessKey": r.SecretAccessKey, "Token": r.Token, "Expiration": r.Expiration} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return aws.Credentials{}, false, &Error{URL: url, StatusCode: 200, Message: "the answer lacks " + strings.Join(missing, ", ")}
	}
	exp, err := time.Parse(time.RFC3339, r.Expiration)
	if err != nil {
		return aws.Credentials{}, false, &Error{URL: url, StatusCode: 200,
			Message: fmt.Sprintf("Expiration %q is not an RFC 3339 time", truncate(redact.ScrubKnown(r.Expiration, secrets...), 40))}
	}
	return aws.Credentials{AccessKeyID: r.AccessKeyID, SecretAccessKey: r.SecretAccessKey, SessionToken: r.Token,
		CanExpire: true, Expires: exp.UTC(), Source: Source, AccountID: r.AccountID}, false, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
