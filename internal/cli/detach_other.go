//go:build !unix

package cli

import (
	"errors"
	"os"
	"os/exec"
)

func newSession(*exec.Cmd) {}

func redirectStdio(*os.File) error {
	return errors.New("serve --detach is not supported on this platform")
}

func readyForDetach() bool { return false }

func openLog(string) (*os.File, error) {
	return nil, errors.New("serve --detach is not supported on this platform")
}

func checkOutputOpen(*os.File) error { return nil }

func waitDelivered(*os.File) error { return nil }
