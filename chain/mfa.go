package chain

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tempcreds/tempcreds"
)

// ErrNoTerminal is returned (wrapped) by TerminalPrompt when there is no
// terminal to ask on.
var ErrNoTerminal = errors.New("no terminal to ask for the MFA code")

// TerminalPrompt asks for MFA codes on the terminal open returns: never on
// stdin or stdout, so it works under $(tempcreds export) and as a
// credential_process. Reading stops after 64 bytes.
func TerminalPrompt(open func() (io.ReadWriteCloser, error)) tempcreds.TokenCodeFunc {
	return func(_ context.Context, serial string) (string, error) {
		tty, err := open()
		if err != nil {
			return "", fmt.Errorf("%w of %s: give the code another way (a code or a command)", ErrNoTerminal, serial)
		}
		defer tty.Close()
		fmt.Fprintf(tty, "MFA code for %s: ", serial)
		line, err := bufio.NewReader(io.LimitReader(tty, 64)).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("reading the MFA code: %v", err)
		}
		return strings.TrimSpace(line), nil
	}
}

// openTerminal opens the controlling terminal.
func openTerminal() (io.ReadWriteCloser, error) {
	return os.OpenFile("/dev/tty", os.O_RDWR, 0)
}
