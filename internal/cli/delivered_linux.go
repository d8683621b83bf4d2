//go:build linux

package cli

import "golang.org/x/sys/unix"

// unreadBytes is how much of what was written to the pipe fd its reader
// has not read yet (-1 when unknown).
func unreadBytes(fd int) int {
	n, err := unix.IoctlGetInt(fd, unix.TIOCINQ)
	if err != nil {
		return -1
	}
	return n
}
