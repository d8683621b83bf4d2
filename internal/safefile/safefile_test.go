//go:build unix

package safefile

import (
	"errors"
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

// TestNeverReplacesWhatIsNotARegularFile: every kind of existing path that
// is not a regular file is refused and left exactly as it was.
func TestNeverReplacesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	secret := []byte("AWS_SECRET_ACCESS_KEY=fake")
	targets := map[string]func(p string) error{
		"fifo":      func(p string) error { return syscall.Mkfifo(p, 0o600) },
		"directory": func(p string) error { return os.Mkdir(p, 0o700) },
		"symlink to a file": func(p string) error {
			if err := os.WriteFile(p+".real", []byte("x"), 0o600); err != nil {
				return err
			}
			return os.Symlink(p+".real", p)
		},
		"dangling symlink": func(p string) error { return os.Symlink(p+".nowhere", p) },
		"socket": func(p string) error {
			l, err := net.Listen("unix", p)
			if err == nil {
				t.Cleanup(func() { l.Close() })
			}
			return err
		},
	}
	if os.Getuid() == 0 {
		// As root (where /dev/null was destroyed), a character device of our own.
		targets["character device"] = func(p string) error {
			return syscall.Mknod(p, syscall.S_IFCHR|0o666, int((1<<8)|3)) // same numbers as /dev/null
		}
	}
	for name, make := range targets {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			if err := make(p); err != nil {
				t.Fatal(err)
			}
			before, err := os.Lstat(p)
			if err != nil {
				t.Fatal(err)
			}
			err = Write(p, secret, 0o600)
			var ue *UnsafeError
			if !errors.As(err, &ue) || ue.Path != p {
				t.Fatalf("Write = %v, want an *UnsafeError naming %s", err, p)
			}
			after, err := os.Lstat(p)
			if err != nil || after.Mode() != before.Mode() || !os.SameFile(before, after) {
				t.Errorf("the %s was replaced or changed: %v → %v (%v)", name, before.Mode(), after.Mode(), err)
			}
			if b, err := os.ReadFile(p + ".real"); err == nil && string(b) != "x" {
				t.Errorf("written through the symlink: %q", b)
			}
			if n, _ := SweepTemps(dir, 0); n != 0 {
				t.Errorf("%d temp files left behind", n)
			}
		})
	}
}

func TestWritesOwnerOnlyAndRefusesWiderModes(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "creds")
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	if err := Write(p, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	b, _ := os.ReadFile(p)
	if st.Mode().Perm() != 0o600 || string(b) != "two" {
		t.Errorf("mode %v content %q, want 0600 and the second write", st.Mode().Perm(), b)
	}
	for _, m := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o777, 0o400, 0o200} {
		if err := Write(p, []byte("three"), m); err == nil {
			t.Errorf("mode %04o was accepted", m)
		}
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Errorf("a refused write changed the file: %q", b)
	}
}

// deadPID is the ID of a process that has exited.
func deadPID(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(cmd.ProcessState.Pid())
}

func TestSweepTempsRemovesStaleOnesOnly(t *testing.T) {
	dir := t.TempDir()
	dead, live := deadPID(t), strconv.Itoa(os.Getpid())
	stale := filepath.Join(dir, ".abc.json"+TempInfix+dead+"-111")
	fresh := filepath.Join(dir, ".abc.json"+TempInfix+dead+"-222")
	// A live writer's file whose mtime looks an hour old (the wall clock
	// stepped forward, or the test runs at another date): never swept.
	liveOld := filepath.Join(dir, ".abc.json"+TempInfix+live+"-333")
	legacy := filepath.Join(dir, ".abc.json"+TempInfix+"444") // no PID: age alone
	other := filepath.Join(dir, "abc.json")
	for _, p := range []string{stale, fresh, liveOld, legacy, other} {
		if err := os.WriteFile(p, []byte("fake"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{stale, liveOld, legacy} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	// fresh carries the real time: under a shifted clock it is as old as
	// the shift; give it the clock's now so only age decides.
	now := time.Now()
	if err := os.Chtimes(fresh, now, now); err != nil {
		t.Fatal(err)
	}
	if n, err := SweepTemps(dir, time.Minute); err != nil || n != 2 {
		t.Fatalf("swept %d (%v), want the stale one and the legacy one", n, err)
	}
	for _, p := range []string{fresh, liveOld} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed (a fresh file, or a live writer's)", filepath.Base(p))
		}
	}
	if n, _ := SweepTemps(dir, 0); n != 1 {
		t.Errorf("age 0 swept %d, want the fresh file of a dead writer (never the live writer's)", n)
	}
	if _, err := os.Stat(liveOld); err != nil {
		t.Error("age 0 removed a live writer's temp file")
	}
	if _, err := os.Stat(other); err != nil {
		t.Error("an entry was removed")
	}
}

// TestEveryWriteSweepsItsOwnStaleTemps: a killed writer of --out or
// --cache-file left a temp file beside it; the next write of that file
// removes it (a fresh one, a live writer's, stays).
func TestEveryWriteSweepsItsOwnStaleTemps(t *testing.T) {
	dir := t.TempDir()
	dead := deadPID(t)
	p := filepath.Join(dir, "out.sh")
	stale := filepath.Join(dir, ".out.sh"+TempInfix+dead+"-123456")
	fresh := filepath.Join(dir, ".out.sh"+TempInfix+dead+"-654321")
	live := filepath.Join(dir, ".out.sh"+TempInfix+strconv.Itoa(os.Getpid())+"-1")
	other := filepath.Join(dir, ".other"+TempInfix+dead+"-1")
	for _, f := range []string{stale, fresh, live, other} {
		if err := os.WriteFile(f, []byte("AWS_SECRET_ACCESS_KEY=fake"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old, now := time.Now().Add(-10*time.Minute), time.Now()
	for _, f := range []string{stale, live, other} {
		_ = os.Chtimes(f, old, old)
	}
	_ = os.Chtimes(fresh, now, now)
	if err := Write(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale temp file of out.sh was not swept")
	}
	for _, f := range []string{fresh, live, other} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s was removed (a fresh one, a live writer's, or another file's)", filepath.Base(f))
		}
	}
}
