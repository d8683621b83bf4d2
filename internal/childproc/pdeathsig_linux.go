//go:build linux

package childproc

import "syscall"

// parentDeath has the kernel kill a helper when tempcreds dies, even by
// SIGKILL (which no deferred group kill survives). Linux only; elsewhere a
// helper of a SIGKILLed tempcreds ends when its output pipe closes.
func parentDeath(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
