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
	"github.com/tempcreds/tempcreds/internal/stsresult"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// STSClient is the STS API the providers call: *sts.Client implements it.
// A test fake can embed STSClient and implement only the calls it needs, or
// use the fake STS of package ststest.
type STSClient interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
	GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, optFns ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error)
	AssumeRoleWithWebIdentity(ctx context.Context, in *sts.AssumeRoleWithWebIdentityInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error)
}

// The providers' names in aws.Credentials.Source.
const (
	sourceSessionToken = "tempcreds.SessionToken"
	sourceAssumeRole   = "tempcreds.AssumeRole"
	sourceWebIdentity  = "tempcreds.WebIdentity"
)

// roleChainingLimit is AWS's cap on sessions assumed with temporary
// (role or session-token) credentials. STS's limits are one table:
// internal/stsrules.
const roleChainingLimit = stsrules.RoleChainingLimit

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
// due, so one clock set once reaches every Cache of a chain. A *Cache with
// its own clock (or when clk is nil) is kept as it is: re-wrapping it would
// double its loads. A *Cache without a clock is derived on clk (the same
// provider, its own snapshot).
func sourceCache(src aws.CredentialsProvider, clk Clock) aws.CredentialsProvider {
	if src == nil {
		return nil
	}
	if c, ok := src.(*Cache); ok {
		if c.opts.Clock != nil || clk == nil {
			return c
		}
	}
	return NewCache(src, func(o *CacheOptions) { o.Clock = clk })
}

// cached wraps a provider of this package in the Cache its constructor
// returns: a bare STS provider makes one call per Retrieve, which is never
// what aws.Config.Credentials should hold.
func cached(p aws.CredentialsProvider, o CacheOptions) *Cache {
	return NewCache(p, func(co *CacheOptions) { *co = o })
}

// stsSources is what a provider signed by source reports to the SDK's
// credential feature tracking: source's own, then op's.
func stsSources(source aws.CredentialsProvider, op aws.CredentialSource) []aws.CredentialSource {
	return append(append([]aws.CredentialSource(nil), stsresult.Sources(source)...), op)
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
func resultFromSTS(op, roleARN string, c *types.Credentials, user *types.AssumedRoleUser) (stsresult.Result, error) {
	if c == nil || aws.ToString(c.AccessKeyId) == "" || aws.ToString(c.SecretAccessKey) == "" ||
		aws.ToString(c.SessionToken) == "" || c.Expiration == nil {
		return stsresult.Result{}, newError(op, roleARN, "", errors.New("STS answered without complete credentials (AccessKeyId, SecretAccessKey, SessionToken and Expiration are required)"))
	}
	r := stsresult.Result{}
	if user != nil {
		r.AssumedRoleARN, r.AssumedRoleID = aws.ToString(user.Arn), aws.ToString(user.AssumedRoleId)
	}
	source := map[string]string{
		"GetSessionToken":           sourceSessionToken,
		"AssumeRole":                sourceAssumeRole,
		"AssumeRoleWithWebIdentity": sourceWebIdentity,
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
