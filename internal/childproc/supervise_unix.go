//go:build unix

package childproc

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// SuperviseArg is the hidden first argument that makes the tempcreds
// binary a helper's supervisor (see UseSupervisor).
const SuperviseArg = "__tempcreds-supervise"

// supervisor is the binary helpers run under ("" for none: each helper
// is run directly).
var supervisor string

// UseSupervisor runs every helper under exe (the tempcreds binary, called
// with SuperviseArg): a small parent in the helper's process group that
// the kernel signals when tempcreds dies (Linux), and which then kills the
// whole group. Without it, a SIGKILLed tempcreds takes only the helper's
// first process (the shell), not the commands that shell started.
func UseSupervisor(exe string) { supervisor = exe }

// supervise rewrites cmd to run under the supervisor, when there is one.
func supervise(cmd *exec.Cmd) bool {
	if supervisor == "" {
		return false
	}
	cmd.Args = append([]string{supervisor, SuperviseArg, cmd.Path}, cmd.Args...)
	cmd.Path = supervisor
	return true
}

// Supervise is the supervisor's main (args after SuperviseArg: the path,
// then the argv): run the helper in this process group with this
// process's streams and environment, return its exit code, and on SIGTERM
// (tempcreds died), SIGINT or SIGHUP kill the whole group.
func Supervise(args []string) int {
	if len(args) < 2 {
		return 2
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	cmd := &exec.Cmd{Path: args[0], Args: args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	if err := cmd.Start(); err != nil {
		return 127
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-sigs:
		_ = syscall.Kill(0, syscall.SIGKILL) // the group: the helper, what it started, and us
		return 137
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return 128 + int(ws.Signal())
			}
			return ee.ExitCode()
		}
		if err != nil {
			return 126
		}
		return 0
	}
}
