//go:build linux

package main

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// stopWithParent asks the kernel for SIGTERM when make (the parent) goes:
// killing make stops the demo, which then removes MinIO and its files.
func stopWithParent() { _ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0) }
