package tempcreds

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TemporaryAPI is what the Temporary chooser needs: both STS calls.
// *sts.Client implements it.
type TemporaryAPI interface {
	GetSessionTokenAPI
	AssumeRoleAPI
}

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
// RoleARN) or GetSessionToken (without one).
//
// The Clock of cacheOpts also drives the Cache built around Source.
func NewTemporary(client TemporaryAPI, params TemporaryParams, cacheOpts ...func(*CacheOptions)) (*Cache, error) {
	var co CacheOptions
	for _, fn := range cacheOpts {
		fn(&co)
	}
	var p aws.CredentialsProvider
	var err error
	if params.RoleARN != "" {
		p, err = NewAssumeRole(client, params.RoleARN, func(o *AssumeRoleOptions) {
			o.RoleSessionName = params.RoleSessionName
			o.Duration = params.Duration
			o.ExternalID = params.ExternalID
			o.Policy = params.Policy
			o.SerialNumber = params.SerialNumber
			o.TokenCode = params.TokenCode
			o.Source = params.Source
			o.Clock = co.Clock
		})
	} else {
		if params.ExternalID != "" || params.Policy != "" || params.RoleSessionName != "" {
			return nil, configError("RoleARN", "ExternalID, Policy and RoleSessionName need a RoleARN (GetSessionToken takes none of them)")
		}
		p, err = NewSessionToken(client, func(o *SessionTokenOptions) {
			o.Duration = params.Duration
			o.SerialNumber = params.SerialNumber
			o.TokenCode = params.TokenCode
			o.Source = params.Source
			o.Clock = co.Clock
		})
	}
	if err != nil {
		return nil, err
	}
	return NewCache(p, cacheOpts...), nil
}

// compile-time checks that every provider is an aws.CredentialsProvider.
var (
	_ aws.CredentialsProvider = (*Cache)(nil)
	_ aws.CredentialsProvider = (*SessionTokenProvider)(nil)
	_ aws.CredentialsProvider = (*AssumeRoleProvider)(nil)
	_ aws.CredentialsProvider = (*WebIdentityProvider)(nil)
)
