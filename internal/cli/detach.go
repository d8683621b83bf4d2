package cli

import (
	"bytes"
	"context"
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
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("serve --detach: cannot find this program: %w", err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(a.environ(), detachedEnv+"=1")
	// Our own pipes (not cmd's copying goroutines): the child closes its
	// ends when ready, while it keeps running.
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	newSession(cmd)
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		return fmt.Errorf("serve --detach: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	read := func(r *os.File, into *bytes.Buffer, done chan<- struct{}) {
		b, _ := bounded.ReadAll(r, 64<<10, "serve's output")
		into.Write(b)
		close(done)
	}
	var stdout, stderr bytes.Buffer
	outDone, errDone := make(chan struct{}), make(chan struct{})
	go read(outR, &stdout, outDone)
	go read(errR, &stderr, errDone)
	timeout := time.NewTimer(detachTimeout)
	defer timeout.Stop()
	for _, ch := range []chan struct{}{outDone, errDone} {
		select {
		case <-ch:
		case <-timeout.C:
			_ = cmd.Process.Kill()
			return fmt.Errorf("serve --detach: the server was not ready within %s", detachTimeout)
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			return ctx.Err()
		}
	}
	fmt.Fprint(a.stderr, stderr.String())
	if stdout.Len() > 0 {
		// Ready: the settings. If they cannot be delivered, nobody could
		// reach the server: stop it rather than leave it holding credentials.
		_, err := fmt.Fprint(a.stdout, stdout.String())
		if err == nil && isFile {
			err = waitDelivered(out)
		}
		if err != nil {
			_ = cmd.Process.Kill()
			return fmt.Errorf("tempcreds: writing the client settings to standard output: %w (the background server was stopped)", err)
		}
		return nil
	}
	// Both outputs closed without settings: it failed; its code is ours.
	select {
	case err := <-exited:
		if ee, ok := err.(*exec.ExitError); ok {
			return &exitError{code: ee.ExitCode()}
		}
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
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
