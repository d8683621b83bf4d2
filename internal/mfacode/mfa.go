// Package mfacode asks for MFA codes: on the controlling terminal (never stdin
// or stdout), or from a command (a hardware token helper, aws-vault's
// mfa_process) run bounded in its own process group.
package mfacode

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/childproc"
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

// mfaCommandTimeout bounds an MFA command.
const mfaCommandTimeout = 2 * time.Minute

// Command runs command (with sh) for each MFA code: a hardware token's
// helper, a password manager, aws-vault's mfa_process. name is how errors
// call it (a flag, a profile key). The command gets no credential variable,
// TEMPCREDS_MFA_SERIAL, its own process group (killed after 2 minutes, on
// more than 64 bytes of output, and when it exits), and stderr.
func Command(command, name string, stderr io.Writer) tempcreds.TokenCodeFunc {
	return func(ctx context.Context, serial string) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, mfaCommandTimeout)
		defer cancel()
		argv := childproc.ShellArgv(command)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(childproc.HelperEnv(os.Environ()), "TEMPCREDS_MFA_SERIAL="+serial)
		cmd.Stderr = stderr
		out, err := childproc.Output(ctx, cmd, 64)
		switch {
		case errors.Is(err, childproc.ErrTooMuchOutput):
			return "", fmt.Errorf("%s printed more than 64 bytes: not an MFA code (it was stopped)", name)
		case ctx.Err() != nil:
			return "", fmt.Errorf("%s timed out after %s (its process group was killed)", name, mfaCommandTimeout)
		case err != nil:
			return "", fmt.Errorf("%s failed: %v", name, err)
		}
		return strings.TrimSpace(string(out)), nil
	}
}
