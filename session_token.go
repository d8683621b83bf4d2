package tempcreds

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/tempcreds/tempcreds/internal/stsresult"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// TokenCodeFunc returns the current code of the MFA device serial (AWS.ChainableTemporaryCredentials'
// tokenCodeFn). It is called once per refresh that needs a code, never twice
// concurrently for one refresh.
type TokenCodeFunc func(ctx context.Context, serial string) (string, error)

// SessionTokenOptions configure NewSessionToken.
type SessionTokenOptions struct {
	// CacheOptions configure the Cache NewSessionToken returns. Its Clock
	// also drives the Cache built around Source.
	CacheOptions
	// Duration of the session; 0 lets STS choose (12 hours for IAM users).
	Duration time.Duration
	// SerialNumber of the MFA device; requires TokenCode.
	SerialNumber string
	// TokenCode supplies the MFA code for SerialNumber.
	TokenCode TokenCodeFunc
	// MinTokenSize asks for a session token of at least this many bytes
	// (MinimumSessionTokenSize, up to 4096; 0: unchanged).
	MinTokenSize int
	// Source signs the call (any provider; it is wrapped in its own Cache on
	// Clock, as AssumeRoleOptions.Source is). Nil means the STS client's own
	// credentials.
	Source aws.CredentialsProvider
}

// sessionTokenProvider gets credentials from STS GetSessionToken: the AWS SDK for JavaScript v2's
// TemporaryCredentials without a role.
type sessionTokenProvider struct {
	client STSClient
	opts   SessionTokenOptions
}

// NewSessionToken returns a refreshing Cache over STS GetSessionToken (the
// AWS SDK for JavaScript v2's TemporaryCredentials without a role). A
// SerialNumber without a TokenCode callback is a construction error, as in
// AWS.ChainableTemporaryCredentials.
func NewSessionToken(client STSClient, optFns ...func(*SessionTokenOptions)) (*Cache, error) {
	var o SessionTokenOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if client == nil {
		return nil, configError("Client", "GetSessionToken needs an STS client")
	}
	if err := checkMFA(o.SerialNumber, o.TokenCode); err != nil {
		return nil, err
	}
	if err := checkTokenSize(o.MinTokenSize); err != nil {
		return nil, err
	}
	if err := checkDuration(stsrules.GetSessionToken, o.Duration); err != nil {
		return nil, err
	}
	o.Source = sourceCache(o.Source, o.Clock)
	o.CacheOptions = o.CacheOptions.withDefaults()
	return cached(&sessionTokenProvider{client: client, opts: o}, o.CacheOptions), nil
}

// ProviderSources reports the source's sources, then GetSessionToken, for
// the SDK's credential feature tracking.
func (p *sessionTokenProvider) ProviderSources() []aws.CredentialSource {
	return stsSources(p.opts.Source, aws.CredentialSourceSTSSessionToken)
}

// Retrieve calls GetSessionToken.
func (p *sessionTokenProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	r, err := p.RetrieveResult(ctx)
	return r.Credentials, err
}

// RetrieveResult is Retrieve as a Result (no assumed-role user).
func (p *sessionTokenProvider) RetrieveResult(ctx context.Context) (stsresult.Result, error) {
	const op = "GetSessionToken"
	src, err := signingCredentials(ctx, p.opts.Source, p.client)
	if err != nil {
		return stsresult.Result{}, newError(op, "", "source credentials", err)
	}
	in := &sts.GetSessionTokenInput{}
	if p.opts.Duration > 0 {
		in.DurationSeconds = aws.Int32(int32(p.opts.Duration / time.Second))
	}
	if p.opts.MinTokenSize > 0 {
		in.MinimumSessionTokenSize = aws.Int32(int32(p.opts.MinTokenSize))
	}
	var code string
	if p.opts.SerialNumber != "" {
		code, err = tokenCode(ctx, p.opts.TokenCode, p.opts.SerialNumber)
		if err != nil {
			return stsresult.Result{}, newError(op, "", "MFA token code", err)
		}
		in.SerialNumber, in.TokenCode = aws.String(p.opts.SerialNumber), aws.String(code)
	}
	out, err := p.client.GetSessionToken(ctx, in, signWith(p.opts.Source, src))
	if err != nil {
		return stsresult.Result{}, newError(op, "", "", err, code, src.SecretAccessKey, src.SessionToken)
	}
	return resultFromSTS(op, "", out.Credentials, nil)
}
