package tempcreds

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// DefaultRoleSessionName is aws-sts-helper's default session name for
// AssumeRole ("temporary"), the one default of internal/stsrules.
const DefaultRoleSessionName = stsrules.DefaultRoleSessionName

// AssumeRoleAPI is the one STS method the assume-role provider needs.
// *sts.Client implements it.
type AssumeRoleAPI interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// AssumeRoleOptions configure an AssumeRoleProvider. Every field maps to the
// AssumeRole parameter of the same name.
type AssumeRoleOptions struct {
	// RoleSessionName defaults to DefaultRoleSessionName.
	RoleSessionName string
	// Duration of the session; 0 lets STS choose (1 hour). With temporary
	// source credentials AWS caps it at RoleChainingLimit: a longer one is
	// capped to 1 hour and reported through Warn.
	Duration          time.Duration
	ExternalID        string
	Policy            string // inline session policy, JSON
	PolicyARNs        []string
	Tags              map[string]string
	TransitiveTagKeys []string
	SourceIdentity    string
	// MinTokenSize asks STS for a session token of at least this many bytes
	// (MinimumSessionTokenSize, up to MaxTokenSize; 0: unchanged), to test
	// that consumers take the longest tokens STS issues.
	MinTokenSize int
	// SerialNumber of the MFA device; requires TokenCode.
	SerialNumber string
	TokenCode    TokenCodeFunc
	// Source signs the AssumeRole call: any provider, captured here and
	// wrapped in its own Cache on Clock, so it is refreshed (only when due)
	// before each call and chains of roles keep refreshing. A Source that is
	// already a *Cache is used as it is (with its own options and clock).
	// Nil means the STS client's own credentials.
	Source aws.CredentialsProvider
	// Clock is the wall clock of the Cache built around Source (default the
	// system clock). Tests inject theirs here and in every CacheOptions.
	Clock Clock
	// Warn receives warnings (the role-chaining cap). Default: slog.Default().
	Warn func(msg string)
}

// AssumeRoleProvider gets credentials from STS AssumeRole: the AWS SDK for JavaScript v2's
// ChainableTemporaryCredentials with a RoleArn.
type AssumeRoleProvider struct {
	client  AssumeRoleAPI
	roleARN string
	opts    AssumeRoleOptions
}

// ValidSessionName reports whether s is a valid role session name or source
// identity: STS's [\w+=,.@-]{2,64}
// (checked by hand: a package-level regexp costs start-up time on every
// CLI run, cache hits included).
func ValidSessionName(s string) bool { return stsrules.ValidSessionName(s) }

// NewAssumeRole returns an AssumeRole provider for roleARN, checking every
// input against STS's limits so mistakes fail here, not at the first refresh.
func NewAssumeRole(client AssumeRoleAPI, roleARN string, optFns ...func(*AssumeRoleOptions)) (*AssumeRoleProvider, error) {
	var o AssumeRoleOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.RoleSessionName == "" {
		o.RoleSessionName = DefaultRoleSessionName
	}
	if client == nil {
		return nil, configError("Client", "AssumeRole needs an STS client")
	}
	if err := checkAssumeRole(roleARN, o); err != nil {
		return nil, err
	}
	o.Source = sourceCache(o.Source, o.Clock)
	if o.Warn == nil {
		o.Warn = func(msg string) { slog.Default().Warn(msg) }
	}
	return &AssumeRoleProvider{client: client, roleARN: roleARN, opts: o}, nil
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

// RoleARN returns the role this provider assumes.
func (p *AssumeRoleProvider) RoleARN() string { return p.roleARN }

// Retrieve gets the source credentials (refreshing them only if due), then
// calls AssumeRole signed with exactly those credentials.
func (p *AssumeRoleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	r, err := p.RetrieveResult(ctx)
	return r.Credentials, err
}

// RetrieveResult is Retrieve that also returns the assumed-role user.
func (p *AssumeRoleProvider) RetrieveResult(ctx context.Context) (Result, error) {
	const op = "AssumeRole"
	src, err := p.sourceCredentials(ctx)
	if err != nil {
		return Result{}, newError(op, p.roleARN, "source credentials", err)
	}
	in := p.input()
	if in.DurationSeconds != nil && src.SessionToken != "" && p.opts.Duration > RoleChainingLimit {
		p.warnCap()
		in.DurationSeconds = aws.Int32(int32(RoleChainingLimit / time.Second))
	}
	var code string
	if p.opts.SerialNumber != "" {
		code, err = tokenCode(ctx, p.opts.TokenCode, p.opts.SerialNumber)
		if err != nil {
			return Result{}, newError(op, p.roleARN, "MFA token code", err)
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
		return Result{}, newError(op, p.roleARN, "", err, code, src.SecretAccessKey, src.SessionToken)
	}
	return resultFromSTS(op, p.roleARN, out.Credentials, out.AssumedRoleUser)
}

// sourceCredentials returns the credentials that will sign the call.
func (p *AssumeRoleProvider) sourceCredentials(ctx context.Context) (aws.Credentials, error) {
	return signingCredentials(ctx, p.opts.Source, p.client)
}

func (p *AssumeRoleProvider) warnCap() {
	p.opts.Warn(fmt.Sprintf("tempcreds: AssumeRole %s: duration %s capped to 1h: AWS limits sessions assumed with temporary credentials (role chaining) to 1 hour",
		p.roleARN, p.opts.Duration))
}

func (p *AssumeRoleProvider) input() *sts.AssumeRoleInput {
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
func isChainingLimit(err error) bool { return Classify(err) == RefusalChainingLimit }
