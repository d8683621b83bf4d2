//go:build unix

package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/ststest"
)

// TestServeDetachAsTheREADMEShowsIt runs the README's pattern literally in
// sh: eval "$(tempcreds serve --detach …)" must return (the server must not
// hold the $(…) pipe), leave a working server behind, and stop on
// kill "$TEMPCREDS_SERVE_PID".
func TestServeDetachAsTheREADMEShowsIt(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("detach")
	dir := t.TempDir()
	env := []string{"PATH=" + filepath.Dir(binary) + ":" + os.Getenv("PATH"), "HOME=" + dir,
		"AWS_STS_ACCESS_KEY=" + user.AccessKeyID, "AWS_STS_ACCESS_SECRET=" + user.SecretAccessKey,
		"AWS_ENDPOINT_URL_STS=" + s.URL, "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	script := `eval "$(tempcreds serve --detach --role-arn arn:aws:iam::123456789012:role/Detach --duration 1h --log-file ` + dir + `/serve.log)" &&
printf '%s\n%s\n%s\n' "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "$AWS_CONTAINER_AUTHORIZATION_TOKEN" "$TEMPCREDS_SERVE_PID"`
	cmd := exec.CommandContext(ctx, "sh", "-c", script)
	cmd.Env = env
	var shellErr strings.Builder
	cmd.Stderr = &shellErr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		t.Fatal("eval \"$(tempcreds serve --detach)\" did not return within 30 s")
	}
	if err != nil {
		t.Fatalf("sh: %v: %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 {
		t.Fatalf("settings not exported: %q", out)
	}
	uri, token := lines[0], lines[1]
	pid, err := strconv.Atoi(lines[2])
	if err != nil {
		t.Fatalf("TEMPCREDS_SERVE_PID %q", lines[2])
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	req, _ := http.NewRequest(http.MethodGet, uri, nil)
	req.Header.Set("Authorization", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the detached server answered %d", resp.StatusCode)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ { // bounded: 5 s
		if syscall.Kill(pid, 0) != nil {
			break
		}
		if i > 500 {
			t.Fatal("the detached server did not stop on SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "serve.log"))
	if !strings.Contains(string(log), "shutting down") {
		t.Errorf("--log-file holds no log of the server:\n%s", log)
	}
	// Every log line goes to --log-file, the first refresh's included;
	// the calling shell sees none.
	if !strings.Contains(string(log), "credentials refreshed") || strings.Contains(shellErr.String(), "credentials refreshed") {
		t.Errorf("the first refresh was logged to the shell (%q), not to --log-file:\n%s", shellErr.String(), log)
	}
	for _, secret := range s.Secrets() {
		if strings.Contains(string(log), secret) {
			t.Error("the log holds a secret")
		}
	}

	t.Run("a --log-file that cannot be opened fails before any success", func(t *testing.T) {
		cmd := exec.CommandContext(ctx, binary, "serve", "--detach", "--no-role", "--log-file", "/nonexistent/dir/log")
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err == nil || len(out) != 0 || !strings.Contains(stderr.String(), "--log-file /nonexistent/dir/log") {
			t.Errorf("err %v, stdout %q, stderr %q; want a failure naming --log-file and no settings", err, out, stderr.String())
		}
	})
	t.Run("settings that cannot be delivered stop the background server", func(t *testing.T) {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer full.Close()
		const marker = "detach-full-marker"
		cmd := exec.CommandContext(ctx, binary, "serve", "--detach", "--role-arn", "arn:aws:iam::123456789012:role/Detach", "--duration", "1h", "--role-session-name", marker)
		cmd.Env = env
		cmd.Stdout = full
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err == nil || !strings.Contains(stderr.String(), "the background server was stopped") {
			t.Errorf("err %v, stderr %q; want a failure saying the server was stopped", err, stderr.String())
		}
		for i := 0; ; i++ { // bounded: 5 s
			if out, _ := exec.Command("pgrep", "-f", marker).Output(); len(strings.TrimSpace(string(out))) == 0 {
				break
			}
			if i > 500 {
				t.Fatal("a background server nobody can reach is still running")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	t.Run("a failing server reports its error and exit code", func(t *testing.T) {
		cmd := exec.CommandContext(ctx, binary, "serve", "--detach", "--role-arn", "not-an-arn")
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 || len(out) != 0 || !strings.Contains(stderr.String(), "--role-arn") {
			t.Errorf("exit %v, stdout %q, stderr %q; want exit 2 naming --role-arn", err, out, stderr.String())
		}
	})
}

// TestServeDetachNeverLeavesAServerNobodyCanReach: with standard output
// closed, or read by a reader that leaves before reading the settings,
// serve --detach exits non-zero and no server is left running.
func TestServeDetachNeverLeavesAServerNobodyCanReach(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("detach")
	for name, redirect := range map[string]string{
		"stdout closed":                      ">&-",
		"a reader of 1 byte":                 "| head -c 1 >/dev/null",
		"a reader that reads nothing":        "| true",
		"a reader that leaves after a while": "| (exec 0<&-; sleep 1)",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			logFile := filepath.Join(dir, "serve.log") // unique: finds the server if one is left
			script := binary + ` serve --detach --role-arn arn:aws:iam::123456789012:role/Detach --duration 1h --log-file ` + logFile + ` ` + redirect + `; echo "exit=${PIPESTATUS[0]}" >&2`
			cmd := exec.Command("bash", "-c", script)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "AWS_STS_ACCESS_KEY=" + user.AccessKeyID, "AWS_STS_ACCESS_SECRET=" + user.SecretAccessKey,
				"AWS_ENDPOINT_URL_STS=" + s.URL, "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}
			out, _ := cmd.CombinedOutput()
			if strings.Contains(string(out), "exit=0") || !strings.Contains(string(out), "exit=") {
				t.Errorf("serve --detach %s: %s; want a non-zero exit", redirect, out)
			}
			waitNoServer(t, logFile, "a background server is left running that nobody can reach")
		})
	}
}

// TestADetachedServerStopsWhenItsParentDiesBeforeItIsReady: serve --detach
// SIGKILLed while STS is slow: nobody will ever get the settings, so the
// background server must not stay.
func TestADetachedServerStopsWhenItsParentDiesBeforeItIsReady(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("detach")
	hold, reached := make(chan struct{}), make(chan struct{}, 16)
	s.SetFaultFunc(func(string) *ststest.Fault {
		reached <- struct{}{}
		return &ststest.Fault{Hold: hold}
	})
	dir := t.TempDir()
	logFile := filepath.Join(dir, "serve.log")
	cmd := exec.Command(binary, "serve", "--detach", "--role-arn", "arn:aws:iam::123456789012:role/Detach", "--duration", "1h", "--log-file", logFile)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "AWS_STS_ACCESS_KEY=" + user.AccessKeyID, "AWS_STS_ACCESS_SECRET=" + user.SecretAccessKey,
		"AWS_ENDPOINT_URL_STS=" + s.URL, "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}
	var out strings.Builder // a pipe, as $(…) is (not /dev/null, which is refused)
	cmd.Stdout = &out
	must(t, cmd.Start())
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the background server never called STS")
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	close(hold) // STS answers now: the server is ready with nobody to tell
	waitNoServer(t, logFile, "the background server outlived its SIGKILLed parent")
}

// waitNoServer waits (10 s at most) until no process names logFile (the
// background server's unique --log-file); one left is killed and fails the
// test with why.
func waitNoServer(t *testing.T, logFile, why string) {
	t.Helper()
	for i := 0; ; i++ {
		left, _ := exec.Command("pgrep", "-f", logFile).Output()
		if len(strings.TrimSpace(string(left))) == 0 {
			return
		}
		if i > 1000 {
			_ = exec.Command("pkill", "-f", logFile).Run()
			t.Fatalf("%s (pid %s)", why, left)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
