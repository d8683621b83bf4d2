//go:build unix

package cli

import "syscall"

// mkfifo makes a FIFO (the bad-input rows that use one are POSIX inputs).
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }
