package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/chain"
	"github.com/tempcreds/tempcreds/internal/childproc"
)

// mfaCommandTimeout bounds --mfa-command.
const mfaCommandTimeout = 2 * time.Minute

// tokenCodeFunc returns how MFA codes are obtained: --mfa-code (once),
// --mfa-command, or a prompt on the terminal (never stdin or stdout, so it
// works under $(tempcreds export) and as a credential_process).
func (a *app) tokenCodeFunc(o Options) tempcreds.TokenCodeFunc {
	switch {
	case o.MFACode != "":
		var used bool
		var mu sync.Mutex
		return func(_ context.Context, serial string) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			if used {
				return "", errors.New("the --mfa-code was already used for another call (an MFA code works once): use --mfa-command or the prompt")
			}
			used = true
			a.debugf("MFA code for %s from --mfa-code", serial)
			return o.MFACode, nil
		}
	case o.MFACommand != "":
		return func(ctx context.Context, serial string) (string, error) {
			a.debugf("MFA code for %s from --mfa-command", serial)
			ctx, cancel := context.WithTimeout(ctx, mfaCommandTimeout)
			defer cancel()
			cmd := exec.Command("/bin/sh", "-c", o.MFACommand)
			cmd.Env = append(childproc.HelperEnv(os.Environ()), "TEMPCREDS_MFA_SERIAL="+serial)
			cmd.Stderr = a.stderr
			out, err := childproc.Output(ctx, cmd, 64)
			switch {
			case errors.Is(err, childproc.ErrTooMuchOutput):
				return "", errors.New("--mfa-command printed more than 64 bytes: not an MFA code (it was stopped)")
			case ctx.Err() != nil:
				return "", fmt.Errorf("--mfa-command timed out after %s (its process group was killed)", mfaCommandTimeout)
			case err != nil:
				return "", fmt.Errorf("--mfa-command failed: %v", err)
			}
			return strings.TrimSpace(string(out)), nil
		}
	}
	prompt := chain.TerminalPrompt(a.openTTY)
	return func(ctx context.Context, serial string) (string, error) {
		code, err := prompt(ctx, serial)
		if errors.Is(err, chain.ErrNoTerminal) {
			return "", fmt.Errorf("no terminal to ask for the MFA code of %s: pass --mfa-code or --mfa-command", serial)
		}
		return code, err
	}
}
