// Package childproc is how tempcreds starts helper processes (a web identity
// token command, an MFA command) and children (exec): their environment
// never carries our credentials, and a helper with a timeout is killed with
// its whole process group when the timeout fires.
package childproc

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// CredentialVars is every environment variable from which some AWS SDK or
// tool takes credentials or chooses where to get them: aws-sdk-go-v2
// (config/env_config.go: AWS_ACCESS_KEY and AWS_SECRET_KEY as alternates),
// botocore, the Java SDK (AWS_ACCESS_KEY, AWS_SECRET_KEY) and JavaScript
// SDKs (AMAZON_* in v2), and aws-sts-helper (AWS_STS_*).
var CredentialVars = []string{
	"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY",
	"AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID",
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_STS_ACCESS_KEY", "AWS_STS_ACCESS_SECRET",
	"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	// The JavaScript SDK v2 also reads AMAZON_* (its EnvironmentCredentials("AMAZON")).
	"AMAZON_ACCESS_KEY_ID", "AMAZON_SECRET_ACCESS_KEY", "AMAZON_SESSION_TOKEN", "AMAZON_CREDENTIAL_EXPIRATION",
}

// Without returns environ without the named variables.
func Without(environ []string, names []string) []string {
	drop := map[string]bool{}
	for _, n := range names {
		drop[n] = true
	}
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !drop[name] {
			out = append(out, kv)
		}
	}
	return out
}

// HelperEnv is environ without any credential variable: a token or MFA
// command needs no AWS credentials, and gets none of ours (not even the
// access key IDs).
func HelperEnv(environ []string) []string {
	return Without(environ, CredentialVars)
}

// ErrTooMuchOutput is returned by Output when the command printed more
// than its cap; the command's group was killed at once.
var ErrTooMuchOutput = errors.New("printed more than the allowed output")

// Output runs cmd (not yet started, Stdout unset) in its own process group
// and returns at most max bytes of its standard output. It is bounded in
// every way a helper can misbehave: the group is killed when ctx is done,
// as soon as the output passes max (`yes` ends at once), and after the
// command exits (a `sleep 100 &` it left behind holds no pipe open and is
// no orphan).
func Output(ctx context.Context, cmd *exec.Cmd, max int) ([]byte, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd.Stdout = w
	stderr, err := copyStderr(cmd)
	if err != nil {
		return nil, err
	}
	defer stderr.close()
	setGroup(cmd)
	err = cmd.Start()
	w.Close()
	stderr.started()
	if err != nil {
		return nil, err
	}
	track(cmd)
	defer untrack(cmd)
	out := readAtMost(r, max, func() { _ = killGroup(cmd) })
	waitErr := waitGroup(ctx, cmd, out.overflow)
	if !closedWithin(out.read, 2*time.Second) { // a grandchild that left the group
		r.Close()
		<-out.read
	}
	closedWithin(stderr.done, 2*time.Second)
	select {
	case <-out.overflow:
		return out.b, ErrTooMuchOutput
	default:
	}
	if ctx.Err() != nil {
		return out.b, ctx.Err()
	}
	return out.b, waitErr
}

// stderrCopy is a command's standard error through a pipe of ours: a
// stderr that is not a file would be a pipe os/exec copies and Wait waits
// for, and a `sleep 100 &` holding it would hold us. Ours is copied
// (bounded) until the group is gone.
type stderrCopy struct {
	r, w *os.File      // nil when cmd's stderr is a file (or none)
	done chan struct{} // closed when the copy ends (nil: no copy)
}

// copyStderr puts a pipe of ours in place of cmd's stderr unless it is a
// file, and copies from it.
func copyStderr(cmd *exec.Cmd) (*stderrCopy, error) {
	dst := cmd.Stderr
	if _, isFile := dst.(*os.File); dst == nil || isFile {
		return &stderrCopy{}, nil
	}
	er, ew, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = ew
	c := &stderrCopy{r: er, w: ew, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		_, _ = io.Copy(dst, io.LimitReader(er, 64<<10))
		_, _ = io.Copy(io.Discard, er)
	}()
	return c, nil
}

// started closes our copy of the write end, now the child has its own.
func (c *stderrCopy) started() {
	if c.w != nil {
		c.w.Close()
	}
}

// close closes the read end.
func (c *stderrCopy) close() {
	if c.r != nil {
		c.r.Close()
	}
}

// boundedOutput is a command's standard output, read up to a cap.
type boundedOutput struct {
	b        []byte        // read once read is closed
	overflow chan struct{} // closed when the output passed the cap
	read     chan struct{} // closed when reading ended
}

// readAtMost reads r until it ends, or until it passes max: then the
// output is cut at max and onOverflow runs at once.
func readAtMost(r io.Reader, max int, onOverflow func()) *boundedOutput {
	o := &boundedOutput{overflow: make(chan struct{}), read: make(chan struct{})}
	go func() {
		defer close(o.read)
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if len(o.b)+n > max {
				o.b = append(o.b, buf[:max-len(o.b)]...)
				close(o.overflow)
				onOverflow()
				return
			}
			o.b = append(o.b, buf[:n]...)
			if err != nil {
				return
			}
		}
	}()
	return o
}

// waitGroup waits for cmd to exit, killing its group when ctx is done,
// and kills whatever the command left behind in the group.
func waitGroup(ctx context.Context, cmd *exec.Cmd, overflow <-chan struct{}) error {
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-ctx.Done():
		_ = killGroup(cmd)
		err = <-exited
	case <-overflow:
		err = <-exited
	}
	_ = killGroup(cmd) // whatever it left behind
	return err
}

// closedWithin reports whether ch is closed (or nil) within d.
func closedWithin(ch <-chan struct{}, d time.Duration) bool {
	if ch == nil {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}

// running are the helpers started by Output and not yet reaped: KillAll
// stops them when tempcreds exits early (a signal, a caller that gave up),
// since their own process group keeps them from the terminal's Ctrl-C.
var running = struct {
	sync.Mutex
	cmds map[*exec.Cmd]bool
}{cmds: map[*exec.Cmd]bool{}}

func track(cmd *exec.Cmd) {
	running.Lock()
	running.cmds[cmd] = true
	running.Unlock()
}

func untrack(cmd *exec.Cmd) {
	running.Lock()
	delete(running.cmds, cmd)
	running.Unlock()
}

// KillAll kills the process group of every helper still running.
func KillAll() {
	running.Lock()
	defer running.Unlock()
	for cmd := range running.cmds {
		_ = killGroup(cmd)
	}
}
