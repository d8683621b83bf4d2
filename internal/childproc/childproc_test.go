//go:build unix

package childproc

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gone waits (bounded, 2 s) until pid no longer runs.
func gone(pid int) bool {
	for i := 0; i < 200; i++ {
		if syscall.Kill(pid, 0) != nil {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	return false
}

// TestOutputIsBoundedWhateverTheHelperDoes: a helper that leaves a
// background child holding the pipe, prints without end, or hangs, is
// bounded, and nothing it started outlives it.
func TestOutputIsBoundedWhateverTheHelperDoes(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	tests := []struct {
		name    string
		script  string
		timeout time.Duration
		want    string
		wantErr error
	}{
		{"a background child holding the pipe", "sleep 100 & echo $! > " + pidFile + "; echo tok", 10 * time.Second, "tok\n", nil},
		{"a background child holding stderr", "sleep 101 & echo $! > " + pidFile + "; echo tok", 10 * time.Second, "tok\n", nil},
		{"endless output", "echo $$ > " + pidFile + "; yes", 10 * time.Second, "", ErrTooMuchOutput},
		{"a hang", "sleep 100 & echo $! > " + pidFile + "; wait", 300 * time.Millisecond, "", context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_ = os.Remove(pidFile)
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			start := time.Now()
			cmd := exec.Command("sh", "-c", tc.script)
			cmd.Stderr = io.Discard // not a file: a pipe the background child could hold
			out, err := Output(ctx, cmd, 64)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("took %s", took)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) || tc.wantErr == nil && (err != nil || string(out) != tc.want) {
				t.Errorf("out %q, err %v; want %q, %v", out, err, tc.want, tc.wantErr)
			}
			if len(out) > 64 {
				t.Errorf("%d bytes kept, cap 64", len(out))
			}
			b, _ := os.ReadFile(pidFile)
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("pid file %q", b)
			}
			if !gone(pid) {
				t.Errorf("process %d outlived the helper", pid)
			}
		})
	}
}

func TestHelperEnvHasNoSecrets(t *testing.T) {
	env := HelperEnv([]string{"PATH=/bin", "AWS_STS_ACCESS_SECRET=x", "AWS_SECRET_KEY=y", "AMAZON_SECRET_ACCESS_KEY=z", "AMAZON_ACCESS_KEY_ID=k", "AWS_ACCESS_KEY_ID=k", "AWS_REGION=r"})
	if strings.Join(env, " ") != "PATH=/bin AWS_REGION=r" {
		t.Errorf("HelperEnv = %v", env)
	}
}
