package chain

import (
	"os"
	"time"
)

// Request says which credentials to get: the typed form of the command
// line's flags. Empty fields fall back to the environment, then the
// profile, then defaults (see Resolve).
type Request struct {
	// Profile is a ~/.aws/config profile (default $AWS_PROFILE).
	Profile string
	// RoleARN is the role to assume (default $AWS_ROLE_ARN, else the
	// profile's role_arn).
	RoleARN string
	// RoleSessionName (default $AWS_ROLE_SESSION_NAME, else the profile's
	// role_session_name, else tempcreds-USER-UNIXTIME; "temporary" with
	// HelperDefaults or aws-sts-helper's variables).
	RoleSessionName string
	// Duration of the final session (default $AWS_ROLE_DURATION_SECONDS,
	// else the profile's duration_seconds, else 1h for a role; 12h for a
	// session token, and for a role with HelperDefaults or aws-sts-helper's
	// variables, falling back to 1h when the role allows less).
	Duration time.Duration
	// HelperDefaults gives the role aws-sts-helper's defaults (session name
	// "temporary", 12 hours) instead of the AWS CLI's: for callers in that
	// interface's shape (package helper). Its variables (AWS_ROLE_ARN,
	// AWS_STS_ACCESS_KEY) imply it.
	HelperDefaults bool
	// Via are roles assumed first, in order: a chain.
	Via []string
	// NoRole asks for GetSessionToken only.
	NoRole bool
	// MFASerial is the MFA device (default the profile's mfa_serial).
	MFASerial string
	// MFAMode is where MFA goes (default MFASession).
	MFAMode MFAMode
	// WebIdentityTokenFile (default $AWS_WEB_IDENTITY_TOKEN_FILE) or
	// WebIdentityTokenCommand (a shell command printing the token) makes
	// the first hop AssumeRoleWithWebIdentity.
	WebIdentityTokenFile    string
	WebIdentityTokenCommand string
	// ExternalID, Policy (JSON), PolicyARNs, Tags and SourceIdentity shape
	// the final role session.
	ExternalID     string
	Policy         string
	PolicyARNs     []string
	Tags           map[string]string
	SourceIdentity string
	// TransitiveTags are keys of Tags that pass along a role chain: they are
	// set, with SourceIdentity, on the chain's first role (AWS never lets a
	// later role change them); the other tags go on the final role.
	TransitiveTags []string
	// SourceProcess is a command printing credential_process JSON (a Roles
	// Anywhere signing helper, okta-aws-cli, saml2aws, `aws configure
	// export-credentials`...): the source, run once and cached 0600 until
	// its Expiration, for many concurrent processes. A profile whose leaf is
	// a credential_process gives the same.
	SourceProcess string
	// SourceProcessTTL caches temporary credentials (with a session token)
	// that a source process prints without an Expiration for this long.
	// 0: such output is not cached (the process runs every time).
	SourceProcessTTL time.Duration
	// Keys are long-term keys to start from (default AWS_STS_ACCESS_KEY and
	// AWS_STS_ACCESS_SECRET). They win over Profile and the SDK's chain;
	// they are never written to the cache.
	Keys Keys
	// MinTokenSize asks STS for a final session token of at least this
	// many bytes (MinimumSessionTokenSize, up to 4,096): to test that
	// consumers take the longest tokens STS issues.
	MinTokenSize int
	// Region of STS (default $AWS_REGION, $AWS_DEFAULT_REGION, the
	// profile's region, else us-east-1).
	Region string
	// EndpointURL of STS (default $AWS_ENDPOINT_URL_STS, $AWS_ENDPOINT_URL,
	// else the SDK's resolution).
	EndpointURL string
	// Cache is where and how long credentials are kept on disk.
	Cache CachePolicy
	// ProfileOnly: the credentials are the profile's alone; the
	// environment's role, keys, token file and profile do not apply.
	ProfileOnly bool
	// FinalInMemory keeps the final hop out of the file cache (a server
	// keeps it in memory and needs fresh STS answers for its windows).
	FinalInMemory bool
}

// Keys are an access key pair (and a session token, if they are temporary).
type Keys struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// CachePolicy says where credentials are cached and how long they are reused.
type CachePolicy struct {
	// File is a single-file cache for the final hop, as aws-sts-helper's
	// (default $AWS_STS_FILE_NAME); other hops use Dir.
	File string
	// Mode of File: owner-only, read-write (default AWS_STS_FILE_MODE, else
	// 0600). A mode that lets others read or write is refused.
	Mode os.FileMode
	// Dir is the cache directory (default $XDG_CACHE_HOME/tempcreds or
	// ~/.cache/tempcreds).
	Dir string
	// Disabled neither reads nor writes any cache file.
	Disabled bool
	// MinTTL: cached final credentials with less left are refreshed. 0 is
	// the default: 15 minutes, or half a shorter session; a value given
	// here is exact.
	MinTTL time.Duration
}

// MFAMode says where an MFA device is used.
type MFAMode string

const (
	// MFASession (the default): one MFA GetSessionToken, cached, and roles
	// assumed from it without prompting again (AWS caps those at 1 hour).
	MFASession MFAMode = "session"
	// MFARole: MFA on AssumeRole itself: longer sessions, one prompt per
	// role refresh.
	MFARole MFAMode = "role"
)
