//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/ststest"
)

// processCommand is a source process that counts its runs in count and
// prints fake temporary credentials expiring in an hour (or without an
// Expiration).
func processCommand(count string, withExpiration bool) string {
	exp := `,\"Expiration\":\"$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)\"`
	if !withExpiration {
		exp = ""
	}
	return fmt.Sprintf(`echo run >> %s; echo "{\"Version\":1,\"AccessKeyId\":\"ASIAFAKEPROCESS1\",\"SecretAccessKey\":\"fake-process-secret\",\"SessionToken\":\"fake-process-token\"%s}"`, count, exp)
}

func runs(t *testing.T, count string) int {
	t.Helper()
	b, err := os.ReadFile(count)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "run")
}

// TestASourceProcessRunsOnceForManyProcesses: --source-process (and a
// profile's credential_process) is run once for 10 concurrent exports and
// 5 sequential ones, its output cached 0600; with a role above it, the role
// is assumed once too; output without an Expiration is cached only when
// --source-process-ttl asks.
func TestASourceProcessRunsOnceForManyProcesses(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("helper")
	tests := []struct {
		name        string
		args        func(count, home string) []string
		wantRuns    int
		wantRoleOps int
	}{
		{"--source-process, no role: its own credentials", func(count, _ string) []string {
			return []string{"--source-process", processCommand(count, true)}
		}, 1, 0},
		{"a profile's credential_process, no role", func(count, home string) []string {
			writeOut(t, home, "config", "[profile proc]\ncredential_process = "+processCommand(count, true)+"\n")
			return []string{"--profile", "proc"}
		}, 1, 0},
		{"--source-process under a role", func(count, home string) []string {
			// Session credentials the fake STS accepts, as a helper would print them.
			out, stderr, err := run(t, env(t, s, user), binary, "export", "--no-role", "--format", "credential-process", "--duration", "1h")
			if err != nil {
				t.Fatal(stderr)
			}
			cp := writeOut(t, home, "cp.json", out)
			return []string{"--source-process", "echo run >> " + count + "; cat " + cp, "--role-arn", role, "--duration", "1h"}
		}, 1, 1},
		{"output without an Expiration is not cached", func(count, _ string) []string {
			return []string{"--source-process", processCommand(count, false)}
		}, 15, 0},
		{"... unless --source-process-ttl asks", func(count, _ string) []string {
			return []string{"--source-process", processCommand(count, false), "--source-process-ttl", "30m"}
		}, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			count := filepath.Join(home, "count")
			e := append(env(t, s, user), "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
				"AWS_STS_ACCESS_KEY=", "AWS_STS_ACCESS_SECRET=", "AWS_CONFIG_FILE="+filepath.Join(home, "config"))
			args := append([]string{"export", "--format", "json"}, tc.args(count, home)...)
			before := s.Count("AssumeRole")
			var wg sync.WaitGroup
			keys := make([]string, 15)
			errs := make([]error, 15)
			export := func(i int) {
				out, stderr, err := run(t, e, binary, args...)
				var c map[string]string
				if err == nil {
					err = json.Unmarshal([]byte(out), &c)
				}
				if err != nil {
					errs[i] = fmt.Errorf("%v: %s", err, stderr)
				}
				keys[i] = c["AccessKeyId"]
			}
			for i := range 10 {
				wg.Add(1)
				go func() { defer wg.Done(); export(i) }()
			}
			wg.Wait()
			for i := 10; i < 15; i++ {
				export(i)
			}
			for i, err := range errs {
				if err != nil {
					t.Fatalf("export %d: %v", i, err)
				}
				if keys[i] != keys[0] || keys[i] == "" {
					t.Fatalf("export %d gave %q, export 0 %q", i, keys[i], keys[0])
				}
			}
			if got := runs(t, count); got != tc.wantRuns {
				t.Errorf("the process ran %d times for 15 exports, want %d", got, tc.wantRuns)
			}
			if got := s.Count("AssumeRole") - before; got != tc.wantRoleOps {
				t.Errorf("%d AssumeRole calls, want %d", got, tc.wantRoleOps)
			}
			entries, _ := filepath.Glob(filepath.Join(home, "cache", "tempcreds", "*.json"))
			for _, p := range entries {
				if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
					t.Errorf("cache entry %s: %v, mode %v", p, err, st.Mode())
				}
			}
		})
	}
}

// TestASourceProcessEntryStaysWithItsDirectoryAndIsNeverARefusedOutput:
// `cat c.json` in two directories gives each its own entry; an output the
// validator refuses is not cached (fixing the command fixes the next run);
// long-term keys exported after temporary ones clear the old session
// token; SIGTERM to tempcreds ends the helper it was waiting for.
func TestASourceProcessEntryStaysWithItsDirectoryAndIsNeverARefusedOutput(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("dirs")
	home := t.TempDir()
	e := append(env(t, s, user), "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "AWS_STS_ACCESS_KEY=", "AWS_STS_ACCESS_SECRET=")
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	creds := func(id, secret string) string {
		return fmt.Sprintf(`{"Version":1,"AccessKeyId":%q,"SecretAccessKey":%q,"SessionToken":"fake-token-%s","Expiration":%q}`, id, secret, id, exp)
	}
	exportIn := func(dir string, args ...string) (string, string, error) {
		cmd := exec.Command(binary, append([]string{"export", "--format", "json"}, args...)...)
		cmd.Env, cmd.Dir = e, dir
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return out.String(), errb.String(), err
	}
	a, b := filepath.Join(home, "a"), filepath.Join(home, "b")
	for dir, id := range map[string]string{a: "ASIAFAKEDIRA", b: "ASIAFAKEDIRB"} {
		must(t, os.MkdirAll(dir, 0o700))
		writeOut(t, dir, "c.json", creds(id, "fake-secret"))
	}
	for dir, want := range map[string]string{a: "ASIAFAKEDIRA", b: "ASIAFAKEDIRB"} {
		out, stderr, err := exportIn(dir, "--source-process", "cat c.json")
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("in %s: got %s (%v %s), want %s", dir, out, err, stderr, want)
		}
	}

	// A refused output is not cached: the fixed command is run again.
	bad := filepath.Join(home, "bad")
	must(t, os.MkdirAll(bad, 0o700))
	writeOut(t, bad, "c.json", creds("ASIAFAKEBAD", "bad;secret"))
	if _, stderr, err := exportIn(bad, "--source-process", "cat c.json"); err == nil || !strings.Contains(stderr, "refuses") {
		t.Fatalf("a refused output: %v %s", err, stderr)
	}
	writeOut(t, bad, "c.json", creds("ASIAFAKEGOOD", "fake-secret"))
	if out, stderr, err := exportIn(bad, "--source-process", "cat c.json"); err != nil || !strings.Contains(out, "ASIAFAKEGOOD") {
		t.Errorf("after fixing the command: %s %v %s", out, err, stderr)
	}

	// Long-term keys after temporary ones: the old token is cleared.
	writeOut(t, a, "lt.json", `{"Version":1,"AccessKeyId":"AKIAFAKELONG","SecretAccessKey":"fake-secret"}`)
	sh := fmt.Sprintf(`cd %s; eval "$(%s export --source-process 'cat c.json')"; eval "$(%s export --source-process 'cat lt.json')"; echo "[$AWS_ACCESS_KEY_ID][$AWS_SESSION_TOKEN][$AWS_CREDENTIAL_EXPIRATION]"`, a, binary, binary)
	if out, stderr, err := run(t, e, "sh", "-c", sh); err != nil || strings.TrimSpace(out) != "[AKIAFAKELONG][][]" {
		t.Errorf("after long-term keys: %q (%v %s), want the token and expiry cleared", out, err, stderr)
	}

	// A signal while waiting on a helper (Ctrl-C, kill, a closed terminal,
	// Ctrl-\): the helper's group goes too. On Linux even SIGKILL, which
	// no cleanup of ours survives: helpers carry a parent-death signal.
	signals := []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}
	if runtime.GOOS == "linux" {
		signals = append(signals, syscall.SIGKILL)
	}
	for _, sig := range signals {
		pidFile := filepath.Join(home, "helper.pid")
		_ = os.Remove(pidFile)
		// The pid is the helper's own child's: what the helper started
		// must go too, not only its shell.
		cmd := exec.Command(binary, "export", "--no-cache", "--source-process", "sleep 60 & echo $! > "+pidFile+"; wait")
		cmd.Env = e
		must(t, cmd.Start())
		var pid int
		for i := 0; i < 200 && pid == 0; i++ {
			time.Sleep(25 * time.Millisecond)
			if b, err := os.ReadFile(pidFile); err == nil {
				pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			}
		}
		if pid == 0 {
			t.Fatal("the helper never started")
		}
		_ = cmd.Process.Signal(sig)
		_ = cmd.Wait()
		gone := false
		for i := 0; i < 200 && !gone; i++ {
			// Signal 0 fails for a process that is gone (a zombie of
			// another parent would answer: the helper's parent, sh, is
			// reaped by init once tempcreds exits).
			gone = syscall.Kill(pid, 0) != nil
			time.Sleep(10 * time.Millisecond)
		}
		if !gone {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("the helper outlived tempcreds after %v", sig)
		}
	}
}

// TestASourceProcessHasOneEntryForBothUses: exporting a source process's
// own credentials, then a role assumed from them, runs the command once.
func TestASourceProcessHasOneEntryForBothUses(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("both")
	home := t.TempDir()
	out, stderr, err := run(t, env(t, s, user), binary, "export", "--no-role", "--format", "credential-process", "--duration", "1h", "--no-cache")
	if err != nil {
		t.Fatal(stderr)
	}
	cp := writeOut(t, home, "cp.json", out)
	count := filepath.Join(home, "count")
	e := append(env(t, s, user), "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "AWS_STS_ACCESS_KEY=", "AWS_STS_ACCESS_SECRET=")
	proc := "echo run >> " + count + "; cat " + cp
	for _, args := range [][]string{{"--source-process", proc}, {"--source-process", proc, "--role-arn", role, "--duration", "1h"}} {
		if _, stderr, err := run(t, e, binary, append([]string{"export"}, args...)...); err != nil {
			t.Fatalf("%v: %v %s", args, err, stderr)
		}
	}
	if n := runs(t, count); n != 1 {
		t.Errorf("the process ran %d times for its own export and a role's, want 1", n)
	}
}
