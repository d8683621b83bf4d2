// Package helper is aws-sts-helper's library entry point, done right:
// GetTemporaryCredentials takes the helper's configuration object, lets
// environment variables override it (as the helper's README promises; the
// published helper does the opposite), and reuses the cached credentials
// file until the credentials expire (the published helper never expires it:
// it checks a lower-case "expiration" on a string).
package helper

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/tempcreds/tempcreds/filecache"
	"github.com/tempcreds/tempcreds/internal/cli"
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
// mode.
func GetTemporaryCredentials(ctx context.Context, cfg Config) (*filecache.Entry, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	fromConfig := map[string]string{
		"AWS_STS_FILE_NAME":     cfg.Credentials.FileName,
		"AWS_ROLE_ARN":          cfg.Role.ARN,
		"AWS_ROLE_SESSION_NAME": cfg.Role.SessionName,
		"AWS_STS_ACCESS_KEY":    cfg.Key.Access,
		"AWS_STS_ACCESS_SECRET": cfg.Key.Secret,
		"AWS_REGION":            cfg.Region,
		"AWS_ENDPOINT_URL_STS":  cfg.Endpoint,
	}
	if cfg.Credentials.Mode != 0 {
		fromConfig["AWS_STS_FILE_MODE"] = fmt.Sprintf("%04o", cfg.Credentials.Mode.Perm())
	}
	if cfg.Role.DurationSeconds != 0 {
		fromConfig["AWS_ROLE_DURATION_SECONDS"] = strconv.Itoa(cfg.Role.DurationSeconds)
	}
	// Environment first, then the configuration object.
	merged := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return fromConfig[name]
	}
	file := merged("AWS_STS_FILE_NAME")
	if file == "" {
		file = filecache.DefaultSingleFile
	}
	stderr := cfg.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	creds, err := cli.Retrieve(ctx, merged, cli.Options{CacheFile: file, MinTTL: "1m"}, stderr)
	if err != nil {
		return nil, err
	}
	e, err := (&filecache.SingleFile{Path: file, Mode: 0o777}).Read("")
	if err == nil && e != nil && e.Credentials.AccessKeyId == creds.AccessKeyID {
		return e, nil
	}
	return &filecache.Entry{Credentials: &filecache.Credentials{AccessKeyId: creds.AccessKeyID,
		SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken, Expiration: creds.Expires}}, nil
}
