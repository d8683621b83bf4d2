// Package helper is aws-sts-helper's library entry point in Go:
// GetTemporaryCredentials takes the helper's configuration object, lets
// environment variables override it (as the helper's README describes),
// and reuses the cached credentials file (0600) while the credentials have
// at least a minute left, then replaces it. docs/library.md lists where it
// differs from the JavaScript package.
package helper

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/tempcreds/tempcreds/internal/stsresult"

	"github.com/tempcreds/tempcreds/internal/redact"

	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/chain"
	"github.com/tempcreds/tempcreds/internal/filecache"
)

// Config is the helper's configuration object. Every field has an
// environment variable that overrides it:
//
//	Credentials.FileName  AWS_STS_FILE_NAME          default ./.aws-sts.json
//	Credentials.Mode      AWS_STS_FILE_MODE          default 0600
//	Role.ARN              AWS_ROLE_ARN               (none: GetSessionToken)
//	Role.SessionName      AWS_ROLE_SESSION_NAME      default temporary
//	Role.DurationSeconds  AWS_ROLE_DURATION_SECONDS  default 43200 (1h if the role allows less)
//	Key.Access            AWS_STS_ACCESS_KEY         default: aws-sdk-go-v2's chain
//	Key.Secret            AWS_STS_ACCESS_SECRET
type Config struct {
	Credentials struct {
		FileName string
		Mode     os.FileMode
	}
	Role struct {
		ARN             string
		SessionName     string
		DurationSeconds int
	}
	Key struct {
		Access string
		Secret string
	}
	// Region and Endpoint of STS (AWS_REGION and AWS_ENDPOINT_URL_STS win).
	Region   string
	Endpoint string
	// Getenv replaces os.Getenv (for tests). Warnings go to Stderr
	// (default os.Stderr).
	Getenv func(string) string
	Stderr io.Writer
}

// GetTemporaryCredentials returns the STS response (Credentials and
// AssumedRoleUser), from the credentials file while it is valid (at least a
// minute left), else from STS, and then writes the file with the configured
// mode. It is a thin caller of package chain.
func GetTemporaryCredentials(ctx context.Context, cfg Config) (*Response, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	// Environment first, then the configuration object: a field is taken
	// from Config only when its variable is unset; otherwise it is left
	// empty and the chain reads the variable itself (and names it in errors).
	pick := func(name, fromConfig string) string {
		if getenv(name) != "" {
			return ""
		}
		return fromConfig
	}
	r := chain.Request{
		HelperDefaults:  true,
		RoleARN:         pick("AWS_ROLE_ARN", cfg.Role.ARN),
		RoleSessionName: pick("AWS_ROLE_SESSION_NAME", cfg.Role.SessionName),
		Region:          pick("AWS_REGION", cfg.Region),
		EndpointURL:     pick("AWS_ENDPOINT_URL_STS", cfg.Endpoint),
		Keys: chain.Keys{AccessKeyID: pick("AWS_STS_ACCESS_KEY", cfg.Key.Access),
			SecretAccessKey: pick("AWS_STS_ACCESS_SECRET", cfg.Key.Secret)},
		Cache: chain.CachePolicy{File: pick("AWS_STS_FILE_NAME", cfg.Credentials.FileName), MinTTL: time.Minute},
	}
	if r.Cache.File == "" && getenv("AWS_STS_FILE_NAME") == "" {
		r.Cache.File = filecache.DefaultSingleFile
	}
	if getenv("AWS_STS_FILE_MODE") == "" {
		r.Cache.Mode = cfg.Credentials.Mode
	}
	if getenv("AWS_ROLE_DURATION_SECONDS") == "" {
		r.Duration = time.Duration(cfg.Role.DurationSeconds) * time.Second
	}
	stderr := cfg.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	plan, err := chain.Resolve(ctx, r, getenv)
	if err != nil {
		return nil, inHelperWords(err)
	}
	warn := func(msg string) { fmt.Fprintln(stderr, redact.Scrub(msg)) }
	cache, err := chain.Build(plan, chain.Deps{Warn: warn, Stderr: stderr})
	if err != nil {
		return nil, inHelperWords(err)
	}
	// The final hop's file cache answers with the assumed-role user too.
	res, err := stsresult.Retrieve(ctx, cache.Provider())
	if err != nil {
		return nil, err
	}
	c := res.Credentials
	out := &Response{Credentials: &types.Credentials{AccessKeyId: aws.String(c.AccessKeyID),
		SecretAccessKey: aws.String(c.SecretAccessKey), SessionToken: aws.String(c.SessionToken), Expiration: aws.Time(c.Expires)}}
	if res.AssumedRoleARN != "" {
		out.AssumedRoleUser = &types.AssumedRoleUser{AssumedRoleId: aws.String(res.AssumedRoleID), Arn: aws.String(res.AssumedRoleARN)}
	}
	return out, nil
}

// Response is the STS response the helper returns and keeps in its file,
// in STS's own types: the credentials and, for a role, the assumed-role
// user (nil for GetSessionToken).
type Response struct {
	Credentials     *types.Credentials
	AssumedRoleUser *types.AssumedRoleUser
}

// configNames are the Config fields of the chain's request fields.
var configNames = map[string]string{
	"Cache.Mode": "Credentials.Mode", "Cache.File": "Credentials.FileName", "Duration": "Role.DurationSeconds",
	"RoleARN": "Role.ARN", "RoleSessionName": "Role.SessionName", "Keys": "Key.Access and Key.Secret",
	"Region": "Region", "EndpointURL": "Endpoint",
}

// ConfigError is a bad setting, named as the Config field (or the
// environment variable) that gave it.
type ConfigError struct {
	Err *tempcreds.ConfigError
}

// Error names the Config field or the variable.
func (e *ConfigError) Error() string {
	return "tempcreds: " + e.Err.Message(func(f string) string {
		if n, ok := configNames[f]; ok {
			return "Config." + n
		}
		return f
	})
}

// Unwrap returns the chain's error (errors.Is(err, tempcreds.ErrInvalidConfig)).
func (e *ConfigError) Unwrap() error { return e.Err }

// inHelperWords names a configuration error in this package's terms.
func inHelperWords(err error) error {
	if ce, ok := err.(*tempcreds.ConfigError); ok {
		return &ConfigError{Err: ce}
	}
	return err
}
