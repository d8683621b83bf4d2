//go:build linux

package childproc

import "syscall"

// parentDeath has the kernel signal a helper when tempcreds dies, even by
// SIGKILL (which no deferred group kill survives): SIGTERM to a
// supervisor, which kills the helper's whole group; SIGKILL to a helper
// run directly. Linux only; elsewhere a helper of a SIGKILLed tempcreds
// ends when its output pipe closes.
func parentDeath(a *syscall.SysProcAttr, supervised bool) {
	a.Pdeathsig = syscall.SIGKILL
	if supervised {
		a.Pdeathsig = syscall.SIGTERM
	}
}
