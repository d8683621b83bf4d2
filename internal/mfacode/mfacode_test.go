package mfacode

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// fakeTTY is a terminal that holds what the user types and records the prompt.
type fakeTTY struct {
	io.Reader
	prompt bytes.Buffer
}

func (f *fakeTTY) Write(p []byte) (int, error) { return f.prompt.Write(p) }
func (f *fakeTTY) Close() error                { return nil }

func TestTerminalPrompt(t *testing.T) {
	for _, tc := range []struct {
		name, typed, want string
		noTTY             bool
		wantErr           error
	}{
		{name: "a code and a newline", typed: "123456\n", want: "123456"},
		{name: "spaces are trimmed", typed: "  654321 \r\n", want: "654321"},
		{name: "no newline at EOF", typed: "111111", want: "111111"},
		{name: "reading stops at 64 bytes", typed: strings.Repeat("9", 100), want: strings.Repeat("9", 64)},
		{name: "no terminal", noTTY: true, wantErr: ErrNoTerminal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tty := &fakeTTY{Reader: strings.NewReader(tc.typed)}
			open := func() (io.ReadWriteCloser, error) {
				if tc.noTTY {
					return nil, errors.New("no /dev/tty")
				}
				return tty, nil
			}
			got, err := TerminalPrompt(open)(context.Background(), "arn:aws:iam::123456789012:mfa/ana")
			if !errors.Is(err, tc.wantErr) || got != tc.want {
				t.Fatalf("got %q, %v; want %q, %v", got, err, tc.want, tc.wantErr)
			}
			if !tc.noTTY && tty.prompt.String() != "MFA code for arn:aws:iam::123456789012:mfa/ana: " {
				t.Fatalf("prompt %q", tty.prompt.String())
			}
		})
	}
}

func TestCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the commands are POSIX sh scripts: this runs on Linux and macOS (CI runs it on Linux); on Windows the runner is vetted only")
	}
	for _, tc := range []struct {
		name, command, want, wantErr string
	}{
		{name: "prints a code", command: "echo 123456", want: "123456"},
		{name: "sees the serial", command: `printf '%s' "$TEMPCREDS_MFA_SERIAL"`, want: "serial-123456"},
		{name: "fails, named", command: "exit 3", wantErr: "--mfa-command failed"},
		{name: "too much output", command: "yes 1 | head -c 200", wantErr: "--mfa-command printed more than 64 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Command(tc.command, "--mfa-command", io.Discard)(context.Background(), "serial-123456")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
