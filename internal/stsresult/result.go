// Package stsresult is one STS answer as the cache file keeps it: the
// credentials and, for roles, the assumed-role user. The STS providers
// return it; the file cache writes it.
package stsresult

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Result is one STS answer as aws-sts-helper's cache file keeps it: the
// credentials and, for roles, the assumed-role user.
type Result struct {
	Credentials aws.Credentials
	// AssumedRoleARN and AssumedRoleID describe the assumed-role user
	// (empty for GetSessionToken).
	AssumedRoleARN string
	AssumedRoleID  string
}

// Provider is a provider that can also tell who the credentials belong
// to. The STS providers of this package implement it; the persistent cache
// uses it to write aws-sts-helper's file format.
type Provider interface {
	aws.CredentialsProvider
	RetrieveResult(ctx context.Context) (Result, error)
}

// Retrieve gets a Result from p, with the assumed-role user when p
// can tell it.
func Retrieve(ctx context.Context, p aws.CredentialsProvider) (Result, error) {
	if rp, ok := p.(Provider); ok {
		return rp.RetrieveResult(ctx)
	}
	creds, err := p.Retrieve(ctx)
	return Result{Credentials: creds}, err
}

// Sources is p's ProviderSources (aws.CredentialProviderSource, the SDK's
// credential feature tracking), or nil when p does not tell them: what
// every provider that wraps another reports.
func Sources(p aws.CredentialsProvider) []aws.CredentialSource {
	if ps, ok := p.(aws.CredentialProviderSource); ok {
		return ps.ProviderSources()
	}
	return nil
}
