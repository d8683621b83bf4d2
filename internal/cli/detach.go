package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/tempcreds/tempcreds/internal/bounded"
)

// detachedEnv marks the background child of `serve --detach`.
const detachedEnv = "TEMPCREDS_SERVE_DETACHED"

// detachTimeout bounds how long `serve --detach` waits for the server to be
// ready (an MFA prompt on the terminal may be part of it).
const detachTimeout = 3 * time.Minute

// runDetached starts `serve` again in the background (its own session, so
// a closing terminal does not stop it), waits until it has printed the
// client settings, prints them and returns: `eval "$(tempcreds serve
// --detach …)"` returns at once, because the server no longer holds the
// $(…) pipe once it is ready. If the server fails first, its message and
// exit code are ours.
func (a *app) runDetached(ctx context.Context, args []string) error {
	if !readyForDetach() {
		return usagef("serve --detach is not supported on this platform: run serve in its own terminal or as a service")
	}
	out, isFile := a.stdout.(*os.File)
	if isFile {
		if err := checkOutputOpen(out); err != nil {
			return usagef("serve --detach prints the client settings on standard output, and %v: nobody could reach the server (capture them: eval \"$(tempcreds serve --detach ...)\")", err)
		}
	}
	// A reader that went away (`| true`) must be an error we handle (the
	// server stopped), not a SIGPIPE that kills us and leaves it running.
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	defer signal.Stop(pipe)
	child, err := a.startDetached(args)
	if err != nil {
		return err
	}
	stdout, stderr, err := child.outputs(ctx)
	if err != nil {
		return err
	}
	fmt.Fprint(a.stderr, stderr)
	if stdout == "" {
		// Both outputs closed without settings: it failed; its code is ours.
		return child.exitCode()
	}
	// Ready: the settings. If they cannot be delivered, nobody could reach
	// the server: stop it rather than leave it holding credentials.
	_, err = fmt.Fprint(a.stdout, stdout)
	if err == nil && isFile {
		err = waitDelivered(out)
	}
	if err != nil {
		_ = child.cmd.Process.Kill()
		return fmt.Errorf("writing the client settings to standard output: %w (the background server was stopped)", err)
	}
	return nil
}

// detachedChild is the background server of `serve --detach`, and the
// read ends of its standard output and error.
type detachedChild struct {
	cmd        *exec.Cmd
	outR, errR *os.File
	exited     chan error
}

// startDetached starts the background server with args, on pipes of our
// own (not cmd's copying goroutines): the child closes its ends when
// ready, while it keeps running.
func (a *app) startDetached(args []string) (*detachedChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("serve --detach: cannot find this program: %w", err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(a.environ(), detachedEnv+"=1")
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	newSession(cmd)
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		return nil, fmt.Errorf("serve --detach: %w", err)
	}
	c := &detachedChild{cmd: cmd, outR: outR, errR: errR, exited: make(chan error, 1)}
	go func() { c.exited <- cmd.Wait() }()
	return c, nil
}

// outputs reads the child's standard output and error until it closes
// both (ready, or gone), within detachTimeout.
func (c *detachedChild) outputs(ctx context.Context) (stdout, stderr string, err error) {
	read := func(r *os.File, into *bytes.Buffer, done chan<- struct{}) {
		b, _ := bounded.ReadAll(r, 64<<10, "serve's output")
		into.Write(b)
		close(done)
	}
	var outB, errB bytes.Buffer
	outDone, errDone := make(chan struct{}), make(chan struct{})
	go read(c.outR, &outB, outDone)
	go read(c.errR, &errB, errDone)
	timeout := time.NewTimer(detachTimeout)
	defer timeout.Stop()
	for _, ch := range []chan struct{}{outDone, errDone} {
		select {
		case <-ch:
		case <-timeout.C:
			_ = c.cmd.Process.Kill()
			return "", "", fmt.Errorf("serve --detach: the server was not ready within %s", detachTimeout)
		case <-ctx.Done():
			_ = c.cmd.Process.Kill()
			return "", "", ctx.Err()
		}
	}
	return outB.String(), errB.String(), nil
}

// exitCode is the failed child's exit code, as an exitError.
func (c *detachedChild) exitCode() error {
	select {
	case err := <-c.exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return &exitError{code: ee.ExitCode()}
		}
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
	}
	return &exitError{code: ExitCredentials}
}

// withoutDetach returns args without --detach (the child's command line).
func withoutDetach(args []string) []string {
	var out []string
	for _, a := range args {
		if a == "--detach" || a == "--detach=true" {
			continue
		}
		out = append(out, a)
	}
	return out
}

// isDetachedChild reports whether this process is the background server.
func (a *app) isDetachedChild() bool { return a.getenv(detachedEnv) == "1" }

// releaseOutputs points the detached child's stdout and stderr at f, so
// the parent's pipes close and it returns. f stays open: the server's
// logger writes to it.
func releaseOutputs(f *os.File) error {
	return redirectStdio(f)
}
