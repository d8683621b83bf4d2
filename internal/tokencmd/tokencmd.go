// Package tokencmd runs a web identity token command (a profile's or the
// CLI's): argv, no shell, bounded output and time.
package tokencmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/tempcreds/tempcreds/internal/bounded"
	"github.com/tempcreds/tempcreds/internal/childproc"
)

// Command runs a command (argv, no shell) on every load and uses its
// standard output, trimmed, as the token. Timeout defaults to 30 s; at the
// timeout the command's whole process group is killed. The command gets
// no secret credential variables, and its output is capped at 64 KiB.
type Command struct {
	Argv    []string
	Timeout time.Duration
}

// Token runs the command.
func (c Command) Token(ctx context.Context) (string, error) {
	if len(c.Argv) == 0 {
		return "", errors.New("the web identity token command is empty")
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	cmd.Stderr = io.Discard // dropped: a failing helper may print the token
	cmd.Env = childproc.HelperEnv(os.Environ())
	out, err := childproc.Output(ctx, cmd, bounded.Token)
	switch {
	case errors.Is(err, childproc.ErrTooMuchOutput):
		return "", fmt.Errorf("web identity token command %q printed more than %d bytes: not a token (it was stopped)", c.Argv[0], bounded.Token)
	case ctx.Err() != nil:
		return "", fmt.Errorf("web identity token command %q timed out after %s (its process group was killed)", c.Argv[0], timeout)
	case err != nil:
		return "", fmt.Errorf("web identity token command %q failed: %v", c.Argv[0], err)
	}
	tok := strings.TrimSpace(string(out))
	if tok == "" {
		return "", fmt.Errorf("web identity token command %q printed nothing", c.Argv[0])
	}
	return tok, nil
}
