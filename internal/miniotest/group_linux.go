//go:build linux

package miniotest

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in its own process group, killed with the test
// process if that dies first (Pdeathsig: Linux only).
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
