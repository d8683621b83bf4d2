package tempcreds

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/tempcreds/tempcreds/internal/refusal"
	"github.com/tempcreds/tempcreds/internal/stsresult"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// defaultRoleSessionName is aws-sts-helper's default session name for
// AssumeRole ("temporary"), the one default of internal/stsrules.
const defaultRoleSessionName = stsrules.DefaultRoleSessionName

// AssumeRoleOptions configure NewAssumeRole. Every field but the embedded
// CacheOptions maps to the AssumeRole parameter of the same name.
type AssumeRoleOptions struct {
	// CacheOptions configure the Cache NewAssumeRole returns. Its Clock
	// also drives the Cache built around Source, and its Logger gets the
	// role-chaining warning.
	CacheOptions
	// RoleSessionName defaults to "temporary", aws-sts-helper's default.
	RoleSessionName string
	// Duration of the session; 0 lets STS choose (1 hour). With temporary
	// source credentials AWS caps it at 1 hour (role chaining): a longer one
	// is capped and reported through Logger.
	Duration          time.Duration
	ExternalID        string
	Policy            string // inline session policy, JSON
	PolicyARNs        []string
	Tags              map[string]string
	TransitiveTagKeys []string
	SourceIdentity    string
	// MinTokenSize asks STS for a session token of at least this many bytes
	// (MinimumSessionTokenSize, up to 4096; 0: unchanged), to test
	// that consumers take the longest tokens STS issues.
	MinTokenSize int
	// SerialNumber of the MFA device; requires TokenCode.
	SerialNumber string
	TokenCode    TokenCodeFunc
	// Source signs the AssumeRole call: any provider, captured here and
	// wrapped in its own Cache on Clock, so it is refreshed (only when due)
	// before each call and chains of roles keep refreshing. A Source that is
	// already a *Cache is used as it is when it has a Clock of its own (or
	// none is set here); without one it is derived on this Clock. Nil means
	// the STS client's own credentials.
	Source aws.CredentialsProvider
}

// assumeRoleProvider gets credentials from STS AssumeRole: the AWS SDK for JavaScript v2's
// ChainableTemporaryCredentials with a RoleArn.
type assumeRoleProvider struct {
	client  STSClient
	roleARN string
	opts    AssumeRoleOptions
}

// NewAssumeRole returns a refreshing Cache over STS AssumeRole for
// roleARN (the AWS SDK for JavaScript v2's ChainableTemporaryCredentials
// with a RoleArn), checking every input against STS's limits so mistakes
// fail here, not at the first refresh.
func NewAssumeRole(client STSClient, roleARN string, optFns ...func(*AssumeRoleOptions)) (*Cache, error) {
	var o AssumeRoleOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.RoleSessionName == "" {
		o.RoleSessionName = defaultRoleSessionName
	}
	if client == nil {
		return nil, configError("Client", "AssumeRole needs an STS client")
	}
	if err := checkAssumeRole(roleARN, o); err != nil {
		return nil, err
	}
	o.Source = sourceCache(o.Source, o.Clock)
	o.CacheOptions = o.CacheOptions.withDefaults()
	return cached(&assumeRoleProvider{client: client, roleARN: roleARN, opts: o}, o.CacheOptions), nil
}

// checkAssumeRole checks the options against STS's rules (internal/stsrules).
func checkAssumeRole(roleARN string, o AssumeRoleOptions) error {
	if err := violated(stsrules.First(
		stsrules.Role(stsrules.AssumeRole, roleARN, o.RoleSessionName, o.Duration, o.MinTokenSize, o.Policy, o.PolicyARNs),
		stsrules.ExternalID("ExternalID", o.ExternalID),
		stsrules.Tags("Tags", o.Tags),
		stsrules.TransitiveTags("TransitiveTagKeys", "session tags", o.TransitiveTagKeys, o.Tags),
		stsrules.SessionName("SourceIdentity", o.SourceIdentity),
	)); err != nil {
		return err
	}
	return checkMFA(o.SerialNumber, o.TokenCode)
}

// ProviderSources reports the source's sources, then AssumeRole, for the
// SDK's credential feature tracking.
func (p *assumeRoleProvider) ProviderSources() []aws.CredentialSource {
	return stsSources(p.opts.Source, aws.CredentialSourceSTSAssumeRole)
}

// Retrieve gets the source credentials (refreshing them only if due), then
// calls AssumeRole signed with exactly those credentials.
func (p *assumeRoleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	r, err := p.RetrieveResult(ctx)
	return r.Credentials, err
}

// RetrieveResult is Retrieve that also returns the assumed-role user.
func (p *assumeRoleProvider) RetrieveResult(ctx context.Context) (stsresult.Result, error) {
	const op = "AssumeRole"
	src, err := p.sourceCredentials(ctx)
	if err != nil {
		return stsresult.Result{}, newError(op, p.roleARN, "source credentials", err)
	}
	in := p.input()
	if in.DurationSeconds != nil && src.SessionToken != "" && p.opts.Duration > roleChainingLimit {
		p.warnCap()
		in.DurationSeconds = aws.Int32(int32(roleChainingLimit / time.Second))
	}
	var code string
	if p.opts.SerialNumber != "" {
		code, err = tokenCode(ctx, p.opts.TokenCode, p.opts.SerialNumber)
		if err != nil {
			return stsresult.Result{}, newError(op, p.roleARN, "MFA token code", err)
		}
		in.SerialNumber, in.TokenCode = aws.String(p.opts.SerialNumber), aws.String(code)
	}
	// Sign with the snapshot just taken, so the call and our chaining check
	// agree on which credentials were used.
	sign := signWith(p.opts.Source, src)
	out, err := p.client.AssumeRole(ctx, in, sign)
	if err != nil && isChainingLimit(err) && in.DurationSeconds != nil {
		// The client's own credentials were temporary after all.
		asked := time.Duration(*in.DurationSeconds) * time.Second
		if d, again := stsrules.AskAgain(stsrules.ChainingCap, asked, false, p.opts.SerialNumber != ""); again {
			p.warnCap()
			in.DurationSeconds = aws.Int32(int32(d / time.Second))
			out, err = p.client.AssumeRole(ctx, in, sign)
		}
	}
	if err != nil {
		return stsresult.Result{}, newError(op, p.roleARN, "", err, code, src.SecretAccessKey, src.SessionToken)
	}
	return resultFromSTS(op, p.roleARN, out.Credentials, out.AssumedRoleUser)
}

// sourceCredentials returns the credentials that will sign the call.
func (p *assumeRoleProvider) sourceCredentials(ctx context.Context) (aws.Credentials, error) {
	return signingCredentials(ctx, p.opts.Source, p.client)
}

func (p *assumeRoleProvider) warnCap() {
	p.opts.Logger.Warn(fmt.Sprintf("tempcreds: AssumeRole %s: duration %s capped to 1h: AWS limits sessions assumed with temporary credentials (role chaining) to 1 hour",
		p.roleARN, p.opts.Duration))
}

func (p *assumeRoleProvider) input() *sts.AssumeRoleInput {
	o := p.opts
	in := &sts.AssumeRoleInput{
		RoleArn:         aws.String(p.roleARN),
		RoleSessionName: aws.String(o.RoleSessionName),
	}
	if o.Duration > 0 {
		in.DurationSeconds = aws.Int32(int32(o.Duration / time.Second))
	}
	if o.MinTokenSize > 0 {
		in.MinimumSessionTokenSize = aws.Int32(int32(o.MinTokenSize))
	}
	if o.ExternalID != "" {
		in.ExternalId = aws.String(o.ExternalID)
	}
	if o.Policy != "" {
		in.Policy = aws.String(o.Policy)
	}
	for _, a := range o.PolicyARNs {
		in.PolicyArns = append(in.PolicyArns, types.PolicyDescriptorType{Arn: aws.String(a)})
	}
	keys := make([]string, 0, len(o.Tags))
	for k := range o.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(o.Tags[k])})
	}
	in.TransitiveTagKeys = append([]string(nil), o.TransitiveTagKeys...)
	if o.SourceIdentity != "" {
		in.SourceIdentity = aws.String(o.SourceIdentity)
	}
	return in
}

// isChainingLimit reports AWS's refusal of a long chained session.
func isChainingLimit(err error) bool { return refusal.Classify(err) == refusal.ChainingLimit }
