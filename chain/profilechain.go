package chain

import (
	"context"
	"os"

	"github.com/tempcreds/tempcreds"
)

// FromProfile is the command line's behaviour for a named ~/.aws/config
// profile, in one call: its source_profile chain becomes a refreshing
// provider, each hop cached 0600 on disk, MFA asked for once per session on
// the terminal. The process environment's role, keys and token file do not
// apply (the profile alone decides); AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE, the region and the STS endpoint
// (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's endpoint_url) do.
// For a profile written at run time, call Resolve with a lookup of your own
// instead of os.Getenv, then Build. d may be the zero Deps. Use the result as
// aws.Config.Credentials.
func FromProfile(ctx context.Context, profile string, d Deps) (*tempcreds.Cache, error) {
	plan, err := Resolve(ctx, Request{Profile: profile, ProfileOnly: true}, os.Getenv)
	if err != nil {
		return nil, err
	}
	return Build(plan, d)
}
