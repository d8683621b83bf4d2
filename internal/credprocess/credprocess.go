// Package credprocess runs a credential_process (via sh, as the SDKs do)
// and reads the AWS CLI's credential_process JSON, bounded: 64 KiB of
// output, 1 minute, the process group killed. It is written here rather
// than taken from aws-sdk-go-v2's processcreds because that one reads the
// output without limit (`credential_process = yes` grew to 837 MB) and puts
// the whole output, secret key included, into its errors. Errors here never
// echo the output.
package credprocess

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

// Timeout bounds a credential_process (the SDK's default too).
const Timeout = time.Minute

// MaxOutput caps what a credential_process may print.
const MaxOutput = 64 << 10

// MaxLife is the longest life a source process's output is cached for
// (STS's longest session, 36 hours).
const MaxLife = 36 * time.Hour

// ResolvingEnv lists, in the environment of a profile's credential_process,
// the profiles being resolved (separated by a unit separator, 0x1f): a
// tempcreds that the process runs refuses to resolve one of them again.
const ResolvingEnv = "TEMPCREDS_RESOLVING"

// hidden ends every error about what a process printed.
const hidden = "(its output is not shown: it may hold secrets; run the command yourself to see it)"

// Source is an aws.CredentialsProvider that runs Command for each Retrieve.
type Source struct {
	// Command is the shell command line.
	Command string
	// Profile names the profile whose credential_process it is in errors;
	// "" for a source process given directly.
	Profile string
	// Guard is the profile being resolved, added to ResolvingEnv in the
	// process's environment: a credential_process that runs tempcreds for
	// the same profile is refused at once instead of waiting on our lock.
	Guard string
	// Stderr receives the process's standard error.
	Stderr io.Writer
	// TTL is how long temporary output without an Expiration is kept (0:
	// not at all).
	TTL time.Duration
	// Clock decides whether the output has expired.
	Clock tempcreds.Clock
}

// Resolving reports whether profile is in list, a value of ResolvingEnv.
func Resolving(list, profile string) bool {
	return profile != "" && slices.Contains(strings.Split(list, "\x1f"), profile)
}

func addResolving(list, profile string) string {
	if list == "" {
		return profile
	}
	return list + "\x1f" + profile
}

// output is the credential_process format (Version 1).
type output struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
	AccountID       string `json:"AccountId"`
}

// where names the process in errors.
func (s Source) where() string {
	if s.Profile == "" {
		return "the source process"
	}
	return fmt.Sprintf("the credential_process of profile %s", s.Profile)
}

// Retrieve runs the command and parses its output.
func (s Source) Retrieve(ctx context.Context) (aws.Credentials, error) {
	out, err := s.run(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	c, err := s.parse(out)
	if err != nil {
		return aws.Credentials{}, err
	}
	// The one output validator, before anything caches what was printed: a
	// refused output must not sit in the cache until its Expiration.
	if err := credcheck.Check(c); err != nil {
		return aws.Credentials{}, fmt.Errorf("%s printed credentials tempcreds refuses: %s", s.where(), err.(*credcheck.Error).Reason)
	}
	return c, nil
}

// run runs the command within Timeout and returns what it printed.
func (s Source) run(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	argv := childproc.ShellArgv(s.Command)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = os.Environ()
	if s.Guard != "" {
		cmd.Env = append(childproc.Without(cmd.Env, []string{ResolvingEnv}), ResolvingEnv+"="+addResolving(os.Getenv(ResolvingEnv), s.Guard))
	}
	cmd.Stderr = s.Stderr
	out, err := childproc.Output(ctx, cmd, MaxOutput)
	switch {
	case errors.Is(err, childproc.ErrTooMuchOutput):
		return nil, fmt.Errorf("%s printed more than %d bytes: not credentials (it was stopped)", s.where(), MaxOutput)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s did not finish within %s (its process group was killed; if it runs tempcreds for this profile, that is a loop)", s.where(), Timeout)
	case err != nil:
		return nil, fmt.Errorf("%s failed: %v", s.where(), err)
	}
	return out, nil
}

// parse reads credential_process JSON and gives it its expiry.
func (s Source) parse(out []byte) (aws.Credentials, error) {
	var po output
	if err := json.Unmarshal(out, &po); err != nil {
		return aws.Credentials{}, fmt.Errorf("%s printed output that is not valid credentials JSON %s", s.where(), hidden)
	}
	if po.Version != 1 || po.AccessKeyID == "" || po.SecretAccessKey == "" {
		return aws.Credentials{}, fmt.Errorf("%s printed JSON without Version 1, AccessKeyId and SecretAccessKey %s", s.where(), hidden)
	}
	c := aws.Credentials{AccessKeyID: po.AccessKeyID, SecretAccessKey: po.SecretAccessKey, SessionToken: po.SessionToken,
		AccountID: po.AccountID, Source: "tempcreds.CredentialProcess"}
	if po.Expiration == "" {
		if s.TTL > 0 && c.SessionToken != "" {
			// Asked for: temporary credentials without an Expiration are
			// kept this long (long-term keys never are).
			c.CanExpire, c.Expires = true, s.Clock.Now().Add(s.TTL)
		}
		return c, nil
	}
	exp, err := time.Parse(time.RFC3339, po.Expiration)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("%s printed an Expiration that is not an RFC 3339 time", s.where())
	}
	now := s.Clock.Now()
	switch {
	case !exp.After(now):
		return aws.Credentials{}, fmt.Errorf("%s printed credentials that expired at %s", s.where(), exp.UTC().Format(time.RFC3339))
	case exp.After(now.Add(MaxLife)):
		// No AWS credentials live that long: such output is used as it
		// is, never cached (it would never be refreshed).
	default:
		c.CanExpire, c.Expires = true, exp
	}
	return c, nil
}
