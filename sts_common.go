package tempcreds

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// ProviderSource names the providers in aws.Credentials.Source.
const (
	SourceSessionToken = "tempcreds.SessionToken"
	SourceAssumeRole   = "tempcreds.AssumeRole"
	SourceWebIdentity  = "tempcreds.WebIdentity"
)

// RoleChainingLimit is AWS's cap on sessions assumed with temporary
// (role or session-token) credentials. STS's limits are one table:
// internal/stsrules.
const RoleChainingLimit = stsrules.RoleChainingLimit

// checkMFA refuses a serial number without a callback (AWS.ChainableTemporaryCredentials throws too).
func checkMFA(serial string, fn TokenCodeFunc) error {
	if serial != "" && fn == nil {
		return configError("TokenCode", "SerialNumber %q is set but no TokenCode callback is: the MFA code cannot be asked for", serial)
	}
	return violated(stsrules.MFASerial("SerialNumber", serial))
}

// violated is a rule's violation as a *ConfigError (nil for none).
func violated(v *stsrules.Violation) error {
	if v == nil {
		return nil
	}
	return &ConfigError{Field: v.Field, Value: v.Value, Limit: v.Limit, Problem: v.Problem}
}

// MaxTokenSize is the largest MinimumSessionTokenSize STS accepts: since
// 2026-09 STS issues session tokens up to 4,096 bytes.
const MaxTokenSize = stsrules.MaxTokenSize

func checkTokenSize(n int) error { return violated(stsrules.MinTokenSize("MinTokenSize", n)) }

func checkDuration(op stsrules.Op, d time.Duration) error {
	return violated(stsrules.Duration("Duration", op, d))
}

// tokenCode asks the callback for a code and checks it looks like one
// before spending an STS call on it.
func tokenCode(ctx context.Context, fn TokenCodeFunc, serial string) (string, error) {
	code, err := fn(ctx, serial)
	if err != nil {
		return "", err
	}
	code = strings.TrimSpace(code)
	if v := stsrules.TokenCode("the MFA code for "+serial, code); v != nil {
		return "", errors.New(v.Error())
	}
	return code, nil
}

// sourceCache wraps a Source in a Cache on clk so it is refreshed only when
// due. A *Cache is kept as it is: re-wrapping it would double its loads.
func sourceCache(src aws.CredentialsProvider, clk Clock) aws.CredentialsProvider {
	if src == nil {
		return nil
	}
	if c, ok := src.(*Cache); ok {
		return c
	}
	return NewCache(src, func(o *CacheOptions) { o.Clock = clk })
}

// signingCredentials returns the credentials that will sign a call: the
// Source's (refreshed only if due), or the client's own if it exposes them
// (then also known, so an echoed secret can be redacted).
func signingCredentials(ctx context.Context, source aws.CredentialsProvider, client any) (aws.Credentials, error) {
	if source != nil {
		return source.Retrieve(ctx)
	}
	if c, ok := client.(interface{ Options() sts.Options }); ok && c.Options().Credentials != nil {
		return c.Options().Credentials.Retrieve(ctx)
	}
	return aws.Credentials{}, nil
}

// signWith makes one STS call sign with the snapshot src of source, or
// leaves the client's own credentials when source is nil.
func signWith(source aws.CredentialsProvider, src aws.Credentials) func(*sts.Options) {
	if source == nil {
		return func(*sts.Options) {}
	}
	return func(o *sts.Options) {
		o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return src, nil })
	}
}

// resultFromSTS converts STS's answer, refusing incomplete credentials.
func resultFromSTS(op, roleARN string, c *types.Credentials, user *types.AssumedRoleUser) (Result, error) {
	if c == nil || aws.ToString(c.AccessKeyId) == "" || aws.ToString(c.SecretAccessKey) == "" ||
		aws.ToString(c.SessionToken) == "" || c.Expiration == nil {
		return Result{}, newError(op, roleARN, "", errors.New("STS answered without complete credentials (AccessKeyId, SecretAccessKey, SessionToken and Expiration are required)"))
	}
	r := Result{}
	if user != nil {
		r.AssumedRoleARN, r.AssumedRoleID = aws.ToString(user.Arn), aws.ToString(user.AssumedRoleId)
	}
	source := map[string]string{
		"GetSessionToken":           SourceSessionToken,
		"AssumeRole":                SourceAssumeRole,
		"AssumeRoleWithWebIdentity": SourceWebIdentity,
	}[op]
	r.Credentials = aws.Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		Source:          source,
		CanExpire:       true,
		Expires:         c.Expiration.UTC(),
		// The assumed-role user's account, else the role's own (MinIO and
		// some emulators answer without AssumedRoleUser).
		AccountID: firstAccount(r.AssumedRoleARN, roleARN),
	}
	return r, nil
}

// firstAccount returns the first account ID found in the ARNs.
func firstAccount(arns ...string) string {
	for _, a := range arns {
		if id := accountOf(a); id != "" {
			return id
		}
	}
	return ""
}

// accountOf returns the account ID of an ARN, or "".
func accountOf(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.AccountID
}
