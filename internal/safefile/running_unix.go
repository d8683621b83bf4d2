//go:build unix

package safefile

import (
	"errors"
	"syscall"
)

// processRunning reports whether a process with this ID exists (signal 0:
// nothing is sent). A process of another user (EPERM) exists too.
func processRunning(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
