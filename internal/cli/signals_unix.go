//go:build unix

package cli

import (
	"os"
	"os/exec"
	"syscall"
)

// forwardedSignals are passed on to exec's child.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH}

func forwardSignal(cmd *exec.Cmd, s os.Signal) { _ = cmd.Process.Signal(s) }
