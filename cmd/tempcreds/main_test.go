//go:build unix

package main

// Tests of the built binary with real consumers: bash and dash evaluate the
// sh exports, Python parses the JSON, the AWS CLI runs the binary as its
// credential_process and lists MinIO's buckets with what it printed.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/tempcreds/tempcreds/internal/filecache"
	"github.com/tempcreds/tempcreds/internal/miniotest"
	"github.com/tempcreds/tempcreds/ststest"
)

var binary string

func TestMain(m *testing.M) {
	if ms := os.Getenv("TEMPCREDS_GO_CONSUMER_MS"); ms != "" {
		goConsumer(ms)
		return
	}
	if os.Getenv(goSettingsEnv) != "" {
		goSettings()
		return
	}
	dir, err := os.MkdirTemp("", "tempcreds-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "tempcreds")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building tempcreds: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	stopShared()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

const role = "arn:aws:iam::123456789012:role/Dev"

// env is a clean environment for the binary: fake keys, the fake STS, a
// private cache directory.
func env(t *testing.T, s *ststest.Server, user aws.Credentials) []string {
	home := t.TempDir()
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"AWS_STS_ACCESS_KEY=" + user.AccessKeyID, "AWS_STS_ACCESS_SECRET=" + user.SecretAccessKey,
		"AWS_ENDPOINT_URL_STS=" + s.URL, "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
	}
}

func run(t *testing.T, environ []string, name string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = environ
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

func TestShellsEvaluateTheExports(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("alice")
	e := env(t, s, user)
	jsonOut, stderr, err := run(t, e, binary, "export", "--role-arn", role, "--duration", "1h", "--format", "json")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	var want map[string]string
	if err := json.Unmarshal([]byte(jsonOut), &want); err != nil {
		t.Fatal(err)
	}
	script := `eval "$(` + binary + ` export --role-arn ` + role + ` --duration 1h)" && printf '%s\n%s\n%s\n%s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_CREDENTIAL_EXPIRATION"`
	for _, shell := range []string{"bash", "dash"} {
		t.Run(shell, func(t *testing.T) {
			out, stderr, err := run(t, e, shell, "-c", script)
			if err != nil {
				t.Fatalf("%v: %s", err, stderr)
			}
			got := strings.Split(strings.TrimSpace(out), "\n")
			if len(got) != 4 || got[0] != want["AccessKeyId"] || got[1] != want["SecretAccessKey"] || got[2] != want["SessionToken"] || got[3] != want["Expiration"] {
				t.Errorf("%s saw %q, want the JSON's values", shell, got)
			}
		})
	}
	t.Run("sh sources the env (dotenv) format", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "creds.env")
		if _, stderr, err := run(t, e, binary, "export", "--role-arn", role, "--duration", "1h", "--format", "env", "--out", file); err != nil {
			t.Fatal(stderr)
		}
		out, stderr, err := run(t, e, "sh", "-c", `set -a; . "$0"; printf '%s\n%s\n' "$AWS_SECRET_ACCESS_KEY" "$AWS_CREDENTIAL_EXPIRATION"`, file)
		if err != nil || strings.TrimSpace(out) != want["SecretAccessKey"]+"\n"+want["Expiration"] {
			t.Errorf("sourcing the env file: %v %s %q", err, stderr, out)
		}
	})
	t.Run("python parses json and credential-process", func(t *testing.T) {
		py := `import json,subprocess,sys
for f in ("json","credential-process"):
    d=json.loads(subprocess.check_output([sys.argv[1],"export","--role-arn",sys.argv[2],"--duration","1h","--format",f]))
    print(d["AccessKeyId"], d.get("Version", 0), d["Expiration"])`
		out, stderr, err := run(t, e, "python3", "-c", py, binary, role)
		if err != nil {
			t.Fatalf("%v: %s", err, stderr)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 || lines[0] != want["AccessKeyId"]+" 0 "+want["Expiration"] || lines[1] != want["AccessKeyId"]+" 1 "+want["Expiration"] {
			t.Errorf("python saw %q", lines)
		}
	})
	if n := s.Count("AssumeRole"); n != 1 {
		t.Errorf("AssumeRole calls = %d for 5 exports, want 1 (the cache)", n)
	}
}

func TestFiftyConcurrentProcessesMakeOneSTSCall(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	s.SetFaultFunc(func(string) *ststest.Fault { return &ststest.Fault{Latency: 50 * time.Millisecond} })
	user := s.AddUser("alice")
	e := env(t, s, user)
	outs := make([]string, 50)
	errs := make([]error, 50)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], _, errs[i] = run(t, e, binary, "export", "--role-arn", role, "--duration", "1h", "--format", "credential-process")
		}()
	}
	wg.Wait()
	for i := range outs {
		if errs[i] != nil || outs[i] != outs[0] {
			t.Fatalf("process %d: %v, output differs: %v", i, errs[i], outs[i] != outs[0])
		}
	}
	if n := s.Count("AssumeRole"); n != 1 {
		t.Errorf("AssumeRole calls = %d for 50 concurrent processes, want 1", n)
	}
	entries, _ := filepath.Glob(filepath.Join(strings.TrimPrefix(e[2], "XDG_CACHE_HOME="), "tempcreds", "*.json"))
	if len(entries) != 1 {
		t.Fatalf("entries %v", entries)
	}
	var entry filecache.Entry
	b, _ := os.ReadFile(entries[0])
	if err := json.Unmarshal(b, &entry); err != nil || entry.Credentials == nil || entry.AssumedRoleUser == nil {
		t.Errorf("entry is torn or incomplete: %v\n%s", err, b)
	}
}

// TestKilledExportsNeverCorruptTheCache SIGKILLs exports at every moment
// of a refresh (an STS role, and a source process): the entry is always
// whole and 0600.
func TestKilledExportsNeverCorruptTheCache(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("alice")
	count := filepath.Join(t.TempDir(), "count")
	hu := ststest.NewHuman(s)
	defer hu.Close()
	ssoEnv := ssoHome(t, s, hu)
	// --min-ttl above the session's length: every run refreshes and writes.
	for _, tc := range []struct {
		name  string
		args  []string
		calls func() int
	}{
		{"a role", []string{"export", "--role-arn", role, "--duration", "1h", "--min-ttl", "2h"}, func() int { return s.Count("AssumeRole") }},
		{"a source process", []string{"export", "--source-process", processCommand(count, true), "--min-ttl", "2h"}, func() int { return runs(t, count) }},
	} {
		t.Run(tc.name, func(t *testing.T) { killedExports(t, env(t, s, user), tc.args, tc.calls) })
	}
	t.Run("an IAM Identity Center session", func(t *testing.T) {
		killedExports(t, ssoEnv, []string{"export", "--profile", "dev", "--duration", "1h", "--min-ttl", "2h"},
			func() int { return hu.Count("GetRoleCredentials") })
	})
}

func killedExports(t *testing.T, e, args []string, calls func() int) {
	cacheDir := filepath.Join(strings.TrimPrefix(e[2], "XDG_CACHE_HOME="), "tempcreds")
	if _, stderr, err := run(t, e, binary, args...); err != nil {
		t.Fatal(stderr)
	}
	start := time.Now() // a warm run: what each try below takes
	if _, stderr, err := run(t, e, binary, args...); err != nil {
		t.Fatal(stderr)
	}
	// Kills are spread over this machine's own time for a whole run (and a
	// third more), not fixed milliseconds: a loaded or slow machine still
	// gets kills at every moment of the refresh, the write included.
	whole := time.Since(start)
	before := calls()
	tries := 150
	for i := range tries {
		cmd := exec.Command(binary, args...)
		cmd.Env = e
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(whole * time.Duration(i%40) / 30)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		entries, _ := filepath.Glob(filepath.Join(cacheDir, "*.json"))
		if len(entries) != 1 {
			t.Fatalf("try %d: entries %v", i, entries)
		}
		st, _ := os.Stat(entries[0])
		var entry filecache.Entry
		b, _ := os.ReadFile(entries[0])
		if err := json.Unmarshal(b, &entry); err != nil || entry.Credentials == nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("try %d: entry corrupt or wrong mode %v: %v", i, st.Mode().Perm(), err)
		}
	}
	answered := calls() - before
	t.Logf("%d SIGKILLed exports, %d of them after the source answered, cache always whole and 0600", tries, answered)
	if answered < tries/10 {
		t.Errorf("only %d of %d kills came after the source answered: the test did not reach the write", answered, tries)
	}
	// The next export still works and reads a whole entry.
	if _, stderr, err := run(t, e, binary, args...); err != nil {
		t.Fatal(stderr)
	}
}

// TestAWSCLIUsesTheCredentialProcess: the AWS CLI (botocore) runs tempcreds
// as the credential_process of a profile and lists MinIO's buckets with
// role credentials MinIO issued.
func TestAWSCLIUsesTheCredentialProcess(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Fatal("the AWS CLI is required (.ci/run installs it): ", err)
	}
	m := miniotest.Start(t)
	ctx := context.Background()
	root := m.S3Client(m.RootCredentials())
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("via-credential-process")}); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	config := filepath.Join(home, "config")
	proc := fmt.Sprintf("%s export --format credential-process --endpoint-url %s --role-arn %s --duration 1h --cache-dir %s",
		binary, m.Endpoint, "arn:aws:iam::123456789012:role/minio-ignores-this", filepath.Join(home, "cache"))
	if err := os.WriteFile(config, []byte("[profile tc]\nregion = us-east-1\ncredential_process = "+proc+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_STS_ACCESS_KEY=" + m.RootUser, "AWS_STS_ACCESS_SECRET=" + m.RootPassword}
	for i := range 2 {
		out, stderr, err := run(t, e, "aws", "--profile", "tc", "s3", "ls", "--endpoint-url", m.Endpoint)
		if err != nil || !strings.Contains(out, "via-credential-process") {
			t.Fatalf("aws s3 ls #%d: %v\n%s\n%s", i+1, err, out, stderr)
		}
	}
	// The ini format is a ~/.aws/credentials file the AWS CLI reads.
	ini := filepath.Join(home, "credentials.ini")
	if _, stderr, err := run(t, e, binary, "export", "--format", "ini", "--ini-profile", "fromini", "--out", ini, "--endpoint-url", m.Endpoint,
		"--role-arn", "arn:aws:iam::123456789012:role/minio-ignores-this", "--duration", "1h", "--cache-dir", filepath.Join(home, "cache")); err != nil {
		t.Fatal(stderr)
	}
	e2 := append(e[:len(e):len(e)], "AWS_SHARED_CREDENTIALS_FILE="+ini, "AWS_CONFIG_FILE=/nonexistent")
	if out, stderr, err := run(t, e2, "aws", "--profile", "fromini", "--region", "us-east-1", "s3", "ls", "--endpoint-url", m.Endpoint); err != nil || !strings.Contains(out, "via-credential-process") {
		t.Fatalf("aws s3 ls with the ini profile: %v\n%s\n%s", err, out, stderr)
	}
}

// TestExecForwardsSignals: a SIGTERM sent to tempcreds reaches the child,
// and tempcreds exits with the child's code.
func TestExecForwardsSignals(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	e := env(t, s, s.AddUser("alice"))
	cmd := exec.Command(binary, "exec", "--no-role", "--", "sh", "-c", `trap 'exit 42' TERM; echo ready; sleep 10 & wait`)
	cmd.Env = e
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := io.ReadFull(out, buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("child did not start: %q %v", buf, err)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 42 {
			t.Errorf("tempcreds exited with %v, want the child's 42", err)
		}
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the signal did not reach the child")
	}
}
