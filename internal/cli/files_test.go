//go:build unix

package cli

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFilesOnlyWhereMeant: every file the CLI writes (--out, serve
// --token-file, --cache-file and AWS_STS_FILE_NAME, the cache's own
// entries and locks) refuses a path that is not a regular file — a FIFO, a
// directory, a socket, a symlink, a character device (as root: the
// /dev/null that a first version destroyed) — names the option the user
// gave, and leaves the path exactly as it was.
func TestFilesOnlyWhereMeant(t *testing.T) {
	kinds := map[string]func(t *testing.T, p string){
		"fifo":      func(t *testing.T, p string) { must(t, syscall.Mkfifo(p, 0o600)) },
		"directory": func(t *testing.T, p string) { must(t, os.Mkdir(p, 0o700)) },
		"symlink":   func(t *testing.T, p string) { must(t, os.Symlink(p+".target", p)) },
		"socket": func(t *testing.T, p string) {
			l, err := net.Listen("unix", p)
			must(t, err)
			t.Cleanup(func() { l.Close() })
		},
	}
	if os.Getuid() == 0 {
		kinds["character device"] = func(t *testing.T, p string) { must(t, syscall.Mknod(p, syscall.S_IFCHR|0o666, (1<<8)|3)) }
	}
	writers := []struct {
		name string
		use  func(h *harness, p string) []string // args; may set env
		want string
	}{
		{"export --out", func(h *harness, p string) []string { return []string{"export", "--no-role", "--out", p} }, "--out " + "%s"},
		{"export --cache-file", func(h *harness, p string) []string { return []string{"export", "--no-role", "--cache-file", p} }, "%s"},
		{"AWS_STS_FILE_NAME", func(h *harness, p string) []string {
			h.env["AWS_STS_FILE_NAME"] = p
			return []string{"export", "--no-role"}
		}, "%s"},
		{"serve --token-file", func(h *harness, p string) []string {
			return []string{"serve", "--no-role", "--token-file", p}
		}, "--token-file " + "%s"},
		{"a cache entry's lock file", func(h *harness, p string) []string {
			// The lock of the entry export will take, replaced by the hostile kind.
			return []string{"export", "--no-role", "--cache-dir", filepath.Dir(p)}
		}, "%s"},
	}
	for _, w := range writers {
		for kind, mk := range kinds {
			if kind == "socket" && w.name == "a cache entry's lock file" {
				continue // its path (a 40-digit key in a temp dir) is longer than a socket address may be
			}
			t.Run(w.name+" over a "+kind, func(t *testing.T) {
				h := newHarness(t).withKeys()
				p := filepath.Join(h.dir, "target")
				if w.name == "a cache entry's lock file" {
					dir := filepath.Join(h.dir, "cachedir")
					must(t, os.Mkdir(dir, 0o700))
					// Find the key: a first export writes the entry and its lock.
					if _, stderr, code := h.run("export", "--no-role", "--cache-dir", dir); code != 0 {
						t.Fatal(stderr)
					}
					locks, _ := filepath.Glob(filepath.Join(dir, "*.lock"))
					entries, _ := filepath.Glob(filepath.Join(dir, "*.json"))
					if len(locks) != 1 || len(entries) != 1 {
						t.Fatalf("locks %v entries %v", locks, entries)
					}
					must(t, os.Remove(locks[0]))
					must(t, os.Remove(entries[0])) // a miss, so the lock is taken
					p = locks[0]
				}
				mk(t, p)
				before, err := os.Lstat(p)
				must(t, err)
				args := w.use(h, p)
				done := make(chan struct{})
				var stderr string
				var code int
				go func() { _, stderr, code = h.run(args...); close(done) }()
				<-done
				if code == 0 {
					t.Fatalf("exit 0 writing over a %s; stderr %q", kind, stderr)
				}
				if want := strings.Replace(w.want, "%s", p, 1); !strings.Contains(stderr, want) {
					t.Errorf("stderr %q does not name %q", stderr, want)
				}
				after, err := os.Lstat(p)
				if err != nil || after.Mode() != before.Mode() || !os.SameFile(before, after) {
					t.Errorf("the %s at %s was replaced or changed (%v → %v, %v)", kind, p, before.Mode(), after.Mode(), err)
				}
				h.noSecrets(stderr)
			})
		}
	}
}

// TestWarningsOnceAndNoURLPassword: a corrupt entry is reported once (not
// once per lookup), and --debug never prints an endpoint's password.
func TestWarningsOnceAndNoURLPassword(t *testing.T) {
	h := newHarness(t).withKeys()
	if _, stderr, code := h.run("export", "--no-role"); code != 0 {
		t.Fatal(stderr)
	}
	entries, _ := filepath.Glob(filepath.Join(h.dir, "cache", "tempcreds", "*.json"))
	must(t, os.WriteFile(entries[0], []byte("{corrupt"), 0o600))
	_, stderr, code := h.run("export", "--no-role")
	if n := strings.Count(stderr, "ignoring corrupt cache entry"); code != 0 || n != 1 {
		t.Errorf("exit %d; the corrupt-entry warning was printed %d times, want once:\n%s", code, n, stderr)
	}
	h.env["AWS_ENDPOINT_URL_STS"] = strings.Replace(h.env["AWS_ENDPOINT_URL_STS"], "http://", "http://admin:fake-pass-123@", 1)
	_, stderr, code = h.run("export", "--no-role", "--debug")
	if code != 0 {
		t.Fatal(stderr)
	}
	if strings.Contains(stderr, "fake-pass-123") {
		t.Errorf("--debug printed the endpoint's password:\n%s", stderr)
	}
}

// TestExecServerChildsSDKUsesTheServerNotTheFiles: with long-term keys in
// [default] of the credentials file (and the JavaScript SDK's AMAZON_*
// variables set), a real SDK in the child of exec --server still takes its
// credentials from the server.
func TestExecServerChildsSDKUsesTheServerNotTheFiles(t *testing.T) {
	h := newHarness(t).withKeys()
	// boto3, a child process, judges expiry by the system's clock: take
	// the fixture time from a child too (go-test-at shifts only this test
	// binary's time.Now).
	b, err := exec.Command("date", "+%s").Output()
	secs, perr := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || perr != nil {
		t.Fatalf("date: %v %v", err, perr)
	}
	h.clk.Set(time.Unix(secs, 0))
	other := h.sts.AddUser("other")
	h.writeFile("credentials", "[default]\naws_access_key_id = "+other.AccessKeyID+"\naws_secret_access_key = "+other.SecretAccessKey+"\n")
	h.env["AMAZON_ACCESS_KEY_ID"] = other.AccessKeyID
	h.env["AMAZON_SECRET_ACCESS_KEY"] = other.SecretAccessKey
	out := filepath.Join(h.dir, "child.txt")
	py := `import os, boto3
c = boto3.Session().get_credentials()
print(c.method, c.get_frozen_credentials().access_key[:4], "AMAZON_SECRET_ACCESS_KEY" in os.environ)`
	// The real interpreter of a python3 with boto3 (the child has no PATH
	// of ours; .ci/run installs Debian's python3-boto3 when needed).
	python := ""
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if b, err := exec.Command(py, "-c", "import sys, boto3; print(sys.executable)").Output(); err == nil {
			python = strings.TrimSpace(string(b))
			break
		}
	}
	if python == "" {
		t.Fatal("no python3 with boto3 (.ci/run installs python3-boto3)")
	}
	_, stderr, code := h.run("exec", "--server", "--role-arn", roleA, "--duration", "1h", "--", "sh", "-c", python+" -c '"+py+"' > "+out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, _ = os.ReadFile(out)
	if got := strings.TrimSpace(string(b)); got != "container-role ASIA False" {
		t.Errorf("boto3 in the child: %q, want credentials from the server (container-role ASIA) and no AMAZON_* keys", got)
	}
}
