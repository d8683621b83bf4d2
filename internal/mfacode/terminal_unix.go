//go:build unix

package mfacode

import (
	"io"
	"os"
)

// OpenTerminal opens the controlling terminal (/dev/tty): MFA prompts go
// there, never to stdin or stdout.
func OpenTerminal() (io.ReadWriteCloser, error) {
	return os.OpenFile("/dev/tty", os.O_RDWR, 0)
}
