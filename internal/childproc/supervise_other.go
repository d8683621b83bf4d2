//go:build !unix

package childproc

import "os/exec"

// SuperviseArg is the hidden first argument of the supervisor (unused here).
const SuperviseArg = "__tempcreds-supervise"

// UseSupervisor: helpers run directly here (their group ends with the
// console's, and Windows has no parent-death signal).
func UseSupervisor(string) {}

func supervise(*exec.Cmd) bool { return false }

// Supervise is not used on this platform.
func Supervise([]string) int { return 2 }
