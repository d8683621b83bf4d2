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
// apply (the profile alone decides); AWS_CONFIG_FILE, the region and
// endpoint variables do. d may be the zero Deps. Use the result as
// aws.Config.Credentials.
func FromProfile(ctx context.Context, profile string, d Deps) (*tempcreds.Cache, error) {
	plan, err := Resolve(ctx, Request{Profile: profile, ProfileOnly: true}, os.Getenv)
	if err != nil {
		return nil, err
	}
	return Build(plan, d)
}
