//go:build windows

package cli

import (
	"os"
	"os/exec"
)

// forwardedSignals: Ctrl-C and Ctrl-Break reach every process of the
// console, exec's child included; tempcreds only has to outlive the child
// to return its exit code.
var forwardedSignals = []os.Signal{os.Interrupt}

func forwardSignal(*exec.Cmd, os.Signal) {}
