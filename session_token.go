package tempcreds

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// TokenCodeFunc returns the current code of the MFA device serial (AWS.ChainableTemporaryCredentials'
// tokenCodeFn). It is called once per refresh that needs a code, never twice
// concurrently for one refresh.
type TokenCodeFunc func(ctx context.Context, serial string) (string, error)

// GetSessionTokenAPI is the one STS method the session-token provider needs.
// *sts.Client implements it.
type GetSessionTokenAPI interface {
	GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, optFns ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error)
}

// SessionTokenOptions configure a SessionTokenProvider.
type SessionTokenOptions struct {
	// Duration of the session; 0 lets STS choose (12 hours for IAM users).
	Duration time.Duration
	// SerialNumber of the MFA device; requires TokenCode.
	SerialNumber string
	// TokenCode supplies the MFA code for SerialNumber.
	TokenCode TokenCodeFunc
	// MinTokenSize asks for a session token of at least this many bytes
	// (MinimumSessionTokenSize, up to MaxTokenSize; 0: unchanged).
	MinTokenSize int
	// Source signs the call (any provider; it is wrapped in its own Cache on
	// Clock, unless it is already a *Cache). Nil means the STS client's own
	// credentials.
	Source aws.CredentialsProvider
	// Clock is the wall clock of the Cache built around Source (default the
	// system clock).
	Clock Clock
}

// SessionTokenProvider gets credentials from STS GetSessionToken: the AWS SDK for JavaScript v2's
// TemporaryCredentials without a role. Wrap it in a Cache (or use
// NewTemporary) to refresh it.
type SessionTokenProvider struct {
	client GetSessionTokenAPI
	opts   SessionTokenOptions
}

// NewSessionToken returns a GetSessionToken provider. A SerialNumber without
// a TokenCode callback is a construction error, as in AWS.ChainableTemporaryCredentials.
func NewSessionToken(client GetSessionTokenAPI, optFns ...func(*SessionTokenOptions)) (*SessionTokenProvider, error) {
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
	return &SessionTokenProvider{client: client, opts: o}, nil
}

// Retrieve calls GetSessionToken.
func (p *SessionTokenProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	r, err := p.RetrieveResult(ctx)
	return r.Credentials, err
}

// RetrieveResult is Retrieve as a Result (no assumed-role user).
func (p *SessionTokenProvider) RetrieveResult(ctx context.Context) (Result, error) {
	const op = "GetSessionToken"
	src, err := signingCredentials(ctx, p.opts.Source, p.client)
	if err != nil {
		return Result{}, newError(op, "", "source credentials", err)
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
			return Result{}, newError(op, "", "MFA token code", err)
		}
		in.SerialNumber, in.TokenCode = aws.String(p.opts.SerialNumber), aws.String(code)
	}
	out, err := p.client.GetSessionToken(ctx, in, signWith(p.opts.Source, src))
	if err != nil {
		return Result{}, newError(op, "", "", err, code, src.SecretAccessKey, src.SessionToken)
	}
	return resultFromSTS(op, "", out.Credentials, nil)
}
