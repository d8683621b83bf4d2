//go:build unix

package safefile

import (
	"errors"
	"net"
	"os"
	"path/filepath"
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

func TestSweepTempsRemovesStaleOnesOnly(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".abc.json"+TempInfix+"111")
	fresh := filepath.Join(dir, ".abc.json"+TempInfix+"222")
	other := filepath.Join(dir, "abc.json")
	for _, p := range []string{stale, fresh, other} {
		if err := os.WriteFile(p, []byte("fake"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if n, err := SweepTemps(dir, time.Minute); err != nil || n != 1 {
		t.Fatalf("swept %d (%v), want the stale one", n, err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a fresh temp file (a live writer's) was removed")
	}
	if n, _ := SweepTemps(dir, 0); n != 1 {
		t.Errorf("age 0 swept %d, want the remaining temp file", n)
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
	p := filepath.Join(dir, "out.sh")
	stale := filepath.Join(dir, ".out.sh"+TempInfix+"123456")
	fresh := filepath.Join(dir, ".out.sh"+TempInfix+"654321")
	other := filepath.Join(dir, ".other"+TempInfix+"1")
	for _, f := range []string{stale, fresh, other} {
		if err := os.WriteFile(f, []byte("AWS_SECRET_ACCESS_KEY=fake"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-10 * time.Minute)
	for _, f := range []string{stale, other} {
		_ = os.Chtimes(f, old, old)
	}
	if err := Write(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale temp file of out.sh was not swept")
	}
	for _, f := range []string{fresh, other} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s was removed (a live writer's, or another file's)", f)
		}
	}
}
