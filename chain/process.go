package chain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/childproc"
	"github.com/tempcreds/tempcreds/internal/credcheck"
)

// processTimeout bounds a credential_process (the SDK's default too).
const processTimeout = time.Minute

// processMaxOutput caps what a credential_process may print.
const processMaxOutput = 64 << 10

// processSource runs a profile's credential_process (via sh, as the SDKs
// do) and reads the AWS CLI's credential_process JSON. It is written here
// rather than taken from aws-sdk-go-v2's processcreds because that one reads
// the output without limit (`credential_process = yes` grew to 837 MB) and
// puts the whole output, secret key included, into its errors. Ours is
// bounded (64 KiB, 1 minute, the process group killed) and its errors never
// echo the output.
type processSource struct {
	command string
	profile string // "" for Request.SourceProcess
	// guard is the profile being resolved, added to the helper's
	// ResolvingEnv: a credential_process that runs tempcreds for the same
	// profile is refused at once instead of waiting on our lock.
	guard  string
	stderr io.Writer
	ttl    time.Duration // for temporary output without an Expiration
	clock  tempcreds.Clock
}

// ResolvingEnv lists, in the environment of a profile's credential_process,
// the profiles being resolved (separated by a unit separator, 0x1f): a
// tempcreds that the process runs refuses to resolve one of them again.
const ResolvingEnv = "TEMPCREDS_RESOLVING"

func addResolving(list, profile string) string {
	if list == "" {
		return profile
	}
	return list + "\x1f" + profile
}

// resolving reports whether profile is in the list of ResolvingEnv.
func resolving(list, profile string) bool {
	return profile != "" && slices.Contains(strings.Split(list, "\x1f"), profile)
}

// processOutput is the credential_process format (Version 1).
type processOutput struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
	AccountID       string `json:"AccountId"`
}

// Retrieve runs the command and parses its output.
func (p processSource) Retrieve(ctx context.Context) (aws.Credentials, error) {
	where := fmt.Sprintf("the credential_process of profile %s", p.profile)
	if p.profile == "" {
		where = "the source process"
	}
	ctx, cancel := context.WithTimeout(ctx, processTimeout)
	defer cancel()
	argv := childproc.ShellArgv(p.command)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = os.Environ()
	if p.guard != "" {
		cmd.Env = append(childproc.Without(cmd.Env, []string{ResolvingEnv}), ResolvingEnv+"="+addResolving(os.Getenv(ResolvingEnv), p.guard))
	}
	cmd.Stderr = p.stderr
	out, err := childproc.Output(ctx, cmd, processMaxOutput)
	switch {
	case errors.Is(err, childproc.ErrTooMuchOutput):
		return aws.Credentials{}, fmt.Errorf("%s printed more than %d bytes: not credentials (it was stopped)", where, processMaxOutput)
	case ctx.Err() != nil:
		return aws.Credentials{}, fmt.Errorf("%s did not finish within %s (its process group was killed; if it runs tempcreds for this profile, that is a loop)", where, processTimeout)
	case err != nil:
		return aws.Credentials{}, fmt.Errorf("%s failed: %v", where, err)
	}
	const hidden = "(its output is not shown: it may hold secrets; run the command yourself to see it)"
	var po processOutput
	if err := json.Unmarshal(out, &po); err != nil {
		return aws.Credentials{}, fmt.Errorf("%s printed output that is not valid credentials JSON %s", where, hidden)
	}
	if po.Version != 1 || po.AccessKeyID == "" || po.SecretAccessKey == "" {
		return aws.Credentials{}, fmt.Errorf("%s printed JSON without Version 1, AccessKeyId and SecretAccessKey %s", where, hidden)
	}
	c := aws.Credentials{AccessKeyID: po.AccessKeyID, SecretAccessKey: po.SecretAccessKey, SessionToken: po.SessionToken,
		AccountID: po.AccountID, Source: "tempcreds.CredentialProcess"}
	if po.Expiration != "" {
		exp, err := time.Parse(time.RFC3339, po.Expiration)
		if err != nil {
			return aws.Credentials{}, fmt.Errorf("%s printed an Expiration that is not an RFC 3339 time", where)
		}
		c.CanExpire, c.Expires = true, exp
		if !exp.After(p.clock.Now()) {
			return aws.Credentials{}, fmt.Errorf("%s printed credentials that expired at %s", where, exp.UTC().Format(time.RFC3339))
		}
		if exp.After(p.clock.Now().Add(maxProcessLife)) {
			// No AWS credentials live that long: such output is used as it
			// is, never cached (it would never be refreshed).
			c.CanExpire, c.Expires = false, time.Time{}
		}
	} else if p.ttl > 0 && c.SessionToken != "" {
		// Asked for: temporary credentials without an Expiration are kept
		// this long (long-term keys never are).
		c.CanExpire, c.Expires = true, p.clock.Now().Add(p.ttl)
	}
	// The one output validator, before anything caches what was printed: a
	// refused output must not sit in the cache until its Expiration.
	if err := credcheck.Check(c); err != nil {
		return aws.Credentials{}, fmt.Errorf("%s printed credentials tempcreds refuses: %s", where, err.(*credcheck.Error).Reason)
	}
	return c, nil
}

// maxProcessLife is the longest life a source process's output is cached
// for (STS's longest session, 36 hours).
const maxProcessLife = 36 * time.Hour
