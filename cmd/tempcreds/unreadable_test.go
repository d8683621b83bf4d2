//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/ststest"
)

// TestAnUnreadableConfigFileIsNamedNotIgnored: AWS_CONFIG_FILE that the
// user may not read is an error naming it and the cause, never a config
// treated as absent. As root (whom permissions do not stop), the binary
// runs as nobody; otherwise the file is made unreadable.
func TestAnUnreadableConfigFileIsNamedNotIgnored(t *testing.T) {
	dir, err := os.MkdirTemp("", "tempcreds-unreadable-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	config := filepath.Join(dir, "config")
	bin := filepath.Join(dir, "tempcreds")
	must(t, os.WriteFile(config, []byte("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = dev\n"), 0o600))
	b, err := os.ReadFile(binary)
	must(t, err)
	must(t, os.WriteFile(bin, b, 0o755))
	must(t, os.Chmod(dir, 0o755))
	cmd := exec.Command(bin, "export", "--profile", "dev")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "AWS_CONFIG_FILE=" + config, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		cmd.Env = append(cmd.Env, "XDG_CACHE_HOME=/tmp")
	} else {
		must(t, os.Chmod(config, 0))
	}
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "AWS_CONFIG_FILE "+config+" cannot be read: ") || !strings.Contains(string(out), "permission denied") {
		t.Errorf("exit %v: %s; want exit 2 naming AWS_CONFIG_FILE and the permission error", err, out)
	}
}

// The process-tree bound is Linux's (/proc); elsewhere only the
// environment guard applies.
// TestALoopThatClearsTheEnvironmentIsBounded: a credential_process that
// runs tempcreds for its own profile under env -i (the guard variable
// gone) is stopped a few levels down instead of forking without end.
func TestALoopThatClearsTheEnvironmentIsBounded(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	e, home, _ := vaultHome(t, s)
	writeOut(t, filepath.Join(home, ".aws"), "config", "[profile loop]\ncredential_process = env -i PATH=/usr/bin:/bin HOME="+home+" "+binary+" export --no-cache --profile loop --format credential-process\n")
	done := make(chan struct{})
	var stderr string
	var err error
	go func() {
		_, stderr, err = run(t, e, binary, "export", "--no-cache", "--profile", "loop")
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("a credential_process loop under env -i ran for 2 minutes")
	}
	if err == nil || !strings.Contains(stderr, "tempcreds processes run above this one") {
		t.Errorf("exit %v: %q; want the loop stopped and named", err, stderr)
	}
}
