//go:build unix

package miniotest

import (
	"os/exec"
	"syscall"
)

// stopGroup sends the process group SIGTERM, or SIGKILL when kill.
func stopGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
