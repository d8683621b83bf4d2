package tempcreds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/tempcreds/tempcreds/internal/bounded"
	"github.com/tempcreds/tempcreds/internal/stsresult"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// defaultWebIdentitySessionName is the default session name for
// AssumeRoleWithWebIdentity.
const defaultWebIdentitySessionName = stsrules.DefaultWebIdentitySessionName

// TokenSource supplies the web identity token, read again on every load so
// a long-lived process follows the identity provider's rotations.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// TokenFunc adapts a function to a TokenSource.
type TokenFunc func(ctx context.Context) (string, error)

// Token calls f.
func (f TokenFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

// StaticToken is a token that can be replaced at run time (AWS.WebIdentityCredentials'
// params.WebIdentityToken = updatedToken); the next load uses the new one.
type StaticToken struct{ v atomic.Pointer[string] }

// NewStaticToken returns a StaticToken holding token.
func NewStaticToken(token string) *StaticToken {
	t := &StaticToken{}
	t.Set(token)
	return t
}

// Set replaces the token.
func (t *StaticToken) Set(token string) { t.v.Store(&token) }

// Token returns the current token.
func (t *StaticToken) Token(context.Context) (string, error) {
	p := t.v.Load()
	if p == nil || *p == "" {
		return "", errors.New("no web identity token has been set")
	}
	return *p, nil
}

// TokenFile reads the token from a file on every load (as
// AWS_WEB_IDENTITY_TOKEN_FILE does), trimming surrounding whitespace. The
// file must be a regular file of at most 64 KiB: a FIFO, /dev/zero or a
// directory is refused at once.
type TokenFile string

// Token reads the file.
func (f TokenFile) Token(context.Context) (string, error) {
	b, err := bounded.ReadFile(string(f), bounded.Token)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("web identity token file %s does not exist (yet?)", string(f))
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			return "", fmt.Errorf("reading web identity token file %s: %v", string(f), pe.Err)
		}
		var tl *bounded.TooLargeError
		if errors.As(err, &tl) {
			return "", fmt.Errorf("web identity token file %s is larger than %d bytes: not a token", string(f), tl.Max)
		}
		return "", fmt.Errorf("reading web identity token file %s: %w", string(f), err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("web identity token file %s is empty", string(f))
	}
	return tok, nil
}

// WebIdentityOptions configure NewWebIdentity.
type WebIdentityOptions struct {
	// CacheOptions configure the Cache NewWebIdentity returns.
	CacheOptions
	// RoleSessionName defaults to "web-identity".
	RoleSessionName string
	// ProviderID is only for OAuth 2.0 providers (www.amazon.com, graph.facebook.com).
	ProviderID string
	Policy     string
	PolicyARNs []string
	// Duration is sent only when set, as the SDKs do (STS then uses 1 hour,
	// some servers the token's expiry).
	Duration time.Duration
	// MinTokenSize asks for a session token of at least this many bytes
	// (MinimumSessionTokenSize, up to 4096; 0: unchanged).
	MinTokenSize int
}

// webIdentityProvider gets credentials from STS AssumeRoleWithWebIdentity
// (an unsigned call): AWS.WebIdentityCredentials.
type webIdentityProvider struct {
	client  STSClient
	roleARN string
	token   TokenSource
	opts    WebIdentityOptions
}

// NewWebIdentity returns a refreshing Cache over STS
// AssumeRoleWithWebIdentity for roleARN (AWS.WebIdentityCredentials),
// whose token comes from token, read again on every load.
func NewWebIdentity(client STSClient, roleARN string, token TokenSource, optFns ...func(*WebIdentityOptions)) (*Cache, error) {
	var o WebIdentityOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.RoleSessionName == "" {
		o.RoleSessionName = defaultWebIdentitySessionName
	}
	if client == nil {
		return nil, configError("Client", "AssumeRoleWithWebIdentity needs an STS client")
	}
	if token == nil {
		return nil, configError("TokenSource", "AssumeRoleWithWebIdentity needs a token source (a file, a command, a callback or a token)")
	}
	if err := violated(stsrules.Role(stsrules.WebIdentity, roleARN, o.RoleSessionName, o.Duration, o.MinTokenSize, o.Policy, o.PolicyARNs)); err != nil {
		return nil, err
	}
	o.CacheOptions = o.CacheOptions.withDefaults()
	return cached(&webIdentityProvider{client: client, roleARN: roleARN, token: token, opts: o}, o.CacheOptions), nil
}

// ProviderSources reports AssumeRoleWithWebIdentity, for the SDK's
// credential feature tracking.
func (p *webIdentityProvider) ProviderSources() []aws.CredentialSource {
	return []aws.CredentialSource{aws.CredentialSourceSTSAssumeRoleWebID}
}

// Retrieve reads the token and calls AssumeRoleWithWebIdentity.
func (p *webIdentityProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	r, err := p.RetrieveResult(ctx)
	return r.Credentials, err
}

// RetrieveResult is Retrieve that also returns the assumed-role user.
func (p *webIdentityProvider) RetrieveResult(ctx context.Context) (stsresult.Result, error) {
	const op = "AssumeRoleWithWebIdentity"
	tok, err := p.token.Token(ctx)
	if err != nil {
		return stsresult.Result{}, newError(op, p.roleARN, "web identity token", err)
	}
	if v := stsrules.WebIdentityToken("token", tok); v != nil {
		return stsresult.Result{}, &Error{Op: op, RoleARN: p.roleARN, Stage: "web identity token", Err: v}
	}
	in := &sts.AssumeRoleWithWebIdentityInput{
		RoleArn:          aws.String(p.roleARN),
		RoleSessionName:  aws.String(p.opts.RoleSessionName),
		WebIdentityToken: aws.String(tok),
	}
	if p.opts.ProviderID != "" {
		in.ProviderId = aws.String(p.opts.ProviderID)
	}
	if p.opts.Policy != "" {
		in.Policy = aws.String(p.opts.Policy)
	}
	for _, a := range p.opts.PolicyARNs {
		in.PolicyArns = append(in.PolicyArns, types.PolicyDescriptorType{Arn: aws.String(a)})
	}
	if p.opts.Duration > 0 {
		in.DurationSeconds = aws.Int32(int32(p.opts.Duration / time.Second))
	}
	if p.opts.MinTokenSize > 0 {
		in.MinimumSessionTokenSize = aws.Int32(int32(p.opts.MinTokenSize))
	}
	out, err := p.client.AssumeRoleWithWebIdentity(ctx, in, func(o *sts.Options) {
		o.Credentials = aws.AnonymousCredentials{}
	})
	if err != nil {
		return stsresult.Result{}, newError(op, p.roleARN, "", err, tok)
	}
	return resultFromSTS(op, p.roleARN, out.Credentials, out.AssumedRoleUser)
}
