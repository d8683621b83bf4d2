package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/mfacode"
)

// tokenCodeFunc returns how the flags say MFA codes are obtained:
// --mfa-code (once) or --mfa-command; nil when neither is given (a
// profile's mfa_process, else the terminal prompt: see mfaPrompt).
func (a *app) tokenCodeFunc(o Options, say *messages) tempcreds.TokenCodeFunc {
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
			say.Debugf("MFA code for %s from --mfa-code", serial)
			return o.MFACode, nil
		}
	case o.MFACommand != "":
		run := mfacode.Command(o.MFACommand, "--mfa-command", a.stderr)
		return func(ctx context.Context, serial string) (string, error) {
			say.Debugf("MFA code for %s from --mfa-command", serial)
			return run(ctx, serial)
		}
	}
	return nil
}

// mfaPrompt asks on the terminal (never stdin or stdout, so it works under
// $(tempcreds export) and as a credential_process).
func (a *app) mfaPrompt() tempcreds.TokenCodeFunc {
	prompt := mfacode.TerminalPrompt(a.openTTY)
	return func(ctx context.Context, serial string) (string, error) {
		code, err := prompt(ctx, serial)
		if errors.Is(err, mfacode.ErrNoTerminal) {
			return "", fmt.Errorf("no terminal to ask for the MFA code of %s: pass --mfa-code or --mfa-command", serial)
		}
		return strings.TrimSpace(code), err
	}
}
