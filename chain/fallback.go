package chain

import (
	"context"
	"fmt"

	"github.com/tempcreds/tempcreds/internal/refusal"
	"github.com/tempcreds/tempcreds/internal/stsresult"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/internal/sdksource"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// sdkSource is the plan's source resolved by aws-sdk-go-v2 (its default
// chain, or the plan's profile).
func sdkSource(p *Plan, d *Deps, profile string) aws.CredentialsProvider {
	return &sdksource.Source{Region: p.Region, Files: files(p), Profile: profile, HumanSession: p.humanSession,
		LoginCommand: p.loginCommand, LockDir: p.CacheDir, Debugf: d.debugf}
}

// durationFallback asks for the helper's default 12-hour session and, if
// the role's MaxSessionDuration is shorter, retries with STS's default (1
// hour) and says so. An asked-for duration is never lowered silently: it
// gets the error, which names the limit.
type durationFallback struct {
	primary, fallback aws.CredentialsProvider
	warn              func(string)
	role              string
}

// Retrieve gets the credentials, falling back to 1 hour if the role allows less than 12.
func (d *durationFallback) Retrieve(ctx context.Context) (aws.Credentials, error) {
	r, err := d.RetrieveResult(ctx)
	return r.Credentials, err
}

// RetrieveResult is Retrieve with the assumed-role user.
func (d *durationFallback) RetrieveResult(ctx context.Context) (stsresult.Result, error) {
	r, err := stsresult.Retrieve(ctx, d.primary)
	// stsrules.AskAgain holds this rule beside the chaining cap's: a
	// default duration the role refuses is asked again with STS's default
	// (the fallback provider's).
	if _, again := stsrules.AskAgain(stsrules.MaxSessionDuration, 0, true, false); again && err != nil &&
		refusal.Classify(err) == refusal.MaxSessionDuration {
		d.warn(fmt.Sprintf("tempcreds: %s allows less than the default 12h session: using 1h "+
			"(ask for a duration up to the role's MaxSessionDuration, e.g. AWS_ROLE_DURATION_SECONDS)", d.role))
		return stsresult.Retrieve(ctx, d.fallback)
	}
	return r, err
}

// ProviderSources reports the primary's sources: the fallback asks the
// same STS call with less.
func (d *durationFallback) ProviderSources() []aws.CredentialSource {
	return stsresult.Sources(d.primary)
}
