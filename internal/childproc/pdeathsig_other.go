//go:build unix && !linux

package childproc

import "syscall"

// parentDeath: no parent-death signal outside Linux.
func parentDeath(*syscall.SysProcAttr, bool) {}
