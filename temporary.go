package tempcreds

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/internal/stsresult"
)

// TemporaryParams are AWS.TemporaryCredentials' params: with a RoleARN
// the credentials come from AssumeRole, without one from GetSessionToken.
type TemporaryParams struct {
	RoleARN         string
	RoleSessionName string
	Duration        time.Duration
	ExternalID      string
	Policy          string
	SerialNumber    string
	TokenCode       TokenCodeFunc
	// Source ("master credentials") signs the calls. It is captured now and
	// refreshed through its own Cache before each call: these are the
	// chainable semantics of AWS.ChainableTemporaryCredentials.
	// (AWS.TemporaryCredentials collapses its masters at construction,
	// which is why its chains fail to refresh; we do not copy that.)
	Source aws.CredentialsProvider
}

// NewTemporary returns a refreshing Cache over AssumeRole (params with a
// RoleARN) or GetSessionToken (without one): AWS.TemporaryCredentials.
//
// The Clock of cacheOpts also drives the Cache built around Source.
func NewTemporary(client STSClient, params TemporaryParams, cacheOpts ...func(*CacheOptions)) (*Cache, error) {
	var co CacheOptions
	for _, fn := range cacheOpts {
		fn(&co)
	}
	if params.RoleARN != "" {
		return NewAssumeRole(client, params.RoleARN, func(o *AssumeRoleOptions) {
			o.CacheOptions = co
			o.RoleSessionName = params.RoleSessionName
			o.Duration = params.Duration
			o.ExternalID = params.ExternalID
			o.Policy = params.Policy
			o.SerialNumber = params.SerialNumber
			o.TokenCode = params.TokenCode
			o.Source = params.Source
		})
	}
	if params.ExternalID != "" || params.Policy != "" || params.RoleSessionName != "" {
		return nil, configError("RoleARN", "ExternalID, Policy and RoleSessionName need a RoleARN (GetSessionToken takes none of them)")
	}
	return NewSessionToken(client, func(o *SessionTokenOptions) {
		o.CacheOptions = co
		o.Duration = params.Duration
		o.SerialNumber = params.SerialNumber
		o.TokenCode = params.TokenCode
		o.Source = params.Source
	})
}

// compile-time checks that every provider is an aws.CredentialsProvider
// that tells its sources and its assumed-role user.
var (
	_ aws.CredentialProviderSource = (*Cache)(nil)
	_ stsresult.Provider           = (*sessionTokenProvider)(nil)
	_ stsresult.Provider           = (*assumeRoleProvider)(nil)
	_ stsresult.Provider           = (*webIdentityProvider)(nil)
)
