//go:build unix && !linux

package miniotest

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in its own process group (macOS and the BSDs have no
// Pdeathsig: Close, or t.Cleanup, stops it).
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }
